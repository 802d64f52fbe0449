package io.sparq.converter.finetune.recurrent;

import io.sparq.runtime.kernels.FastMath;
import io.sparq.runtime.ops.NodeContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One activation function of a recurrent cell with alpha and beta resolved: the forward exactly as
 * runtime-lite computes it, and its derivative. Attributes reach here already validated by
 * runtime-lite's op for the node, so parsing only resolves them.
 */
final class CellActivation {
    /** The functions the ONNX recurrent operators allow, with runtime-lite's defaults. */
    enum Kind {
        RELU("Relu", 0, 0),
        TANH("Tanh", 0, 0),
        SIGMOID("Sigmoid", 0, 0),
        AFFINE("Affine", 2, 1f, 0f),              // alpha*x + beta
        LEAKY_RELU("LeakyRelu", 1, 0.01f),        // x >= 0 ? x : alpha*x
        THRESHOLDED_RELU("ThresholdedRelu", 1, 1f), // x >= alpha ? x : 0
        SCALED_TANH("ScaledTanh", 2, 1f, 1f),     // alpha*tanh(beta*x)
        HARD_SIGMOID("HardSigmoid", 2, 0.2f, 0.5f), // min(max(alpha*x + beta, 0), 1)
        ELU("Elu", 1, 1f),                        // x >= 0 ? x : alpha*(e^x - 1)
        SOFTSIGN("Softsign", 0, 0),               // x/(1 + |x|)
        SOFTPLUS("Softplus", 0, 0);               // log(1 + e^x)

        final String onnxName;
        final int parameters;                     // 0, alpha only, or alpha and beta
        final float defaultAlpha;
        final float defaultBeta;

        Kind(String onnxName, int parameters, float defaultAlpha) {
            this(onnxName, parameters, defaultAlpha, 0f);
        }

        Kind(String onnxName, int parameters, float defaultAlpha, float defaultBeta) {
            this.onnxName = onnxName;
            this.parameters = parameters;
            this.defaultAlpha = defaultAlpha;
            this.defaultBeta = defaultBeta;
        }
    }

    final Kind kind;
    final float alpha;
    final float beta;

    CellActivation(Kind kind, float alpha, float beta) {
        this.kind = kind;
        this.alpha = alpha;
        this.beta = beta;
    }

    /**
     * The node's functions, {@code [direction][function]}, read as runtime-lite reads them:
     * {@code defaults} per direction when {@code activations} is absent, names matched
     * case-insensitively, and alphas and betas consumed in order by just the functions that use
     * them, a function finding its list used up taking its default.
     */
    static CellActivation[][] parse(NodeContext ctx, int directions, List<String> defaults) {
        int perDirection = defaults.size();
        List<String> names = ctx.attrStrings("activations", null);
        if (names == null) {
            names = new ArrayList<>();
            for (int d = 0; d < directions; d++) {
                names.addAll(defaults);
            }
        }
        float[] alphas = ctx.attrFloats("activation_alpha", new float[0]);
        float[] betas = ctx.attrFloats("activation_beta", new float[0]);
        int nextAlpha = 0;
        int nextBeta = 0;
        CellActivation[][] out = new CellActivation[directions][perDirection];
        for (int i = 0; i < perDirection * directions; i++) {
            Kind kind = kindOf(names.get(i));
            float alpha = 0;
            float beta = 0;
            if (kind.parameters >= 1) {
                alpha = nextAlpha < alphas.length ? alphas[nextAlpha++] : kind.defaultAlpha;
            }
            if (kind.parameters == 2) {
                beta = nextBeta < betas.length ? betas[nextBeta++] : kind.defaultBeta;
            }
            out[i / perDirection][i % perDirection] = new CellActivation(kind, alpha, beta);
        }
        return out;
    }

    private static Kind kindOf(String name) {
        for (Kind k : Kind.values()) {
            if (k.onnxName.toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
                return k;
            }
        }
        throw new IllegalStateException("activation '" + name + "' passed runtime-lite's validation but is unknown here");
    }

    /** Replaces {@code v[off .. off+n)} by the function of each element, in runtime-lite's arithmetic. */
    void apply(float[] v, int off, int n) {
        int end = off + n;
        switch (kind) {
            case RELU -> {
                for (int i = off; i < end; i++) {
                    v[i] = Math.max(v[i], 0f);
                }
            }
            case TANH -> {
                for (int i = off; i < end; i++) {
                    v[i] = tanh(v[i]);
                }
            }
            case SIGMOID -> {
                for (int i = off; i < end; i++) {
                    v[i] = (float) (1.0 / (1.0 + Math.exp(-v[i])));
                }
            }
            case AFFINE -> {
                for (int i = off; i < end; i++) {
                    v[i] = alpha * v[i] + beta;
                }
            }
            case LEAKY_RELU -> {
                for (int i = off; i < end; i++) {
                    v[i] = v[i] >= 0 ? v[i] : alpha * v[i];
                }
            }
            case THRESHOLDED_RELU -> {
                for (int i = off; i < end; i++) {
                    v[i] = v[i] >= alpha ? v[i] : 0f;
                }
            }
            case SCALED_TANH -> {
                for (int i = off; i < end; i++) {
                    v[i] = alpha * tanh(beta * v[i]);
                }
            }
            case HARD_SIGMOID -> {
                for (int i = off; i < end; i++) {
                    v[i] = Math.min(Math.max(alpha * v[i] + beta, 0f), 1f);
                }
            }
            case ELU -> {
                for (int i = off; i < end; i++) {
                    v[i] = v[i] >= 0 ? v[i] : alpha * (float) Math.expm1(v[i]);
                }
            }
            case SOFTSIGN -> {
                for (int i = off; i < end; i++) {
                    v[i] = v[i] / (1f + Math.abs(v[i]));
                }
            }
            case SOFTPLUS -> {
                for (int i = off; i < end; i++) {
                    double x = v[i];
                    v[i] = (float) (Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))));
                }
            }
        }
    }

    /** {@code (float) Math.tanh(x)}, faster (see {@link FastMath#tanh}). */
    static float tanh(float x) {
        return FastMath.tanh(x);
    }

    /**
     * Multiplies {@code g[gOff .. gOff+n)} (gradients of the outputs) by the derivative of the
     * function at the matching argument {@code x[off ..]} (before clipping), whose value was
     * {@code y[off ..]}. Where the argument was clipped to {@code ±clip} the gradient is zero.
     */
    void backprop(float[] x, float[] y, int off, float[] g, int gOff, int n, float clip) {
        for (int i = 0; i < n; i++) {
            float xi = x[off + i];
            g[gOff + i] *= Math.abs(xi) <= clip ? derivative(xi, y[off + i]) : 0f;
        }
    }

    /** f'(x) for f(x) = y; the kinks take the one-sided slope of the branch the forward chose. */
    private float derivative(float x, float y) {
        return switch (kind) {
            case RELU -> x > 0 ? 1f : 0f;
            case TANH -> 1f - y * y;
            case SIGMOID -> y * (1f - y);
            case AFFINE -> alpha;
            case LEAKY_RELU -> x >= 0 ? 1f : alpha;
            case THRESHOLDED_RELU -> x >= alpha ? 1f : 0f;
            case SCALED_TANH -> {
                float t = tanh(beta * x);
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
            case SOFTPLUS -> (float) (1.0 / (1.0 + Math.exp(-x)));
        };
    }
}
