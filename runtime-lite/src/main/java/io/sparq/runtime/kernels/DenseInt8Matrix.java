package io.sparq.runtime.kernels;

/**
 * Dense int8 weights with one f32 scale per row (SPEC.md §6.1): {@code W[j][p] = q[j][p]·s[j]}.
 * The codes are widened to float in registers and multiplied with the float activations, so the
 * product carries only float rounding: |error| ≤ about {@code cols·2^-23·Σ|x·w|}, no activation
 * quantization error (the weights' own quantization error, |w − q·s| ≤ s/2, is in the file).
 */
final class DenseInt8Matrix extends KernelMatrix {
    private final byte[] q;        // (rows, cols) codes, padded by 16 bytes for whole-vector loads
    private final float[] scales;  // (rows)

    DenseInt8Matrix(Kernels kernels, byte[] q, float[] scales, int rows, int cols) {
        super(kernels, rows, cols);
        this.q = q;
        this.scales = scales;
    }

    @Override
    void multiplyRows(int m, float[] x, int xOff, int ldx, int row0, int row1, float[] y, int yOff, int ldy,
                      boolean accumulate) {
        kernels.denseInt8(q, scales, Math.max(1, cols), cols, m, x, xOff, ldx, row0, row1, y, yOff, ldy, accumulate);
    }

    @Override
    public long storedBytes() {
        return (long) rows * cols + 4L * rows;
    }
}
