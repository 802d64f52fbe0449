package io.sparq.runtime.kernels;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link Gemm} against a naive triple loop in double precision, over every transpose combination,
 * odd sizes, non-zero offsets and several alpha / beta. Tolerance: 1e-5 + 2.5e-7·(k + 4)·Σ|terms|.
 */
class GemmTest {
    private static final int[][] SIZES = {{1, 1, 1}, {3, 5, 2}, {7, 4, 9}, {16, 17, 31}, {2, 33, 1}, {4, 3, 0}};
    private static final float[][] SCALES = {{1, 0}, {0.5f, 1}, {-2, 0.25f}};

    @Test
    void matchesNaiveProduct() {
        Random rnd = new Random(7);
        for (int[] s : SIZES) {
            for (boolean transA : new boolean[] {false, true}) {
                for (boolean transB : new boolean[] {false, true}) {
                    for (float[] ab : SCALES) {
                        check(rnd, s[0], s[1], s[2], transA, transB, ab[0], ab[1]);
                    }
                }
            }
        }
    }

    @Test
    void betaZeroIgnoresPreviousContents() {
        float[] c = {Float.NaN, Float.NaN};
        Gemm.gemm(false, false, 1, 2, 1, 1, new float[] {2}, 0, new float[] {3, 4}, 0, 0, c, 0);
        assertEquals("[6.0, 8.0]", Arrays.toString(c));
        c = new float[] {Float.NaN, Float.NaN};
        Gemm.gemm(false, true, 1, 2, 1, 1, new float[] {2}, 0, new float[] {3, 4}, 0, 0, c, 0);
        assertEquals("[6.0, 8.0]", Arrays.toString(c));
    }

    /**
     * Every backend (scalar, vector at 128/256/512 bits), all four transpose combinations, shapes that
     * cross the register blocks (2 × 4 dot products) and vector tails, the B panels of gemmNT,
     * and products large enough to be split across threads by rows and by columns.
     * Tolerance: 1e-5 + 2.5e-7·(k + 4)·Σ|terms| (float rounding of a reordered sum).
     */
    @Test
    void everyBackendMatchesNaiveProduct() {
        Random rnd = new Random(9);
        int[][] sizes = {{1, 37, 300}, {6, 19, 33}, {133, 21, 5}, {9, 70, 260}, {2, 2, 513}};
        int before = KernelThreads.threads();
        try {
            KernelThreads.setThreads(2);
            for (Kernels kernels : WeightMatrixKernelsTest.backends()) {
                for (int[] s : sizes) {
                    for (boolean transA : new boolean[] {false, true}) {
                        for (boolean transB : new boolean[] {false, true}) {
                            check(kernels, rnd, s[0], s[1], s[2], transA, transB, 0.5f, rnd.nextBoolean() ? 0 : 1.5f);
                        }
                    }
                }
            }
            for (boolean transA : new boolean[] {false, true}) {
                for (boolean transB : new boolean[] {false, true}) {
                    check(Vectorization.kernels(), rnd, 70, 90, 200, transA, transB, 1, 0);
                    check(Vectorization.kernels(), rnd, 3, 700, 600, transA, transB, 1, 1);
                }
            }
        } finally {
            KernelThreads.setThreads(before);
        }
    }

    /**
     * Products of at least {@link Gemm#PACKED_MIN_ROWS} rows are fused multiply-add chains in order of
     * the reduction index: bit-identical on every backend, with one thread or two, and with B packed
     * once up front ({@link Gemm#pack}) or per call.
     */
    @Test
    void packedProductsAreBitIdenticalAcrossBackendsSplitsAndPrepacking() {
        Random rnd = new Random(13);
        int[][] sizes = {{4, 1, 1}, {5, 33, 17}, {13, 100, 64}, {64, 70, 300}, {7, 16, 0}};
        int before = KernelThreads.threads();
        try {
            for (int[] s : sizes) {
                int m = s[0];
                int n = s[1];
                int k = s[2];
                for (boolean transB : new boolean[] {false, true}) {
                    float[] a = random(rnd, m * k);
                    float[] b = random(rnd, k * n);
                    float[] c0 = random(rnd, m * n);
                    float[] reference = null;
                    for (Kernels kernels : WeightMatrixKernelsTest.backends()) {
                        for (int threads : new int[] {1, 2}) {
                            KernelThreads.setThreads(threads);
                            float[] c = c0.clone();
                            Gemm.gemm(kernels, false, transB, m, n, k, 0.5f, a, 0, b, 0, 1.5f, c, 0);
                            if (reference == null) {
                                reference = c;
                            }
                            assertArrayEquals(reference, c, kernels + " threads=" + threads + " m=" + m + " n=" + n
                                    + " k=" + k + " transB=" + transB);
                        }
                    }
                    float[] c = c0.clone();
                    Gemm.gemm(false, m, 0.5f, a, 0, Gemm.pack(transB, k, n, b, 0), 1.5f, c, 0);
                    assertArrayEquals(reference, c, "prepacked m=" + m + " n=" + n + " k=" + k + " transB=" + transB);
                }
            }
        } finally {
            KernelThreads.setThreads(before);
        }
    }

    private static void check(Random rnd, int m, int n, int k, boolean transA, boolean transB, float alpha, float beta) {
        check(Vectorization.kernels(), rnd, m, n, k, transA, transB, alpha, beta);
    }

    private static void check(Kernels kernels, Random rnd, int m, int n, int k, boolean transA, boolean transB,
                              float alpha, float beta) {
        int aOff = 3;
        int bOff = 1;
        int cOff = 2;
        float[] a = random(rnd, aOff + m * k);
        float[] b = random(rnd, bOff + k * n);
        float[] c = random(rnd, cOff + m * n + 4);
        double[] expected = new double[m * n];
        double[] magnitude = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                double abs = 0;
                for (int p = 0; p < k; p++) {
                    float av = a[aOff + (transA ? p * m + i : i * k + p)];
                    float bv = b[bOff + (transB ? j * k + p : p * n + j)];
                    sum += (double) av * bv;
                    abs += Math.abs((double) av * bv);
                }
                expected[i * n + j] = alpha * sum + beta * c[cOff + i * n + j];
                magnitude[i * n + j] = Math.abs(alpha) * abs + Math.abs(beta * c[cOff + i * n + j]);
            }
        }
        float[] before = c.clone();
        Gemm.gemm(kernels, transA, transB, m, n, k, alpha, a, aOff, b, bOff, beta, c, cOff);
        String what = kernels + " m=" + m + " n=" + n + " k=" + k + " transA=" + transA + " transB=" + transB
                + " alpha=" + alpha + " beta=" + beta;
        for (int i = 0; i < m * n; i++) {
            double e = expected[i];
            assertEquals(e, c[cOff + i], 1e-5 + 2.5e-7 * (k + 4) * magnitude[i], what + " element " + i);
        }
        // nothing outside C's window is written
        for (int i = 0; i < c.length; i++) {
            if (i < cOff || i >= cOff + m * n) {
                assertEquals(before[i], c[i], what + " wrote outside C at " + i);
            }
        }
    }

    private static float[] random(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = rnd.nextFloat() * 2 - 1;
        }
        return x;
    }
}
