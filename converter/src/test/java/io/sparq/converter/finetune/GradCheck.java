package io.sparq.converter.finetune;

import io.sparq.format.Attribute;
import io.sparq.format.DataType;
import io.sparq.format.Node;
import io.sparq.format.Tensor;
import io.sparq.runtime.ops.NodeContext;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Central finite-difference checks of backward rules in float32.
 *
 * <p>The probe loss is L = Σ_o Σ w_o·y_o with fixed random weights w, accumulated in double; the
 * analytic gradient is backward(gradOutputs = w). With step h = 1e-2 on inputs of order 1, the
 * truncation error of the central difference is O(h²·|f'''|) ≈ 1e-4 for the smooth activations
 * (zero for the linear ops), and float32 rounding of the outputs contributes about
 * ε₃₂·Σ|w·y| / h ≈ 6e-8 · 50 / 1e-2 ≈ 3e-4 on the largest probes here; hence the tolerance
 * |numeric - analytic| ≤ 2e-3 + 1e-2·|analytic|. A wrong rule (a missed transpose, a sum over
 * the wrong axis, a sign) is off by O(1) and fails.
 */
public final class GradCheck {
    public static final double STEP = 1e-2;
    public static final double ABS_TOL = 2e-3;
    public static final double REL_TOL = 1e-2;

    private GradCheck() {
    }

    /** A node of {@code opType} with inputs in0, in1, ... and outputs out0, out1, ... */
    public static Node node(String opType, int inputs, int outputs, Attribute... attrs) {
        List<String> in = new ArrayList<>();
        for (int i = 0; i < inputs; i++) {
            in.add("in" + i);
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < outputs; i++) {
            out.add("out" + i);
        }
        Map<String, Attribute> a = new LinkedHashMap<>();
        for (Attribute at : attrs) {
            a.put(at.name(), at);
        }
        return new Node("n", opType, "", in, out, a);
    }

    public static DiffOp create(Node node, int opset) {
        NodeContext ctx = new NodeContext(node, opset, Map.of(), java.util.Set.of());
        return DiffRegistry.standard().lookup("", node.opType()).orElseThrow().create(ctx, TrainingOptions.defaults());
    }

    /** Uniform floats in [-1, 1) keeping |x| ≥ 0.05, so kinks (Relu at 0) stay farther than h away. */
    public static Tensor random(SplittableRandom rnd, int... shape) {
        float[] v = new float[Tensor.sizeOf(shape)];
        for (int i = 0; i < v.length; i++) {
            double x = rnd.nextDouble(0.05, 1.0);
            v[i] = (float) (rnd.nextBoolean() ? x : -x);
        }
        return Tensor.ofFloats(shape, v);
    }

    /**
     * Checks every float32 input marked in {@code check} of {@code op} at {@code inputs}.
     * Integer inputs must come back null.
     */
    public static void check(DiffOp op, Tensor[] inputs, boolean[] check) {
        SplittableRandom rnd = new SplittableRandom(7);
        DiffOp.Forward f = op.forward(inputs);
        Tensor[] w = new Tensor[f.outputs().length];
        for (int o = 0; o < w.length; o++) {
            Tensor y = f.outputs()[o];
            if (y != null && y.type() == DataType.FLOAT32) {
                w[o] = random(rnd, y.shape());
            }
        }
        Tensor[] grads = op.backward(f, w, check);
        check(inputs, check, grads, x -> probe(op.forward(x).outputs(), w));
    }

    /** As {@link #check(DiffOp, Tensor[], boolean[])} for any function given its analytic gradients. */
    public static void check(Tensor[] inputs, boolean[] check, Tensor[] grads, Function<Tensor[], Double> loss) {
        for (int i = 0; i < inputs.length; i++) {
            if (!check[i]) {
                continue;
            }
            if (grads[i] == null) {
                fail("no gradient for input " + i);
            }
            assertTrue(Arrays.equals(grads[i].shape(), inputs[i].shape()),
                    "gradient of input " + i + " has shape " + Arrays.toString(grads[i].shape()));
            float[] x = inputs[i].floats();
            float[] g = grads[i].floats();
            for (int k = 0; k < x.length; k++) {
                Tensor[] plus = inputs.clone();
                Tensor[] minus = inputs.clone();
                plus[i] = perturbed(inputs[i], k, STEP);
                minus[i] = perturbed(inputs[i], k, -STEP);
                double numeric = (loss.apply(plus) - loss.apply(minus)) / (2 * STEP);
                double err = Math.abs(numeric - g[k]);
                if (err > ABS_TOL + REL_TOL * Math.abs(g[k])) {
                    fail("input " + i + " element " + k + ": analytic " + g[k] + ", numeric " + numeric);
                }
            }
        }
    }

    public static double probe(Tensor[] outputs, Tensor[] w) {
        double sum = 0;
        for (int o = 0; o < w.length; o++) {
            if (w[o] == null) {
                continue;
            }
            float[] y = outputs[o].floats();
            float[] wv = w[o].floats();
            for (int k = 0; k < y.length; k++) {
                sum += (double) wv[k] * y[k];
            }
        }
        return sum;
    }

    private static Tensor perturbed(Tensor t, int k, double h) {
        float[] v = t.floats().clone();
        v[k] += (float) h;
        return Tensor.ofFloats(t.shape(), v);
    }
}
