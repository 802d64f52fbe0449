package io.sparq.runtime.kernels;

/**
 * Grouped 2-D convolution (cross-correlation, as ONNX Conv) in single precision, by unrolling the
 * input patches of one image and group into a matrix (im2col) and multiplying it with that group's
 * weights through {@link Gemm}. A 1-D convolution is the same with a height of 1.
 */
public final class Conv2d {
    private Conv2d() {
    }

    /**
     * Sizes of one convolution: input {@code [n, c, h, w]}, weights {@code [m, c / group, kh, kw]},
     * output {@code [n, m, oh, ow]}; {@code padTop} and {@code padLeft} are the leading pads (the
     * trailing ones are implied by the output size).
     */
    public record Geometry(int n, int c, int h, int w, int m, int kh, int kw, int group,
                           int strideH, int strideW, int dilationH, int dilationW,
                           int padTop, int padLeft, int oh, int ow) {
    }

    /**
     * @param bias {@code [m]} or null
     * @param y    {@code [n, m, oh, ow]}, fully overwritten
     */
    public static void forward(Geometry g, float[] x, float[] weight, float[] bias, float[] y) {
        int cg = g.c / g.group;                // input channels per group
        int mg = g.m / g.group;                // output channels per group
        int patch = cg * g.kh * g.kw;          // rows of the unrolled matrix
        int pixels = g.oh * g.ow;              // its columns
        boolean direct = g.kh == 1 && g.kw == 1 && g.strideH == 1 && g.strideW == 1
                && g.padTop == 0 && g.padLeft == 0 && g.oh == g.h && g.ow == g.w;
        float[] col = direct ? null : new float[patch * pixels];
        for (int img = 0; img < g.n; img++) {
            for (int grp = 0; grp < g.group; grp++) {
                int xOff = (img * g.c + grp * cg) * g.h * g.w;
                int yOff = (img * g.m + grp * mg) * pixels;
                if (bias != null) {
                    for (int o = 0; o < mg; o++) {
                        java.util.Arrays.fill(y, yOff + o * pixels, yOff + (o + 1) * pixels, bias[grp * mg + o]);
                    }
                }
                float beta = bias != null ? 1 : 0;
                if (direct) {
                    // a 1x1 kernel over an unpadded input: the channels are already the unrolled matrix
                    Gemm.gemm(false, false, mg, pixels, patch, 1, weight, grp * mg * patch, x, xOff, beta, y, yOff);
                } else {
                    unroll(g, x, xOff, cg, col);
                    Gemm.gemm(false, false, mg, pixels, patch, 1, weight, grp * mg * patch, col, 0, beta, y, yOff);
                }
            }
        }
    }

    /** Fills {@code col[(ch·kh + i)·kw + j][oy·ow + ox]} with the input pixel under that tap, 0 in padding. */
    private static void unroll(Geometry g, float[] x, int xOff, int channels, float[] col) {
        int row = 0;
        for (int ch = 0; ch < channels; ch++) {
            int plane = xOff + ch * g.h * g.w;
            for (int i = 0; i < g.kh; i++) {
                for (int j = 0; j < g.kw; j++, row++) {
                    int dst = row * g.oh * g.ow;
                    for (int oy = 0; oy < g.oh; oy++) {
                        int iy = oy * g.strideH - g.padTop + i * g.dilationH;
                        if (iy < 0 || iy >= g.h) {
                            java.util.Arrays.fill(col, dst, dst + g.ow, 0f);
                            dst += g.ow;
                            continue;
                        }
                        int src = plane + iy * g.w;
                        for (int ox = 0; ox < g.ow; ox++, dst++) {
                            int ix = ox * g.strideW - g.padLeft + j * g.dilationW;
                            col[dst] = ix >= 0 && ix < g.w ? x[src + ix] : 0f;
                        }
                    }
                }
            }
        }
    }

    /**
     * The gradients of {@link #forward} for an output gradient {@code gy}: each output element's
     * gradient goes to the input element, the weight and the bias its sum was made from, over the
     * same taps, {@code y[n,o,oy,ox] = b[o] + Σ x[n, g·cg + c, oy·s − p + i·d, …] · w[o, c, i, j]}.
     * {@code dx}, {@code dw}, {@code db} are accumulated into (pass zeros) and each may be null.
     */
    public static void backward(Geometry g, float[] x, float[] weight, float[] gy, float[] dx, float[] dw, float[] db) {
        int cg = g.c / g.group;
        int mg = g.m / g.group;
        for (int img = 0; img < g.n; img++) {
            for (int o = 0; o < g.m; o++) {
                int yBase = (img * g.m + o) * g.oh * g.ow;
                int xBase = (img * g.c + o / mg * cg) * g.h * g.w;
                for (int oy = 0; oy < g.oh; oy++) {
                    for (int ox = 0; ox < g.ow; ox++) {
                        float go = gy[yBase + oy * g.ow + ox];
                        if (go == 0) {
                            continue;
                        }
                        if (db != null) {
                            db[o] += go;
                        }
                        for (int ch = 0; ch < cg; ch++) {
                            backwardTaps(g, x, weight, dx, dw, go, xBase + ch * g.h * g.w, (o * cg + ch) * g.kh * g.kw, oy, ox);
                        }
                    }
                }
            }
        }
    }

    /** One output element's gradient {@code go} over the kernel taps of one input channel plane. */
    private static void backwardTaps(Geometry g, float[] x, float[] weight, float[] dx, float[] dw, float go,
                                     int xPlane, int wBase, int oy, int ox) {
        for (int i = 0; i < g.kh; i++) {
            int iy = oy * g.strideH - g.padTop + i * g.dilationH;
            if (iy < 0 || iy >= g.h) {
                continue;
            }
            for (int j = 0; j < g.kw; j++) {
                int ix = ox * g.strideW - g.padLeft + j * g.dilationW;
                if (ix < 0 || ix >= g.w) {
                    continue;
                }
                int xi = xPlane + iy * g.w + ix;
                int wi = wBase + i * g.kw + j;
                if (dx != null) {
                    dx[xi] += go * weight[wi];
                }
                if (dw != null) {
                    dw[wi] += go * x[xi];
                }
            }
        }
    }
}
