package io.sparq.converter.finetune;

import io.sparq.format.Tensor;

/**
 * The differentiable form of one graph node: {@link #forward} computes the outputs and keeps what
 * {@link #backward} needs to turn output gradients into input gradients (reverse-mode).
 * Implementations hold no mutable state; everything per call lives in the {@link Forward}.
 */
public interface DiffOp {
    /** Runs the node on {@code inputs} (null entries for omitted optional inputs). */
    Forward forward(Tensor[] inputs);

    /**
     * Gradients of the loss with respect to the node's inputs.
     *
     * @param forward     what {@link #forward} returned for this call
     * @param gradOutputs dLoss/dOutput per node output (same shape as the output), null where the
     *                    output does not reach the loss
     * @param needed      per input, whether its gradient is wanted
     * @return dLoss/dInput per input, same shape as the input; null where not needed or not
     *         differentiable (integer inputs, shapes, indices)
     */
    Tensor[] backward(Forward forward, Tensor[] gradOutputs, boolean[] needed);

    /** Outputs of one forward call plus whatever the op saved for its backward pass. */
    record Forward(Tensor[] inputs, Tensor[] outputs, Object saved) {
    }
}
