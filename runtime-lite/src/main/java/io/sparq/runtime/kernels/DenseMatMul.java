package io.sparq.runtime.kernels;

/**
 * Dense fp32 products {@code C = A·Bᵀ + bias}, with B stored as {@code n} rows of {@code k} (the
 * layout of ONNX {@code W}, {@code R} and Gemm weights with {@code transB}), so every dot product
 * reads two contiguous rows. Runs on {@link Kernels#gemmNT} (register blocks of 2 A rows × 4 B
 * rows, B walked in cache-sized panels), split across {@link KernelThreads} when large; a result
 * element does not depend on {@code m}, {@code n} or how the product was split.
 */
public final class DenseMatMul {
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
        multiplyTransposed(Vectorization.kernels(), m, n, k, a, aOff, lda, b, bOff, ldb, bias, biasOff, c, cOff, ldc);
    }

    static void multiplyTransposed(Kernels kernels, int m, int n, int k, float[] a, int aOff, int lda,
                                   float[] b, int bOff, int ldb, float[] bias, int biasOff,
                                   float[] c, int cOff, int ldc) {
        if (bias != null) {
            for (int i = 0; i < m; i++) {
                System.arraycopy(bias, biasOff, c, cOff + i * ldc, n);
            }
        }
        Gemm.productNT(kernels, m, n, k, 1, a, aOff, lda, b, bOff, ldb, bias == null ? 0 : 1, c, cOff, ldc);
    }
}
