package io.sparq.runtime.ops;

import io.sparq.format.DataType;
import io.sparq.format.Tensor;
import io.sparq.runtime.kernels.Reduce;
import io.sparq.runtime.kernels.Softmax;

import java.util.Arrays;

/** Neural-network operators: Softmax, LogSoftmax, Pad and the Reduce family ({@link ConvOp} registers Conv here). */
final class NnOps {
    private NnOps() {
    }

    static void register(OpRegistry r) {
        r.register("Softmax", ctx -> softmax(ctx, false));
        r.register("LogSoftmax", ctx -> softmax(ctx, true));
        r.register("Conv", ConvOp::new);
        r.register("Pad", NnOps::pad);
        r.register("ReduceSum", ctx -> reduce(ctx, Reduce.Kind.SUM, 13));
        r.register("ReduceMean", ctx -> reduce(ctx, Reduce.Kind.MEAN, 18));
        r.register("ReduceMax", ctx -> reduce(ctx, Reduce.Kind.MAX, 18));
    }

    /**
     * Before opset 13 the input is flattened to 2-D at {@code axis} (default 1) and normalised over
     * everything from that axis on; from 13 it is normalised along {@code axis} alone (default -1).
     */
    private static Op softmax(NodeContext ctx, boolean log) {
        ctx.requireInputs(1, 1);
        boolean singleAxis = ctx.opset() >= 13;
        long axisAttr = ctx.attrInt("axis", singleAxis ? -1 : 1);
        return in -> {
            Tensor x = in[0];
            ctx.requireType(x, 0, DataType.FLOAT32);
            int[] s = x.shape();
            int axis = Axes.normalize(ctx, axisAttr, s.length);
            int outer = Axes.product(s, 0, axis);
            int n = singleAxis ? s[axis] : Axes.product(s, axis, s.length);
            int inner = singleAxis ? Axes.product(s, axis + 1, s.length) : 1;
            Tensor y = Tensor.zeros(DataType.FLOAT32, s);
            Softmax.softmax(x.floats(), y.floats(), outer, n, inner, log);
            return new Tensor[] {y};
        };
    }

    // ---- Pad ----

    /**
     * Before opset 11 pads and the constant come from attributes; from 11 from inputs, with an
     * optional {@code axes} input from 18 and mode {@code wrap} from 19. Negative pads crop, and
     * the other modes then pad from what remains (as ONNX Runtime does).
     */
    private static Op pad(NodeContext ctx) {
        String mode = ctx.opset() >= 19
                ? ctx.attrChoice("mode", "constant", "constant", "reflect", "edge", "wrap")
                : ctx.attrChoice("mode", "constant", "constant", "reflect", "edge");
        if (ctx.opset() < 11) {
            ctx.requireInputs(1, 1);
            long[] pads = ctx.attrInts("pads", null);
            if (pads == null) {
                throw ctx.fail("attribute pads is required before opset 11");
            }
            double value = ctx.attrFloat("value", 0f);
            return in -> {
                Tensor x = in[0];
                ctx.requireType(x, 0, DataType.FLOAT32, DataType.FLOAT64);
                Tensor constant = x.type() == DataType.FLOAT32 ? Tensor.scalar((float) value)
                        : Tensor.ofDoubles(new int[0], value);
                return new Tensor[] {pad(ctx, x, pads, null, mode, constant)};
            };
        }
        ctx.requireInputs(2, ctx.opset() >= 18 ? 4 : 3);
        return in -> {
            Tensor x = in[0];
            ctx.requireType(in[1], 1, DataType.INT64);
            Tensor constant = in.length > 2 ? in[2] : null;
            if (constant != null && (constant.type() != x.type() || constant.size() != 1)) {
                throw ctx.badInput("constant_value is " + constant + ", expected a " + x.type().displayName()
                        + " scalar like the data");
            }
            long[] axes = null;
            if (in.length > 3 && in[3] != null) {
                ctx.requireType(in[3], 3, DataType.INT64, DataType.INT32);
                axes = in[3].toLongArray();
            }
            return new Tensor[] {pad(ctx, x, in[1].toLongArray(), axes, mode, constant)};
        };
    }

