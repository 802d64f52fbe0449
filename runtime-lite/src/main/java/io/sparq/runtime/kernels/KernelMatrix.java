package io.sparq.runtime.kernels;

/**
 * What every {@link WeightMatrix} encoding shares: shape, the {@link Kernels} it runs on, argument
 * checks, and splitting a large product into row ranges across {@link KernelThreads}.
 */
abstract class KernelMatrix implements WeightMatrix {
    /** Rows per chunk at least, so a chunk amortises its hand-off. */
    private static final int ROW_GRAIN = 16;
    final Kernels kernels;
    final int rows;
    final int cols;

    KernelMatrix(Kernels kernels, int rows, int cols) {
        this.kernels = kernels;
        this.rows = rows;
        this.cols = cols;
    }

    @Override
    public final int rows() {
        return rows;
    }

    @Override
    public final int cols() {
        return cols;
    }

    @Override
    public final void multiply(int m, float[] x, int xOff, int ldx, int row0, int row1,
                               float[] y, int yOff, int ldy, boolean accumulate) {
        if (m < 0 || row0 < 0 || row0 > row1 || row1 > rows) {
            throw new IllegalArgumentException("rows [" + row0 + ", " + row1 + ") of a " + rows + " × " + cols
                    + " matrix for " + m + " input rows");
        }
        if (m == 0 || row0 == row1) {
            return;
        }
        long work = (long) m * (row1 - row0) * Math.max(1, storedBytes() / Math.max(1, rows));
        if (KernelThreads.worthSplitting(row1 - row0, ROW_GRAIN, work)) {
            KernelThreads.run(row1 - row0, ROW_GRAIN, (from, to) ->
                    multiplyRows(m, x, xOff, ldx, row0 + from, row0 + to, y, yOff + from, ldy, accumulate));
        } else {
            multiplyRows(m, x, xOff, ldx, row0, row1, y, yOff, ldy, accumulate);
        }
    }

    /** {@link #multiply} on the calling thread, arguments already checked and non-empty. */
    abstract void multiplyRows(int m, float[] x, int xOff, int ldx, int row0, int row1,
                               float[] y, int yOff, int ldy, boolean accumulate);

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + rows + " × " + cols + ", " + kernels + "]";
    }
}
