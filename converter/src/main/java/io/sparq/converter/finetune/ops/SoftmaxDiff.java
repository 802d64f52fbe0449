package io.sparq.converter.finetune.ops;

import io.sparq.converter.finetune.DiffOp;
import io.sparq.converter.finetune.DiffOpFactory;
import io.sparq.format.DataType;
import io.sparq.format.Tensor;
import io.sparq.runtime.ops.NodeContext;

/**
 * Softmax and LogSoftmax with runtime-lite's axis rule: before opset 13 normalised over everything
 * from {@code axis} (default 1) on, from 13 over {@code axis} alone (default -1). With the input
 * viewed as [outer, n, inner]: softmax dx = y·(g - Σ g·y), log-softmax dx = g - e^y·Σ g.
 */
public final class SoftmaxDiff extends RuntimeOpDiff {
    private final boolean log;
    private final boolean singleAxis;
    private final long axis;

    private SoftmaxDiff(NodeContext ctx, boolean log) {
        super(Grads.runtimeOp(ctx));
        this.log = log;
        this.singleAxis = ctx.opset() >= 13;
        this.axis = ctx.attrInt("axis", singleAxis ? -1 : 1);
    }

    public static DiffOpFactory softmax() {
        return (ctx, options) -> new SoftmaxDiff(ctx, false);
    }

    public static DiffOpFactory logSoftmax() {
        return (ctx, options) -> new SoftmaxDiff(ctx, true);
    }

    @Override
    public Tensor[] backward(Forward forward, Tensor[] gradOutputs, boolean[] needed) {
        if (!needed[0] || gradOutputs[0] == null) {
            return new Tensor[1];
        }
        int[] s = forward.inputs()[0].shape();
        int a = (int) (axis < 0 ? axis + s.length : axis);   // validated by the forward pass
        int outer = product(s, 0, a);
        int n = singleAxis ? s[a] : product(s, a, s.length);
        int inner = singleAxis ? product(s, a + 1, s.length) : 1;
        float[] y = forward.outputs()[0].floats();
        float[] g = gradOutputs[0].floats();
        Tensor dx = Tensor.zeros(DataType.FLOAT32, s);
        float[] d = dx.floats();
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int base = o * n * inner + i;
                double sum = 0;
                for (int t = 0; t < n; t++) {
                    int k = base + t * inner;
                    sum += log ? g[k] : (double) g[k] * y[k];
                }
                for (int t = 0; t < n; t++) {
                    int k = base + t * inner;
                    d[k] = (float) (log ? g[k] - Math.exp(y[k]) * sum : y[k] * (g[k] - sum));
                }
            }
        }
        return new Tensor[] {dx};
    }

    private static int product(int[] shape, int from, int to) {
        int p = 1;
        for (int d = from; d < to; d++) {
            p *= shape[d];
        }
        return p;
    }
}
