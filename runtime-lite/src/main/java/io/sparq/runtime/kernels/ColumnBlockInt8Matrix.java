package io.sparq.runtime.kernels;

/**
 * B×1 column-block weights (B = 4, 8, 16; SPEC.md {@code column_block_sparse}) with int8 codes and one
 * f32 scale per row (int4 files are unpacked to one code per byte at load). A block is one input
 * column of B consecutive rows: the kernel broadcasts that input and adds it, times the block's B
 * codes widened to float, into B row accumulators, so no row ends in a sum across vector lanes and
 * every row's sum is one FMA chain in block order (the same bits on every backend). Error bound as
 * {@link DenseInt8Matrix}: float rounding only.
 */
final class ColumnBlockInt8Matrix extends KernelMatrix {
    private final int blockSize;
    private final int[] groupPtr;  // (ceil(rows / B) + 1) first block of each row group
    private final int[] col;       // (blocks) column of each block
    private final byte[] q;        // (blocks, B) codes, zero past rows, padded by 16 bytes
    private final float[] scales;  // (ceil(rows / B) · B) one per row, zero past rows

    ColumnBlockInt8Matrix(Kernels kernels, int blockSize, int[] groupPtr, int[] col, byte[] q, float[] scales,
                          int rows, int cols) {
        super(kernels, rows, cols);
        this.blockSize = blockSize;
        this.groupPtr = groupPtr;
        this.col = col;
        this.q = q;
        this.scales = scales;
    }

    @Override
    int rowAlignment() {
        return blockSize;
    }

    @Override
    void multiplyRows(int m, float[] x, int xOff, int ldx, int row0, int row1, float[] y, int yOff, int ldy,
                      boolean accumulate) {
        kernels.columnBlockInt8(blockSize, groupPtr, col, q, scales, cols, m, x, xOff, ldx, row0, row1, y, yOff, ldy, accumulate);
    }

    @Override
    public long storedBytes() {
        return 4L * groupPtr.length + 4L * col.length + (long) col.length * blockSize + 4L * rows;
    }
}
