package io.sparq.converter.finetune.recurrent;

import io.sparq.converter.finetune.DiffOp;
import io.sparq.converter.finetune.TrainingOptions;
import io.sparq.format.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Backward of LSTM, GRU and RNN against central finite differences (see {@link GradCheck}) of a
 * random linear loss, for every input and every attribute family, direction and layout, with the
 * loss on all outputs and on each output alone.
 */
class RecurrentDiffGradientTest {
    static List<Spec> specs() {
        return Specs.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specs")
    void gradientsMatchFiniteDifferences(Spec spec) {
        DiffOp op = spec.diffOp(TrainingOptions.defaults());
        Random rnd = new Random(spec.label.hashCode());
        Tensor[] inputs = spec.inputs(rnd);
        DiffOp.Forward forward = op.forward(inputs);
        boolean[][] uses = {{true, true, true}, {true, false, false}, {false, true, false}, {false, false, true}};
        for (boolean[] use : uses) {
            Tensor[] grads = GradCheck.randomGrads(forward.outputs(), use, rnd);
            if (Arrays.stream(grads).allMatch(g -> g == null)) {
                continue;
            }
            boolean[] needed = new boolean[inputs.length];
            Arrays.fill(needed, true);
            Tensor[] analytic = op.backward(forward, grads, needed);
            if (inputs.length > RecurrentDiff.SEQUENCE_LENS) {
                assertNull(analytic[RecurrentDiff.SEQUENCE_LENS], "sequence_lens has no gradient");
            }
            GradCheck.check(inputs, analytic, in -> GradCheck.linearLoss(op.forward(in).outputs(), grads),
                    spec.label + " loss on " + Arrays.toString(use));
        }
    }
}
