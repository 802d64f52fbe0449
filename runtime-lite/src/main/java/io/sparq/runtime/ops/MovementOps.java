package io.sparq.runtime.ops;

import io.sparq.format.DataType;
import io.sparq.format.Tensor;
import io.sparq.runtime.kernels.Broadcast;
import io.sparq.runtime.kernels.Strided;

import java.util.Arrays;

/** Operators that copy elements into a new layout: Transpose, Expand, Concat, Split, Slice, Gather. */
final class MovementOps {
    private MovementOps() {
    }

    static Op transpose(NodeContext ctx) {
        ctx.requireInputs(1, 1);
        long[] permAttr = ctx.attrInts("perm", null);
        if (permAttr != null) {
            boolean[] seen = new boolean[permAttr.length];
            for (long p : permAttr) {
                if (p < 0 || p >= permAttr.length || seen[(int) p]) {
                    throw ctx.fail("perm " + Arrays.toString(permAttr) + " is not a permutation of 0.."
                            + (permAttr.length - 1));
                }
                seen[(int) p] = true;
            }
        }
        return in -> {
            Tensor data = in[0];
            int rank = data.rank();
            if (permAttr != null && permAttr.length != rank) {
                throw ctx.badInput("perm " + Arrays.toString(permAttr) + " has " + permAttr.length
                        + " entries, but the input " + data + " has rank " + rank);
            }
            int[] shape = data.shape();
            int[] strides = Strided.contiguousStrides(shape);
            int[] outShape = new int[rank];
            int[] srcStrides = new int[rank];
            for (int k = 0; k < rank; k++) {
                int p = permAttr == null ? rank - 1 - k : (int) permAttr[k];
                outShape[k] = shape[p];
                srcStrides[k] = strides[p];
            }
            Object out = Tensor.newArray(data.type(), data.size());
            Strided.copy(data.data(), 0, srcStrides, out, 0, Strided.contiguousStrides(outShape), outShape);
            return new Tensor[] {Tensor.of(data.type(), outShape, out)};
        };
    }

    static Op expand(NodeContext ctx) {
        ctx.requireInputs(2, 2);
        return in -> {
            int[] target = ShapeOps.dimsInput(ctx, in[1], 1, "shape");
            int[] outShape = Broadcast.shape(in[0].shape(), target);
            if (outShape == null) {
                throw ctx.badInput("cannot broadcast input " + in[0] + " to shape " + Arrays.toString(target));
            }
            return new Tensor[] {Strided.expand(in[0], outShape)};
        };
    }

    static Op concat(NodeContext ctx) {
        if (ctx.inputCount() < 1) {
            throw ctx.fail("expects at least 1 input");
        }
        ctx.requireInputs(ctx.inputCount(), ctx.inputCount());
        if (!ctx.hasAttr("axis")) {
            throw ctx.fail("attribute axis is required");
        }
        long axisAttr = ctx.attrInt("axis", 0);
        return in -> {
            Tensor first = in[0];
            int rank = first.rank();
            if (rank == 0) {
                throw ctx.badInput("cannot concatenate scalars (input 0 is " + first + ")");
            }
            int axis = ShapeOps.axis(ctx, axisAttr, rank, "axis");
            int[] outShape = first.shape();
            long total = 0;
            for (int i = 0; i < in.length; i++) {
                Tensor t = in[i];
                if (t.type() != first.type()) {
                    throw ctx.badInput("input " + i + " is " + t + ", but input 0 is " + first
                            + ": all inputs must have the same element type");
                }
                int[] s = t.shape();
                s[axis] = outShape[axis];
                if (!Arrays.equals(s, outShape)) {
                    throw ctx.badInput("input " + i + " " + t + " does not match input 0 " + first
                            + " outside axis " + axis);
                }
                total += t.dim(axis);
            }
            if (in.length == 1) {
                return new Tensor[] {first};
            }
            if (total > Integer.MAX_VALUE) {
                throw ctx.badInput("concatenated axis " + axis + " would have " + total + " elements");
            }
            outShape[axis] = (int) total;
            Object out = Tensor.newArray(first.type(), Tensor.sizeOf(outShape));
            int outer = product(outShape, 0, axis);
            int inner = product(outShape, axis + 1, rank);
            int offset = 0;
            for (Tensor t : in) {
                int d = t.dim(axis);
                Strided.copy(t.data(), 0, new int[] {d * inner, 1}, out, offset * inner,
                        new int[] {(int) total * inner, 1}, new int[] {outer, d * inner});
                offset += d;
            }
            return new Tensor[] {Tensor.of(first.type(), outShape, out)};
        };
    }