    private static Tensor pad(NodeContext ctx, Tensor x, long[] pads, long[] axes, String mode, Tensor constant) {
        int rank = x.rank();
        int[] axisList = new int[axes == null ? rank : axes.length];
        for (int i = 0; i < axisList.length; i++) {
            axisList[i] = axes == null ? i : Axes.normalize(ctx, axes[i], rank);
        }
        if (pads.length != 2 * axisList.length) {
            throw ctx.badInput("pads has " + pads.length + " values, expected " + 2 * axisList.length
                    + " (begin and end for each of " + axisList.length + " axes) for data of shape "
                    + Arrays.toString(x.shape()));
        }
        int[] shape = x.shape();
        long[] begin = new long[rank];
        long[] end = new long[rank];
        for (int i = 0; i < axisList.length; i++) {
            begin[axisList[i]] = pads[i];
            end[axisList[i]] = pads[i + axisList.length];
        }
        int[] outShape = new int[rank];
        int[][] source = new int[rank][];
        for (int d = 0; d < rank; d++) {
            long size = shape[d] + begin[d] + end[d];
            long kept = shape[d] + Math.min(begin[d], 0) + Math.min(end[d], 0);
            if (size < 0 || kept < 0 || size > Integer.MAX_VALUE) {
                throw ctx.badInput("pads " + Arrays.toString(pads) + " give axis " + d + " of data shape "
                        + Arrays.toString(shape) + " an invalid size " + size);
            }
            outShape[d] = (int) size;
            source[d] = sourceIndices(ctx, mode, d, shape[d], (int) begin[d], (int) end[d]);
        }
        Tensor y = Tensor.zeros(x.type(), outShape);
        if (mode.equals("constant") && constant != null) {
            fill(y, constant);
        }
        copyGathered(x.data(), y.data(), gatherIndex(shape, outShape, source));
        return y;
    }

    /**
     * For each output position along one axis, the input position it copies, or -1 for the
     * constant. The input is first cropped by negative pads to {@code [lo, lo + len)}.
     */
    private static int[] sourceIndices(NodeContext ctx, String mode, int axis, int n, int begin, int end) {
        int lo = Math.max(0, -begin);
        int len = n - lo - Math.max(0, -end);
        int before = Math.max(0, begin);
        int after = Math.max(0, end);
        if ((before > 0 || after > 0) && !mode.equals("constant")) {
            int limit = mode.equals("reflect") ? len - 1 : len == 0 ? -1 : Integer.MAX_VALUE;
            if (before > limit || after > limit) {
                throw ctx.badInput(mode + " padding of axis " + axis + " by (" + begin + ", " + end + ") needs "
                        + (mode.equals("reflect") ? "pads below the axis size " + len : "a non-empty axis"));
            }
        }
        int[] src = new int[before + len + after];
        for (int o = 0; o < src.length; o++) {
            int p = o - before;
            if (p >= 0 && p < len) {
                src[o] = lo + p;
                continue;
            }
            src[o] = switch (mode) {
                case "edge" -> lo + (p < 0 ? 0 : len - 1);
                case "reflect" -> lo + (p < 0 ? -p : 2 * (len - 1) - p);
                case "wrap" -> lo + Math.floorMod(p, len);
                default -> -1;
            };
        }
        return src;
    }

    /** Flat input index for every output element (-1 for the constant), from per-axis maps. */
    private static int[] gatherIndex(int[] inShape, int[] outShape, int[][] source) {
        int rank = inShape.length;
        int size = Tensor.sizeOf(outShape);
        int[] index = new int[size];
        if (rank == 0) {
            return index;
        }
        int[] stride = new int[rank];
        for (int d = rank - 1, s = 1; d >= 0; d--) {
            stride[d] = s;
            s *= inShape[d];
        }
        int rowLength = outShape[rank - 1];
        int[] lastMap = source[rank - 1];
        int[] pos = new int[rank - 1];
        for (int start = 0; start < size; start += rowLength) {
            int base = 0;
            for (int d = 0; d < rank - 1 && base >= 0; d++) {
                int from = source[d][pos[d]];
                base = from < 0 ? -1 : base + from * stride[d];
            }
            for (int j = 0; j < rowLength; j++) {
                index[start + j] = base < 0 || lastMap[j] < 0 ? -1 : base + lastMap[j];
            }
            for (int d = rank - 2; d >= 0 && ++pos[d] == outShape[d]; d--) {
                pos[d] = 0;
            }
        }
        return index;
    }

