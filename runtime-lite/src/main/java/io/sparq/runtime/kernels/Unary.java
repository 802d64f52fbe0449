package io.sparq.runtime.kernels;

import java.util.function.DoubleUnaryOperator;
import java.util.function.LongUnaryOperator;

/**
 * Element-by-element maps for activation and math functions, and the special functions Java's
 * {@code Math} lacks. Single-precision inputs are evaluated in double and rounded once, so results
 * are within an ulp of the exact value.
 */
public final class Unary {
    private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

    private Unary() {
    }

    public static void map(float[] x, float[] y, DoubleUnaryOperator f) {
        for (int i = 0; i < x.length; i++) {
            y[i] = (float) f.applyAsDouble(x[i]);
        }
    }

    public static void map(double[] x, double[] y, DoubleUnaryOperator f) {
        for (int i = 0; i < x.length; i++) {
            y[i] = f.applyAsDouble(x[i]);
        }
    }

    public static void map(long[] x, long[] y, LongUnaryOperator f) {
        for (int i = 0; i < x.length; i++) {
            y[i] = f.applyAsLong(x[i]);
        }
    }

    /** 32-bit integers; results are narrowed (wrapping) as in C++. */
    public static void map(int[] x, int[] y, LongUnaryOperator f) {
        for (int i = 0; i < x.length; i++) {
            y[i] = (int) f.applyAsLong(x[i]);
        }
    }

    /** The logistic function, without overflow for large |x|. */
    public static double sigmoid(double x) {
        if (x >= 0) {
            return 1 / (1 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1 + e);
    }

    /** log(1 + e^x), without overflow for large x. */
    public static double softplus(double x) {
        return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    }

    /**
     * The error function to about 1e-14 relative: its Maclaurin series below 2.5 (at most ~40
     * terms, little cancellation), and above, 1 - erfc with erfc from its continued fraction
     * {@code e^-x²/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...))))}, which converges fast there.
     */
    public static double erf(double x) {
        double a = Math.abs(x);
        if (a < 2.5) {
            double x2 = x * x;
            double term = x;
            double sum = x;
            for (int n = 1; Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
                term *= -x2 / n;
                sum += term / (2 * n + 1);
            }
            return TWO_OVER_SQRT_PI * sum;
        }
        double f = a;
        for (int k = 30; k >= 1; k--) {
            f = a + (k * 0.5) / f;
        }
        return Math.copySign(1 - Math.exp(-a * a) / (Math.sqrt(Math.PI) * f), x);
    }
}
