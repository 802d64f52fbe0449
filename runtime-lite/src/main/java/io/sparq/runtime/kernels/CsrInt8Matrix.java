package io.sparq.runtime.kernels;

/**
 * Element-sparse weights with int8 codes (int4 unpacked at load) and one f32 scale per row, as
 * compressed sparse rows: the kernel for {@code csr} and {@code bitmap} tensors. Error bound as
 * {@link DenseInt8Matrix}: float rounding only.
 */
final class CsrInt8Matrix extends KernelMatrix {
    private final int[] rowPtr;    // (rows + 1) first element of each row
    private final int[] col;       // (count) column of each element
    private final byte[] q;        // (count) codes, padded by 16 bytes
    private final float[] scales;  // (rows)

    CsrInt8Matrix(Kernels kernels, int[] rowPtr, int[] col, byte[] q, float[] scales, int rows, int cols) {
        super(kernels, rows, cols);
        this.rowPtr = rowPtr;
        this.col = col;
        this.q = q;
        this.scales = scales;
    }

    @Override
    void multiplyRows(int m, float[] x, int xOff, int ldx, int row0, int row1, float[] y, int yOff, int ldy,
                      boolean accumulate) {
        kernels.csrInt8(rowPtr, col, q, scales, m, x, xOff, ldx, row0, row1, y, yOff, ldy, accumulate);
    }

    @Override
    public long storedBytes() {
        return 4L * rowPtr.length + 5L * col.length + 4L * scales.length;
    }
}
