package io.sparq.runtime.ops.recurrent;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each activation's derivative (what fine-tuning backpropagates through) against a central
 * difference of its own forward, at points away from the kinks. Tolerance: the difference quotient
 * of a float function with step 1e-3 carries about 1e-4 of rounding and O(h²) truncation, so
 * 2e-3 relative (plus 2e-3 absolute near zero slopes).
 */
class ActivationDerivativeTest {
    @Test
    void everyDerivativeMatchesACentralDifference() {
        Random rng = new Random(3);
        for (Activation.Kind kind : Activation.Kind.values()) {
            Activation f = new Activation(kind, kind.usesAlpha ? 0.7f : 0f, kind.usesBeta ? 0.3f : 0f);
            int checked = 0;
            for (int i = 0; i < 200; i++) {
                float x = (rng.nextFloat() - 0.5f) * 8f;
                if (nearKink(kind, f, x)) {
                    continue;
                }
                float h = 1e-3f;
                double numeric = (value(f, x + h) - value(f, x - h)) / (2.0 * h);
                float analytic = f.derivative(x, value(f, x));
                assertEquals(numeric, analytic, 2e-3 * (1 + Math.abs(numeric)), kind + " at x = " + x);
                checked++;
            }
            assertTrue(checked > 150, kind + ": only " + checked + " points away from kinks");
        }
    }

    @Test
    void aClippedArgumentPassesNoGradient() {
        Activation tanh = new Activation(Activation.Kind.TANH, 0, 0);
        float[] x = {0.5f, 3f, -3f};
        float[] y = x.clone();
        tanh.apply(y, 0, 3);
        float[] g = {1f, 1f, 1f};
        tanh.backprop(x, y, 0, g, 0, 3, 2f);
        assertEquals(1f - y[0] * y[0], g[0]);
        assertEquals(0f, g[1]);
        assertEquals(0f, g[2]);
    }

    private static float value(Activation f, float x) {
        float[] v = {x};
        f.apply(v, 0, 1);
        return v[0];
    }

    /** Within 0.01 of a point where the function's slope jumps. */
    private static boolean nearKink(Activation.Kind kind, Activation f, float x) {
        return switch (kind) {
            case RELU, LEAKY_RELU, ELU -> Math.abs(x) < 0.01f;
            case THRESHOLDED_RELU -> Math.abs(x - f.alpha) < 0.01f;
            case HARD_SIGMOID -> Math.abs(f.alpha * x + f.beta) < 0.01f || Math.abs(f.alpha * x + f.beta - 1) < 0.01f;
            default -> false;
        };
    }
}