    static Op split(NodeContext ctx) {
        int outputs = ctx.outputCount();
        if (outputs < 1) {
            throw ctx.fail("expects at least 1 output");
        }
        long axisAttr = ctx.attrInt("axis", 0);
        long[] splitAttr = null;
        if (ctx.opset() < 13) {
            ctx.requireInputs(1, 1);
            splitAttr = ctx.attrInts("split", null);
            if (splitAttr != null && splitAttr.length != outputs) {
                throw ctx.fail("split " + Arrays.toString(splitAttr) + " has " + splitAttr.length
                        + " entries for " + outputs + " outputs");
            }
        } else {
            ctx.requireInputs(1, 2);
            if (ctx.hasAttr("split")) {
                throw ctx.fail("split is an input from opset 13, not an attribute (the model imports opset "
                        + ctx.opset() + ")");
            }
        }
        boolean chunked = ctx.hasAttr("num_outputs");
        if (chunked) {
            long n = ctx.attrInt("num_outputs", 0);
            if (ctx.opset() < 18) {
                throw ctx.fail("attribute num_outputs needs opset 18, the model imports opset " + ctx.opset());
            }
            if (ctx.hasInput(1)) {
                throw ctx.fail("has both the split input and the num_outputs attribute; give one");
            }
            if (n != outputs) {
                throw ctx.fail("num_outputs = " + n + ", but the node has " + outputs + " outputs");
            }
        }
        long[] fixedSizes = splitAttr;
        return in -> {
            Tensor data = in[0];
            int rank = data.rank();
            int axis = ShapeOps.axis(ctx, axisAttr, rank, "axis");
            int dim = data.dim(axis);
            long[] sizes = fixedSizes != null ? fixedSizes
                    : in.length > 1 && in[1] != null ? ShapeOps.intsInput(ctx, in[1], 1, "split") : null;
            int[] parts = new int[outputs];
            if (sizes != null) {
                long sum = 0;
                for (long s : sizes) {
                    sum += s;
                }
                if (sizes.length != outputs || Arrays.stream(sizes).anyMatch(s -> s < 0) || sum != dim) {
                    throw ctx.badInput("split sizes " + Arrays.toString(sizes) + " do not divide axis " + axis
                            + " of input " + data + " (size " + dim + ") into " + outputs + " parts");
                }
                for (int i = 0; i < outputs; i++) {
                    parts[i] = (int) sizes[i];
                }
            } else if (chunked) {
                int chunk = (dim + outputs - 1) / outputs;
                int last = dim - chunk * (outputs - 1);
                if (last <= 0) {
                    throw ctx.badInput("cannot split axis " + axis + " of input " + data + " (size " + dim
                            + ") into " + outputs + " chunks of " + chunk + " with a smaller last chunk");
                }
                Arrays.fill(parts, chunk);
                parts[outputs - 1] = last;
            } else {
                if (dim % outputs != 0) {
                    throw ctx.badInput("cannot split axis " + axis + " of input " + data + " (size " + dim
                            + ") evenly into " + outputs + " outputs");
                }
                Arrays.fill(parts, dim / outputs);
            }
            int[] shape = data.shape();
            int outer = product(shape, 0, axis);
            int inner = product(shape, axis + 1, rank);
            Tensor[] result = new Tensor[outputs];
            int offset = 0;
            for (int i = 0; i < outputs; i++) {
                shape[axis] = parts[i];
                Object out = Tensor.newArray(data.type(), Tensor.sizeOf(shape));
                Strided.copy(data.data(), offset * inner, new int[] {dim * inner, 1}, out, 0,
                        new int[] {parts[i] * inner, 1}, new int[] {outer, parts[i] * inner});
                result[i] = Tensor.of(data.type(), shape, out);
                offset += parts[i];
            }
            return result;
        };
    }

    static Op slice(NodeContext ctx) {
        if (ctx.opset() < 10) {
            ctx.requireInputs(1, 1);
            long[] starts = ctx.attrInts("starts", null);
            long[] ends = ctx.attrInts("ends", null);
            long[] axes = ctx.attrInts("axes", null);
            if (starts == null || ends == null) {
                throw ctx.fail("attributes starts and ends are required before opset 10");
            }
            if (ends.length != starts.length || (axes != null && axes.length != starts.length)) {
                throw ctx.fail("starts, ends and axes must have the same length, got starts "
                        + Arrays.toString(starts) + ", ends " + Arrays.toString(ends) + ", axes " + Arrays.toString(axes));
            }
            return in -> new Tensor[] {slice(ctx, in[0], starts, ends, axes, null)};
        }
        ctx.requireInputs(3, 5);
        for (String attr : new String[] {"starts", "ends", "axes"}) {
            if (ctx.hasAttr(attr)) {
                throw ctx.fail(attr + " is an input from opset 10, not an attribute (the model imports opset "
                        + ctx.opset() + ")");
            }
        }
        return in -> {
            long[] starts = ShapeOps.intsInput(ctx, in[1], 1, "starts");
            long[] ends = ShapeOps.intsInput(ctx, in[2], 2, "ends");
            long[] axes = in.length > 3 && in[3] != null ? ShapeOps.intsInput(ctx, in[3], 3, "axes") : null;
            long[] steps = in.length > 4 && in[4] != null ? ShapeOps.intsInput(ctx, in[4], 4, "steps") : null;
            if (ends.length != starts.length || (axes != null && axes.length != starts.length)
                    || (steps != null && steps.length != starts.length)) {
                throw ctx.badInput("starts, ends, axes and steps must have the same length, got starts "
                        + Arrays.toString(starts) + ", ends " + Arrays.toString(ends) + ", axes "
                        + Arrays.toString(axes) + ", steps " + Arrays.toString(steps));
            }
            return new Tensor[] {slice(ctx, in[0], starts, ends, axes, steps)};
        };
    }

