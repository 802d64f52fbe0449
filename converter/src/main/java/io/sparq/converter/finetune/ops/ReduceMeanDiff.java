package io.sparq.converter.finetune.ops;

import io.sparq.converter.finetune.DiffOp;
import io.sparq.converter.finetune.DiffOpFactory;
import io.sparq.format.Tensor;
import io.sparq.runtime.ops.NodeContext;
import io.sparq.runtime.ops.Op;

/**
 * ReduceMean: each input element receives its output's gradient divided by the number of elements
 * averaged. Axes come from the attribute (before opset 18) or input 1; none means all axes, or
 * none at all with {@code noop_with_empty_axes}.
 */
public final class ReduceMeanDiff extends RuntimeOpDiff {
    private final NodeContext ctx;

    private ReduceMeanDiff(NodeContext ctx, Op op) {
        super(op);
        this.ctx = ctx;
    }

    public static DiffOpFactory factory() {
        return (ctx, options) -> new ReduceMeanDiff(ctx, Grads.runtimeOp(ctx));
    }

    @Override
    public Tensor[] backward(Forward forward, Tensor[] gradOutputs, boolean[] needed) {
        Tensor[] in = forward.inputs();
        Tensor[] grads = new Tensor[in.length];
        if (!needed[0] || gradOutputs[0] == null) {
            return grads;
        }
        Tensor x = in[0];
        int rank = x.rank();
        long[] axes = ctx.opset() < 18 ? ctx.attrInts("axes", null)
                : in.length > 1 && in[1] != null ? in[1].toLongArray() : null;
        boolean[] reduced = new boolean[rank];
        if (axes == null || axes.length == 0) {
            boolean noop = ctx.attrInt("noop_with_empty_axes", 0) != 0;
            java.util.Arrays.fill(reduced, !noop);
        } else {
            for (long a : axes) {
                reduced[(int) (a < 0 ? a + rank : a)] = true;
            }
        }
        int[] kept = x.shape();
        int count = 1;
        for (int d = 0; d < rank; d++) {
            if (reduced[d]) {
                count *= kept[d];
                kept[d] = 1;
            }
        }
        float[] g = Grads.expand(gradOutputs[0].reshape(kept), x.shape());
        float[] dx = new float[g.length];
        for (int i = 0; i < dx.length; i++) {
            dx[i] = g[i] / count;
        }
        grads[0] = Tensor.ofFloats(x.shape(), dx);
        return grads;
    }
}
