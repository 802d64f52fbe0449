package io.sparq.runtime.kernels;

/**
 * Broadcasting arithmetic on two operands of one element type. The operation is chosen once per
 * output row, so each inner loop is a plain strided loop over primitives.
 */
public final class Binary {
    private Binary() {
    }

    /** The arithmetic operations; {@link #POW} is defined for floating-point types only. */
    public enum Fn { ADD, SUB, MUL, DIV, POW }

    public static void apply(Fn fn, Broadcast plan, float[] a, float[] b, float[] out) {
        plan.forEachRow((ai, as, bi, bs, oi, n) -> {
            switch (fn) {
                case ADD -> { for (int k = 0; k < n; k++) out[oi + k] = a[ai + k * as] + b[bi + k * bs]; }
                case SUB -> { for (int k = 0; k < n; k++) out[oi + k] = a[ai + k * as] - b[bi + k * bs]; }
                case MUL -> { for (int k = 0; k < n; k++) out[oi + k] = a[ai + k * as] * b[bi + k * bs]; }
                case DIV -> { for (int k = 0; k < n; k++) out[oi + k] = a[ai + k * as] / b[bi + k * bs]; }
                case POW -> {
                    for (int k = 0; k < n; k++) out[oi + k] = (float) Math.pow(a[ai + k * as], b[bi + k * bs]);
                }
            }
        });
    }

    public static void apply(Fn fn, Broadcast plan, double[] a, double[] b, double[] out) {
        plan.forEachRow((ai, as, bi, bs, oi, n) -> {
            switch (fn) {
                case ADD -> { for (int k = 0; k < n; k++) out[oi + k] = a[ai + k * as] + b[bi + k * bs]; }
                case SUB -> { for (int k = 0; k < n; k++) out[oi + k] = a[ai + k * as] - b[bi + k * bs]; }
                case MUL -> { for (int k = 0; k < n; k++) out[oi + k] = a[ai + k * as] * b[bi + k * bs]; }
                case DIV -> { for (int k = 0; k < n; k++) out[oi + k] = a[ai + k * as] / b[bi + k * bs]; }
                case POW -> { for (int k = 0; k < n; k++) out[oi + k] = Math.pow(a[ai + k * as], b[bi + k * bs]); }
            }
        });
    }

    /**
     * Integer arithmetic wraps on overflow and {@link Fn#DIV} truncates toward zero, as in C++.
     *
     * @throws ArithmeticException on division by zero
     */
    public static void apply(Fn fn, Broadcast plan, long[] a, long[] b, long[] out) {
        plan.forEachRow((ai, as, bi, bs, oi, n) -> {
            switch (fn) {
                case ADD -> { for (int k = 0; k < n; k++) out[oi + k] = a[ai + k * as] + b[bi + k * bs]; }
                case SUB -> { for (int k = 0; k < n; k++) out[oi + k] = a[ai + k * as] - b[bi + k * bs]; }
                case MUL -> { for (int k = 0; k < n; k++) out[oi + k] = a[ai + k * as] * b[bi + k * bs]; }
                case DIV -> { for (int k = 0; k < n; k++) out[oi + k] = a[ai + k * as] / b[bi + k * bs]; }
                case POW -> throw new IllegalArgumentException("POW is defined for floating-point types only");
            }
        });
    }

    /** As {@link #apply(Fn, Broadcast, long[], long[], long[])}, for 32-bit integers. */
    public static void apply(Fn fn, Broadcast plan, int[] a, int[] b, int[] out) {
        plan.forEachRow((ai, as, bi, bs, oi, n) -> {
            switch (fn) {
                case ADD -> { for (int k = 0; k < n; k++) out[oi + k] = a[ai + k * as] + b[bi + k * bs]; }
                case SUB -> { for (int k = 0; k < n; k++) out[oi + k] = a[ai + k * as] - b[bi + k * bs]; }
                case MUL -> { for (int k = 0; k < n; k++) out[oi + k] = a[ai + k * as] * b[bi + k * bs]; }
                case DIV -> { for (int k = 0; k < n; k++) out[oi + k] = a[ai + k * as] / b[bi + k * bs]; }
                case POW -> throw new IllegalArgumentException("POW is defined for floating-point types only");
            }
        });
    }
}
