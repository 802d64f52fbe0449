package io.sparq.converter.finetune.ops;

import io.sparq.converter.finetune.DiffOpFactory;
import io.sparq.format.Tensor;
import io.sparq.runtime.kernels.Conv2d;
import io.sparq.runtime.ops.ConvOp;

/**
 * Conv (1-D and 2-D, any group, stride, dilation and padding runtime-lite runs): the forward pass
 * is runtime-lite's {@link ConvOp}, and the backward pass is {@link Conv2d#backward} over the
 * geometry that op computes, so both walk the same taps by construction.
 */
public final class ConvDiff extends RuntimeOpDiff {
    private final ConvOp conv;

    private ConvDiff(ConvOp conv) {
        super(conv);
        this.conv = conv;
    }

    public static DiffOpFactory factory() {
        return (ctx, options) -> new ConvDiff((ConvOp) Grads.runtimeOp(ctx));
    }

    @Override
    public Tensor[] backward(Forward forward, Tensor[] gradOutputs, boolean[] needed) {
        Tensor[] in = forward.inputs();
        Tensor[] grads = new Tensor[in.length];
        if (gradOutputs[0] == null) {
            return grads;
        }
        Tensor x = in[0];
        Tensor w = in[1];
        boolean hasBias = in.length > 2 && in[2] != null;
        Conv2d.Geometry g = conv.geometry(x, w, hasBias ? in[2] : null);
        float[] dx = needed[0] ? new float[x.size()] : null;
        float[] dw = needed[1] ? new float[w.size()] : null;
        float[] db = hasBias && needed[2] ? new float[g.m()] : null;
        Conv2d.backward(g, x.floats(), w.floats(), gradOutputs[0].floats(), dx, dw, db);
        if (dx != null) {
            grads[0] = Tensor.ofFloats(x.shape(), dx);
        }
        if (dw != null) {
            grads[1] = Tensor.ofFloats(w.shape(), dw);
        }
        if (db != null) {
            grads[2] = Tensor.ofFloats(new int[] {g.m()}, db);
        }
        return grads;
    }
}
