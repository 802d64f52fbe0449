package io.sparq.runtime.kernels;

/**
 * Sum, mean and maximum over any set of axes. The kept-dims result shape broadcasts against the
 * input, so a {@link Broadcast} plan walks the input once, accumulating in double.
 */
public final class Reduce {
    private Reduce() {
    }

    /** The reductions. */
    public enum Kind { SUM, MEAN, MAX }

    /**
     * Reduces {@code x} of {@code shape} over the axes where {@code axes[d]} is true into
     * {@code out}, whose size is the product of the kept dimensions.
     */
    public static void reduce(Kind kind, float[] x, int[] shape, boolean[] axes, float[] out) {
        double[] acc = start(kind, out.length);
        plan(shape, axes).forEachRow((xi, xs, ai, as, unused, n) -> {
            if (kind == Kind.MAX) {
                for (int k = 0; k < n; k++) acc[ai + k * as] = Math.max(acc[ai + k * as], x[xi + k * xs]);
            } else {
                for (int k = 0; k < n; k++) acc[ai + k * as] += x[xi + k * xs];
            }
        });
        double scale = scale(kind, x.length, out.length);
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (acc[i] * scale);
        }
    }

    public static void reduce(Kind kind, double[] x, int[] shape, boolean[] axes, double[] out) {
        double[] acc = start(kind, out.length);
        plan(shape, axes).forEachRow((xi, xs, ai, as, unused, n) -> {
            if (kind == Kind.MAX) {
                for (int k = 0; k < n; k++) acc[ai + k * as] = Math.max(acc[ai + k * as], x[xi + k * xs]);
            } else {
                for (int k = 0; k < n; k++) acc[ai + k * as] += x[xi + k * xs];
            }
        });
        double scale = scale(kind, x.length, out.length);
        for (int i = 0; i < out.length; i++) {
            out[i] = acc[i] * scale;
        }
    }

    private static double[] start(Kind kind, int size) {
        double[] acc = new double[size];
        if (kind == Kind.MAX) {
            java.util.Arrays.fill(acc, Double.NEGATIVE_INFINITY);
        }
        return acc;
    }

    /** The factor applied at the end: 1 / (elements per output) for a mean. */
    private static double scale(Kind kind, int inSize, int outSize) {
        return kind == Kind.MEAN ? (double) outSize / inSize : 1;
    }

    private static Broadcast plan(int[] shape, boolean[] axes) {
        int[] kept = shape.clone();
        for (int d = 0; d < kept.length; d++) {
            if (axes[d]) {
                kept[d] = 1;
            }
        }
        return Broadcast.of(shape, kept);
    }
}
