package io.sparq.runtime.ops;

import io.sparq.format.DataType;
import io.sparq.format.Tensor;
import io.sparq.runtime.kernels.Conv2d;

import java.util.Arrays;

/**
 * Conv over [N, C, L] or [N, C, H, W] (1-D runs as 2-D with a unit height); with auto_pad other
 * than NOTSET the pads attribute is not used. {@link #geometry} is public so training computes its
 * gradients ({@link Conv2d#backward}) over exactly the taps this op sums.
 */
public final class ConvOp implements Op {
    /** Conv attributes, validated once; arrays are null when the attribute is absent. */
    private record ConvAttrs(String autoPad, int group, long[] kernel, long[] strides, long[] dilations, long[] pads) {
    }

    private final NodeContext ctx;
    private final ConvAttrs at;

    public ConvOp(NodeContext ctx) {
        this.ctx = ctx;
        ctx.requireInputs(2, 3);
        long group = ctx.attrInt("group", 1);
        if (group < 1 || group > Integer.MAX_VALUE) {
            throw ctx.fail("attribute group = " + group + ", expected a positive count");
        }
        at = new ConvAttrs(
                ctx.attrChoice("auto_pad", "NOTSET", "NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"), (int) group,
                atLeast(ctx, "kernel_shape", ctx.attrInts("kernel_shape", null), 1),
                atLeast(ctx, "strides", ctx.attrInts("strides", null), 1),
                atLeast(ctx, "dilations", ctx.attrInts("dilations", null), 1),
                atLeast(ctx, "pads", ctx.attrInts("pads", null), 0));
        if (at.pads != null && at.pads.length % 2 != 0) {
            throw ctx.fail("attribute pads has " + at.pads.length + " values, expected begin and end for each spatial axis");
        }
        Tensor constWeight = ctx.constantInput(1);
        int spatial = constWeight != null ? constWeight.rank() - 2
                : at.kernel != null ? at.kernel.length
                : at.strides != null ? at.strides.length
                : at.dilations != null ? at.dilations.length
                : at.pads != null ? at.pads.length / 2 : -1;
        if (spatial > 2) {
            throw ctx.unsupported(spatial + "-D convolution; sparq runs 1-D and 2-D Conv");
        }
    }

    @Override
    public Tensor[] run(Tensor[] in) {
        Tensor x = in[0];
        Tensor w = in[1];
        Tensor bias = in.length > 2 ? in[2] : null;
        Conv2d.Geometry g = geometry(x, w, bias);
        int[] shape = x.rank() == 3 ? new int[] {g.n(), g.m(), g.ow()} : new int[] {g.n(), g.m(), g.oh(), g.ow()};
        Tensor y = Tensor.zeros(DataType.FLOAT32, shape);
        Conv2d.forward(g, x.floats(), w.floats(), bias == null ? null : bias.floats(), y.floats());
        return new Tensor[] {y};
    }

