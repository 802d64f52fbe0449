package io.sparq.runtime.kernels;

import io.sparq.format.Tensor;

import java.util.Arrays;

/**
 * Data movement between primitive arrays of any element type through strided index maps: the one
 * loop behind Transpose, Slice, Concat, Split and broadcasting (a stride of 0 repeats an element).
 */
public final class Strided {
    private Strided() {
    }

    /** Row-major strides of a contiguous tensor of {@code shape}. */
    public static int[] contiguousStrides(int[] shape) {
        int[] strides = new int[shape.length];
        int s = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            strides[d] = s;
            s *= shape[d];
        }
        return strides;
    }

    /**
     * Strides that read a contiguous tensor of {@code shape} as if it had {@code outShape}: 0 on
     * the axes it is broadcast along. {@code shape} must broadcast to {@code outShape}.
     */
    public static int[] broadcastStrides(int[] shape, int[] outShape) {
        int[] own = contiguousStrides(shape);
        int[] strides = new int[outShape.length];
        int lead = outShape.length - shape.length;
        for (int d = lead; d < outShape.length; d++) {
            strides[d] = shape[d - lead] == 1 ? 0 : own[d - lead];
        }
        return strides;
    }

    /**
     * {@code t} broadcast to {@code outShape} as a new contiguous tensor, or {@code t} itself when
     * it already has that shape. {@code t}'s shape must broadcast to {@code outShape}.
     */
    public static Tensor expand(Tensor t, int[] outShape) {
        int[] shape = t.shape();
        if (Arrays.equals(shape, outShape)) {
            return t;
        }
        Object out = Tensor.newArray(t.type(), Tensor.sizeOf(outShape));
        copy(t.data(), 0, broadcastStrides(shape, outShape), out, 0, contiguousStrides(outShape), outShape);
        return Tensor.of(t.type(), outShape, out);
    }

    /**
     * For every index {@code i} of the box {@code shape}, copies
     * {@code src[srcOffset + Σ i_k·srcStrides_k]} to {@code dst[dstOffset + Σ i_k·dstStrides_k]}.
     * {@code src} and {@code dst} are primitive arrays of the same class; source strides may be
     * negative (reversed slices) or zero (broadcast).
     */
    public static void copy(Object src, int srcOffset, int[] srcStrides,
                            Object dst, int dstOffset, int[] dstStrides, int[] shape) {
        // Collapse the box: drop unit axes and merge neighbours that are contiguous in both arrays,
        // so common cases end as a few long System.arraycopy runs.
        int rank = 0;
        int[] n = new int[shape.length];
        int[] ss = new int[shape.length];
        int[] ds = new int[shape.length];
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 0) {
                return;
            }
            if (shape[d] == 1) {
                continue;
            }
            if (rank > 0 && ss[rank - 1] == srcStrides[d] * shape[d] && ds[rank - 1] == dstStrides[d] * shape[d]) {
                n[rank - 1] *= shape[d];
                ss[rank - 1] = srcStrides[d];
                ds[rank - 1] = dstStrides[d];
                continue;
            }
            n[rank] = shape[d];
            ss[rank] = srcStrides[d];
            ds[rank] = dstStrides[d];
            rank++;
        }
        if (rank == 0) {
            System.arraycopy(src, srcOffset, dst, dstOffset, 1);
            return;
        }
        int inner = rank - 1;
        int len = n[inner];
        int[] idx = new int[inner];
        int si = srcOffset;
        int di = dstOffset;
        while (true) {
            row(src, si, ss[inner], dst, di, ds[inner], len);
            int d = inner - 1;
            while (d >= 0 && ++idx[d] == n[d]) {
                idx[d] = 0;
                si -= (n[d] - 1) * ss[d];
                di -= (n[d] - 1) * ds[d];
                d--;
            }
            if (d < 0) {
                return;
            }
            si += ss[d];
            di += ds[d];
        }
    }

    /** One innermost run of {@code len} elements; a typed loop unless both sides are contiguous. */
    private static void row(Object src, int si, int ss, Object dst, int di, int ds, int len) {
        if (ss == 1 && ds == 1) {
            System.arraycopy(src, si, dst, di, len);
        } else if (src instanceof float[] s) {
            float[] d = (float[]) dst;
            for (int k = 0; k < len; k++, si += ss, di += ds) {
                d[di] = s[si];
            }
        } else if (src instanceof double[] s) {
            double[] d = (double[]) dst;
            for (int k = 0; k < len; k++, si += ss, di += ds) {
                d[di] = s[si];
            }
        } else if (src instanceof long[] s) {
            long[] d = (long[]) dst;
            for (int k = 0; k < len; k++, si += ss, di += ds) {
                d[di] = s[si];
            }
        } else if (src instanceof int[] s) {
            int[] d = (int[]) dst;
            for (int k = 0; k < len; k++, si += ss, di += ds) {
                d[di] = s[si];
            }
        } else if (src instanceof short[] s) {
            short[] d = (short[]) dst;
            for (int k = 0; k < len; k++, si += ss, di += ds) {
                d[di] = s[si];
            }
        } else if (src instanceof byte[] s) {
            byte[] d = (byte[]) dst;
            for (int k = 0; k < len; k++, si += ss, di += ds) {
                d[di] = s[si];
            }
        } else if (src instanceof boolean[] s) {
            boolean[] d = (boolean[]) dst;
            for (int k = 0; k < len; k++, si += ss, di += ds) {
                d[di] = s[si];
            }
        } else {
            throw new IllegalArgumentException("not a primitive array: " + src.getClass());
        }
    }
}
