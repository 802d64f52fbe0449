package io.sparq.runtime.kernels;

/**
 * Dense int4 weights with one f32 scale per group of G consecutive columns of a row
 * ({@code W[j][p] = q[j][p]·s[j][p / G]}). The 4-bit codes are unpacked once at load to one byte
 * each (twice the file's bytes, a quarter of float32), so the kernel is the int8 one with a scale
 * per group; error bound as {@link DenseInt8Matrix}.
 */
final class DenseInt4Matrix extends KernelMatrix {
    private final byte[] q;        // (rows, cols) codes in [-8, 7], padded by 16 bytes
    private final float[] scales;  // (rows, ceil(cols / group))
    private final int group;

    DenseInt4Matrix(Kernels kernels, byte[] q, float[] scales, int group, int rows, int cols) {
        super(kernels, rows, cols);
        this.q = q;
        this.scales = scales;
        this.group = group;
    }

    @Override
    void multiplyRows(int m, float[] x, int xOff, int ldx, int row0, int row1, float[] y, int yOff, int ldy,
                      boolean accumulate) {
        kernels.denseInt8(q, scales, group, cols, m, x, xOff, ldx, row0, row1, y, yOff, ldy, accumulate);
    }

    @Override
    public long storedBytes() {
        return (long) rows * cols + 4L * scales.length;
    }
}
