package io.sparq.runtime.kernels;

import io.sparq.format.Tensor;
import io.sparq.format.codec.EncodedTensor;
import io.sparq.format.codec.EncodingChoice;
import io.sparq.format.codec.ValueFormat;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * The kernels give bit-identical results before and after the JIT compiles them: the first calls
 * run interpreted (the Vector API's Java fallback), later ones as C2 code. A kernel whose summation
 * order differs between the two (as {@code reduceLanes(ADD)} does on JDK 25) makes a seeded
 * fine-tuning run differ from its repeat in the same JVM.
 */
class KernelDeterminismTest {
    private static final int WARM_UP_CALLS = 30_000;

    @Test
    void gemmIsTheSameColdAndCompiled() {
        gemmColdAndCompiled(2);
        gemmColdAndCompiled(Gemm.PACKED_MIN_ROWS + 1);
    }

    private static void gemmColdAndCompiled(int m) {
        Random rnd = new Random(5);
        int n = 4;
        int k = 45;
        float[] a = WeightMatrixKernelsTest.random(rnd, m * k);
        float[] b = WeightMatrixKernelsTest.random(rnd, n * k);
        Kernels kernels = Vectorization.kernels();
        float[] cold = new float[m * n];
        Gemm.gemm(kernels, false, true, m, n, k, 1f, a, 0, b, 0, 0f, cold, 0);
        float[] warm = new float[m * n];
        for (int call = 0; call < WARM_UP_CALLS; call++) {
            Gemm.gemm(kernels, false, true, m, n, k, 1f, a, 0, b, 0, 0f, warm, 0);
        }
        assertArrayEquals(cold, warm, kernels + " m=" + m);
    }

    @Test
    void sparseAndQuantizedProductsAreTheSameColdAndCompiled() {
        Random rnd = new Random(6);
        int rows = 8;
        int cols = 96;
        float[] values = WeightMatrixKernelsTest.random(rnd, rows * cols);
        for (int i = 0; i < values.length; i += 3) {
            values[i] = 0;
        }
        Tensor dense = Tensor.ofFloats(new int[] {rows, cols}, values);
        float[] x = WeightMatrixKernelsTest.random(rnd, cols);
        for (EncodingChoice choice : List.of(EncodingChoice.dense(), EncodingChoice.denseInt8(),
                EncodingChoice.blockSparse(16, ValueFormat.INT8), EncodingChoice.blockSparse(8, ValueFormat.NATIVE),
                EncodingChoice.csr(ValueFormat.INT8))) {
            WeightMatrix w = WeightMatrices.of(EncodedTensor.encode("w", dense, choice));
            float[] cold = new float[rows];
            w.multiply(1, x, 0, cols, 0, rows, cold, 0, rows, false);
            float[] warm = new float[rows];
            for (int call = 0; call < WARM_UP_CALLS; call++) {
                w.multiply(1, x, 0, cols, 0, rows, warm, 0, rows, false);
            }
            assertArrayEquals(cold, warm, choice.toString());
        }
    }
}
