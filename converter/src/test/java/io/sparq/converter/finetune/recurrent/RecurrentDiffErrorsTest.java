package io.sparq.converter.finetune.recurrent;

import io.sparq.converter.finetune.DiffOp;
import io.sparq.converter.finetune.TrainingOptions;
import io.sparq.format.Attribute;
import io.sparq.format.SparqException;
import io.sparq.format.Tensor;
import io.sparq.runtime.ops.OpRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Bad attributes and inputs fail exactly as in runtime-lite; backward computes only what is needed. */
class RecurrentDiffErrorsTest {
    static Stream<Arguments> badAttributes() {
        return Stream.of(
                Arguments.of("LSTM", Attribute.of("direction", "sideways")),
                Arguments.of("GRU", Attribute.of("hidden_size", -2L)),
                Arguments.of("RNN", Attribute.of("layout", 2L)),
                Arguments.of("LSTM", Attribute.of("input_forget", 2L)),
                Arguments.of("GRU", Attribute.of("linear_before_reset", 3L)),
                Arguments.of("RNN", Attribute.of("clip", -1f)),
                Arguments.of("LSTM", Attribute.of("activations", List.of("Sigmoid", "Tanh"))),
                Arguments.of("GRU", Attribute.of("activations", List.of("Sigmoid", "Swish"))),
                Arguments.of("RNN", Attribute.of("clip", 1L)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("badAttributes")
    void rejectsBadAttributesWithRuntimeLitesMessage(String op, Attribute bad) {
        Spec spec = new Spec(op).attr(bad);
        SparqException expected = assertThrows(SparqException.class,
                () -> OpRegistry.standard().lookup("", op).orElseThrow().create(spec.context()));
        SparqException actual = assertThrows(SparqException.class, () -> spec.diffOp(TrainingOptions.defaults()));
        assertEquals(expected.code(), actual.code());
        assertEquals(expected.getMessage(), actual.getMessage());
    }

    static Stream<Arguments> badInputs() {
        Consumer<Tensor[]> xRank = in -> in[0] = Tensor.ofFloats(new int[] {4, 9}, new float[36]);
        Consumer<Tensor[]> wShape = in -> in[1] = Tensor.ofFloats(new int[] {1, 12, 2}, new float[24]);
        Consumer<Tensor[]> bShape = in -> in[3] = Tensor.ofFloats(new int[] {1, 5}, new float[5]);
        Consumer<Tensor[]> lengths = in -> in[4] = Tensor.ofInts(new int[] {3}, 1, 5, 2);
        Consumer<Tensor[]> lengthType = in -> in[4] = Tensor.ofFloats(new int[] {3}, 1, 2, 2);
        Consumer<Tensor[]> state = in -> in[5] = Tensor.ofFloats(new int[] {1, 3, 4}, new float[12]);
        return Stream.of(Arguments.of("x rank", xRank), Arguments.of("W shape", wShape),
                Arguments.of("B shape", bShape), Arguments.of("sequence_lens value", lengths),
                Arguments.of("sequence_lens type", lengthType), Arguments.of("initial_h shape", state));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInputs")
    void rejectsBadInputsWithRuntimeLitesMessage(String what, Consumer<Tensor[]> damage) {
        Spec spec = new Spec("LSTM").lengths(1, 2, 3).with("initial_h");
        Tensor[] inputs = spec.inputs(new Random(1));
        damage.accept(inputs);
        SparqException expected = assertThrows(SparqException.class, () -> spec.runReference(inputs));
        DiffOp op = spec.diffOp(TrainingOptions.defaults());
        SparqException actual = assertThrows(SparqException.class, () -> op.forward(inputs));
        assertEquals(expected.code(), actual.code());
        assertEquals(expected.getMessage(), actual.getMessage());
    }

    @Test
    void computesOnlyTheNeededGradients() {
        Spec spec = new Spec("LSTM").with("initial_h").with("P");
        Tensor[] inputs = spec.inputs(new Random(2));
        DiffOp op = spec.diffOp(TrainingOptions.defaults());
        DiffOp.Forward forward = op.forward(inputs);
        Tensor[] grads = GradCheck.randomGrads(forward.outputs(), new boolean[] {false, true, false}, new Random(3));
        boolean[] needed = {false, true, false, true, false, false, false, true};
        Tensor[] g = op.backward(forward, grads, needed);
        assertEquals(inputs.length, g.length);
        for (int i = 0; i < g.length; i++) {
            if (needed[i] && inputs[i] != null) {
                assertNotNull(g[i], "gradient of input " + i);
            } else {
                assertNull(g[i], "gradient of input " + i);
            }
        }
    }
}
