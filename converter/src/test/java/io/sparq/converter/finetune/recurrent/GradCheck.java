package io.sparq.converter.finetune.recurrent;

import io.sparq.converter.finetune.DiffOp;
import io.sparq.format.DataType;
import io.sparq.format.Tensor;

import java.util.Random;
import java.util.function.ToDoubleFunction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Central finite differences of a scalar loss of float32 inputs, compared element by element with
 * an analytic gradient.
 *
 * <p>Tolerance: the loss is summed in double from float32 outputs, each off by a few ulp after
 * the recurrence, so with {@code |L| ~ 10} the loss carries noise of about 1e-6, which the
 * division by 2·eps = 2e-3 turns into about 5e-4 on the derivative; the truncation error of
 * central differences, eps²·f'''/6, is about 1e-7. Hence {@link #ABS} 2e-3 plus {@link #REL} 1e-2
 * of the larger magnitude: a wrong gradient term (a missing product, a sign, a wrong gate) is off
 * by the size of the gradient itself and still fails.
 *
 * <p>Where clipping or a piecewise activation puts a kink within eps of the point, the central
 * difference mixes the two sides. The one-sided differences then disagree with each other, and the
 * analytic gradient must match one of them instead (the side the forward took).
 */
final class GradCheck {
    static final float EPS = 1e-3f;
    static final double ABS = 2e-3;
    static final double REL = 1e-2;

    private GradCheck() {
    }

    /** {@code Σ g ⊙ output} in double over the outputs that have a gradient. */
    static double linearLoss(Tensor[] outputs, Tensor[] grads) {
        double sum = 0;
        for (int i = 0; i < grads.length; i++) {
            if (grads[i] != null) {
                float[] o = outputs[i].floats();
                float[] g = grads[i].floats();
                for (int k = 0; k < o.length; k++) {
                    sum += (double) g[k] * o[k];
                }
            }
        }
        return sum;
    }

    /** Random gradients for the outputs chosen by {@code use} (null elsewhere and where absent). */
    static Tensor[] randomGrads(Tensor[] outputs, boolean[] use, Random rnd) {
        Tensor[] g = new Tensor[outputs.length];
        for (int i = 0; i < outputs.length; i++) {
            if (outputs[i] != null && use[i]) {
                g[i] = Spec.random(rnd, outputs[i].shape(), 1f);
            }
        }
        return g;
    }

    /**
     * Checks {@code analytic[i]} for every float input {@code i} against differences of
     * {@code loss} (which reads the inputs as they are at the call), perturbing each element in place.
     */
    static void check(Tensor[] inputs, Tensor[] analytic, ToDoubleFunction<Tensor[]> loss, String what) {
        double l0 = loss.applyAsDouble(inputs);
        int checked = 0;
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i] == null || inputs[i].type() != DataType.FLOAT32) {
                continue;
            }
            assertNotNull(analytic[i], what + ": no gradient for input " + Spec.INPUT_NAMES[i]);
            assertArrayEquals(inputs[i].shape(), analytic[i].shape(), what + ": gradient shape of " + Spec.INPUT_NAMES[i]);
            float[] v = inputs[i].floats();
            float[] a = analytic[i].floats();
            for (int k = 0; k < v.length; k++) {
                float x = v[k];
                float xp = x + EPS;
                float xm = x - EPS;
                v[k] = xp;
                double lp = loss.applyAsDouble(inputs);
                v[k] = xm;
                double lm = loss.applyAsDouble(inputs);
                v[k] = x;
                double central = (lp - lm) / ((double) xp - xm);
                double forward = (lp - l0) / ((double) xp - x);
                double backward = (l0 - lm) / ((double) x - xm);
                boolean ok = close(a[k], central)
                        || !close(forward, backward) && (close(a[k], forward) || close(a[k], backward));
                if (!ok) {
                    fail(what + ": d/d" + Spec.INPUT_NAMES[i] + "[" + k + "] = " + a[k] + ", finite differences "
                            + central + " (one-sided " + forward + ", " + backward + ")");
                }
                checked++;
            }
        }
        if (checked == 0) {
            fail(what + ": nothing checked");
        }
    }

    static boolean close(double a, double b) {
        return Math.abs(a - b) <= ABS + REL * Math.max(Math.abs(a), Math.abs(b));
    }
}
