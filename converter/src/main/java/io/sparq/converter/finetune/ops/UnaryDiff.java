package io.sparq.converter.finetune.ops;

import io.sparq.converter.finetune.DiffOp;
import io.sparq.converter.finetune.DiffOpFactory;
import io.sparq.format.DataType;
import io.sparq.format.Tensor;
import io.sparq.runtime.ops.Op;

/** Elementwise activations (Relu, Tanh, Sigmoid, LeakyRelu): dx = g · f'(x), f' given from x and y. */
public final class UnaryDiff extends RuntimeOpDiff {
    /** The derivative of the activation at input {@code x} with output {@code y}. */
    @FunctionalInterface
    public interface Derivative {
        double at(double x, double y);
    }

    private final Derivative derivative;

    private UnaryDiff(Op op, Derivative derivative) {
        super(op);
        this.derivative = derivative;
    }

    public static DiffOpFactory relu() {
        return (ctx, options) -> new UnaryDiff(Grads.runtimeOp(ctx), (x, y) -> x > 0 ? 1 : 0);
    }

    public static DiffOpFactory tanh() {
        return (ctx, options) -> new UnaryDiff(Grads.runtimeOp(ctx), (x, y) -> 1 - y * y);
    }

    public static DiffOpFactory sigmoid() {
        return (ctx, options) -> new UnaryDiff(Grads.runtimeOp(ctx), (x, y) -> y * (1 - y));
    }

    /** The runtime takes the identity branch at x = 0, so the derivative does too. */
    public static DiffOpFactory leakyRelu() {
        return (ctx, options) -> {
            double alpha = ctx.attrFloat("alpha", 0.01f);
            return new UnaryDiff(Grads.runtimeOp(ctx), (x, y) -> x >= 0 ? 1 : alpha);
        };
    }

    @Override
    public Tensor[] backward(Forward forward, Tensor[] gradOutputs, boolean[] needed) {
        if (!needed[0] || gradOutputs[0] == null) {
            return new Tensor[1];
        }
        float[] x = forward.inputs()[0].floats();
        float[] y = forward.outputs()[0].floats();
        float[] g = gradOutputs[0].floats();
        Tensor dx = Tensor.zeros(DataType.FLOAT32, forward.inputs()[0].shape());
        float[] d = dx.floats();
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) (g[i] * derivative.at(x[i], y[i]));
        }
        return new Tensor[] {dx};
    }
}
