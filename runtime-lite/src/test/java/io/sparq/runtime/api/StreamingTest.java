package io.sparq.runtime.api;

import io.sparq.format.Attribute;
import io.sparq.format.DataType;
import io.sparq.format.Dim;
import io.sparq.format.ErrorCode;
import io.sparq.format.Graph;
import io.sparq.format.Node;
import io.sparq.format.SparqException;
import io.sparq.format.Tensor;
import io.sparq.format.ValueInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Session#step} against {@link Session#run}: a recurrent node stepped one time step at a
 * time must give the outputs of one run over the whole sequence; and how {@link Streaming} pairs
 * state inputs with outputs, or refuses to.
 */
class StreamingTest {
    /**
     * Per element, absolute. A step computes the input projection of one time step where a whole
     * run computes it for all steps in one product, so float32 sums may be ordered differently.
     */
    private static final double TOL = 1e-6;
    private static final int SEQ = 6;
    private static final int BATCH = 2;
    private static final int INPUT = 3;
    private static final int HIDDEN = 4;
    private static final ValueInfo STATE_4 = new ValueInfo("", DataType.FLOAT32, List.of(Dim.of(1), Dim.of(4)));

    @ParameterizedTest
    @ValueSource(strings = {"LSTM", "GRU", "RNN"})
    void recurrentNodeStateInputsAndOutputsPairByStructure(String op) {
        Model model = Model.fromGraph(recurrent(op));
        List<StateBinding> expected = new ArrayList<>(List.of(StateBinding.of("initial_h", "Y_h")));
        if (op.equals("LSTM")) {
            expected.add(StateBinding.of("initial_c", "Y_c"));
        }
        assertEquals(expected, model.newSession().stateBindings());
    }

    @ParameterizedTest
    @ValueSource(strings = {"LSTM", "GRU", "RNN"})
    void steppingOneTimeStepAtATimeMatchesOneRunOverTheSequence(String op) {
        Model model = Model.fromGraph(recurrent(op));
        Random random = new Random(7);
        Tensor x = random(random, SEQ, BATCH, INPUT);
        Map<String, Tensor> start = new LinkedHashMap<>();
        start.put("initial_h", random(random, 1, BATCH, HIDDEN));
        if (op.equals("LSTM")) {
            start.put("initial_c", random(random, 1, BATCH, HIDDEN));
        }
        Map<String, Tensor> feeds = new LinkedHashMap<>(start);
        feeds.put("X", x);
        Map<String, Tensor> whole = model.newSession().run(feeds);

        Streaming streaming = Streaming.detect();
        for (Map.Entry<String, Tensor> e : start.entrySet()) {
            streaming = streaming.initial(e.getKey(), e.getValue());
        }
        try (Session session = model.newSession(streaming)) {
            List<Map<String, Tensor>> first = stream(session, x);
            assertStreamMatches(whole, first, op);
            session.reset();
            List<Map<String, Tensor>> again = stream(session, x);
            for (int t = 0; t < SEQ; t++) {
                assertArrayEquals(first.get(t).get("Y").floats(), again.get(t).get("Y").floats(),
                        op + ": step " + t + " after reset() differs from the first stream");
            }
        }
    }

    @Test
    void sessionsOfOneModelKeepTheirOwnState() {
        Model model = Model.fromGraph(recurrent("LSTM"));
        Random random = new Random(11);
        Tensor a = random(random, SEQ, BATCH, INPUT);
        Tensor b = random(random, SEQ, BATCH, INPUT);
        List<Map<String, Tensor>> aloneA = stream(model.newSession(), a);
        List<Map<String, Tensor>> aloneB = stream(model.newSession(), b);
        Session sa = model.newSession();
        Session sb = model.newSession();
        for (int t = 0; t < SEQ; t++) {
            Map<String, Tensor> outB = sb.step(timeStep(b, t));
            Map<String, Tensor> outA = sa.step(timeStep(a, t));
            assertArrayEquals(aloneA.get(t).get("Y").floats(), outA.get("Y").floats(), "stream a, step " + t);
            assertArrayEquals(aloneB.get(t).get("Y").floats(), outB.get("Y").floats(), "stream b, step " + t);
        }
    }

