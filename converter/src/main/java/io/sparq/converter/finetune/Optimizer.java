package io.sparq.converter.finetune;

import io.sparq.format.Tensor;

import java.util.HashMap;
import java.util.Map;

/** Updates weights in place from their gradients; keeps per-weight state (moments) between steps. */
public interface Optimizer {
    /** One update of every weight in {@code params} with {@code grads} (same names and shapes) at rate {@code lr}. */
    void step(Map<String, Tensor> params, Map<String, Tensor> grads, double lr);

    /**
     * Adam (Kingma & Ba) with bias correction; {@code weightDecay} > 0 adds decoupled weight decay
     * (AdamW: w -= lr·decay·w, outside the adaptive scaling).
     */
    static Optimizer adam(double beta1, double beta2, double epsilon, double weightDecay) {
        Map<String, float[]> m = new HashMap<>();
        Map<String, float[]> v = new HashMap<>();
        long[] t = {0};
        return (params, grads, lr) -> {
            t[0]++;
            double c1 = 1 - Math.pow(beta1, t[0]);
            double c2 = 1 - Math.pow(beta2, t[0]);
            params.forEach((name, p) -> {
                float[] w = p.floats();
                float[] g = grads.get(name).floats();
                float[] mm = m.computeIfAbsent(name, k -> new float[w.length]);
                float[] vv = v.computeIfAbsent(name, k -> new float[w.length]);
                for (int i = 0; i < w.length; i++) {
                    mm[i] = (float) (beta1 * mm[i] + (1 - beta1) * g[i]);
                    vv[i] = (float) (beta2 * vv[i] + (1 - beta2) * g[i] * g[i]);
                    double update = (mm[i] / c1) / (Math.sqrt(vv[i] / c2) + epsilon);
                    w[i] = (float) (w[i] - lr * (update + weightDecay * w[i]));
                }
            });
        };
    }

    /** Stochastic gradient descent with (heavy-ball) momentum; 0 = plain SGD. */
    static Optimizer sgd(double momentum) {
        Map<String, float[]> velocity = new HashMap<>();
        return (params, grads, lr) -> params.forEach((name, p) -> {
            float[] w = p.floats();
            float[] g = grads.get(name).floats();
            float[] vel = velocity.computeIfAbsent(name, k -> new float[w.length]);
            for (int i = 0; i < w.length; i++) {
                vel[i] = (float) (momentum * vel[i] + g[i]);
                w[i] = (float) (w[i] - lr * vel[i]);
            }
        });
    }

    /**
     * Scales all gradients together so their global L2 norm is at most {@code maxNorm}
     * (no-op when {@code maxNorm} ≤ 0).
     *
     * @return the global norm before clipping
     */
    static double clipGlobalNorm(Map<String, Tensor> grads, double maxNorm) {
        double sq = 0;
        for (Tensor g : grads.values()) {
            for (float x : g.floats()) {
                sq += (double) x * x;
            }
        }
        double norm = Math.sqrt(sq);
        if (maxNorm > 0 && norm > maxNorm) {
            float scale = (float) (maxNorm / norm);
            for (Tensor g : grads.values()) {
                float[] v = g.floats();
                for (int i = 0; i < v.length; i++) {
                    v[i] *= scale;
                }
            }
        }
        return norm;
    }
}
