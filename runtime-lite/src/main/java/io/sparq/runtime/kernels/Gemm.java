package io.sparq.runtime.kernels;

import java.util.Arrays;

/**
 * Dense single-precision matrix multiply {@code C = alpha·op(A)·op(B) + beta·C} on row-major
 * matrices stored contiguously from an offset, where {@code op(X)} is X or its transpose.
 *
 * <p>With B as stored ({@code [k, n]}) rows of C accumulate scaled rows of B
 * ({@link Kernels#gemmNN}: register blocks of 4 rows × 2 vectors, reading A(i, p) as a scalar so a
 * transposed A costs nothing extra). With B transposed ({@code [n, k]}) each element of C is a dot
 * product of two contiguous rows ({@link Kernels#gemmNT}); a transposed A is first copied into a
 * per-thread buffer as {@code [m, k]} so both operands are contiguous. Large products are split
 * across {@link KernelThreads} by rows of C, or by columns when C has few rows.
 */
public final class Gemm {
    private static final int ROW_GRAIN = 8;
    private static final int COL_GRAIN = 64;
    private static final ThreadLocal<float[]> PACKED = ThreadLocal.withInitial(() -> new float[0]);

    private Gemm() {
    }

    /**
     * @param m rows of op(A) and C
     * @param n columns of op(B) and C
     * @param k columns of op(A), rows of op(B)
     * @param a {@code [m, k]}, or {@code [k, m]} when {@code transA}
     * @param b {@code [k, n]}, or {@code [n, k]} when {@code transB}
     * @param beta scale of the existing C; when 0, C's previous contents are ignored (even NaN)
     * @param c {@code [m, n]}
     */
    public static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                            float[] a, int aOff, float[] b, int bOff, float beta, float[] c, int cOff) {
        gemm(Vectorization.kernels(), transA, transB, m, n, k, alpha, a, aOff, b, bOff, beta, c, cOff);
    }

    static void gemm(Kernels kernels, boolean transA, boolean transB, int m, int n, int k, float alpha,
                     float[] a, int aOff, float[] b, int bOff, float beta, float[] c, int cOff) {
        if (m == 0 || n == 0) {
            return;
        }
        if (transB) {
            if (transA) {
                float[] packed = packed(m * k);
                for (int p = 0; p < k; p++) {
                    for (int i = 0; i < m; i++) {
                        packed[i * k + p] = a[aOff + p * m + i];
                    }
                }
                a = packed;
                aOff = 0;
            }
            productNT(kernels, m, n, k, alpha, a, aOff, k, b, bOff, k, beta, c, cOff, n);
            return;
        }
        for (int i = 0; i < m; i++) {
            scale(c, cOff + i * n, n, beta);
        }
        productNN(kernels, m, n, k, alpha, a, aOff, transA ? 1 : k, transA ? m : 1, b, bOff, c, cOff);
    }

    private static void productNN(Kernels kernels, int m, int n, int k, float alpha, float[] a, int aOff, int aRow,
                                  int aCol, float[] b, int bOff, float[] c, int cOff) {
        long work = (long) m * n * k;
        if (KernelThreads.worthSplitting(m, ROW_GRAIN, work)) {
            KernelThreads.run(m, ROW_GRAIN, (i0, i1) -> kernels.gemmNN(i1 - i0, n, k, alpha,
                    a, aOff + i0 * aRow, aRow, aCol, b, bOff, n, c, cOff + i0 * n, n));
        } else if (KernelThreads.worthSplitting(n, COL_GRAIN, work)) {
            KernelThreads.run(n, COL_GRAIN, (j0, j1) -> kernels.gemmNN(m, j1 - j0, k, alpha,
                    a, aOff, aRow, aCol, b, bOff + j0, n, c, cOff + j0, n));
        } else {
            kernels.gemmNN(m, n, k, alpha, a, aOff, aRow, aCol, b, bOff, n, c, cOff, n);
        }
    }

    /** {@link Kernels#gemmNT}, split across threads when large. */
    static void productNT(Kernels kernels, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                          float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        long work = (long) m * n * k;
        if (KernelThreads.worthSplitting(m, ROW_GRAIN, work)) {
            KernelThreads.run(m, ROW_GRAIN, (i0, i1) -> kernels.gemmNT(i1 - i0, n, k, alpha,
                    a, aOff + i0 * lda, lda, b, bOff, ldb, beta, c, cOff + i0 * ldc, ldc));
        } else if (KernelThreads.worthSplitting(n, COL_GRAIN, work)) {
            KernelThreads.run(n, COL_GRAIN, (j0, j1) -> kernels.gemmNT(m, j1 - j0, k, alpha,
                    a, aOff, lda, b, bOff + j0 * ldb, ldb, beta, c, cOff + j0, ldc));
        } else {
            kernels.gemmNT(m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        }
    }

    private static float[] packed(int size) {
        float[] p = PACKED.get();
        if (p.length < size) {
            p = new float[size];
            PACKED.set(p);
        }
        return p;
    }

    private static void scale(float[] c, int off, int n, float beta) {
        if (beta == 0) {
            Arrays.fill(c, off, off + n, 0f);
        } else if (beta != 1) {
            for (int j = 0; j < n; j++) {
                c[off + j] *= beta;
            }
        }
    }
}