    @Test
    void zeroStartTakesSymbolicSizesFromTheFrame() {
        // acc' = acc + x: a running sum whose state has the frame's batch size
        Model model = accumulator("x", "h0", "h_n", Dim.symbol("batch"));
        Session session = model.newSession();
        session.step(Tensor.ofFloats(new int[] {3, 4}, new float[12]));
        Tensor x = Tensor.ofFloats(new int[] {3, 4}, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
        Map<String, Tensor> out = session.step(x);
        assertArrayEquals(x.floats(), out.get("h_n").floats());
        out = session.step(x);
        assertArrayEquals(new int[] {3, 4}, out.get("h_n").shape());
        assertEquals(24f, out.get("h_n").floats()[11]);
        session.reset();
        assertEquals(12f, session.step(x).get("h_n").floats()[11]);
    }

    @Test
    void stateNamesPairByConvention() {
        String[][] pairs = {{"h", "hn"}, {"c", "cn"}, {"state", "stateN"}, {"h0", "h_n"}, {"state_in", "state_out"},
                {"hidden.prev", "hidden.next"}, {"initial_state", "final_state"}};
        for (String[] p : pairs) {
            Model model = accumulator("input", p[0], p[1], Dim.of(1));
            assertEquals(List.of(StateBinding.of(p[0], p[1])), model.newSession().stateBindings(), Arrays.toString(p));
        }
        assertEquals(List.of(), accumulator("input", "bias", "total", Dim.of(1)).newSession().stateBindings(),
                "names that do not pair leave no state");
    }

    @Test
    void ambiguousNamesAreRefusedWithTheCandidates() {
        Graph g = graph(List.of(info("x"), info("h")), List.of(info("hn"), info("h_n")),
                List.of(node("Add", List.of("x", "h"), "hn"), node("Identity", List.of("hn"), "h_n")));
        SparqException e = assertThrows(SparqException.class, () -> Model.fromGraph(g).newSession(Streaming.detect()));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage().contains("state input 'h' could pair with outputs [hn, h_n]")
                && e.getMessage().contains("Streaming.of("), e.getMessage());
        Session lazy = Model.fromGraph(g).newSession();
        assertThrows(SparqException.class, () -> lazy.step(Tensor.ofFloats(new int[] {1, 4}, new float[4])));
        // declaring the pair settles it
        Session declared = Model.fromGraph(g).newSession(Streaming.of(StateBinding.of("h", "h_n")));
        declared.step(Tensor.ofFloats(new int[] {1, 4}, 1, 1, 1, 1));
        assertEquals(2f, declared.step(Tensor.ofFloats(new int[] {1, 4}, 1, 1, 1, 1)).get("hn").floats()[0]);
    }

    @Test
    void declaredPairsAreChecked() {
        Model model = accumulator("x", "acc", "total", Dim.of(1));
        Session session = model.newSession(Streaming.of(Map.of("acc", "total")));
        session.step(Tensor.ofFloats(new int[] {1, 4}, 1, 2, 3, 4));
        assertArrayEquals(new float[] {2, 4, 6, 8},
                session.step(Tensor.ofFloats(new int[] {1, 4}, 1, 2, 3, 4)).get("total").floats());
        assertRefused(() -> model.newSession(Streaming.of(StateBinding.of("nope", "total"))),
                "unknown input name 'nope', expected one of [x, acc]");
        assertRefused(() -> model.newSession(Streaming.of(StateBinding.of("acc", "nope"))),
                "unknown output name 'nope', expected one of [total]");
        assertRefused(() -> model.newSession(Streaming.of(StateBinding.of("acc", "total"), StateBinding.of("x", "total"))),
                "more than one state pair");
        Model wide = Model.fromGraph(graph(List.of(info("x"), new ValueInfo("acc", DataType.FLOAT32,
                        List.of(Dim.of(1), Dim.of(5)))), List.of(info("total")),
                List.of(node("Identity", List.of("x"), "total"))));
        assertRefused(() -> wide.newSession(Streaming.of(StateBinding.of("acc", "total"))), "cannot feed input");
        assertRefused(() -> model.newSession(Streaming.of(Map.of("acc", "total")).fix("acc", Tensor.scalar(1f))),
                "is fixed, but it is also a state");
        assertRefused(() -> model.newSession(Streaming.detect().initial("x", Tensor.scalar(1f))),
                "not a state input");
    }

    @Test
    void stepRefusesStateAndFixedInputsAndNamesWhatItTakes() {
        Graph g = graph(List.of(info("x"), info("y"), info("h")), List.of(info("hn")),
                List.of(node("Add", List.of("x", "h"), "a"), node("Add", List.of("a", "y"), "hn")));
        Tensor one = Tensor.ofFloats(new int[] {1, 4}, 1, 1, 1, 1);
        Session session = Model.fromGraph(g).newSession(Streaming.detect().fix("y", one));
        assertRefused(() -> session.step(Map.of("x", one, "h", one)), "input 'h' is a state the session carries (h <- hn)");
        assertRefused(() -> session.step(Map.of("x", one, "y", one)), "input 'y' is fixed for this session");
        assertEquals(2f, session.step(one).get("hn").floats()[0]);
        assertEquals(4f, session.step(one).get("hn").floats()[0]);
        Session unfixed = Model.fromGraph(g).newSession();
        assertRefused(() -> unfixed.step(one), "exactly one per-frame input, this one has 2: [x, y]");
        assertEquals(2f, unfixed.step(Map.of("x", one, "y", one)).get("hn").floats()[0]);
        assertEquals(4f, unfixed.run(Map.of("x", one, "y", one, "h", Tensor.ofFloats(new int[] {1, 4}, 2, 2, 2, 2)))
                .get("hn").floats()[0], "run() feeds the state by hand and leaves the stream alone");
        assertEquals(4f, unfixed.step(Map.of("x", one, "y", one)).get("hn").floats()[0]);
        unfixed.close();
        unfixed.close();
        assertThrows(IllegalStateException.class, () -> unfixed.step(Map.of("x", one, "y", one)));
        assertThrows(IllegalStateException.class, unfixed::reset);
    }