    /** {@code dst[i] = src[index[i]]} wherever {@code index[i] >= 0}, copying consecutive runs at once. */
    private static void copyGathered(Object src, Object dst, int[] index) {
        for (int i = 0; i < index.length; ) {
            if (index[i] < 0) {
                i++;
                continue;
            }
            int j = i + 1;
            while (j < index.length && index[j] == index[j - 1] + 1) {
                j++;
            }
            System.arraycopy(src, index[i], dst, i, j - i);
            i = j;
        }
    }

    private static void fill(Tensor y, Tensor value) {
        switch (y.type()) {
            case FLOAT32 -> Arrays.fill(y.floats(), value.floats()[0]);
            case FLOAT64 -> Arrays.fill(y.doubles(), value.doubles()[0]);
            case INT64 -> Arrays.fill(y.longs(), value.longs()[0]);
            case INT32 -> Arrays.fill(y.ints(), value.ints()[0]);
            case BOOL -> Arrays.fill(y.bools(), value.bools()[0]);
            case INT8, UINT8 -> Arrays.fill(y.bytes(), value.bytes()[0]);
            case FLOAT16, INT16, UINT16 -> Arrays.fill(y.shorts(), value.shorts()[0]);
        }
    }

    // ---- Reduce* ----

    /**
     * {@code axes} is an attribute before {@code axesInputSince} and an optional input from then
     * on, where {@code noop_with_empty_axes} = 1 makes empty axes the identity instead of "all".
     */
    private static Op reduce(NodeContext ctx, Reduce.Kind kind, int axesInputSince) {
        boolean axesInput = ctx.opset() >= axesInputSince;
        ctx.requireInputs(1, axesInput ? 2 : 1);
        boolean keepDims = ctx.attrInt("keepdims", 1) != 0;
        boolean noopWhenEmpty = axesInput && ctx.attrInt("noop_with_empty_axes", 0) != 0;
        if (axesInput && ctx.hasAttr("axes")) {
            throw ctx.fail("axes is an input from opset " + axesInputSince + ", not an attribute");
        }
        long[] attrAxes = axesInput ? null : ctx.attrInts("axes", null);
        return in -> {
            Tensor x = in[0];
            ctx.requireType(x, 0, DataType.FLOAT32, DataType.FLOAT64);
            long[] axes = attrAxes;
            if (axesInput && in.length > 1 && in[1] != null) {
                ctx.requireType(in[1], 1, DataType.INT64);
                axes = in[1].toLongArray();
            }
            boolean[] reduced;
            if (axes == null || axes.length == 0) {
                if (noopWhenEmpty) {
                    return new Tensor[] {x};
                }
                reduced = new boolean[x.rank()];
                Arrays.fill(reduced, true);
            } else {
                reduced = Axes.mask(ctx, axes, x.rank());
            }
            int[] shape = x.shape();
            int[] outShape = new int[keepDims ? shape.length : shape.length - count(reduced)];
            for (int d = 0, o = 0; d < shape.length; d++) {
                if (!reduced[d]) {
                    outShape[o++] = shape[d];
                } else if (keepDims) {
                    outShape[o++] = 1;
                }
            }
            Tensor y = Tensor.zeros(x.type(), outShape);
            if (x.type() == DataType.FLOAT32) {
                Reduce.reduce(kind, x.floats(), shape, reduced, y.floats());
            } else {
                Reduce.reduce(kind, x.doubles(), shape, reduced, y.doubles());
            }
            return new Tensor[] {y};
        };
    }

    private static int count(boolean[] flags) {
        int n = 0;
        for (boolean f : flags) {
            if (f) {
                n++;
            }
        }
        return n;
    }
}
