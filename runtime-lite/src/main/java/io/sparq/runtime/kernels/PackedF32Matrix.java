package io.sparq.runtime.kernels;

/**
 * Dense float32 weights held as the panels of {@link Kernels#gemmPacked}: the matrix's transpose,
 * packed once when the matrix is made. A product reads each panel as one forward stream, which the
 * hardware prefetcher follows (dot products of rows read four to eight rows side by side and end in
 * horizontal sums: 1.5× slower for a 4096 × 1024 matrix in L3, 2.4× in L2), and a block of input
 * rows shares every loaded panel row. Each output element is one fused multiply-add chain over the
 * columns in order, the same on every backend. A weight the graph computes (rare: models not
 * specialized) is packed per call, one pass over it, as the product makes anyway.
 */
final class PackedF32Matrix extends KernelMatrix {
    /** Output rows of a product that straddles panels: computed whole here, then copied. */
    private static final ThreadLocal<float[]> PARTIAL = ThreadLocal.withInitial(() -> new float[0]);
    private final PackedMatrix panels; // B = Wᵀ: k = cols, n = rows

    PackedF32Matrix(Kernels kernels, float[] w, int rows, int cols) {
        super(kernels, rows, cols);
        this.panels = PackedMatrix.of(kernels, true, cols, rows, w, 0);
    }

    @Override
    int rowAlignment() {
        return panels.width();
    }

    @Override
    void multiplyRows(int m, float[] x, int xOff, int ldx, int row0, int row1, float[] y, int yOff, int ldy,
                      boolean accumulate) {
        int width = panels.width();
        int q0 = row0 / width;
        int q1 = (row1 + width - 1) / width;
        if (row0 % width == 0 && (row1 % width == 0 || row1 == rows)) {
            // output column j of the panels is y[yOff + j - row0]: the offset may be negative, no index is
            kernels.gemmPacked(m, 1, x, xOff, ldx, panels, q0, q1, accumulate ? 1 : 0, y, yOff - row0, ldy);
            return;
        }
        int span = (q1 - q0) * width;
        float[] part = PARTIAL.get();
        if (part.length < m * span) {
            part = new float[m * span];
            PARTIAL.set(part);
        }
        kernels.gemmPacked(m, 1, x, xOff, ldx, panels, q0, q1, 0, part, -q0 * width, span);
        int skip = row0 - q0 * width;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < row1 - row0; j++) {
                float v = part[i * span + skip + j];
                int at = yOff + i * ldy + j;
                y[at] = accumulate ? y[at] + v : v;
            }
        }
    }

    @Override
    public long storedBytes() {
        return 4L * rows * cols;
    }
}
