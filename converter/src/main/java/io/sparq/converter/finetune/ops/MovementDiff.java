package io.sparq.converter.finetune.ops;

import io.sparq.converter.finetune.DiffOp;
import io.sparq.converter.finetune.DiffOpFactory;
import io.sparq.format.DataType;
import io.sparq.format.Tensor;
import io.sparq.runtime.ops.Op;

/**
 * Ops that only move elements of their data inputs (Identity, Reshape, Flatten, Squeeze,
 * Unsqueeze, Transpose, Slice, Gather, Expand, Concat, Split). The backward pass runs the same
 * runtime op on int32 tensors holding each element's own position, which yields, for every output
 * element, the input element it came from; output gradients are then scatter-added there. This
 * keeps forward and backward in agreement for every attribute and opset variant the runtime
 * handles, including repeated indices (embedding rows, broadcasts) that must accumulate.
 */
public final class MovementDiff extends RuntimeOpDiff {
    private final boolean allInputsData;  // Concat: every input is data; otherwise only input 0
    private final boolean view;           // output 0 is input 0 with another shape

    private MovementDiff(Op op, boolean allInputsData, boolean view) {
        super(op);
        this.allInputsData = allInputsData;
        this.view = view;
    }

    /** An op whose data input is input 0 and whose other inputs are indices, shapes or axes. */
    public static DiffOpFactory of() {
        return (ctx, options) -> new MovementDiff(Grads.runtimeOp(ctx), false, false);
    }

    /** An op whose single output shares input 0's elements in order (Reshape, Squeeze...). */
    public static DiffOpFactory view() {
        return (ctx, options) -> new MovementDiff(Grads.runtimeOp(ctx), false, true);
    }

    /** Concat: every input is data. */
    public static DiffOpFactory concat() {
        return (ctx, options) -> new MovementDiff(Grads.runtimeOp(ctx), true, false);
    }

    @Override
    public Tensor[] backward(Forward forward, Tensor[] gradOutputs, boolean[] needed) {
        Tensor[] in = forward.inputs();
        Tensor[] grads = new Tensor[in.length];
        if (view) {
            if (needed[0] && gradOutputs[0] != null) {
                grads[0] = gradOutputs[0].reshape(in[0].shape());
            }
            return grads;
        }
        int dataCount = allInputsData ? in.length : 1;
        Tensor[] positions = in.clone();
        int total = 0;
        for (int i = 0; i < dataCount; i++) {
            positions[i] = Grads.iota(in[i].shape(), total);
            total += in[i].size();
        }
        Tensor[] sources = op.run(positions);
        float[] flat = new float[total];
        for (int o = 0; o < gradOutputs.length; o++) {
            if (gradOutputs[o] != null) {
                Grads.scatterAdd(sources[o].ints(), gradOutputs[o].floats(), flat);
            }
        }
        for (int i = 0, offset = 0; i < dataCount; offset += in[i].size(), i++) {
            if (needed[i]) {
                Tensor g = Tensor.zeros(DataType.FLOAT32, in[i].shape());
                System.arraycopy(flat, offset, g.floats(), 0, g.size());
                grads[i] = g;
            }
        }
        return grads;
    }
}
