package io.sparq.converter.finetune.ops;

import io.sparq.converter.finetune.DiffOp;
import io.sparq.format.Tensor;
import io.sparq.runtime.ops.Op;

/**
 * A differentiable op whose forward pass is runtime-lite's own op for the node ({@link
 * Grads#runtimeOp}), so training computes exactly what the runtime does; its backward pass needs
 * only the inputs and outputs the forward keeps.
 */
abstract class RuntimeOpDiff implements DiffOp {
    /** runtime-lite's op for the node. */
    protected final Op op;

    RuntimeOpDiff(Op op) {
        this.op = op;
    }

    @Override
    public final Forward forward(Tensor[] inputs) {
        return new Forward(inputs, op.run(inputs), null);
    }
}
