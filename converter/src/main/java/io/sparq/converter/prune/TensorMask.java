package io.sparq.converter.prune;

import java.util.Arrays;

/**
 * The pruning mask of one tensor, kept per unit: an element (block size 1), a 1×B block along the
 * last axis, or (row blocks) a B×1 block of B consecutive rows in one column. The tensor is seen
 * as rows × cols with cols = its last dimension, as the {@code block_sparse} and
 * {@code column_block_sparse} encodings see it (SPEC §6.4-6.5); the last block of a row (of a
 * column) is shorter when B does not divide cols (rows).
 */
final class TensorMask {
    private final int rows;
    private final int cols;
    private final int block;
    private final boolean rowBlocks;
    private final int blocksPerRow;
    private final int units;
    private final int size;
    private final boolean[] masked;

    TensorMask(int[] shape, int block) {
        this(shape, block, false);
    }

    TensorMask(int[] shape, int block, boolean rowBlocks) {
        this.size = io.sparq.format.Tensor.sizeOf(shape);
        this.cols = shape.length == 0 ? 1 : shape[shape.length - 1];
        this.rows = cols == 0 ? 0 : size / cols;
        this.block = block;
        this.rowBlocks = rowBlocks && block > 1;
        this.blocksPerRow = (cols + block - 1) / block;
        this.units = cols == 0 ? 0 : this.rowBlocks ? (rows + block - 1) / block * cols : rows * blocksPerRow;
        this.masked = new boolean[units];
    }

    /** A copy of the per-unit mask (true = pruned), for a checkpoint. */
    boolean[] units() {
        return masked.clone();
    }

    /** Sets the per-unit mask to a copy of {@code units}, as {@link #units()} gave it. */
    void restore(boolean[] units) {
        if (units.length != masked.length) {
            throw new IllegalArgumentException("a mask of " + units.length + " units, expected " + masked.length);
        }
        System.arraycopy(units, 0, masked, 0, units.length);
    }

    private int start(int unit) {
        if (rowBlocks) {
            return unit / cols * block * cols + unit % cols;
        }
        return unit / blocksPerRow * cols + unit % blocksPerRow * block;
    }

    private int length(int unit) {
        if (rowBlocks) {
            return Math.min(block, rows - unit / cols * block);
        }
        return Math.min(block, cols - unit % blocksPerRow * block);
    }

    /** Flat distance between a unit's consecutive elements: 1 along a row, cols down a column. */
    private int stride() {
        return rowBlocks ? cols : 1;
    }

    /**
     * Each unit's score: |w| for single weights, the root mean square for blocks. A block's L2
     * norm is the block analogue of magnitude: dropping the blocks of smallest L2 norm removes the
     * least Frobenius norm from the matrix, and unlike the block's max it does not keep a block of
     * near-zeros alive for one large weight. Dividing by √length (RMS) keeps the score in the
     * weights' units, so Narang's threshold ε applies to blocks unchanged, and is fair to the
     * shorter last block of a row.
     */
    float[] scores(float[] w) {
        float[] s = new float[units];
        int stride = stride();
        for (int u = 0; u < units; u++) {
            int from = start(u);
            int len = length(u);
            if (len == 1) {
                s[u] = Math.abs(w[from]);
            } else {
                double sum = 0;
                for (int k = 0, i = from; k < len; k++, i += stride) {
                    sum += (double) w[i] * w[i];
                }
                s[u] = (float) Math.sqrt(sum / len);
            }
        }
        return s;
    }

    /**
     * Units in pruning order: smallest score first; among equal scores units already masked
     * first (so recomputed masks keep what was pruned even when many weights are exactly zero),
     * then by position, which makes the order, and so the mask, deterministic.
     */
    private int[] order(float[] scores) {
        long[] keys = new long[units];
        for (int u = 0; u < units; u++) {
            // non-negative floats order like their bit patterns; NaN sorts after +inf (never pruned first)
            long bits = Float.floatToIntBits(scores[u]);
            keys[u] = bits << 32 | (masked[u] ? 0L : 1L << 31) | u;
        }
        Arrays.sort(keys);
        int[] order = new int[units];
        for (int i = 0; i < units; i++) {
            order[i] = (int) (keys[i] & 0x7fffffffL);
        }
        return order;
    }

    /**
     * How many units of {@code order} to mask so that the masked element count is as close as
     * possible to {@code sparsity × size}: within half a block, so each tensor reaches its own
     * target to within one block whatever the ties.
     */
    private int countFor(int[] order, double sparsity) {
        long want = Math.round(sparsity * size);
        long have = 0;
        int m = 0;
        while (m < units && Math.abs(have + length(order[m]) - want) < Math.abs(have - want)) {
            have += length(order[m]);
            m++;
        }
        return m;
    }

    /** Recomputes the mask from current magnitudes so that {@code sparsity} of the elements are masked. */
    void maskToSparsity(float[] w, double sparsity) {
        int[] order = order(scores(w));
        int m = countFor(order, sparsity);
        Arrays.fill(masked, false);
        for (int i = 0; i < m; i++) {
            masked[order[i]] = true;
        }
    }

    /** Adds every unit whose score is below {@code threshold} to the mask; nothing is unmasked. */
    void maskBelow(float[] w, double threshold) {
        float[] s = scores(w);
        for (int u = 0; u < units; u++) {
            masked[u] |= s[u] < threshold;
        }
    }

    /**
     * The score q such that masking the units scoring below q masks {@code sparsity} of the
     * elements (to within a block, barring ties at q): the magnitude quantile for that sparsity.
     */
    double quantile(float[] w, double sparsity) {
        float[] s = scores(w);
        int[] order = order(s);
        int m = countFor(order, sparsity);
        if (m == units) {
            return Math.nextUp(s[order[units - 1]]);
        }
        return s[order[m]];
    }

    /** Sets masked elements to +0.0 (not −0.0, which sparse encodings would store). */
    void apply(float[] w) {
        int stride = stride();
        for (int u = 0; u < units; u++) {
            if (masked[u]) {
                for (int k = 0, i = start(u); k < length(u); k++, i += stride) {
                    w[i] = 0.0f;
                }
            }
        }
    }

    long maskedElements() {
        long n = 0;
        for (int u = 0; u < units; u++) {
            if (masked[u]) {
                n += length(u);
            }
        }
        return n;
    }

    int size() {
        return size;
    }

    double sparsity() {
        return size == 0 ? 0 : (double) maskedElements() / size;
    }
}