    private static void assertRefused(Runnable call, String message) {
        SparqException e = assertThrows(SparqException.class, call::run);
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains(message), "message '" + e.getMessage() + "' lacks '" + message + "'");
    }

    private static List<Map<String, Tensor>> stream(Session session, Tensor x) {
        List<Map<String, Tensor>> out = new ArrayList<>();
        for (int t = 0; t < x.dim(0); t++) {
            out.add(session.step(timeStep(x, t)));
        }
        return out;
    }

    private static void assertStreamMatches(Map<String, Tensor> whole, List<Map<String, Tensor>> steps, String op) {
        int n = BATCH * HIDDEN;
        for (int t = 0; t < SEQ; t++) {
            float[] expected = Arrays.copyOfRange(whole.get("Y").floats(), t * n, (t + 1) * n);
            assertClose(expected, steps.get(t).get("Y").floats(), op + ", Y at step " + t);
        }
        for (String state : List.of("Y_h", "Y_c")) {
            if (whole.containsKey(state)) {
                assertClose(whole.get(state).floats(), steps.get(SEQ - 1).get(state).floats(), op + ", " + state);
            }
        }
    }

    private static void assertClose(float[] expected, float[] actual, String where) {
        assertEquals(expected.length, actual.length, where + " size");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], TOL, where + " element " + i);
        }
    }

    /** Time step {@code t} of a [seq, batch, input] tensor, as [1, batch, input]. */
    private static Tensor timeStep(Tensor x, int t) {
        int n = x.size() / x.dim(0);
        return Tensor.ofFloats(new int[] {1, x.dim(1), x.dim(2)}, Arrays.copyOfRange(x.floats(), t * n, (t + 1) * n));
    }

    /**
     * One forward {@code op} node, hidden 4, random weights, its initial states graph inputs and
     * its final states graph outputs, named as in the ONNX operator spec.
     */
    private static Graph recurrent(String op) {
        int gates = switch (op) {
            case "LSTM" -> 4;
            case "GRU" -> 3;
            default -> 1;
        };
        Random random = new Random(op.hashCode());
        Map<String, Tensor> weights = new LinkedHashMap<>();
        weights.put("W", random(random, 1, gates * HIDDEN, INPUT));
        weights.put("R", random(random, 1, gates * HIDDEN, HIDDEN));
        weights.put("B", random(random, 1, 2 * gates * HIDDEN));
        List<Dim> state = List.of(Dim.of(1), Dim.symbol("batch"), Dim.of(HIDDEN));
        List<ValueInfo> inputs = new ArrayList<>(List.of(
                new ValueInfo("X", DataType.FLOAT32, List.of(Dim.symbol("seq"), Dim.symbol("batch"), Dim.of(INPUT))),
                new ValueInfo("initial_h", DataType.FLOAT32, state)));
        List<ValueInfo> outputs = new ArrayList<>(List.of(
                new ValueInfo("Y", DataType.FLOAT32, List.of(Dim.symbol("seq"), Dim.of(1), Dim.symbol("batch"),
                        Dim.of(HIDDEN))),
                new ValueInfo("Y_h", DataType.FLOAT32, state)));
        List<String> in = new ArrayList<>(List.of("X", "W", "R", "B", "", "initial_h"));
        List<String> out = new ArrayList<>(List.of("Y", "Y_h"));
        if (op.equals("LSTM")) {
            inputs.add(new ValueInfo("initial_c", DataType.FLOAT32, state));
            outputs.add(new ValueInfo("Y_c", DataType.FLOAT32, state));
            in.add("initial_c");
            out.add("Y_c");
        }
        Node node = new Node("rnn", op, "", in, out, Map.of("hidden_size", Attribute.of("hidden_size", (long) HIDDEN)));
        return new Graph("recurrent", inputs, outputs, List.of(node), weights, Map.of("", 17), Map.of());
    }

    /** {@code out = in + state}, one per-frame input, one state input, one output. */
    private static Model accumulator(String in, String state, String out, Dim rows) {
        List<Dim> shape = List.of(rows, Dim.of(4));
        return Model.fromGraph(graph(List.of(new ValueInfo(in, DataType.FLOAT32, shape),
                        new ValueInfo(state, DataType.FLOAT32, shape)),
                List.of(new ValueInfo(out, DataType.FLOAT32, shape)), List.of(node("Add", List.of(in, state), out))));
    }

    private static ValueInfo info(String name) {
        return new ValueInfo(name, STATE_4.type(), STATE_4.shape());
    }

    private static Node node(String op, List<String> in, String out) {
        return new Node(out, op, "", in, List.of(out), Map.of());
    }

    private static Graph graph(List<ValueInfo> inputs, List<ValueInfo> outputs, List<Node> nodes) {
        return new Graph("g", inputs, outputs, nodes, Map.of(), Map.of("", 17), Map.of());
    }

    private static Tensor random(Random random, int... shape) {
        float[] v = new float[Tensor.sizeOf(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) random.nextGaussian() * 0.5f;
        }
        return Tensor.ofFloats(shape, v);
    }
}
