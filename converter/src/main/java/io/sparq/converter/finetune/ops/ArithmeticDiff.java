package io.sparq.converter.finetune.ops;

import io.sparq.converter.finetune.DiffOp;
import io.sparq.converter.finetune.DiffOpFactory;
import io.sparq.format.Tensor;
import io.sparq.runtime.ops.Op;

/**
 * Add, Sub, Mul and Div with NumPy broadcasting. Each operand's gradient is the elementwise
 * gradient at the broadcast shape, summed over the axes that operand was broadcast along.
 */
public final class ArithmeticDiff extends RuntimeOpDiff {
    /** The four arithmetic operators. */
    public enum Fn { ADD, SUB, MUL, DIV }

    private final Fn fn;

    private ArithmeticDiff(Op op, Fn fn) {
        super(op);
        this.fn = fn;
    }

    public static DiffOpFactory of(Fn fn) {
        return (ctx, options) -> new ArithmeticDiff(Grads.runtimeOp(ctx), fn);
    }

    @Override
    public Tensor[] backward(Forward forward, Tensor[] gradOutputs, boolean[] needed) {
        Tensor a = forward.inputs()[0];
        Tensor b = forward.inputs()[1];
        Tensor y = forward.outputs()[0];
        Tensor[] grads = new Tensor[2];
        if (gradOutputs[0] == null) {
            return grads;
        }
        float[] g = gradOutputs[0].floats();
        int[] shape = y.shape();
        if (needed[0]) {
            float[] ga = switch (fn) {
                case ADD, SUB -> g;
                case MUL -> times(g, Grads.expand(b, shape), 1);
                case DIV -> divide(g, Grads.expand(b, shape));
            };
            grads[0] = Grads.sumTo(ga, shape, a.shape());
        }
        if (needed[1]) {
            float[] gb = switch (fn) {
                case ADD -> g;
                case SUB -> times(g, null, -1);
                case MUL -> times(g, Grads.expand(a, shape), 1);
                // d(a/b)/db = -a/b² = -y/b
                case DIV -> divide(times(g, y.floats(), -1), Grads.expand(b, shape));
            };
            grads[1] = Grads.sumTo(gb, shape, b.shape());
        }
        return grads;
    }

    /** {@code scale · g · x} elementwise ({@code x} null means 1). */
    private static float[] times(float[] g, float[] x, float scale) {
        float[] out = new float[g.length];
        for (int i = 0; i < g.length; i++) {
            out[i] = scale * g[i] * (x == null ? 1 : x[i]);
        }
        return out;
    }

    private static float[] divide(float[] g, float[] x) {
        float[] out = new float[g.length];
        for (int i = 0; i < g.length; i++) {
            out[i] = g[i] / x[i];
        }
        return out;
    }
}
