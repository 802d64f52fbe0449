package io.sparq.converter.finetune.ops;

import io.sparq.converter.finetune.DiffOp;
import io.sparq.converter.finetune.DiffOpFactory;
import io.sparq.format.DataType;
import io.sparq.format.Tensor;
import io.sparq.runtime.ops.Op;

/**
 * Cast: float32 to float32 (which exporters write) passes the gradient through unchanged; any other
 * cast passes none, since integer and boolean values carry no gradient.
 */
public final class CastDiff extends RuntimeOpDiff {

    private CastDiff(Op op) {
        super(op);
    }

    public static DiffOpFactory factory() {
        return (ctx, options) -> new CastDiff(Grads.runtimeOp(ctx));
    }

    @Override
    public Tensor[] backward(Forward forward, Tensor[] gradOutputs, boolean[] needed) {
        Tensor[] grads = new Tensor[1];
        if (needed[0] && gradOutputs[0] != null && forward.inputs()[0].type() == DataType.FLOAT32
                && forward.outputs()[0].type() == DataType.FLOAT32) {
            grads[0] = gradOutputs[0];
        }
        return grads;
    }
}
