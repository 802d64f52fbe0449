package io.sparq.runtime.ops;

import io.sparq.format.DataType;
import io.sparq.format.Tensor;
import io.sparq.runtime.kernels.Strided;

import java.util.ArrayList;
import java.util.List;

/** Operators that make tensors from attributes or scalars: Constant, ConstantOfShape, Range. */
final class ConstantOps {
    private ConstantOps() {
    }

    static Op constant(NodeContext ctx) {
        ctx.requireInputs(0, 0);
        for (String unsupported : new String[] {"sparse_value", "value_string", "value_strings"}) {
            if (ctx.hasAttr(unsupported)) {
                throw ctx.unsupported("attribute " + unsupported + " is not supported (sparq has no string or sparse tensors)");
            }
        }
        List<String> given = new ArrayList<>();
        for (String name : new String[] {"value", "value_float", "value_floats", "value_int", "value_ints"}) {
            if (ctx.hasAttr(name)) {
                given.add(name);
            }
        }
        if (given.size() != 1) {
            throw ctx.fail("needs exactly one of value, value_float, value_floats, value_int, value_ints; has "
                    + given);
        }
        Tensor value = switch (given.get(0)) {
            case "value" -> ctx.attrTensor("value");
            case "value_float" -> Tensor.scalar(ctx.attrFloat("value_float", 0));
            case "value_floats" -> {
                float[] v = ctx.attrFloats("value_floats", null);
                yield Tensor.ofFloats(new int[] {v.length}, v);
            }
            case "value_int" -> Tensor.scalar(ctx.attrInt("value_int", 0));
            default -> {
                long[] v = ctx.attrInts("value_ints", null);
                yield Tensor.ofLongs(new int[] {v.length}, v);
            }
        };
        Tensor[] result = {value};
        return in -> result.clone();
    }

    static Op constantOfShape(NodeContext ctx) {
        ctx.requireInputs(1, 1);
        Tensor value = ctx.hasAttr("value") ? ctx.attrTensor("value") : Tensor.scalar(0f);
        if (value.size() != 1) {
            throw ctx.fail("attribute value must hold exactly one element, got " + value);
        }
        return in -> {
            int[] shape = ShapeOps.dimsInput(ctx, in[0], 0, "shape");
            Object out = Tensor.newArray(value.type(), Tensor.sizeOf(shape));
            Strided.copy(value.data(), 0, new int[shape.length], out, 0, Strided.contiguousStrides(shape), shape);
            return new Tensor[] {Tensor.of(value.type(), shape, out)};
        };
    }

    static Op range(NodeContext ctx) {
        ctx.requireInputs(3, 3);
        return in -> {
            DataType type = in[0].type();
            String[] names = {"start", "limit", "delta"};
            for (int i = 0; i < 3; i++) {
                ctx.requireType(in[i], i, DataType.FLOAT32, DataType.FLOAT64, DataType.INT16, DataType.INT32,
                        DataType.INT64);
                if (in[i].type() != type || in[i].size() != 1) {
                    throw ctx.badInput(names[i] + " is " + in[i] + ", expected a scalar of the start's type "
                            + type.displayName());
                }
            }
            if (in[2].getDouble(0) == 0) {
                throw ctx.badInput("delta must not be 0");
            }
            // As ONNX Runtime does: the count from double arithmetic, the values accumulated
            // (value += delta) in the input type, which for floats differs in the last bits from
            // start + i * delta.
            int n = count(ctx, in[1].getDouble(0) - in[0].getDouble(0), in[2].getDouble(0));
            return new Tensor[] {switch (type) {
                case FLOAT32 -> {
                    float start = in[0].floats()[0];
                    float delta = in[2].floats()[0];
                    float[] out = new float[n];
                    float v = start;
                    for (int i = 0; i < out.length; i++, v += delta) {
                        out[i] = v;
                    }
                    yield Tensor.ofFloats(new int[] {out.length}, out);
                }
                case FLOAT64 -> {
                    double start = in[0].doubles()[0];
                    double delta = in[2].doubles()[0];
                    double[] out = new double[n];
                    double v = start;
                    for (int i = 0; i < out.length; i++, v += delta) {
                        out[i] = v;
                    }
                    yield Tensor.ofDoubles(new int[] {out.length}, out);
                }
                default -> {
                    long start = in[0].getLong(0);
                    long delta = in[2].getLong(0);
                    long[] out = new long[n];
                    for (int i = 0; i < out.length; i++) {
                        out[i] = start + i * delta;
                    }
                    yield Tensor.of(type, new int[] {out.length}, CastOp.fromLongs(out, type));
                }
            }};
        };
    }

    /** {@code max(ceil(span / delta), 0)} elements, rejecting ranges no tensor can hold. */
    private static int count(NodeContext ctx, double span, double delta) {
        double n = Math.ceil(span / delta);
        if (!(n <= Integer.MAX_VALUE)) {
            throw ctx.badInput("range of " + n + " elements is too large");
        }
        return (int) Math.max(n, 0);
    }
}