    /** ONNX Slice: per axis, negative bounds count from the end, then clamp by step direction. */
    private static Tensor slice(NodeContext ctx, Tensor data, long[] starts, long[] ends, long[] axes, long[] steps) {
        int rank = data.rank();
        int[] shape = data.shape();
        int[] strides = Strided.contiguousStrides(shape);
        int[] outShape = shape.clone();
        int[] srcStrides = strides.clone();
        int offset = 0;
        boolean[] seen = new boolean[rank];
        for (int i = 0; i < starts.length; i++) {
            if (axes == null && i >= rank) {
                throw ctx.badInput("starts " + Arrays.toString(starts) + " has more entries than input "
                        + data + " has axes");
            }
            int a = axes == null ? i : ShapeOps.axis(ctx, axes[i], rank, "axes");
            if (seen[a]) {
                throw ctx.badInput("axes " + Arrays.toString(axes) + " name axis " + a + " twice");
            }
            seen[a] = true;
            long step = steps == null ? 1 : steps[i];
            if (step == 0) {
                throw ctx.badInput("steps " + Arrays.toString(steps) + " contain 0");
            }
            long dim = shape[a];
            long start = starts[i] < 0 ? starts[i] + dim : starts[i];
            long end = ends[i] < 0 ? ends[i] + dim : ends[i];
            long count;
            if (step > 0) {
                start = clamp(start, 0, dim);
                end = clamp(end, 0, dim);
                step = Math.min(step, Math.max(dim, 1));          // same elements, no int overflow below
                count = end > start ? (end - start - 1) / step + 1 : 0;
            } else {
                start = clamp(start, 0, dim - 1);
                end = clamp(end, -1, dim - 1);
                step = Math.max(step, -Math.max(dim, 1));
                count = start > end ? (start - end - 1) / -step + 1 : 0;
            }
            outShape[a] = (int) count;
            srcStrides[a] = (int) step * strides[a];
            if (count > 0) {
                offset += (int) start * strides[a];
            }
        }
        if (Arrays.equals(outShape, shape) && Arrays.equals(srcStrides, strides)) {
            return data;
        }
        Object out = Tensor.newArray(data.type(), Tensor.sizeOf(outShape));
        Strided.copy(data.data(), offset, srcStrides, out, 0, Strided.contiguousStrides(outShape), outShape);
        return Tensor.of(data.type(), outShape, out);
    }

    private static long clamp(long v, long lo, long hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    static Op gather(NodeContext ctx) {
        ctx.requireInputs(2, 2);
        long axisAttr = ctx.attrInt("axis", 0);
        return in -> {
            Tensor data = in[0];
            Tensor indices = in[1];
            ctx.requireType(indices, 1, DataType.INT64, DataType.INT32);
            if (data.rank() == 0) {
                throw ctx.badInput("data must have rank >= 1, got " + data);
            }
            int rank = data.rank();
            int axis = ShapeOps.axis(ctx, axisAttr, rank, "axis");
            int[] shape = data.shape();
            int n = shape[axis];
            int count = indices.size();
            int[] rows = new int[count];
            for (int j = 0; j < count; j++) {
                long v = indices.getLong(j);
                if (v < -n || v >= n) {
                    throw ctx.badInput("index " + v + " (element " + j + " of indices " + indices
                            + ") is out of range for axis " + axis + " of data " + data + " (allowed " + -n
                            + " to " + (n - 1) + ")");
                }
                rows[j] = (int) (v < 0 ? v + n : v);
            }
            int[] idxShape = indices.shape();
            int[] outShape = new int[rank - 1 + idxShape.length];
            System.arraycopy(shape, 0, outShape, 0, axis);
            System.arraycopy(idxShape, 0, outShape, axis, idxShape.length);
            System.arraycopy(shape, axis + 1, outShape, axis + idxShape.length, rank - axis - 1);
            Object out = Tensor.newArray(data.type(), Tensor.sizeOf(outShape));
            int outer = product(shape, 0, axis);
            int inner = product(shape, axis + 1, rank);
            Object src = data.data();
            if (Tensor.sizeOf(outShape) > 0) {
                for (int o = 0, dst = 0; o < outer; o++) {
                    int base = o * n * inner;
                    for (int j = 0; j < count; j++, dst += inner) {
                        System.arraycopy(src, base + rows[j] * inner, out, dst, inner);
                    }
                }
            }
            return new Tensor[] {Tensor.of(data.type(), outShape, out)};
        };
    }

    /** Product of {@code shape[from..to)}; callers only use it on shapes of real tensors. */
    private static int product(int[] shape, int from, int to) {
        int p = 1;
        for (int d = from; d < to; d++) {
            p *= shape[d];
        }
        return p;
    }
}
