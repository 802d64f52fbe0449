package io.sparq.converter.prune;

import java.util.Locale;

/**
 * Gradual pruning of Zhu &amp; Gupta (2017, "To prune, or not to prune"): sparsity rises from
 * {@code s_i} to {@code s_f} along a cubic over {@code n} mask updates spaced {@code Δt} steps
 * apart, fast at first while there are many redundant weights and slowly at the end.
 *
 * <pre>
 *   s_t = s_f + (s_i − s_f) (1 − (t − t0) / (n Δt))³   for t0 ≤ t ≤ t0 + n Δt
 *   s_t = s_i before t0,   s_f after t0 + n Δt
 * </pre>
 *
 * Masks are recomputed at t0, t0 + Δt, …, t0 + n Δt.
 *
 * @param initialSparsity s_i, in [0, s_f]
 * @param finalSparsity   s_f, in [0, 1)
 * @param begin           t0, the first mask update
 * @param updates         n, the number of updates after the first (≥ 1)
 * @param frequency       Δt, steps between updates (≥ 1)
 */
public record CubicSchedule(double initialSparsity, double finalSparsity, long begin, int updates, long frequency)
        implements SparsitySchedule {
    public CubicSchedule {
        Schedule.checkSparsity("finalSparsity", finalSparsity);
        if (!(initialSparsity >= 0 && initialSparsity <= finalSparsity)) {
            throw new IllegalArgumentException("initialSparsity = " + initialSparsity
                    + ", expected 0 <= initialSparsity <= finalSparsity (" + finalSparsity + ")");
        }
        if (begin < 0 || updates < 1 || frequency < 1) {
            throw new IllegalArgumentException("begin = " + begin + ", updates = " + updates + ", frequency = "
                    + frequency + ": expected begin >= 0, updates >= 1, frequency >= 1");
        }
    }

    @Override
    public double sparsityAt(long step) {
        if (step < begin) {
            return initialSparsity;
        }
        if (step >= endStep()) {
            return finalSparsity;
        }
        double remaining = 1 - (double) (step - begin) / ((double) updates * frequency);
        return finalSparsity + (initialSparsity - finalSparsity) * remaining * remaining * remaining;
    }

    @Override
    public long lastUpdateAtOrBefore(long step) {
        if (step < begin) {
            return -1;
        }
        return begin + Math.min(updates, (step - begin) / frequency) * frequency;
    }

    @Override
    public long endStep() {
        return begin + updates * frequency;
    }

    @Override
    public double targetSparsity() {
        return finalSparsity;
    }

    /** The same timing with another s_f; s_i is capped at the new s_f so that a lower per-tensor target stays valid. */
    @Override
    public CubicSchedule withTargetSparsity(double sparsity) {
        return new CubicSchedule(Math.min(initialSparsity, sparsity), sparsity, begin, updates, frequency);
    }

    @Override
    public String kind() {
        return "cubic";
    }

    @Override
    public String describe() {
        return String.format(Locale.ROOT, "cubic (Zhu & Gupta): s_i %.4f -> s_f %.4f, t0 %d, %d updates every %d steps,"
                + " ends at step %d", initialSparsity, finalSparsity, begin, updates, frequency, endStep());
    }
}
