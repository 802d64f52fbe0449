package io.sparq.converter.finetune.recurrent;

import io.sparq.converter.finetune.DiffOp;
import io.sparq.converter.finetune.TrainingOptions;
import io.sparq.format.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

/** The differentiable forward against runtime-lite's LSTM, GRU and RNN on random inputs. */
class RecurrentDiffForwardTest {
    /**
     * Same equations in fp32 and the same activation code (runtime-lite's {@code Activation}); only
     * the matrix products may sum in a different order (Gemm's packed panels vs runtime-lite's
     * weight-matrix kernels), a few ulp on values of order 1.
     */
    static final double TOLERANCE = 1e-5;

    static List<Spec> specs() {
        return Specs.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specs")
    void matchesRuntimeLite(Spec spec) {
        Tensor[] inputs = spec.inputs(new Random(spec.label.hashCode()));
        Tensor[] expected = spec.runReference(inputs);
        DiffOp op = spec.diffOp(TrainingOptions.defaults());
        DiffOp.Forward forward = op.forward(inputs);
        assertOutputsMatch(expected, forward.outputs(), TOLERANCE, spec.label);
    }

    static void assertOutputsMatch(Tensor[] expected, Tensor[] actual, double tolerance, String what) {
        assertEquals(expected.length, actual.length, what + ": output count");
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] == null) {
                assertNull(actual[i], what + ": output " + i + " is not requested");
                continue;
            }
            assertClose(expected[i], actual[i], tolerance, what + " output " + i);
        }
    }

    static void assertClose(Tensor expected, Tensor actual, double tolerance, String what) {
        if (actual == null) {
            fail(what + " was not produced");
        }
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        for (int k = 0; k < expected.size(); k++) {
            double e = expected.getDouble(k);
            double a = actual.getDouble(k);
            if (!(Math.abs(a - e) <= tolerance * (1 + Math.abs(e)))) {
                fail(what + ": element " + k + " is " + a + ", expected " + e);
            }
        }
    }
}
