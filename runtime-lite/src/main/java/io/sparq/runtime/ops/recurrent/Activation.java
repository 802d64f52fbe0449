package io.sparq.runtime.ops.recurrent;

import io.sparq.runtime.kernels.FastMath;
import io.sparq.runtime.kernels.Vectorization;

import io.sparq.runtime.ops.NodeContext;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * One activation function of a recurrent cell with its alpha and beta resolved: applied in place,
 * and its derivative. The one definition inference and the converter's fine-tuning both run, so a
 * trained cell computes exactly what runtime-lite will (the gates on the same vector kernels).
 * Public for the converter's training code; applications do not need it.
 */
public final class Activation {
    /**
     * The functions the ONNX recurrent operators allow. Defaults are those of the ONNX operator of
     * the same name, as the spec asks (Affine, ScaledTanh: the old experimental operators).
     */
    enum Kind {
        RELU("Relu"),
        TANH("Tanh"),
        SIGMOID("Sigmoid"),
        AFFINE("Affine", 1f, 0f),                 // alpha*x + beta
        LEAKY_RELU("LeakyRelu", 0.01f),           // x >= 0 ? x : alpha*x
        THRESHOLDED_RELU("ThresholdedRelu", 1f),  // x >= alpha ? x : 0
        SCALED_TANH("ScaledTanh", 1f, 1f),        // alpha*tanh(beta*x)
        HARD_SIGMOID("HardSigmoid", 0.2f, 0.5f),  // min(max(alpha*x + beta, 0), 1)
        ELU("Elu", 1f),                           // x >= 0 ? x : alpha*(e^x - 1)
        SOFTSIGN("Softsign"),                     // x/(1 + |x|)
        SOFTPLUS("Softplus");                     // log(1 + e^x)

        final String onnxName;
        final boolean usesAlpha;
        final boolean usesBeta;
        final float defaultAlpha;
        final float defaultBeta;

        Kind(String onnxName) {
            this(onnxName, false, false, 0f, 0f);
        }

        Kind(String onnxName, float defaultAlpha) {
            this(onnxName, true, false, defaultAlpha, 0f);
        }

        Kind(String onnxName, float defaultAlpha, float defaultBeta) {
            this(onnxName, true, true, defaultAlpha, defaultBeta);
        }

        Kind(String onnxName, boolean usesAlpha, boolean usesBeta, float defaultAlpha, float defaultBeta) {
            this.onnxName = onnxName;
            this.usesAlpha = usesAlpha;
            this.usesBeta = usesBeta;
            this.defaultAlpha = defaultAlpha;
            this.defaultBeta = defaultBeta;
        }
    }

    final Kind kind;
    final float alpha;
    final float beta;

    Activation(Kind kind, float alpha, float beta) {
        this.kind = kind;
        this.alpha = alpha;
        this.beta = beta;
    }

    /**
     * Reads the node's {@code activations}, {@code activation_alpha} and {@code activation_beta}:
     * {@code perDirection} functions for each direction, forward first; {@code defaults} (one
     * direction's list) when the attribute is absent. Names match case-insensitively (exporters
     * write "tanh" as well as "Tanh").
     *
     * <p>"The values are consumed in the order of activation functions": each list is taken in
     * order by just the functions that use it, running across all directions, and a function that
     * finds its list used up gets its default. ONNX Runtime reads the lists the same way, so
     * {@code [Relu, LeakyRelu]} with {@code activation_alpha = [0.1]} gives LeakyRelu alpha 0.1.
     *
     * @return {@code [direction][function]}
     */
    public static Activation[][] parse(NodeContext ctx, int directions, List<String> defaults) {
        int perDirection = defaults.size();
        List<String> names = ctx.attrStrings("activations", null);
        if (names == null) {
            names = new java.util.ArrayList<>();
            for (int d = 0; d < directions; d++) {
                names.addAll(defaults);
            }
        }
        if (names.size() != perDirection * directions) {
            throw ctx.fail("attribute activations has " + names.size() + " function(s) " + names + ", expected "
                    + perDirection * directions + " (" + perDirection + " per direction, " + directions
                    + " direction(s))");
        }
        float[] alphas = ctx.attrFloats("activation_alpha", new float[0]);
        float[] betas = ctx.attrFloats("activation_beta", new float[0]);
        int nextAlpha = 0;
        int nextBeta = 0;
        Activation[][] out = new Activation[directions][perDirection];
        for (int i = 0; i < names.size(); i++) {
            Kind kind = kindOf(ctx, names.get(i));
            float alpha = 0;
            float beta = 0;
            if (kind.usesAlpha) {
                alpha = nextAlpha < alphas.length ? alphas[nextAlpha++] : kind.defaultAlpha;
            }
            if (kind.usesBeta) {
                beta = nextBeta < betas.length ? betas[nextBeta++] : kind.defaultBeta;
            }
            out[i / perDirection][i % perDirection] = new Activation(kind, alpha, beta);
        }
        return out;
    }

