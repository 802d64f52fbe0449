package io.sparq.converter.finetune;

import io.sparq.format.Tensor;
import io.sparq.runtime.kernels.KernelThreads;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Adam in float32 against the textbook update in double, and split across threads against one thread. */
class OptimizerTest {
    @Test
    void adamFollowsTheDoublePrecisionUpdate() {
        Random rng = new Random(2);
        int n = 1000;
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = rng.nextFloat() - 0.5f;
        }
        double[] rw = new double[n];
        double[] rm = new double[n];
        double[] rv = new double[n];
        for (int i = 0; i < n; i++) {
            rw[i] = w[i];
        }
        double b1 = 0.9, b2 = 0.999, eps = 1e-8, decay = 0.01, lr = 1e-3;
        Optimizer adam = Optimizer.adam(b1, b2, eps, decay);
        Tensor weights = Tensor.ofFloats(new int[] {n}, w);
        for (int t = 1; t <= 6; t++) {
            float[] g = new float[n];
            for (int i = 0; i < n; i++) {
                g[i] = (float) rng.nextGaussian();
            }
            adam.step(Map.of("w", weights), Map.of("w", Tensor.ofFloats(new int[] {n}, g)), lr);
            for (int i = 0; i < n; i++) {
                rm[i] = b1 * rm[i] + (1 - b1) * g[i];
                rv[i] = b2 * rv[i] + (1 - b2) * g[i] * g[i];
                double update = rm[i] / (1 - Math.pow(b1, t)) / (Math.sqrt(rv[i] / (1 - Math.pow(b2, t))) + eps);
                rw[i] -= lr * (update + decay * rw[i]);
            }
        }
        // float32 rounding of moments and weights over six steps: a few ulp of weights of order 0.5,
        // far below one step's move (lr = 1e-3)
        for (int i = 0; i < n; i++) {
            assertEquals(rw[i], w[i], 1e-6, "weight " + i);
        }
    }

    @Test
    void aSplitUpdateGivesTheSameBits() {
        int n = 5 * (1 << 14) + 7;      // several chunks and a ragged end
        float[] one = run(n, 1);
        float[] two = run(n, 2);
        assertArrayEquals(one, two);
    }

    private static float[] run(int n, int threads) {
        int before = KernelThreads.threads();
        try {
            KernelThreads.setThreads(threads);
            Random rng = new Random(4);
            float[] w = new float[n];
            float[] g = new float[n];
            for (int i = 0; i < n; i++) {
                w[i] = rng.nextFloat();
                g[i] = rng.nextFloat() - 0.5f;
            }
            Optimizer adam = Optimizer.adam(0.9, 0.999, 1e-8, 0.01);
            for (int t = 0; t < 3; t++) {
                adam.step(Map.of("w", Tensor.ofFloats(new int[] {n}, w)), Map.of("w", Tensor.ofFloats(new int[] {n}, g)), 1e-3);
            }
            return w;
        } finally {
            KernelThreads.setThreads(before);
        }
    }
}
