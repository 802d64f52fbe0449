package io.sparq.converter.finetune.ops;

import io.sparq.converter.finetune.DiffOp;
import io.sparq.converter.finetune.DiffOpFactory;
import io.sparq.format.Tensor;
import io.sparq.runtime.ops.Op;

/**
 * runtime-lite's op run as is, passing no gradient: for ops whose outputs are constants as far as
 * the weights are concerned (Shape, Constant, comparisons, casts) and for ops that only run
 * forward because nothing upstream of them is trained.
 */
public final class NoGradientDiff extends RuntimeOpDiff {

    private NoGradientDiff(Op op) {
        super(op);
    }

    /** Wraps runtime-lite's op of the node. */
    public static DiffOpFactory factory() {
        return (ctx, options) -> new NoGradientDiff(Grads.runtimeOp(ctx));
    }

    @Override
    public Tensor[] backward(Forward forward, Tensor[] gradOutputs, boolean[] needed) {
        return new Tensor[forward.inputs().length];
    }
}
