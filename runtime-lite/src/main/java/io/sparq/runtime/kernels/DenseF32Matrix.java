package io.sparq.runtime.kernels;

/** Dense float32 weights, multiplied by {@link Kernels#gemmNT} (four rows per register block). */
final class DenseF32Matrix extends KernelMatrix {
    private final float[] w; // (rows, cols)

    DenseF32Matrix(Kernels kernels, float[] w, int rows, int cols) {
        super(kernels, rows, cols);
        this.w = w;
    }

    @Override
    void multiplyRows(int m, float[] x, int xOff, int ldx, int row0, int row1, float[] y, int yOff, int ldy,
                      boolean accumulate) {
        kernels.gemmNT(m, row1 - row0, cols, 1, x, xOff, ldx, w, row0 * cols, cols, accumulate ? 1 : 0, y, yOff, ldy);
    }

    @Override
    public long storedBytes() {
        return 4L * rows * cols;
    }
}
