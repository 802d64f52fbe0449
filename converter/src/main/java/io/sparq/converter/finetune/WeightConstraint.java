package io.sparq.converter.finetune;

import io.sparq.format.Tensor;

import java.util.Map;

/**
 * A rule the trainer enforces on the weights around every optimizer step, e.g. pruning masks.
 * The tensors in {@code weights} are the trainable initializers by name, modified in place.
 */
public interface WeightConstraint {
    /** Called before the forward pass of {@code step} (0-based); may change which weights are masked. */
    void beforeStep(long step, Map<String, Tensor> weights);

    /** Called after every optimizer update; must set masked weights back to exactly zero. */
    void afterUpdate(Map<String, Tensor> weights);

    /** The masked share of the constrained weights now, for the training curve; NaN when it masks nothing. */
    default double sparsity() {
        return Double.NaN;
    }

    /**
     * The first step from which the constraint no longer changes (0 when it never does). The trainer
     * keeps a best checkpoint only from there, since weights from an earlier, less constrained stage
     * were never trained under the final constraint, and can hold its learning rate until then.
     */
    default long settlesAt() {
        return 0;
    }

    /**
     * What the constraint has learnt so far (masks, the last update's step), as named arrays, for a
     * checkpoint; empty when it keeps nothing between steps.
     */
    default Map<String, Tensor> state() {
        return Map.of();
    }

    /**
     * Continues from {@code state}, as {@link #state()} of a constraint built with the same settings
     * gave it.
     *
     * @throws IllegalArgumentException if {@code state} does not fit this constraint
     */
    default void restore(Map<String, Tensor> state) {
    }
}
