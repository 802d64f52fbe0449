package io.sparq.runtime.kernels;

/**
 * Dense fp32 products {@code C = A·Bᵀ + bias} in plain scalar Java, the reference the vectorised
 * kernels will be checked against.
 *
 * <p>B is stored as {@code n} rows of {@code k} (the layout of ONNX {@code W}, {@code R} and Gemm
 * weights with {@code transB}), so every dot product reads two contiguous rows. Each A row is
 * multiplied with four B rows at a time (four independent sums hide the add latency, and the A
 * element is loaded once for all four), and B is walked in panels small enough to stay in cache
 * while every row of A passes over them. Within one output element the sum runs over {@code k} in
 * order, so a result does not depend on {@code m}, {@code n} or the panel it fell in.
 */
public final class DenseMatMul {
    /** Floats of B kept hot per panel: 64 KiB, well inside a typical L2. */
    private static final int PANEL_FLOATS = 16 * 1024;

    private DenseMatMul() {
    }

    /**
     * {@code C[i][j] = bias[j] + Σ_p A[i][p]·B[j][p]} for {@code i < m}, {@code j < n},
     * {@code p < k}; C is overwritten.
     *
     * @param a    A, row {@code i} starting at {@code aOff + i*lda}
     * @param b    B, row {@code j} starting at {@code bOff + j*ldb}
     * @param bias added to column {@code j} from {@code bias[biasOff + j]}; null for none
     * @param c    C, row {@code i} starting at {@code cOff + i*ldc}
     */
    public static void multiplyTransposed(int m, int n, int k,
                                          float[] a, int aOff, int lda,
                                          float[] b, int bOff, int ldb,
                                          float[] bias, int biasOff,
                                          float[] c, int cOff, int ldc) {
        int panel = Math.max(4, PANEL_FLOATS / Math.max(1, k)) & ~3;
        for (int j0 = 0; j0 < n; j0 += panel) {
            int j1 = Math.min(n, j0 + panel);
            for (int i = 0; i < m; i++) {
                rowTimesPanel(k, a, aOff + i * lda, b, bOff, ldb, bias, biasOff, c, cOff + i * ldc, j0, j1);
            }
        }
    }

    private static void rowTimesPanel(int k, float[] a, int ai, float[] b, int bOff, int ldb,
                                      float[] bias, int biasOff, float[] c, int ci, int j0, int j1) {
        int j = j0;
        for (; j + 4 <= j1; j += 4) {
            int b0 = bOff + j * ldb;
            int b1 = b0 + ldb;
            int b2 = b1 + ldb;
            int b3 = b2 + ldb;
            float s0 = 0;
            float s1 = 0;
            float s2 = 0;
            float s3 = 0;
            for (int p = 0; p < k; p++) {
                float av = a[ai + p];
                s0 += av * b[b0 + p];
                s1 += av * b[b1 + p];
                s2 += av * b[b2 + p];
                s3 += av * b[b3 + p];
            }
            if (bias != null) {
                s0 += bias[biasOff + j];
                s1 += bias[biasOff + j + 1];
                s2 += bias[biasOff + j + 2];
                s3 += bias[biasOff + j + 3];
            }
            c[ci + j] = s0;
            c[ci + j + 1] = s1;
            c[ci + j + 2] = s2;
            c[ci + j + 3] = s3;
        }
        for (; j < j1; j++) {
            int bj = bOff + j * ldb;
            float s = 0;
            for (int p = 0; p < k; p++) {
                s += a[ai + p] * b[bj + p];
            }
            c[ci + j] = bias == null ? s : s + bias[biasOff + j];
        }
    }
}
