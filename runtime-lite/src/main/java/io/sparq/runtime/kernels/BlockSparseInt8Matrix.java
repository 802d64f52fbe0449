package io.sparq.runtime.kernels;

/**
 * 1×B block-sparse weights (B = 4, 8, 16) with int8 codes and one f32 scale per row (int4 files are
 * unpacked to one code per byte at load). Each block's B codes are loaded as one byte vector,
 * widened to float in registers and multiplied with B contiguous activations; the row's sum is
 * scaled once. Error bound as {@link DenseInt8Matrix}: float rounding only.
 */
final class BlockSparseInt8Matrix extends KernelMatrix {
    private final int blockSize;
    private final int[] rowPtr;    // (rows + 1) first block of each row
    private final int[] blockCol;  // (blocks) first column of each block
    private final byte[] q;        // (blocks, B) codes, zero past cols, padded by 16 bytes
    private final float[] scales;  // (rows)

    BlockSparseInt8Matrix(Kernels kernels, int blockSize, int[] rowPtr, int[] blockCol, byte[] q, float[] scales,
                          int rows, int cols) {
        super(kernels, rows, cols);
        this.blockSize = blockSize;
        this.rowPtr = rowPtr;
        this.blockCol = blockCol;
        this.q = q;
        this.scales = scales;
    }

    @Override
    void multiplyRows(int m, float[] x, int xOff, int ldx, int row0, int row1, float[] y, int yOff, int ldy,
                      boolean accumulate) {
        kernels.blockSparseInt8(blockSize, rowPtr, blockCol, q, scales, cols, m, x, xOff, ldx, row0, row1,
                y, yOff, ldy, accumulate);
    }

    @Override
    public long storedBytes() {
        return 4L * rowPtr.length + 4L * blockCol.length + (long) blockCol.length * blockSize + 4L * scales.length;
    }
}
