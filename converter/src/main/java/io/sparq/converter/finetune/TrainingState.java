package io.sparq.converter.finetune;

import io.sparq.format.Tensor;

import java.util.Map;

/**
 * Everything a fine-tuning run needs to continue bit for bit at the start of step {@code step}: what
 * {@link Trainer} hands to its checkpoint sink and takes back to resume. The sample order is kept
 * as the number of reshuffles done and the position in the current order, since the order comes
 * from the config's seed and can be replayed.
 *
 * @param step        steps done (the next step to run, 0-based)
 * @param shuffles    reshuffles of the training samples so far (one per epoch started)
 * @param cursor      position in the current order of the training samples
 * @param lastLoss    training loss of the last step done, NaN before the first
 * @param weights     every trainable weight by name
 * @param optimizer   {@link Optimizer#state()}
 * @param constraint  {@link WeightConstraint#state()} (the pruning masks)
 * @param best        the weights of the lowest validation loss so far; empty when none was kept
 * @param bestLoss    their validation loss, NaN when none
 * @param bestStep    their step (0-based), -1 when none
 * @param elapsedNanos training time spent so far, for the ETA
 * @param curve       the steps done so far, {@link TrainingCurve#flat()}
 */
public record TrainingState(long step, long shuffles, int cursor, double lastLoss, Map<String, float[]> weights,
                            Map<String, Tensor> optimizer, Map<String, Tensor> constraint, Map<String, float[]> best,
                            double bestLoss, long bestStep, long elapsedNanos, double[] curve) {
    public TrainingState {
        weights = Map.copyOf(weights);
        optimizer = Map.copyOf(optimizer);
        constraint = Map.copyOf(constraint);
        best = Map.copyOf(best);
        curve = curve.clone();
    }
}
