package io.sparq.converter.finetune;

import java.time.Duration;

/** Receives progress once per training step, e.g. to print progress and an ETA. */
@FunctionalInterface
public interface TrainingListener {
    void onStep(Progress progress);

    /**
     * @param step           0-based step just finished
     * @param totalSteps     steps planned
     * @param loss           training loss of this step's batch (before the update)
     * @param learningRate   rate used for this step
     * @param validationLoss loss on the validation samples, NaN when not evaluated at this step
     * @param elapsed        time since training started
     */
    record Progress(long step, long totalSteps, double loss, double learningRate, double validationLoss,
                    Duration elapsed) {
        public boolean evaluated() {
            return !Double.isNaN(validationLoss);
        }

        /** Remaining time if the remaining steps go at the average pace so far. */
        public Duration eta() {
            long done = step + 1;
            return elapsed.multipliedBy(totalSteps - done).dividedBy(done);
        }
    }

    static TrainingListener none() {
        return p -> { };
    }
}
