package io.sparq.runtime.ops;

import io.sparq.format.DataType;
import io.sparq.format.Tensor;

import java.util.Arrays;

/**
 * Shape and glue operators exported around recurrent layers. This class registers the whole
 * family and holds the view operators (outputs share the input's data); copying operators live
 * in {@link MovementOps}, constants in {@link ConstantOps}, conversions in {@link CastOp} and
 * comparisons in {@link LogicOps}.
 */
final class ShapeOps {
    private ShapeOps() {
    }

    static void register(OpRegistry r) {
        r.register("Shape", ShapeOps::shape);
        r.register("Size", ShapeOps::size);
        r.register("Reshape", ShapeOps::reshape);
        r.register("Squeeze", ShapeOps::squeeze);
        r.register("Unsqueeze", ShapeOps::unsqueeze);
        r.register("Flatten", ShapeOps::flatten);
        r.register("Identity", ShapeOps::identity);
        r.register("Transpose", MovementOps::transpose);
        r.register("Expand", MovementOps::expand);
        r.register("Concat", MovementOps::concat);
        r.register("Split", MovementOps::split);
        r.register("Slice", MovementOps::slice);
        r.register("Gather", MovementOps::gather);
        r.register("Constant", ConstantOps::constant);
        r.register("ConstantOfShape", ConstantOps::constantOfShape);
        r.register("Range", ConstantOps::range);
        r.register("Cast", CastOp::create);
        r.register("Equal", LogicOps::equal);
        r.register("Not", LogicOps::not);
        r.register("Where", LogicOps::where);
    }

    private static Op shape(NodeContext ctx) {
        ctx.requireInputs(1, 1);
        long start = ctx.attrInt("start", 0);
        Long end = ctx.hasAttr("end") ? ctx.attrInt("end", 0) : null;
        if (ctx.opset() < 15 && (ctx.hasAttr("start") || end != null)) {
            throw ctx.fail("attributes start and end need opset 15, the model imports opset " + ctx.opset());
        }
        return in -> {
            int rank = in[0].rank();
            int from = clampAxis(start, rank);
            int to = end == null ? rank : clampAxis(end, rank);
            long[] dims = new long[Math.max(0, to - from)];
            for (int i = 0; i < dims.length; i++) {
                dims[i] = in[0].dim(from + i);
            }
            return new Tensor[] {Tensor.ofLongs(new int[] {dims.length}, dims)};
        };
    }

    /** Shape's start/end rule: negative counts from the back, then clamp into [0, rank]. */
    private static int clampAxis(long axis, int rank) {
        long a = axis < 0 ? axis + rank : axis;
        return (int) Math.max(0, Math.min(rank, a));
    }

    private static Op size(NodeContext ctx) {
        ctx.requireInputs(1, 1);
        return in -> new Tensor[] {Tensor.scalar((long) in[0].size())};
    }

    private static Op identity(NodeContext ctx) {
        ctx.requireInputs(1, 1);
        return in -> new Tensor[] {in[0]};
    }

    private static Op reshape(NodeContext ctx) {
        ctx.requireInputs(2, 2);
        boolean allowZero = ctx.attrInt("allowzero", 0) != 0;
        return in -> {
            Tensor data = in[0];
            long[] spec = shapeInput(ctx, in[1], 1, "shape");
            int[] out = new int[spec.length];
            int inferred = -1;
            long known = 1;
            for (int i = 0; i < spec.length; i++) {
                long v = spec[i];
                if (v == -1) {
                    if (inferred >= 0) {
                        throw ctx.badInput("shape " + Arrays.toString(spec) + " has more than one -1");
                    }
                    inferred = i;
                    continue;
                }
                if (v == 0 && !allowZero) {
                    if (i >= data.rank()) {
                        throw ctx.badInput("shape " + Arrays.toString(spec) + " copies dimension " + i
                                + " (0) from input " + Arrays.toString(data.shape()) + ", which has rank " + data.rank());
                    }
                    v = data.dim(i);
                } else if (v < 0 || v > Integer.MAX_VALUE) {
                    throw ctx.badInput("shape " + Arrays.toString(spec) + " has invalid dimension " + v);
                }
                out[i] = (int) v;
                known *= v;
                if (known > Integer.MAX_VALUE) {
                    throw cannotReshape(ctx, data, spec);
                }
            }
            if (inferred >= 0) {
                if (known == 0 || data.size() % known != 0) {
                    throw cannotReshape(ctx, data, spec);
                }
                out[inferred] = (int) (data.size() / known);
            } else if (known != data.size()) {
                throw cannotReshape(ctx, data, spec);
            }
            return new Tensor[] {data.reshape(out)};
        };
    }

    private static RuntimeException cannotReshape(NodeContext ctx, Tensor data, long[] spec) {
        return ctx.badInput("cannot reshape " + Arrays.toString(data.shape()) + " (" + data.size()
                + " elements) to " + Arrays.toString(spec));
    }

