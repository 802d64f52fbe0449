package io.sparq.converter.finetune;

/**
 * Learning-rate schedule: linear warm-up from peak/warmup to {@code peak} over {@code warmupSteps},
 * then constant or decaying (linear or cosine) to {@code floor} at the last step.
 */
public record LearningRate(double peak, int warmupSteps, Decay decay, double floor) {
    /** The shape of the decay after warm-up. */
    public enum Decay { CONSTANT, LINEAR, COSINE }

    public LearningRate {
        if (!(peak > 0) || warmupSteps < 0 || floor < 0 || floor > peak) {
            throw new IllegalArgumentException("learning rate " + peak + ", warm-up " + warmupSteps + ", floor " + floor
                    + ": need peak > 0, warm-up >= 0 and 0 <= floor <= peak");
        }
    }

    /** The rate for 0-based {@code step} of {@code total}. */
    public double at(long step, long total) {
        if (step < warmupSteps) {
            return peak * (step + 1) / warmupSteps;
        }
        long span = Math.max(1, total - 1 - warmupSteps);
        double progress = Math.min(1, (double) (step - warmupSteps) / span);
        return switch (decay) {
            case CONSTANT -> peak;
            case LINEAR -> floor + (peak - floor) * (1 - progress);
            case COSINE -> floor + (peak - floor) * 0.5 * (1 + Math.cos(Math.PI * progress));
        };
    }
}
