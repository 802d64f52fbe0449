package io.sparq.runtime.kernels;

/**
 * Dense single-precision matrix multiply {@code C = alpha·op(A)·op(B) + beta·C} on row-major
 * matrices stored contiguously from an offset, where {@code op(X)} is X or its transpose.
 *
 * <p>A product with at least {@link #PACKED_MIN_ROWS} rows packs B into column panels
 * ({@link PackedMatrix}, {@code O(nk)}) and runs {@link Kernels#gemmPacked}: blocks of 4 A rows
 * broadcast against a panel, 41 GFLOP/s per core on AVX2 against 20 for dot products of rows. A
 * B used by many products is packed once ({@link #pack}) and passed to
 * {@link #gemm(boolean, int, float, float[], int, PackedMatrix, float, float[], int)}. Fewer rows
 * (a matrix-vector product) run as dot products of contiguous rows ({@link Kernels#gemmNT}), with
 * an operand not in that layout transposed into a per-thread buffer. Large products are split
 * across {@link KernelThreads} by rows of C, or by column panels when C has few rows; the split
 * never changes a result.
 */
public final class Gemm {
    private static final int ROW_GRAIN = 8;
    private static final int COL_GRAIN = 64;
    private static final int SMALL_M = 64;
    private static final ThreadLocal<float[]> PACKED_A = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<float[]> PACKED_B = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<PackedMatrix> PANELS = ThreadLocal.withInitial(PackedMatrix::new);
    /** From this many rows of C, B is packed into panels (below, a row is a matrix-vector product). */
    static final int PACKED_MIN_ROWS = 4;

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
        if (transA) {
            a = transpose(PACKED_A, a, aOff, k, m);
            aOff = 0;
        }
        if (m >= PACKED_MIN_ROWS) {
            PackedMatrix panels = PANELS.get().repack(kernels.panelWidth(), transB, k, n, b, bOff);
            productPacked(kernels, m, alpha, a, aOff, k, panels, beta, c, cOff, n);
            return;
        }
        if (!transB) {
            b = transpose(PACKED_B, b, bOff, k, n);
            bOff = 0;
        }
        productNT(kernels, m, n, k, alpha, a, aOff, k, b, bOff, k, beta, c, cOff, n);
    }

    /** B ({@code k × n}, or {@code n × k} when {@code transB}) packed for {@link #gemm(boolean, int, float, float[], int, PackedMatrix, float, float[], int)}. */
    public static PackedMatrix pack(boolean transB, int k, int n, float[] b, int bOff) {
        return PackedMatrix.of(Vectorization.kernels(), transB, k, n, b, bOff);
    }

    /**
     * {@code C = alpha·op(A)·B + beta·C} with B packed by {@link #pack}: m rows, {@code b.n()}
     * columns, reduction length {@code b.k()}.
     */
    public static void gemm(boolean transA, int m, float alpha, float[] a, int aOff, PackedMatrix b,
                            float beta, float[] c, int cOff) {
        if (m == 0 || b.n() == 0) {
            return;
        }
        int k = b.k();
        if (transA) {
            a = transpose(PACKED_A, a, aOff, k, m);
            aOff = 0;
        }
        productPacked(Vectorization.kernels(), m, alpha, a, aOff, k, b, beta, c, cOff, b.n());
    }

    /** {@link Kernels#gemmPacked} over all panels, split across threads when large. */
    static void productPacked(Kernels kernels, int m, float alpha, float[] a, int aOff, int lda, PackedMatrix b,
                              float beta, float[] c, int cOff, int ldc) {
        long work = (long) m * b.n() * b.k();
        int panels = b.panels();
        // large products by column panels when B is the larger operand, so each thread streams its
        // half of B rather than all of it (1024 × 512 × 2048 on two cores: 8.0 against 9.4 ms);
        // a few rows (a recurrent step's batch) by rows, which measured as fast or faster
        boolean byRows = m >= b.n() || m <= SMALL_M || !KernelThreads.worthSplitting(panels, 1, work);
        if (byRows && KernelThreads.worthSplitting(m, ROW_GRAIN, work)) {
            KernelThreads.run(m, ROW_GRAIN, (i0, i1) -> kernels.gemmPacked(i1 - i0, alpha,
                    a, aOff + i0 * lda, lda, b, 0, panels, beta, c, cOff + i0 * ldc, ldc));
        } else if (KernelThreads.worthSplitting(panels, 1, work)) {
            KernelThreads.run(panels, 1, (q0, q1) -> kernels.gemmPacked(m, alpha, a, aOff, lda, b, q0, q1,
                    beta, c, cOff, ldc));
        } else {
            kernels.gemmPacked(m, alpha, a, aOff, lda, b, 0, panels, beta, c, cOff, ldc);
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

    /** The transpose of the {@code rows × cols} matrix at {@code off}, in this thread's buffer (grown, never shrunk). */
    private static float[] transpose(ThreadLocal<float[]> buffer, float[] x, int off, int rows, int cols) {
        float[] t = buffer.get();
        if (t.length < rows * cols) {
            t = new float[rows * cols];
            buffer.set(t);
        }
        // in 8 × 8 tiles: a tile reads 8 lines and writes 8, each set a stride apart. With the
        // power-of-two widths of recurrent layers every line of one side falls into the same L1 set,
        // and 8 fit its 8 ways where 32 × 32 tiles evicted each other (a 2048-wide transpose ran
        // at about 13 ns per element)
        for (int r0 = 0; r0 < rows; r0 += 8) {
            int r1 = Math.min(rows, r0 + 8);
            for (int c0 = 0; c0 < cols; c0 += 8) {
                int c1 = Math.min(cols, c0 + 8);
                for (int r = r0; r < r1; r++) {
                    for (int c = c0; c < c1; c++) {
                        t[c * rows + r] = x[off + r * cols + c];
                    }
                }
            }
        }
        return t;
    }
}