    private static Kind kindOf(NodeContext ctx, String name) {
        for (Kind k : Kind.values()) {
            if (k.onnxName.toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
                return k;
            }
        }
        throw ctx.unsupported("unknown activation function '" + name + "', expected one of "
                + Arrays.stream(Kind.values()).map(k -> k.onnxName).toList());
    }

    /** Replaces {@code v[off .. off+n)} by the function of each element. */
    public void apply(float[] v, int off, int n) {
        int end = off + n;
        switch (kind) {
            case RELU:
                for (int i = off; i < end; i++) {
                    v[i] = Math.max(v[i], 0f);
                }
                break;
            case TANH:
                Vectorization.kernels().tanh(v, off, n);     // the gates' hot loop: the vector kernels when enabled
                break;
            case SIGMOID:
                Vectorization.kernels().sigmoid(v, off, n);
                break;
            case AFFINE:
                for (int i = off; i < end; i++) {
                    v[i] = alpha * v[i] + beta;
                }
                break;
            case LEAKY_RELU:
                for (int i = off; i < end; i++) {
                    v[i] = v[i] >= 0 ? v[i] : alpha * v[i];
                }
                break;
            case THRESHOLDED_RELU:
                for (int i = off; i < end; i++) {
                    v[i] = v[i] >= alpha ? v[i] : 0f;
                }
                break;
            case SCALED_TANH:
                for (int i = off; i < end; i++) {
                    v[i] = alpha * FastMath.tanh(beta * v[i]);
                }
                break;
            case HARD_SIGMOID:
                for (int i = off; i < end; i++) {
                    v[i] = Math.min(Math.max(alpha * v[i] + beta, 0f), 1f);
                }
                break;
            case ELU:
                for (int i = off; i < end; i++) {
                    v[i] = v[i] >= 0 ? v[i] : alpha * (float) Math.expm1(v[i]);
                }
                break;
            case SOFTSIGN:
                for (int i = off; i < end; i++) {
                    v[i] = v[i] / (1f + Math.abs(v[i]));
                }
                break;
            case SOFTPLUS:
                for (int i = off; i < end; i++) {
                    double x = v[i];
                    // log(1 + e^x) = max(x, 0) + log(1 + e^-|x|), which cannot overflow
                    v[i] = (float) (Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))));
                }
                break;
        }
    }

    /**
     * Multiplies {@code g[gOff .. gOff+n)} (gradients of the outputs) by the derivative of the
     * function at the matching argument {@code x[off ..]} (before clipping), whose value was
     * {@code y[off ..]}. Where the argument was clipped to {@code ±clip} the gradient is zero.
     */
    public void backprop(float[] x, float[] y, int off, float[] g, int gOff, int n, float clip) {
        for (int i = 0; i < n; i++) {
            float xi = x[off + i];
            g[gOff + i] *= Math.abs(xi) <= clip ? derivative(xi, y[off + i]) : 0f;
        }
    }

    /** f'(x) for f(x) = y; the kinks take the one-sided slope of the branch {@link #apply} chose. */
    float derivative(float x, float y) {
        return switch (kind) {
            case RELU -> x > 0 ? 1f : 0f;
            case TANH -> 1f - y * y;
            case SIGMOID -> y * (1f - y);
            case AFFINE -> alpha;
            case LEAKY_RELU -> x >= 0 ? 1f : alpha;
            case THRESHOLDED_RELU -> x >= alpha ? 1f : 0f;
            case SCALED_TANH -> {
                float t = FastMath.tanh(beta * x);
                yield alpha * beta * (1f - t * t);
            }
            case HARD_SIGMOID -> {
                float v = alpha * x + beta;
                yield v > 0f && v < 1f ? alpha : 0f;
            }
            case ELU -> x >= 0 ? 1f : y + alpha;
            case SOFTSIGN -> {
                float d = 1f + Math.abs(x);
                yield 1f / (d * d);
            }
            case SOFTPLUS -> sigmoid(x);
        };
    }

    /** The logistic function, in double so that large |x| saturates cleanly to 0 or 1. */
    static float sigmoid(float x) {
        return (float) (1.0 / (1.0 + Math.exp(-x)));
    }
}
