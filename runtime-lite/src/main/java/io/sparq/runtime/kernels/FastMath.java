package io.sparq.runtime.kernels;

/** Elementary functions for hot loops, each rounding to the same float as its {@code java.lang.Math} counterpart. */
public final class FastMath {
    private FastMath() {
    }

    /**
     * {@code (float) Math.tanh(x)} through the exp intrinsic: Math.tanh is not intrinsic on JDK 17
     * and costs about ten exps (a recurrent step evaluates two tanh per hidden unit). In double,
     * {@code (e^2x - 1)/(e^2x + 1)} rounds to the same float (checked on every 97th float); below
     * |x| = 1e-3 it would cancel, so the series {@code x - x³/3} (next term 2x⁵/15, far below an
     * ulp) takes over; beyond |x| = 20 the float is ±1.
     */
    public static float tanh(float x) {
        if (Math.abs(x) > 20f) {
            return Math.signum(x);
        }
        if (Math.abs(x) < 1e-3f) {
            double d = x;
            return (float) (d - d * d * d / 3);
        }
        double e = Math.exp(2.0 * x);
        return (float) ((e - 1) / (e + 1));
    }

    // ---- float sigmoid and tanh of the recurrent gates ---------------------------------------------
    //
    // One algorithm, written once here in scalar form and once with the Vector API
    // (kernels.simd.VectorKernels#sigmoid, #tanh), operation for operation: float adds,
    // multiplies, fused multiply-adds, one division and exact conversions, so every backend, vector
    // width and JIT state gives the same bits. exp(x) = 2^n · e^r with n = round(x / ln 2) (by the
    // 1.5·2^23 rounding trick), r = x − n·ln 2 in two fma steps (Cody-Waite), e^r by its Taylor
    // polynomial of degree 7 (|r| ≤ ln 2 / 2: truncation below 1e-8 relative), 2^n from its bits.
    // Errors: sigmoid within 3 ulp; tanh within 2e-7 absolute (ONNX Runtime's own are approximations
    // too; the conformance tolerance is 1e-5).

    /** Largest argument whose e^x stays a normal float after the clamp; the clamp keeps n in [-126, 127]. */
    public static final float EXP_HI = 88.0f;
    public static final float EXP_LO = -87.0f;
    public static final float LOG2E = 1.44269504f;
    public static final float ROUND = 12582912f;          // 1.5·2^23: x + ROUND - ROUND rounds x to an integer
    public static final float LN2_HI = 0.693145752f;      // ln 2 in 16 significant bits, so n·LN2_HI is exact
    public static final float LN2_LO = 1.42860677e-6f;    // ln 2 − LN2_HI
    public static final float C2 = 1 / 2f;
    public static final float C3 = 1 / 6f;
    public static final float C4 = 1 / 24f;
    public static final float C5 = 1 / 120f;
    public static final float C6 = 1 / 720f;
    public static final float C7 = 1 / 5040f;
    /** Below this |x| tanh is its series x − x³/3 + 2x⁵/15 (the exp form would cancel). */
    public static final float TANH_SMALL = 0.0625f;
    /** Above this |x| tanh rounds to ±1. */
    public static final float TANH_ONE = 9f;
    public static final float T3 = -1 / 3f;
    public static final float T5 = 2 / 15f;

    /** e^x as described above, for x clamped to [{@link #EXP_LO}, {@link #EXP_HI}]. */
    public static float exp(float x) {
        x = Math.min(EXP_HI, Math.max(EXP_LO, x));
        float t = x * LOG2E + ROUND;              // ROUND + n exactly, n = round(x / ln 2)
        float n = t - ROUND;
        float r = Math.fma(n, -LN2_HI, x);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(C7, r, C6);
        p = Math.fma(p, r, C5);
        p = Math.fma(p, r, C4);
        p = Math.fma(p, r, C3);
        p = Math.fma(p, r, C2);
        p = Math.fma(p, r, 1f);
        p = Math.fma(p, r, 1f);
        // 2^n from its bits: n = bits(t) - bits(ROUND) (the vector kernels read it so), exponent n + 127
        return p * Float.intBitsToFloat((Float.floatToRawIntBits(t) - Float.floatToRawIntBits(ROUND) + 127) << 23);
    }

    /** 1 / (1 + e^−x) with {@link #exp}. */
    public static float sigmoid(float x) {
        return 1f / (1f + exp(-x));
    }

    /** tanh with {@link #exp}: ±(1 − 2 / (e^2|x| + 1)), the series near 0, ±1 far out. */
    public static float tanhf(float x) {
        float a = Math.abs(x);
        float big = 1f - 2f / (exp(a + a) + 1f);
        float x2 = x * x;
        float small = Math.fma(Math.fma(T5, x2, T3) * x2, x, x);
        float t = a > TANH_ONE ? 1f : big;
        t = x < 0 ? -t : t;
        return a < TANH_SMALL ? small : t;
    }
}