    /**
     * The sizes, strides, dilations and leading pads of this node on inputs {@code x}, {@code w}
     * (and {@code bias}, checked only), after checking they fit each other and the attributes.
     */
    public Conv2d.Geometry geometry(Tensor x, Tensor w, Tensor bias) {
        ctx.requireType(x, 0, DataType.FLOAT32);
        ctx.requireType(w, 1, DataType.FLOAT32);
        int sp = x.rank() - 2;
        if (sp < 1) {
            throw ctx.badInput("X has shape " + Arrays.toString(x.shape()) + ", expected [N, C, spatial...]");
        }
        if (sp > 2) {
            throw ctx.unsupported("X has shape " + Arrays.toString(x.shape()) + "; sparq runs 1-D and 2-D Conv");
        }
        if (w.rank() != x.rank()) {
            throw ctx.badInput("X has shape " + Arrays.toString(x.shape()) + " and W " + Arrays.toString(w.shape())
                    + "; ranks differ");
        }
        int c = x.dim(1);
        int m = w.dim(0);
        if (m % at.group != 0 || w.dim(1) * at.group != c) {
            throw ctx.badInput("X has shape " + Arrays.toString(x.shape()) + " and W " + Arrays.toString(w.shape())
                    + " with group = " + at.group + "; expected X channels = W.shape[1] * group and W.shape[0]"
                    + " divisible by group");
        }
        if (bias != null) {
            ctx.requireType(bias, 2, DataType.FLOAT32);
            if (bias.rank() != 1 || bias.dim(0) != m) {
                throw ctx.badInput("B has shape " + Arrays.toString(bias.shape()) + ", expected [" + m + "]");
            }
        }
        checkLength(ctx, "kernel_shape", at.kernel, sp);
        checkLength(ctx, "strides", at.strides, sp);
        checkLength(ctx, "dilations", at.dilations, sp);
        checkLength(ctx, "pads", at.pads == null ? null : Arrays.copyOf(at.pads, at.pads.length / 2), sp);
        // per-axis sizes as [height, width]; a 1-D convolution runs as 2-D with a unit height
        int[] in = {1, 1};
        int[] kernel = {1, 1};
        int[] stride = {1, 1};
        int[] dilation = {1, 1};
        int[] padBegin = {0, 0};
        int[] out = {1, 1};
        for (int i = 0; i < sp; i++) {
            int a = 2 - sp + i;
            in[a] = x.dim(2 + i);
            kernel[a] = w.dim(2 + i);
            if (at.kernel != null && at.kernel[i] != kernel[a]) {
                throw ctx.badInput("W has shape " + Arrays.toString(w.shape()) + " but kernel_shape is "
                        + Arrays.toString(at.kernel));
            }
            stride[a] = at.strides == null ? 1 : (int) at.strides[i];
            dilation[a] = at.dilations == null ? 1 : (int) at.dilations[i];
            int span = (kernel[a] - 1) * dilation[a] + 1;
            int s = stride[a];
            switch (at.autoPad) {
                case "NOTSET" -> {
                    padBegin[a] = at.pads == null ? 0 : (int) at.pads[i];
                    int padded = in[a] + padBegin[a] + (at.pads == null ? 0 : (int) at.pads[i + sp]);
                    out[a] = padded < span ? 0 : (padded - span) / s + 1;
                }
                case "VALID" -> out[a] = in[a] < span ? 0 : (in[a] - span) / s + 1;
                default -> {
                    // SAME_*: output = ceil(in / stride); the odd pad goes last (UPPER) or first (LOWER)
                    out[a] = (in[a] + s - 1) / s;
                    int total = Math.max(0, (out[a] - 1) * s + span - in[a]);
                    padBegin[a] = at.autoPad.equals("SAME_UPPER") ? total / 2 : total - total / 2;
                }
            }
            if (out[a] < 1) {
                throw ctx.badInput("X has shape " + Arrays.toString(x.shape()) + " and W " + Arrays.toString(w.shape())
                        + "; spatial axis " + i + " of size " + in[a] + " (with padding) is smaller than the dilated"
                        + " kernel of size " + span);
            }
        }
        return new Conv2d.Geometry(x.dim(0), c, in[0], in[1], m, kernel[0], kernel[1], at.group,
                stride[0], stride[1], dilation[0], dilation[1], padBegin[0], padBegin[1], out[0], out[1]);
    }

    private static long[] atLeast(NodeContext ctx, String name, long[] values, long min) {
        if (values != null) {
            for (long v : values) {
                if (v < min || v > Integer.MAX_VALUE) {
                    throw ctx.fail("attribute " + name + " = " + Arrays.toString(values) + ", values must be >= " + min);
                }
            }
        }
        return values;
    }

    private static void checkLength(NodeContext ctx, String name, long[] values, int spatial) {
        if (values != null && values.length != spatial) {
            throw ctx.badInput("attribute " + name + " is set for " + values.length + " spatial axes but the input has "
                    + spatial);
        }
    }
}
