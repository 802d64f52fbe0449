package io.sparq.converter.finetune.ops;

import io.sparq.converter.finetune.DiffOp;
import io.sparq.converter.finetune.DiffOpFactory;
import io.sparq.format.Tensor;
import io.sparq.runtime.ops.NodeContext;
import io.sparq.runtime.ops.Op;

/**
 * Conv (1-D and 2-D, any group, stride, dilation and padding runtime-lite runs): the forward pass
 * is runtime-lite's; the backward pass walks the same taps as the forward sum,
 * {@code y[n,o,oy,ox] = b[o] + Σ x[n, g·cg + c, oy·s − p + i·d, ...] · w[o, c, i, j]}, and sends
 * each output gradient to the input element, the weight and the bias it was made from.
 */
public final class ConvDiff extends RuntimeOpDiff {
    private final NodeContext ctx;

    private ConvDiff(NodeContext ctx, Op op) {
        super(op);
        this.ctx = ctx;
    }

    public static DiffOpFactory factory() {
        return (ctx, options) -> new ConvDiff(ctx, Grads.runtimeOp(ctx));
    }

    @Override
    public Tensor[] backward(Forward forward, Tensor[] gradOutputs, boolean[] needed) {
        Tensor[] in = forward.inputs();
        Tensor[] grads = new Tensor[in.length];
        if (gradOutputs[0] == null) {
            return grads;
        }
        Tensor x = in[0];
        Tensor w = in[1];
        Tensor y = forward.outputs()[0];
        int sp = x.rank() - 2;
        // per-axis sizes as [height, width]; 1-D runs with a unit height, as the runtime's kernel does
        int[] inSize = {1, 1};
        int[] kernel = {1, 1};
        int[] out = {1, 1};
        int[] stride = {1, 1};
        int[] dilation = {1, 1};
        int[] padBegin = {0, 0};
        long[] strides = ctx.attrInts("strides", null);
        long[] dilations = ctx.attrInts("dilations", null);
        long[] pads = ctx.attrInts("pads", null);
        String autoPad = ctx.attrString("auto_pad", "NOTSET");
        for (int i = 0; i < sp; i++) {
            int a = 2 - sp + i;
            inSize[a] = x.dim(2 + i);
            kernel[a] = w.dim(2 + i);
            out[a] = y.dim(2 + i);
            stride[a] = strides == null ? 1 : (int) strides[i];
            dilation[a] = dilations == null ? 1 : (int) dilations[i];
            int span = (kernel[a] - 1) * dilation[a] + 1;
            padBegin[a] = switch (autoPad) {
                case "NOTSET" -> pads == null ? 0 : (int) pads[i];
                case "VALID" -> 0;
                default -> {
                    int total = Math.max(0, (out[a] - 1) * stride[a] + span - inSize[a]);
                    yield autoPad.equals("SAME_UPPER") ? total / 2 : total - total / 2;
                }
            };
        }
        int n = x.dim(0);
        int c = x.dim(1);
        int m = w.dim(0);
        int group = (int) ctx.attrInt("group", 1);
        int cg = c / group;
        int mg = m / group;
        int h = inSize[0];
        int wd = inSize[1];
        int kh = kernel[0];
        int kw = kernel[1];
        int oh = out[0];
        int ow = out[1];
        float[] xv = x.floats();
        float[] wv = w.floats();
        float[] g = gradOutputs[0].floats();
        float[] dx = needed[0] ? new float[xv.length] : null;
        float[] dw = needed[1] ? new float[wv.length] : null;
        float[] db = in.length > 2 && in[2] != null && needed[2] ? new float[m] : null;
        for (int img = 0; img < n; img++) {
            for (int o = 0; o < m; o++) {
                int grp = o / mg;
                int yBase = (img * m + o) * oh * ow;
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        float go = g[yBase + oy * ow + ox];
                        if (go == 0) {
                            continue;
                        }
                        if (db != null) {
                            db[o] += go;
                        }
                        for (int ch = 0; ch < cg; ch++) {
                            int xPlane = (img * c + grp * cg + ch) * h * wd;
                            int wBase = (o * cg + ch) * kh * kw;
                            for (int i = 0; i < kh; i++) {
                                int iy = oy * stride[0] - padBegin[0] + i * dilation[0];
                                if (iy < 0 || iy >= h) {
                                    continue;
                                }
                                for (int j = 0; j < kw; j++) {
                                    int ix = ox * stride[1] - padBegin[1] + j * dilation[1];
                                    if (ix < 0 || ix >= wd) {
                                        continue;
                                    }
                                    int xi = xPlane + iy * wd + ix;
                                    int wi = wBase + i * kw + j;
                                    if (dx != null) {
                                        dx[xi] += go * wv[wi];
                                    }
                                    if (dw != null) {
                                        dw[wi] += go * xv[xi];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if (dx != null) {
            grads[0] = Tensor.ofFloats(x.shape(), dx);
        }
        if (dw != null) {
            grads[1] = Tensor.ofFloats(w.shape(), dw);
        }
        if (db != null) {
            grads[2] = Tensor.ofFloats(new int[] {m}, db);
        }
        return grads;
    }
}
