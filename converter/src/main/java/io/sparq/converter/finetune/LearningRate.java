package io.sparq.converter.finetune;

/**
 * Learning-rate schedule: linear warm-up from peak/warmup to {@code peak} over {@code warmupSteps},
 * then the peak until {@code holdUntil} (0: no hold), then constant or decaying (linear or cosine)
 * to {@code floor} at the last step. Holding the peak while pruning masks still change, and decaying
 * only over the steps after the last mask update, gives the weights a full schedule to recover in
 * (the learning-rate rewinding of Renda et al. 2020, applied to gradual pruning).
 */
public record LearningRate(double peak, int warmupSteps, Decay decay, double floor, long holdUntil) {
    /** The shape of the decay after warm-up. */
    public enum Decay { CONSTANT, LINEAR, COSINE }

    public LearningRate {
        if (!(peak > 0) || warmupSteps < 0 || floor < 0 || floor > peak || holdUntil < 0) {
            throw new IllegalArgumentException("learning rate " + peak + ", warm-up " + warmupSteps + ", floor " + floor
                    + ", hold until " + holdUntil + ": need peak > 0, warm-up >= 0, 0 <= floor <= peak, hold >= 0");
        }
    }

    /** No hold: the decay starts right after warm-up. */
    public LearningRate(double peak, int warmupSteps, Decay decay, double floor) {
        this(peak, warmupSteps, decay, floor, 0);
    }

    /** The same schedule holding its peak until {@code step}. */
    public LearningRate holdingUntil(long step) {
        return new LearningRate(peak, warmupSteps, decay, floor, step);
    }

    /** The rate for 0-based {@code step} of {@code total}. */
    public double at(long step, long total) {
        if (step < warmupSteps) {
            return peak * (step + 1) / warmupSteps;
        }
        long start = Math.max(warmupSteps, holdUntil);
        if (step < start) {
            return peak;
        }
        long span = Math.max(1, total - 1 - start);
        double progress = Math.min(1, (double) (step - start) / span);
        return switch (decay) {
            case CONSTANT -> peak;
            case LINEAR -> floor + (peak - floor) * (1 - progress);
            case COSINE -> floor + (peak - floor) * 0.5 * (1 + Math.cos(Math.PI * progress));
        };
    }
}
