package io.sparq.runtime.kernels;

/**
 * Softmax and log-softmax along one axis of a row-major array viewed as {@code [outer, n, inner]}.
 * The axis maximum is subtracted before exponentiating, so large inputs do not overflow.
 */
public final class Softmax {
    private Softmax() {
    }

    /** Writes softmax (or log-softmax when {@code log}) of {@code x} over the middle axis to {@code y}. */
    public static void softmax(float[] x, float[] y, int outer, int n, int inner, boolean log) {
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int base = o * n * inner + i;
                float max = Float.NEGATIVE_INFINITY;
                for (int t = 0; t < n; t++) {
                    max = Math.max(max, x[base + t * inner]);
                }
                double sum = 0;
                for (int t = 0; t < n; t++) {
                    sum += Math.exp(x[base + t * inner] - max);
                }
                if (log) {
                    double logSum = Math.log(sum);
                    for (int t = 0; t < n; t++) {
                        y[base + t * inner] = (float) ((x[base + t * inner] - max) - logSum);
                    }
                } else {
                    for (int t = 0; t < n; t++) {
                        y[base + t * inner] = (float) (Math.exp(x[base + t * inner] - max) / sum);
                    }
                }
            }
        }
    }
}
