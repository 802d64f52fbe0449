package io.sparq.format.codec;

/**
 * Quantization scheme 1 of SPEC.md §6.1, the one rounding every int8 / int4 value goes through:
 * symmetric, one binary32 scale {@code s = max|x| / maxCode} per row (or group), codes
 * {@code q = clamp(rint(x / s), -maxCode, maxCode)}, decoded as {@code q · s}. The writer stores
 * these codes, and quantization-aware training rounds its weights with the same methods, so
 * training sees exactly the values a reader decodes.
 */
public final class Quantization {
    private Quantization() {
    }

    /** s = max|x| / maxCode in binary32. */
    public static float scale(float maxAbs, int maxCode) {
        return maxAbs / maxCode;
    }

    /** q = clamp(rint(x / s), -maxCode, maxCode) with x / s in binary32; 0 when s is 0. */
    public static int code(float x, float scale, int maxCode) {
        if (scale == 0) {
            return 0;
        }
        double q = Math.rint(x / scale);
        return (int) Math.max(-maxCode, Math.min(maxCode, q));
    }

    /**
     * Replaces {@code x[from..to)} (one row or group) by the values its codes decode to, as a reader
     * of the stored tensor sees them.
     */
    public static void roundTrip(float[] x, int from, int to, int maxCode) {
        float max = 0;
        for (int i = from; i < to; i++) {
            max = Math.max(max, Math.abs(x[i]));
        }
        float s = scale(max, maxCode);
        for (int i = from; i < to; i++) {
            x[i] = code(x[i], s, maxCode) * s;
        }
    }
}