    private static Op squeeze(NodeContext ctx) {
        AxesSource axes = AxesSource.of(ctx, 13, false);
        return in -> {
            Tensor data = in[0];
            int rank = data.rank();
            boolean[] drop = new boolean[rank];
            long[] given = axes.read(in);
            if (given == null || given.length == 0) {           // ONNX Runtime reads [] as "not given"
                for (int d = 0; d < rank; d++) {
                    drop[d] = data.dim(d) == 1;
                }
            } else {
                for (long a : given) {
                    int d = axis(ctx, a, rank, "axes");
                    if (drop[d]) {
                        throw ctx.badInput("axes " + Arrays.toString(given) + " name axis " + d + " twice");
                    }
                    if (data.dim(d) != 1) {
                        throw ctx.badInput("cannot squeeze axis " + d + " of input " + Arrays.toString(data.shape())
                                + ": its size is " + data.dim(d) + ", not 1");
                    }
                    drop[d] = true;
                }
            }
            int[] out = new int[rank];
            int n = 0;
            for (int d = 0; d < rank; d++) {
                if (!drop[d]) {
                    out[n++] = data.dim(d);
                }
            }
            return new Tensor[] {data.reshape(Arrays.copyOf(out, n))};
        };
    }

    private static Op unsqueeze(NodeContext ctx) {
        AxesSource axes = AxesSource.of(ctx, 13, true);
        return in -> {
            Tensor data = in[0];
            long[] given = axes.read(in);
            int rank = data.rank() + given.length;
            boolean[] insert = new boolean[rank];
            for (long a : given) {
                int d = axis(ctx, a, rank, "axes");
                if (insert[d]) {
                    throw ctx.badInput("axes " + Arrays.toString(given) + " name output axis " + d + " twice");
                }
                insert[d] = true;
            }
            int[] out = new int[rank];
            for (int d = 0, src = 0; d < rank; d++) {
                out[d] = insert[d] ? 1 : data.dim(src++);
            }
            return new Tensor[] {data.reshape(out)};
        };
    }

    private static Op flatten(NodeContext ctx) {
        ctx.requireInputs(1, 1);
        long axisAttr = ctx.attrInt("axis", 1);
        return in -> {
            Tensor data = in[0];
            int rank = data.rank();
            if (axisAttr < -rank || axisAttr > rank) {
                throw ctx.badInput("axis " + axisAttr + " is out of range for input " + Arrays.toString(data.shape())
                        + " (allowed " + -rank + " to " + rank + ")");
            }
            int split = (int) (axisAttr < 0 ? axisAttr + rank : axisAttr);
            int outer = Tensor.sizeOf(Arrays.copyOf(data.shape(), split));
            int inner = outer == 0 ? Tensor.sizeOf(Arrays.copyOfRange(data.shape(), split, rank)) : data.size() / outer;
            return new Tensor[] {data.reshape(new int[] {outer, inner})};
        };
    }

    /**
     * Where Squeeze/Unsqueeze take their axes: the {@code axes} attribute before opset
     * {@code inputSince}, the second input from then on.
     */
    record AxesSource(NodeContext ctx, long[] attr, boolean fromInput) {
        static AxesSource of(NodeContext ctx, int inputSince, boolean required) {
            boolean fromInput = ctx.opset() >= inputSince;
            if (fromInput) {
                ctx.requireInputs(required ? 2 : 1, 2);
                if (ctx.hasAttr("axes")) {
                    throw ctx.fail("axes is an input from opset " + inputSince
                            + ", not an attribute (the model imports opset " + ctx.opset() + ")");
                }
                return new AxesSource(ctx, null, true);
            }
            ctx.requireInputs(1, 1);
            long[] attr = ctx.attrInts("axes", null);
            if (required && attr == null) {
                throw ctx.fail("attribute axes is required");
            }
            return new AxesSource(ctx, attr, false);
        }

        /** The axes for one call, or null when they are optional and not given. */
        long[] read(Tensor[] in) {
            if (!fromInput) {
                return attr;
            }
            return in.length > 1 && in[1] != null ? intsInput(ctx, in[1], 1, "axes") : null;
        }
    }

    /** {@code axis} in [-rank, rank-1] made non-negative; otherwise a run-time error naming it. */
    static int axis(NodeContext ctx, long axis, int rank, String name) {
        if (axis < -rank || axis >= rank) {
            throw ctx.badInput(name + " value " + axis + " is out of range for rank " + rank
                    + " (allowed " + -rank + " to " + (rank - 1) + ")");
        }
        return (int) (axis < 0 ? axis + rank : axis);
    }

    /** An int32 or int64 tensor of rank 0 or 1 (axes, starts, split sizes...) as longs. */
    static long[] intsInput(NodeContext ctx, Tensor t, int index, String name) {
        if (t.type() != DataType.INT64 && t.type() != DataType.INT32) {
            throw ctx.badInput("input " + index + " (" + name + ") is " + t + ", expected int32 or int64");
        }
        if (t.rank() > 1) {
            throw ctx.badInput("input " + index + " (" + name + ") must be 1-D, got shape " + Arrays.toString(t.shape()));
        }
        return t.toLongArray();
    }

    /** A 1-D int64 shape input, as ONNX requires for Reshape, Expand and ConstantOfShape. */
    static long[] shapeInput(NodeContext ctx, Tensor t, int index, String name) {
        if (t.type() != DataType.INT64 || t.rank() != 1) {
            throw ctx.badInput("input " + index + " (" + name + ") is " + t + ", expected a 1-D int64 tensor");
        }
        return t.toLongArray();
    }

    /** A shape input whose entries must all be real sizes (no -1 / 0 conventions). */
    static int[] dimsInput(NodeContext ctx, Tensor t, int index, String name) {
        long[] v = shapeInput(ctx, t, index, name);
        int[] dims = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            if (v[i] < 0 || v[i] > Integer.MAX_VALUE) {
                throw ctx.badInput(name + " " + Arrays.toString(v) + " has invalid dimension " + v[i]);
            }
            dims[i] = (int) v[i];
        }
        return dims;
    }
}
