package io.sparq.runtime.ops.recurrent;

import io.sparq.format.Attribute;
import io.sparq.format.ErrorCode;
import io.sparq.format.Graph;
import io.sparq.format.SparqException;
import io.sparq.format.Tensor;
import io.sparq.runtime.api.Model;
import io.sparq.runtime.api.Session;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * LSTM, GRU and RNN against reference outputs computed by ONNX Runtime (see
 * {@code src/test/resources/recurrent/gen_recurrent_cases.py}), plus the checks on attributes and
 * input shapes.
 */
class RecurrentOpsTest {
    /**
     * The ONNX test runner's tolerance: |actual - expected| <= ABS + REL * |expected|. Both sides
     * compute in fp32 with the same equations; what differs is summation order and the
     * tanh/sigmoid approximations (ONNX Runtime uses polynomial ones good to a few ulp).
     */
    private static final double ABS = 1e-5;
    private static final double REL = 1e-5;

    static List<String> cases() {
        return RecurrentCase.names();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesOnnxRuntime(String name) {
        RecurrentCase c = RecurrentCase.load(name);
        assertMatches(c, run(c.graph(c.attributes), c.feeds()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void weightsAsInitializersGiveTheSameOutputs(String name) {
        RecurrentCase c = RecurrentCase.load(name);
        String[] constants = {"W", "R", "B", "P"};
        assertMatches(c, run(c.graph(c.attributes, constants), c.feeds(constants)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void hiddenSizeIsTakenFromRWhenTheAttributeIsAbsent(String name) {
        RecurrentCase c = RecurrentCase.load(name);
        Map<String, Attribute> attrs = new LinkedHashMap<>(c.attributes);
        assertTrue(attrs.remove("hidden_size") != null, "the cases all set hidden_size");
        assertMatches(c, run(c.graph(attrs), c.feeds()));
    }

    @Test
    void acceptsInt64SequenceLengths() {
        RecurrentCase c = RecurrentCase.load("lstm_bidirectional_seqlens_initial_states");
        Map<String, Tensor> feeds = c.feeds();
        long[] lengths = feeds.get("sequence_lens").toLongArray();
        feeds.put("sequence_lens", Tensor.ofLongs(new int[] {lengths.length}, lengths));
        assertMatches(c, run(c.graph(c.attributes), feeds));
    }

    private static Map<String, Tensor> run(Graph graph, Map<String, Tensor> feeds) {
        try (Session session = Model.fromGraph(graph).newSession()) {
            return session.run(feeds);
        }
    }

    private static void assertMatches(RecurrentCase c, Map<String, Tensor> actual) {
        for (int i = 0; i < c.outputNames.size(); i++) {
            String out = c.outputNames.get(i);
            if (out.isEmpty()) {
                continue;
            }
            Tensor want = c.expected.get(i);
            Tensor got = actual.get(out);
            assertArrayEquals(want.shape(), got.shape(), c.name + ": shape of " + out);
            float[] w = want.floats();
            float[] g = got.floats();
            for (int k = 0; k < w.length; k++) {
                if (!(Math.abs(g[k] - w[k]) <= ABS + REL * Math.abs(w[k]))) {
                    fail(c.name + ": " + out + "[" + k + "] = " + g[k] + ", expected " + w[k]);
                }
            }
        }
        assertEquals(c.outputNames.stream().filter(n -> !n.isEmpty()).count(), actual.size(),
                c.name + ": outputs " + actual.keySet());
    }

    // ---- attribute checks at load time, input checks at run time ------------------------------

    private static final String BASE = "lstm_activations_alpha_beta";

    /** {@link #BASE} with its attributes changed by {@code edit}, W and R as initializers. */
    private static Graph edited(Consumer<Map<String, Attribute>> edit) {
        RecurrentCase c = RecurrentCase.load(BASE);
        Map<String, Attribute> attrs = new LinkedHashMap<>(c.attributes);
        edit.accept(attrs);
        return c.graph(attrs, "W", "R");
    }

    private static SparqException loadFails(ErrorCode code, Consumer<Map<String, Attribute>> edit) {
        SparqException e = assertThrows(SparqException.class, () -> Model.fromGraph(edited(edit)));
        assertEquals(code, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains("'" + BASE + "' (LSTM)"), "names the node: " + e.getMessage());
        return e;
    }

    @Test
    void rejectsAnUnknownDirection() {
        String m = loadFails(ErrorCode.INVALID_MODEL, a -> a.put("direction", Attribute.of("direction", "sideways")))
                .getMessage();
        assertTrue(m.contains("sideways") && m.contains("bidirectional"), m);
    }

    @Test
    void rejectsHiddenSizeThatContradictsConstantWeights() {
        String m = loadFails(ErrorCode.INVALID_MODEL, a -> a.put("hidden_size", Attribute.of("hidden_size", 5L)))
                .getMessage();
        assertTrue(m.contains("hidden_size = 5") && m.contains("[1, 12, 3]"), m);
    }

    @Test
    void rejectsWeightsForTheWrongNumberOfDirections() {
        String m = loadFails(ErrorCode.INVALID_MODEL, a -> {
            a.put("direction", Attribute.of("direction", "bidirectional"));
            a.put("activations", Attribute.of("activations", List.of("Sigmoid", "Tanh", "Tanh", "Sigmoid", "Tanh", "Tanh")));
        }).getMessage();
        assertTrue(m.contains("2 direction(s)"), m);
    }

    @Test
    void rejectsAnUnknownActivation() {
        String m = loadFails(ErrorCode.UNSUPPORTED_MODEL,
                a -> a.put("activations", Attribute.of("activations", List.of("Sigmoid", "Gelu", "Tanh"))))
                .getMessage();
        assertTrue(m.contains("'Gelu'") && m.contains("ScaledTanh"), m);
    }

    @Test
    void rejectsTheWrongNumberOfActivations() {
        String m = loadFails(ErrorCode.INVALID_MODEL,
                a -> a.put("activations", Attribute.of("activations", List.of("Sigmoid", "Tanh"))))
                .getMessage();
        assertTrue(m.contains("expected 3"), m);
    }

    @Test
    void rejectsBadLayoutClipAndInputForget() {
        loadFails(ErrorCode.INVALID_MODEL, a -> a.put("layout", Attribute.of("layout", 2L)));
        loadFails(ErrorCode.INVALID_MODEL, a -> a.put("clip", Attribute.of("clip", -1f)));
        loadFails(ErrorCode.INVALID_MODEL, a -> a.put("input_forget", Attribute.of("input_forget", 3L)));
    }

    /** Runs {@link #BASE} with input {@code name} replaced; returns the failure. */
    private static SparqException runFails(String name, Tensor replacement) {
        RecurrentCase c = RecurrentCase.load(BASE);
        Map<String, Tensor> feeds = c.feeds();
        feeds.put(name, replacement);
        Model model = Model.fromGraph(c.graph(c.attributes));
        SparqException e = assertThrows(SparqException.class, () -> model.newSession().run(feeds));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains("'" + BASE + "' (LSTM)"), "names the node: " + e.getMessage());
        return e;
    }

    @Test
    void reportsBadInputShapesAtRunTime() {
        String m = runFails("X", Tensor.zeros(io.sparq.format.DataType.FLOAT32, new int[] {4, 6})).getMessage();
        assertTrue(m.contains("X has shape [4, 6], expected [seq_length, batch_size, input_size]"), m);
        m = runFails("X", Tensor.zeros(io.sparq.format.DataType.FLOAT32, new int[] {4, 2, 5})).getMessage();
        assertTrue(m.contains("W has shape [1, 12, 3], expected [num_directions, 4*hidden_size, input_size] = [1, 12, 5]"), m);
        m = runFails("initial_h", Tensor.zeros(io.sparq.format.DataType.FLOAT32, new int[] {1, 3, 3})).getMessage();
        assertTrue(m.contains("initial_h has shape [1, 3, 3], expected [num_directions, batch_size, hidden_size] = [1, 2, 3]"), m);
        m = runFails("X", Tensor.zeros(io.sparq.format.DataType.FLOAT64, new int[] {4, 2, 3})).getMessage();
        assertTrue(m.contains("float32"), m);
    }

    @Test
    void reportsSequenceLengthsOutOfRange() {
        RecurrentCase c = RecurrentCase.load("lstm_reverse_only_y_c");
        Map<String, Tensor> feeds = c.feeds();
        feeds.put("sequence_lens", Tensor.ofInts(new int[] {2}, 2, 4));
        Model model = Model.fromGraph(c.graph(c.attributes));
        SparqException e = assertThrows(SparqException.class, () -> model.newSession().run(feeds));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage().contains("sequence_lens[1] = 4, expected 0 to seq_length = 3"), e.getMessage());
    }

    @Test
    void registeredInTheStandardRegistry() {
        for (String op : List.of("LSTM", "GRU", "RNN")) {
            assertFalse(io.sparq.runtime.ops.OpRegistry.standard().lookup("", op).isEmpty(), op);
        }
    }
}
