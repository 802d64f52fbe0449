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
            // chunks of whole row groups (counted from row 0), so no group is computed by two threads
            int a = rowAlignment();
            int base = row0 / a * a;
            int units = (row1 - base + a - 1) / a;
            KernelThreads.run(units, Math.max(1, ROW_GRAIN / a), (from, to) -> {
                int r0 = Math.max(row0, base + from * a);
                int r1 = Math.min(row1, base + to * a);
                multiplyRows(m, x, xOff, ldx, r0, r1, y, yOff + r0 - row0, ldy, accumulate);
            });
        } else {
            multiplyRows(m, x, xOff, ldx, row0, row1, y, yOff, ldy, accumulate);
        }
    }

    /** Rows that the kernel computes together (a row group); thread chunks start on multiples of it. */
    int rowAlignment() {
        return 1;
    }

    /** {@link #multiply} on the calling thread, arguments already checked and non-empty. */
    abstract void multiplyRows(int m, float[] x, int xOff, int ldx, int row0, int row1,
                               float[] y, int yOff, int ldy, boolean accumulate);

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + rows + " × " + cols + ", " + kernels + "]";
    }
}
