package io.sparq.runtime.kernels;

/** Dense binary16 weights (half the bytes of float32, exact decode), widened through a 64K-entry table on both backends. */
final class DenseF16Matrix extends KernelMatrix {
    private final short[] w; // (rows, cols) binary16 bits

    DenseF16Matrix(Kernels kernels, short[] w, int rows, int cols) {
        super(kernels, rows, cols);
        this.w = w;
    }

    @Override
    void multiplyRows(int m, float[] x, int xOff, int ldx, int row0, int row1, float[] y, int yOff, int ldy,
                      boolean accumulate) {
        kernels.denseF16(w, cols, m, x, xOff, ldx, row0, row1, y, yOff, ldy, accumulate);
    }

    @Override
    public long storedBytes() {
        return 2L * rows * cols;
    }
}
