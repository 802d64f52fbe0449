package io.sparq.runtime.kernels;

/**
 * NumPy-style multidirectional broadcasting of two shapes, planned once per call and walked one
 * output row at a time, so inner loops see only a start offset and a 0-or-1 stride per operand.
 *
 * <p>Axes of size 1 are dropped and neighbouring axes that both operands traverse the same way
 * are merged, so e.g. {@code [2,3,4] + [4]} runs as 6 rows of 4 and {@code [8,16] + [8,16]} as a
 * single row of 128.
 */
public final class Broadcast {
    private final int[] shape;     // the broadcast result
    private final int[] dims;      // result after merging axes; the last one is the row
    private final int[] aStrides;  // per merged axis, element stride in a (0 where a is broadcast)
    private final int[] bStrides;

    /** Receives one output row: {@code n} elements starting at {@code outOff}. */
    @FunctionalInterface
    public interface RowVisitor {
        void row(int aOff, int aStride, int bOff, int bStride, int outOff, int n);
    }

    private Broadcast(int[] shape, int[] dims, int[] aStrides, int[] bStrides) {
        this.shape = shape;
        this.dims = dims;
        this.aStrides = aStrides;
        this.bStrides = bStrides;
    }

    /** The broadcast of shapes {@code a} and {@code b}, or null when they are incompatible. */
    public static int[] shape(int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int d = 0; d < rank; d++) {
            int da = dimFromEnd(a, rank - d);
            int db = dimFromEnd(b, rank - d);
            if (da != db && da != 1 && db != 1) {
                return null;
            }
            out[d] = da == 1 ? db : da;
        }
        return out;
    }

    /** A plan for walking the broadcast of {@code a} and {@code b}, or null when they are incompatible. */
    public static Broadcast of(int[] a, int[] b) {
        int[] out = shape(a, b);
        if (out == null) {
            return null;
        }
        int rank = out.length;
        int[] as = contiguousStrides(a, rank);
        int[] bs = contiguousStrides(b, rank);
        int[] dims = new int[Math.max(rank, 1)];
        int[] sa = new int[dims.length];
        int[] sb = new int[dims.length];
        int n = 0;
        for (int d = 0; d < rank; d++) {
            if (out[d] == 1) {
                continue;
            }
            // a row-major axis can fold into the previous one when both operands step through them as one
            if (n > 0 && sa[n - 1] == as[d] * out[d] && sb[n - 1] == bs[d] * out[d]) {
                dims[n - 1] *= out[d];
                sa[n - 1] = as[d];
                sb[n - 1] = bs[d];
            } else {
                dims[n] = out[d];
                sa[n] = as[d];
                sb[n] = bs[d];
                n++;
            }
        }
        if (n == 0) {
            dims[0] = 1;
            n = 1;
        }
        return new Broadcast(out, java.util.Arrays.copyOf(dims, n), java.util.Arrays.copyOf(sa, n),
                java.util.Arrays.copyOf(sb, n));
    }

    /** The result shape (a copy). */
    public int[] shape() {
        return shape.clone();
    }

    /** Calls {@code v} once per output row, in row-major order. */
    public void forEachRow(RowVisitor v) {
        int last = dims.length - 1;
        int n = dims[last];
        int rows = 1;
        for (int d = 0; d < last; d++) {
            rows *= dims[d];
        }
        if (rows == 0 || n == 0) {
            return;
        }
        int[] idx = new int[last];
        int aOff = 0;
        int bOff = 0;
        for (int r = 0, outOff = 0; r < rows; r++, outOff += n) {
            v.row(aOff, aStrides[last], bOff, bStrides[last], outOff, n);
            for (int d = last - 1; d >= 0; d--) {
                aOff += aStrides[d];
                bOff += bStrides[d];
                if (++idx[d] < dims[d]) {
                    break;
                }
                aOff -= aStrides[d] * dims[d];
                bOff -= bStrides[d] * dims[d];
                idx[d] = 0;
            }
        }
    }

    private static int dimFromEnd(int[] shape, int k) {
        return k <= shape.length ? shape[shape.length - k] : 1;
    }

    /** Row-major strides of {@code shape} left-padded to {@code rank}, 0 on axes of size 1. */
    private static int[] contiguousStrides(int[] shape, int rank) {
        int[] s = new int[rank];
        int stride = 1;
        for (int d = rank - 1; d >= 0; d--) {
            int dim = dimFromEnd(shape, rank - d);
            s[d] = dim == 1 ? 0 : stride;
            stride *= dim;
        }
        return s;
    }
}
