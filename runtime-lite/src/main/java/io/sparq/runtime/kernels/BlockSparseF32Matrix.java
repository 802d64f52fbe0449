package io.sparq.runtime.kernels;

/**
 * 1×B block-sparse weights (B = 4, 8, 16) with float values (f16 files are widened at load): each
 * stored block is B contiguous values multiplied with B contiguous activations, so the vector path
 * uses whole-vector loads, never gathers.
 */
final class BlockSparseF32Matrix extends KernelMatrix {
    private final int blockSize;
    private final int[] rowPtr;    // (rows + 1) first block of each row
    private final int[] blockCol;  // (blocks) first column of each block
    private final float[] values;  // (blocks, B) zero past cols

    BlockSparseF32Matrix(Kernels kernels, int blockSize, int[] rowPtr, int[] blockCol, float[] values, int rows, int cols) {
        super(kernels, rows, cols);
        this.blockSize = blockSize;
        this.rowPtr = rowPtr;
        this.blockCol = blockCol;
        this.values = values;
    }

    @Override
    void multiplyRows(int m, float[] x, int xOff, int ldx, int row0, int row1, float[] y, int yOff, int ldy,
                      boolean accumulate) {
        kernels.blockSparseF32(blockSize, rowPtr, blockCol, values, cols, m, x, xOff, ldx, row0, row1, y, yOff, ldy, accumulate);
    }

    @Override
    public long storedBytes() {
        return 4L * rowPtr.length + 4L * blockCol.length + 4L * blockCol.length * blockSize;
    }
}
