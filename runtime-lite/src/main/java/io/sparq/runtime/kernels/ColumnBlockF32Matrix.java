package io.sparq.runtime.kernels;

/**
 * B×1 column-block weights (SPEC.md {@code column_block_sparse}) with f32 values (f16 files are
 * widened at load): as {@link ColumnBlockInt8Matrix} without the codes' conversion and scales.
 */
final class ColumnBlockF32Matrix extends KernelMatrix {
    private final int blockSize;
    private final int[] groupPtr;  // (ceil(rows / B) + 1) first block of each row group
    private final int[] col;       // (blocks) column of each block
    private final float[] values;  // (blocks, B) zero past rows

    ColumnBlockF32Matrix(Kernels kernels, int blockSize, int[] groupPtr, int[] col, float[] values, int rows, int cols) {
        super(kernels, rows, cols);
        this.blockSize = blockSize;
        this.groupPtr = groupPtr;
        this.col = col;
        this.values = values;
    }

    @Override
    int rowAlignment() {
        return blockSize;
    }

    @Override
    void multiplyRows(int m, float[] x, int xOff, int ldx, int row0, int row1, float[] y, int yOff, int ldy,
                      boolean accumulate) {
        kernels.columnBlockF32(blockSize, groupPtr, col, values, m, x, xOff, ldx, row0, row1, y, yOff, ldy, accumulate);
    }

    @Override
    public long storedBytes() {
        return 4L * groupPtr.length + 4L * col.length + 4L * values.length;
    }
}
