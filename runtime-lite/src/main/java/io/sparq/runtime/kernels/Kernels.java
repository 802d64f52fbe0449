package io.sparq.runtime.kernels;

/**
 * The numeric loops behind {@link Gemm} and the {@link WeightMatrix} encodings,
 * implemented once in scalar Java ({@link ScalarKernels}, the reference) and once with the Vector
 * API ({@code kernels.simd}); {@link Vectorization} picks one at start-up.
 *
 * <p>Every weight-matrix method computes, for {@code i < m} and {@code row0 ≤ j < row1},
 * {@code Y[i][j - row0] (=, or += when accumulate) Σ_p X[i][p]·W[j][p]} with X row {@code i} at
 * {@code x[xOff + i*ldx]} and Y element {@code (i, j)} at {@code y[yOff + i*ldy + j - row0]}.
 * Within one output element the order of operations depends only on the element's own data, never
 * on {@code m}, the row range or the position in a register block, so a product computed in pieces
 * (threads, time steps, row ranges) equals the product computed at once, and interpreted code
 * computes what compiled code does (the lanes of a register are added in a fixed order).
 *
 * <p>Arrays of codes ({@code byte[]}) are read up to 16 bytes past their last code: callers pad them.
 */
public interface Kernels {
    /**
     * {@code C[i][j] = alpha·Σ_p A[i][p]·B[j][p] + beta·C[i][j]} for {@code i < m, j < n, p < k}; with
     * {@code beta == 0} C's previous contents are ignored. Row {@code i} of A, B, C starts at
     * {@code off + i*ld}.
     */
    void gemmNT(int m, int n, int k, float alpha, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                float beta, float[] c, int cOff, int ldc);

    /** Columns of B per panel of a {@link PackedMatrix} these kernels multiply ({@link #gemmPacked}). */
    int panelWidth();

    /**
     * {@code C[i][j] = alpha·Σ_p A[i][p]·B[p][j] + beta·C[i][j]} for {@code i < m} and the columns of
     * panels {@code [panel0, panel1)} of B; with {@code beta == 0} C's previous contents are ignored.
     * Row {@code i} of A and C starts at {@code off + i*ld}. Each sum is one fused multiply-add chain
     * over {@code p} in order, starting from 0, so the result is the same on every backend, in any
     * split, interpreted or compiled.
     */
    void gemmPacked(int m, float alpha, float[] a, int aOff, int lda, PackedMatrix b, int panel0, int panel1,
                    float beta, float[] c, int cOff, int ldc);

    /** Dense binary16 weights {@code w} ({@code rows × cols}, row-major). */
    void denseF16(short[] w, int cols, int m, float[] x, int xOff, int ldx, int row0, int row1,
                  float[] y, int yOff, int ldy, boolean accumulate);

    /**
     * Dense int8 codes {@code q} ({@code rows × cols}, row-major) with one scale per group of
     * {@code group} consecutive columns of a row (the last group of a row may be shorter; a whole row
     * when {@code group == cols}): {@code W[j][p] = q[j][p]·scales[j·ceil(cols/group) + p/group]}.
     * The sum of each group is scaled, then the groups are added.
     */
    void denseInt8(byte[] q, float[] scales, int group, int cols, int m, float[] x, int xOff, int ldx,
                   int row0, int row1, float[] y, int yOff, int ldy, boolean accumulate);

    /**
     * 1×B block-sparse weights: row j's blocks are {@code rowPtr[j] … rowPtr[j+1]-1}; block t starts at
     * column {@code blockCol[t]} (a multiple of B) and its B values are {@code values[t·B …]}, zero past
     * {@code cols}.
     */
    void blockSparseF32(int blockSize, int[] rowPtr, int[] blockCol, float[] values, int cols,
                        int m, float[] x, int xOff, int ldx, int row0, int row1,
                        float[] y, int yOff, int ldy, boolean accumulate);

    /** As {@link #blockSparseF32} with int8 codes and one scale per row: {@code W[j][p] = q·scales[j]}. */
    void blockSparseInt8(int blockSize, int[] rowPtr, int[] blockCol, byte[] q, float[] scales, int cols,
                         int m, float[] x, int xOff, int ldx, int row0, int row1,
                         float[] y, int yOff, int ldy, boolean accumulate);

    /** Compressed sparse rows: row j's elements are {@code rowPtr[j] … rowPtr[j+1]-1}, at columns {@code col[t]}. */
    void csrF32(int[] rowPtr, int[] col, float[] values, int m, float[] x, int xOff, int ldx, int row0, int row1,
                float[] y, int yOff, int ldy, boolean accumulate);

    /** As {@link #csrF32} with int8 codes and one scale per row. */
    void csrInt8(int[] rowPtr, int[] col, byte[] q, float[] scales, int m, float[] x, int xOff, int ldx,
                 int row0, int row1, float[] y, int yOff, int ldy, boolean accumulate);

    /**
     * B×1 column-block weights (SPEC.md {@code column_block_sparse}): the rows are cut into groups of B;
     * group g's blocks are {@code groupPtr[g] … groupPtr[g+1]-1}, block t is column {@code col[t]} of
     * rows {@code g·B … g·B+B-1} with its B values at {@code values[t·B …]} (zero past the last row).
     * Each output element is one fused multiply-add chain {@code acc = fma(x[col], w, acc)} over its
     * group's blocks in order, starting from 0: the same bits on every backend, vector width, thread
     * split and input count.
     */
    void columnBlockF32(int blockSize, int[] groupPtr, int[] col, float[] values,
                        int m, float[] x, int xOff, int ldx, int row0, int row1,
                        float[] y, int yOff, int ldy, boolean accumulate);

    /**
     * As {@link #columnBlockF32} with int8 codes and one scale per row ({@code scales} padded with
     * zeros to a whole number of groups): the chain runs over the codes and row j's sum is then
     * multiplied by {@code scales[j]}. {@code cols}: the matrix's columns (every {@code col[t] < cols}).
     */
    void columnBlockInt8(int blockSize, int[] groupPtr, int[] col, byte[] q, float[] scales, int cols,
                         int m, float[] x, int xOff, int ldx, int row0, int row1,
                         float[] y, int yOff, int ldy, boolean accumulate);

    /** {@code v[i] = FastMath.sigmoid(v[i])} for {@code off ≤ i < off + n}: the same bits on every backend. */
    void sigmoid(float[] v, int off, int n);

    /** {@code v[i] = FastMath.tanhf(v[i])} for {@code off ≤ i < off + n}: the same bits on every backend. */
    void tanh(float[] v, int off, int n);
}
