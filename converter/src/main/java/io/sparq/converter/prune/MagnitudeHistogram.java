package io.sparq.converter.prune;

import java.util.Arrays;

/**
 * How a tensor's non-zero weight magnitudes spread, counted in {@link #BINS} bins of equal width
 * in log10 |w|. A conversion stores the histogram of each pruned tensor before pruning; the
 * report counts the stored weights in the same bins, so the two show what pruning removed (the
 * small magnitudes) and how fine-tuning moved the rest.
 *
 * @param log10Low  lower edge of the first bin
 * @param log10High upper edge of the last bin (equal to {@code log10Low} when there is no non-zero value)
 * @param counts    non-zero values per bin; values outside the range count in the edge bins
 * @param zeros     values equal to zero, not in any bin
 */
public record MagnitudeHistogram(double log10Low, double log10High, long[] counts, long zeros) {
    public static final int BINS = 40;

    /** The histogram of {@code values} over the range of their own non-zero magnitudes. */
    public static MagnitudeHistogram of(float[] values) {
        double min = Double.POSITIVE_INFINITY;
        double max = 0;
        for (float v : values) {
            double a = Math.abs(v);
            if (a > 0 && Double.isFinite(a)) {
                min = Math.min(min, a);
                max = Math.max(max, a);
            }
        }
        return max == 0 ? new MagnitudeHistogram(0, 0, new long[BINS], 0).count(values)
                : new MagnitudeHistogram(Math.log10(min), Math.log10(max), new long[BINS], 0).count(values);
    }

    /** {@code values} counted in this histogram's bins. */
    public MagnitudeHistogram count(float[] values) {
        long[] c = new long[counts.length];
        long z = 0;
        double width = (log10High - log10Low) / c.length;
        for (float v : values) {
            if (v == 0) {
                z++;
                continue;
            }
            double a = Math.abs(v);
            if (!Double.isFinite(a)) {
                continue;
            }
            int bin = width > 0 ? (int) Math.floor((Math.log10(a) - log10Low) / width) : 0;
            c[Math.max(0, Math.min(c.length - 1, bin))]++;
        }
        return new MagnitudeHistogram(log10Low, log10High, c, z);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MagnitudeHistogram h && h.log10Low == log10Low && h.log10High == log10High
                && Arrays.equals(h.counts, counts) && h.zeros == zeros;
    }

    @Override
    public int hashCode() {
        return Double.hashCode(log10Low) * 31 + Arrays.hashCode(counts);
    }

    @Override
    public String toString() {
        return "MagnitudeHistogram[" + log10Low + ".." + log10High + ", " + Arrays.toString(counts) + ", zeros " + zeros + "]";
    }
}
