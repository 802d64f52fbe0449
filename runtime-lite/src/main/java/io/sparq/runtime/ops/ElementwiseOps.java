package io.sparq.runtime.ops;

import io.sparq.format.DataType;
import io.sparq.format.Tensor;
import io.sparq.runtime.kernels.Binary;
import io.sparq.runtime.kernels.Broadcast;
import io.sparq.runtime.kernels.Unary;

import java.util.Arrays;
import java.util.function.DoubleUnaryOperator;
import java.util.function.LongUnaryOperator;

/**
 * Elementwise operators: arithmetic with NumPy broadcasting (float32, float64, int64, int32) and
 * activation / math functions (float32, float64; Relu, Neg, Abs and Clip also on integers).
 */
final class ElementwiseOps {
    private static final DataType[] NUMERIC = {DataType.FLOAT32, DataType.FLOAT64, DataType.INT64, DataType.INT32};
    private static final DataType[] FLOATS = {DataType.FLOAT32, DataType.FLOAT64};
    private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

    private ElementwiseOps() {
    }

    static void register(OpRegistry r) {
        r.register("Add", ctx -> binary(ctx, Binary.Fn.ADD));
        r.register("Sub", ctx -> binary(ctx, Binary.Fn.SUB));
        r.register("Mul", ctx -> binary(ctx, Binary.Fn.MUL));
        r.register("Div", ctx -> binary(ctx, Binary.Fn.DIV));
        r.register("Pow", ElementwiseOps::pow);

        r.register("Relu", ctx -> unary(ctx, x -> Math.max(x, 0), x -> Math.max(x, 0)));
        r.register("Neg", ctx -> unary(ctx, x -> -x, x -> -x));
        r.register("Abs", ctx -> unary(ctx, Math::abs, Math::abs));
        r.register("Sigmoid", ctx -> unary(ctx, Unary::sigmoid, null));
        r.register("Tanh", ctx -> unary(ctx, Math::tanh, null));
        r.register("Exp", ctx -> unary(ctx, Math::exp, null));
        r.register("Log", ctx -> unary(ctx, Math::log, null));
        r.register("Sqrt", ctx -> unary(ctx, Math::sqrt, null));
        r.register("Erf", ctx -> unary(ctx, Unary::erf, null));
        r.register("Softplus", ctx -> unary(ctx, Unary::softplus, null));
        r.register("Softsign", ctx -> unary(ctx, x -> x / (1 + Math.abs(x)), null));
        r.register("LeakyRelu", ctx -> {
            double alpha = ctx.attrFloat("alpha", 0.01f);
            return unary(ctx, x -> x >= 0 ? x : alpha * x, null);
        });
        r.register("Elu", ctx -> {
            double alpha = ctx.attrFloat("alpha", 1f);
            return unary(ctx, x -> x >= 0 ? x : alpha * Math.expm1(x), null);
        });
        r.register("HardSigmoid", ctx -> {
            double alpha = ctx.attrFloat("alpha", 0.2f);
            double beta = ctx.attrFloat("beta", 0.5f);
            return unary(ctx, x -> Math.max(0, Math.min(1, alpha * x + beta)), null);
        });
        r.register("Gelu", ctx -> ctx.attrChoice("approximate", "none", "none", "tanh").equals("none")
                ? unary(ctx, x -> 0.5 * x * (1 + Unary.erf(x / Math.sqrt(2))), null)
                : unary(ctx, x -> 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x))), null));
        r.register("Clip", ElementwiseOps::clip);
    }

    private static Op binary(NodeContext ctx, Binary.Fn fn) {
        ctx.requireInputs(2, 2);
        return in -> {
            Tensor a = in[0];
            Tensor b = in[1];
            ctx.requireType(a, 0, NUMERIC);
            if (b.type() != a.type()) {
                throw ctx.badInput("A is " + a + " and B is " + b + "; element types must match");
            }
            return new Tensor[] {broadcast(ctx, fn, a, b)};
        };
    }

    /** Pow from opset 12 lets the exponent have any numeric type; it is converted to the base's type. */
    private static Op pow(NodeContext ctx) {
        ctx.requireInputs(2, 2);
        return in -> {
            Tensor x = in[0];
            ctx.requireType(x, 0, FLOATS);
            ctx.requireType(in[1], 1, NUMERIC);
            return new Tensor[] {broadcast(ctx, Binary.Fn.POW, x, toFloatType(in[1], x.type()))};
        };
    }

    private static Tensor broadcast(NodeContext ctx, Binary.Fn fn, Tensor a, Tensor b) {
        Broadcast plan = Broadcast.of(a.shape(), b.shape());
        if (plan == null) {
            throw ctx.badInput("A has shape " + Arrays.toString(a.shape()) + " and B " + Arrays.toString(b.shape())
                    + ", which do not broadcast (aligned from the last axis, sizes must be equal or 1)");
        }
        Tensor y = Tensor.zeros(a.type(), plan.shape());
        try {
            switch (a.type()) {
                case FLOAT32 -> Binary.apply(fn, plan, a.floats(), b.floats(), y.floats());
                case FLOAT64 -> Binary.apply(fn, plan, a.doubles(), b.doubles(), y.doubles());
                case INT64 -> Binary.apply(fn, plan, a.longs(), b.longs(), y.longs());
                case INT32 -> Binary.apply(fn, plan, a.ints(), b.ints(), y.ints());
                default -> throw new IllegalStateException("unchecked type " + a.type());
            }
        } catch (ArithmeticException e) {
            throw ctx.badInput("integer division by zero");
        }
        return y;
    }

    private static Tensor toFloatType(Tensor t, DataType type) {
        if (t.type() == type) {
            return t;
        }
        Tensor out = Tensor.zeros(type, t.shape());
        for (int i = 0; i < t.size(); i++) {
            if (type == DataType.FLOAT32) {
                out.floats()[i] = (float) t.getDouble(i);
            } else {
                out.doubles()[i] = t.getDouble(i);
            }
        }
        return out;
    }

    /**
     * A one-input op computing {@code f} on floating-point elements and, unless {@code g} is null,
     * {@code g} on integer elements.
     */
    private static Op unary(NodeContext ctx, DoubleUnaryOperator f, LongUnaryOperator g) {
        ctx.requireInputs(1, 1);
        return in -> new Tensor[] {map(ctx, in[0], f, g)};
    }

    private static Tensor map(NodeContext ctx, Tensor x, DoubleUnaryOperator f, LongUnaryOperator g) {
        ctx.requireType(x, 0, g == null ? FLOATS : NUMERIC);
        Tensor y = Tensor.zeros(x.type(), x.shape());
        switch (x.type()) {
            case FLOAT32 -> Unary.map(x.floats(), y.floats(), f);
            case FLOAT64 -> Unary.map(x.doubles(), y.doubles(), f);
            case INT64 -> Unary.map(x.longs(), y.longs(), g);
            case INT32 -> Unary.map(x.ints(), y.ints(), g);
            default -> throw new IllegalStateException("unchecked type " + x.type());
        }
        return y;
    }

    /**
     * Clip takes its bounds from the {@code min}/{@code max} attributes before opset 11 and from
     * optional scalar inputs of the data's type from 11 on; an absent bound does not clip.
     */
    private static Op clip(NodeContext ctx) {
        if (ctx.opset() < 11) {
            ctx.requireInputs(1, 1);
            double lo = ctx.attrFloat("min", -Float.MAX_VALUE);
            double hi = ctx.attrFloat("max", Float.MAX_VALUE);
            return unary(ctx, x -> Math.min(Math.max(x, lo), hi), null);
        }
        ctx.requireInputs(1, 3);
        return in -> {
            Tensor x = in[0];
            ctx.requireType(x, 0, NUMERIC);
            Tensor lo = bound(ctx, in, 1, x);
            Tensor hi = bound(ctx, in, 2, x);
            double flo = lo == null ? Double.NEGATIVE_INFINITY : lo.getDouble(0);
            double fhi = hi == null ? Double.POSITIVE_INFINITY : hi.getDouble(0);
            long ilo = lo == null ? Long.MIN_VALUE : lo.getLong(0);
            long ihi = hi == null ? Long.MAX_VALUE : hi.getLong(0);
            return new Tensor[] {map(ctx, x, v -> Math.min(Math.max(v, flo), fhi), v -> Math.min(Math.max(v, ilo), ihi))};
        };
    }

    private static Tensor bound(NodeContext ctx, Tensor[] in, int i, Tensor x) {
        Tensor t = i < in.length ? in[i] : null;
        if (t != null && (t.type() != x.type() || t.size() != 1)) {
            throw ctx.badInput((i == 1 ? "min" : "max") + " is " + t + ", expected a " + x.type().displayName()
                    + " scalar like the input");
        }
        return t;
    }
}
