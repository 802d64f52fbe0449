package io.sparq.runtime.kernels;

/**
 * Element-sparse weights with float values, as compressed sparse rows: the kernel for {@code csr}
 * tensors and for {@code bitmap} tensors (whose bit rows are turned into column lists at load). The
 * vector path gathers the activations at the stored columns.
 */
final class CsrF32Matrix extends KernelMatrix {
    private final int[] rowPtr;    // (rows + 1) first element of each row
    private final int[] col;       // (count) column of each element
    private final float[] values;  // (count)

    CsrF32Matrix(Kernels kernels, int[] rowPtr, int[] col, float[] values, int rows, int cols) {
        super(kernels, rows, cols);
        this.rowPtr = rowPtr;
        this.col = col;
        this.values = values;
    }

    @Override
    void multiplyRows(int m, float[] x, int xOff, int ldx, int row0, int row1, float[] y, int yOff, int ldy,
                      boolean accumulate) {
        kernels.csrF32(rowPtr, col, values, m, x, xOff, ldx, row0, row1, y, yOff, ldy, accumulate);
    }

    @Override
    public long storedBytes() {
        return 4L * rowPtr.length + 8L * col.length;
    }
}
