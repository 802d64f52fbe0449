package io.sparq.converter.prune;

import java.util.Locale;

/**
 * Prune once to the target at step {@code at}, then keep the masks fixed: the baseline both
 * papers compare gradual pruning against.
 *
 * @param sparsity the target, in [0, 1)
 * @param at       the step whose {@code beforeStep} prunes (≥ 0)
 */
public record OneShotSchedule(double sparsity, long at) implements SparsitySchedule {
    public OneShotSchedule {
        Schedule.checkSparsity("sparsity", sparsity);
        if (at < 0) {
            throw new IllegalArgumentException("at = " + at + ", expected >= 0");
        }
    }

    @Override
    public double sparsityAt(long step) {
        return step < at ? 0 : sparsity;
    }

    @Override
    public long lastUpdateAtOrBefore(long step) {
        return step < at ? -1 : at;
    }

    @Override
    public long endStep() {
        return at;
    }

    @Override
    public double targetSparsity() {
        return sparsity;
    }

    @Override
    public OneShotSchedule withTargetSparsity(double s) {
        return new OneShotSchedule(s, at);
    }

    @Override
    public String kind() {
        return "oneshot";
    }

    @Override
    public String describe() {
        return String.format(Locale.ROOT, "oneshot: sparsity %.4f at step %d", targetSparsity(), endStep());
    }
}
