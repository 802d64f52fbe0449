package io.sparq.runtime.kernels;

/**
 * Dense single-precision matrix multiply {@code C = alpha·op(A)·op(B) + beta·C} on row-major
 * matrices stored contiguously from an offset, where {@code op(X)} is X or its transpose.
 *
 * <p>Loop order keeps the innermost loop on contiguous memory: with B as stored ([K, N]) each row
 * of C accumulates scaled rows of B (i-k-j order); with B transposed ([N, K]) each element of C
 * is a dot product of a row of A with a row of B.
 */
public final class Gemm {
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
        // element (i, p) of op(A) is at aOff + i * aRow + p * aCol
        int aRow = transA ? 1 : k;
        int aCol = transA ? m : 1;
        if (!transB) {
            for (int i = 0; i < m; i++) {
                int ci = cOff + i * n;
                scale(c, ci, n, beta);
                for (int p = 0; p < k; p++) {
                    float av = alpha * a[aOff + i * aRow + p * aCol];
                    int bp = bOff + p * n;
                    for (int j = 0; j < n; j++) {
                        c[ci + j] += av * b[bp + j];
                    }
                }
            }
        } else {
            for (int i = 0; i < m; i++) {
                int ci = cOff + i * n;
                int ai = aOff + i * aRow;
                for (int j = 0; j < n; j++) {
                    int bj = bOff + j * k;
                    float sum = 0;
                    for (int p = 0; p < k; p++) {
                        sum += a[ai + p * aCol] * b[bj + p];
                    }
                    c[ci + j] = alpha * sum + (beta == 0 ? 0 : beta * c[ci + j]);
                }
            }
        }
    }

    private static void scale(float[] c, int off, int n, float beta) {
        if (beta == 0) {
            java.util.Arrays.fill(c, off, off + n, 0f);
        } else if (beta != 1) {
            for (int j = 0; j < n; j++) {
                c[off + j] *= beta;
            }
        }
    }
}
