package io.sparq.converter.finetune.ops;

import io.sparq.converter.finetune.DiffOp;
import io.sparq.converter.finetune.DiffOpFactory;
import io.sparq.format.Tensor;

import java.util.Arrays;

/**
 * Dropout as at inference: the identity, with an all-true mask when that output is requested.
 * Fine-tuning a compressed model towards its teacher keeps the teacher's deterministic function,
 * so no units are dropped.
 */
public final class DropoutDiff implements DiffOp {
    private DropoutDiff() {
    }

    public static DiffOpFactory factory() {
        return (ctx, options) -> {
            ctx.requireInputs(1, 3);
            return new DropoutDiff();
        };
    }

    @Override
    public Forward forward(Tensor[] inputs) {
        Tensor x = inputs[0];
        boolean[] mask = new boolean[x.size()];
        Arrays.fill(mask, true);
        return new Forward(inputs, new Tensor[] {x, Tensor.ofBools(x.shape(), mask)}, null);
    }

    @Override
    public Tensor[] backward(Forward forward, Tensor[] gradOutputs, boolean[] needed) {
        Tensor[] grads = new Tensor[forward.inputs().length];
        grads[0] = needed[0] ? gradOutputs[0] : null;
        return grads;
    }
}
