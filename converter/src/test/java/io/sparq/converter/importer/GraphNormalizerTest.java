package io.sparq.converter.importer;

import io.sparq.format.Attribute;
import io.sparq.format.DataType;
import io.sparq.format.Dim;
import io.sparq.format.ErrorCode;
import io.sparq.format.Graph;
import io.sparq.format.Node;
import io.sparq.format.SparqException;
import io.sparq.format.Tensor;
import io.sparq.format.ValueInfo;
import io.sparq.runtime.graph.GraphExecutor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Folding, sharing, naming and batch generalization of {@link GraphNormalizer}, each checked by running both graphs. */
class GraphNormalizerTest {
    private static final int HIDDEN = 2;
    private static final int FEATURES = 4;
    private final Random random = new Random(5);

    @Test
    void aGateReorderOfAParameterBecomesOneInitializerNamedAfterIt() {
        // torch's dynamo exporter: R = Unsqueeze(Concat(Slice(p, i, f), Slice(p, o, c), ...)) of weight_hh [4H, H]
        Map<String, Tensor> inits = new LinkedHashMap<>();
        inits.put("W", uniform(1, 4 * HIDDEN, FEATURES));
        inits.put("rnn.weight_hh_l0", uniform(4 * HIDDEN, HIDDEN));
        List<Node> nodes = new ArrayList<>();
        long[][] gates = {{0, HIDDEN}, {3 * HIDDEN, 4 * HIDDEN}, {HIDDEN, 2 * HIDDEN}, {2 * HIDDEN, 3 * HIDDEN}};
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < gates.length; i++) {
            inits.put("start_" + i, Tensor.ofLongs(new int[] {1}, gates[i][0]));
            inits.put("end_" + i, Tensor.ofLongs(new int[] {1}, gates[i][1]));
            nodes.add(node("Slice", List.of("rnn.weight_hh_l0", "start_" + i, "end_" + i), "part_" + i));
            parts.add("part_" + i);
        }
        nodes.add(new Node("concat", "Concat", "", parts, List.of("reordered"), Map.of("axis", Attribute.of("axis", 0L))));
        inits.put("zero", Tensor.ofLongs(new int[] {1}, 0));
        nodes.add(node("Unsqueeze", List.of("reordered", "zero"), "R"));
        nodes.add(lstm(List.of("x", "W", "R"), 0));
        Graph g = graph(List.of(input("x", Dim.of(5), Dim.of(3), Dim.of(FEATURES))), nodes, inits);

        GraphNormalizer.Result r = GraphNormalizer.normalize(g, Map.of());

        Node lstm = only(r.graph(), "LSTM");
        assertEquals("rnn.weight_hh_l0", lstm.inputs().get(2), "R is named after its parameter");
        assertArrayEquals(new int[] {1, 4 * HIDDEN, HIDDEN}, r.graph().initializers().get("rnn.weight_hh_l0").shape());
        assertEquals(6, r.folded(), "4 Slices, the Concat and the Unsqueeze");
        assertEquals(1, r.graph().nodes().size(), "only the LSTM is left");
        assertEquals(List.of(Dim.symbol("seq"), Dim.symbol("batch"), Dim.of(FEATURES)), r.graph().inputs().get(0).shape());
        assertSameOutputs(g, r.graph(), feeds(5, 3));
    }

    @Test
    void identicalTransposesOfOneWeightAreStoredOnce() {
        // nn.RNN unrolled: every step's MatMul reads its own Transpose of weight_hh
        Map<String, Tensor> inits = new LinkedHashMap<>();
        inits.put("w", uniform(FEATURES, FEATURES));
        List<Node> nodes = List.of(
                node("Transpose", List.of("w"), "w_t0"), node("Transpose", List.of("w"), "w_t1"),
                node("MatMul", List.of("x", "w_t0"), "h0"), node("Tanh", List.of("h0"), "a0"),
                node("MatMul", List.of("a0", "w_t1"), "h1"), node("Tanh", List.of("h1"), "y"));
        Graph g = graph(List.of(input("x", Dim.symbol("batch"), Dim.of(FEATURES))), nodes, inits);

        GraphNormalizer.Result r = GraphNormalizer.normalize(g, Map.of());

        assertEquals(2, r.folded());
        assertEquals(1, r.shared());
        List<String> weights = r.graph().nodes().stream().filter(n -> n.opType().equals("MatMul"))
                .map(n -> n.inputs().get(1)).distinct().toList();
        assertEquals(List.of("w"), weights, "both MatMuls read one initializer, named after the parameter");
        Tensor w = g.initializers().get("w");
        Tensor stored = r.graph().initializers().get("w");
        for (int i = 0; i < FEATURES; i++) {
            for (int j = 0; j < FEATURES; j++) {
                assertEquals(w.floats()[i * FEATURES + j], stored.floats()[j * FEATURES + i], "stored transposed, as MatMul reads it");
            }
        }
        assertSameOutputs(g, r.graph(), Map.of("x", uniform(3, FEATURES)));
    }

    @Test
    void aBatchFirstInputThroughATransposeGetsItsAxesFromTheRecurrentOp() {
        List<Node> nodes = List.of(new Node("t", "Transpose", "", List.of("x"), List.of("xt"),
                Map.of("perm", Attribute.of("perm", new long[] {1, 0, 2}))), lstm(List.of("xt", "W", "R"), 0));
        Graph g = graph(List.of(input("x", Dim.of(3), Dim.of(5), Dim.of(FEATURES))), nodes, weights());

        GraphNormalizer.Result r = GraphNormalizer.normalize(g, Map.of());

        assertEquals(List.of(Dim.symbol("batch"), Dim.symbol("seq"), Dim.of(FEATURES)), r.graph().inputs().get(0).shape());
        assertEquals(Map.of("x", 0), r.batchAxes());
        assertSameOutputs(g, r.graph(), Map.of("x", uniform(3, 5, FEATURES)));
        new GraphExecutor(r.graph()).run(Map.of("x", uniform(2, 9, FEATURES)));   // any batch, any length
    }

    @Test
    void layoutOneMeansBatchFirst() {
        Graph g = graph(List.of(input("x", Dim.of(3), Dim.of(5), Dim.of(FEATURES))),
                List.of(lstm(List.of("x", "W", "R"), 1)), weights());
        assertEquals(Map.of("x", 0), GraphNormalizer.normalize(g, Map.of()).batchAxes());
    }

    @Test
    void anAxisNamedOtherwiseIsRenamedBatchInInputsAndOutputs() {
        ValueInfo x = input("x", Dim.symbol("T"), Dim.symbol("N"), Dim.of(FEATURES));
        Graph g = new Graph("g", List.of(x), List.of(new ValueInfo("y", DataType.FLOAT32,
                List.of(Dim.symbol("T"), Dim.of(1), Dim.symbol("N"), Dim.of(HIDDEN)))),
                List.of(lstm(List.of("x", "W", "R"), 0)), weights(), Map.of("", 17), Map.of());

        Graph n = GraphNormalizer.normalize(g, Map.of()).graph();

        assertEquals(List.of(Dim.symbol("T"), Dim.symbol("batch"), Dim.of(FEATURES)), n.inputs().get(0).shape());
        assertEquals(Dim.symbol("batch"), n.outputs().get(0).shape().get(2));
    }

    @Test
    void aZeroInitialStateShapedByTheExportedBatchIsDroppedSoAnyBatchRuns() {
        Map<String, Tensor> inits = weights();
        inits.put("h0", Tensor.zeros(DataType.FLOAT32, new int[] {1, 3, HIDDEN}));
        Graph g = graph(List.of(input("x", Dim.of(5), Dim.of(3), Dim.of(FEATURES))),
                List.of(lstm(List.of("x", "W", "R", "", "", "h0"), 0)), inits);

        Graph n = GraphNormalizer.normalize(g, Map.of()).graph();

        assertFalse(n.initializers().containsKey("h0"));
        assertSameOutputs(g, n, feeds(5, 3));
        assertArrayEquals(new int[] {7, 1, 2, HIDDEN},
                new GraphExecutor(n).run(feeds(7, 2)).get("y").shape(), "batch 2, length 7");
    }

    @Test
    void aRowBroadcastOverTheExportedBatchShrinksToOneRow() {
        // the dynamo RNN export adds bias_hh broadcast to [1, batch, hidden] as a constant
        Map<String, Tensor> inits = new LinkedHashMap<>();
        float[] row = {0.5f, -1f, 2f, 0.25f};
        float[] rows = new float[3 * FEATURES];
        for (int b = 0; b < 3; b++) {
            System.arraycopy(row, 0, rows, b * FEATURES, FEATURES);
        }
        inits.put("bias", Tensor.ofFloats(new int[] {1, 3, FEATURES}, rows));
        inits.put("w", uniform(FEATURES, FEATURES));
        Graph g = graph(List.of(input("x", Dim.of(1), Dim.of(3), Dim.of(FEATURES))), List.of(
                node("MatMul", List.of("x", "w"), "m"), node("Add", List.of("m", "bias"), "y")), inits);

        GraphNormalizer.Result r = GraphNormalizer.normalize(g, Map.of("x", 1));

        assertEquals(List.of(Dim.of(1), Dim.symbol("batch"), Dim.of(FEATURES)), r.graph().inputs().get(0).shape());
        assertArrayEquals(new int[] {1, 1, FEATURES}, r.graph().initializers().get("bias").shape());
        assertSameOutputs(g, r.graph(), Map.of("x", uniform(1, 3, FEATURES)));
    }

    @Test
    void aGivenBatchAxisMustNameAnInputAndAnAxisOfIt() {
        Graph g = graph(List.of(input("x", Dim.of(5), Dim.of(3), Dim.of(FEATURES))),
                List.of(lstm(List.of("x", "W", "R"), 0)), weights());
        SparqException unknown = assertThrows(SparqException.class, () -> GraphNormalizer.normalize(g, Map.of("z", 1)));
        assertEquals(ErrorCode.INVALID_ARGUMENT, unknown.code());
        assertEquals("--batch-axis z=1: the model has no input 'z'; its inputs are [x]", unknown.getMessage());
        SparqException range = assertThrows(SparqException.class, () -> GraphNormalizer.normalize(g, Map.of("x", 3)));
        assertEquals("--batch-axis x=3: expected an axis in 0..2 of x: float32[5, 3, 4]", range.getMessage());
    }

    @Test
    void aGraphThatCannotRunAtAnotherBatchKeepsItsStaticShapeAndSaysSo() {
        // a Reshape to a shape with no dimension in the place of the batch: [3, 4] -> [12]
        Map<String, Tensor> inits = new LinkedHashMap<>();
        inits.put("shape", Tensor.ofLongs(new int[] {1}, 3 * FEATURES));
        inits.put("w", uniform(FEATURES, FEATURES));
        Graph g = graph(List.of(input("x", Dim.of(3), Dim.of(FEATURES))), List.of(
                node("MatMul", List.of("x", "w"), "m"), node("Reshape", List.of("m", "shape"), "y")), inits);

        GraphNormalizer.Result r = GraphNormalizer.normalize(g, Map.of());

        assertEquals(List.of(Dim.of(3), Dim.of(FEATURES)), r.graph().inputs().get(0).shape());
        assertTrue(r.notes().stream().anyMatch(s -> s.startsWith("the batch size stays fixed at 3")), r.notes().toString());
    }

    // ---- graphs ----

    private Map<String, Tensor> weights() {
        Map<String, Tensor> inits = new LinkedHashMap<>();
        inits.put("W", uniform(1, 4 * HIDDEN, FEATURES));
        inits.put("R", uniform(1, 4 * HIDDEN, HIDDEN));
        return inits;
    }

    private static Node lstm(List<String> inputs, long layout) {
        Map<String, Attribute> a = new LinkedHashMap<>();
        a.put("hidden_size", Attribute.of("hidden_size", (long) HIDDEN));
        if (layout != 0) {
            a.put("layout", Attribute.of("layout", layout));
        }
        return new Node("lstm", "LSTM", "", inputs, List.of("y"), a);
    }

    private static Node node(String op, List<String> inputs, String output) {
        return new Node(op + "_" + output, op, "", inputs, List.of(output), Map.of());
    }

    private static ValueInfo input(String name, Dim... dims) {
        return new ValueInfo(name, DataType.FLOAT32, List.of(dims));
    }

    private static Graph graph(List<ValueInfo> inputs, List<Node> nodes, Map<String, Tensor> inits) {
        return new Graph("g", inputs, List.of(new ValueInfo("y", null, null)), nodes, inits, Map.of("", 17), Map.of());
    }

    private static Node only(Graph g, String op) {
        List<Node> found = g.nodes().stream().filter(n -> n.opType().equals(op)).toList();
        assertEquals(1, found.size(), op + " nodes: " + found);
        return found.get(0);
    }

    private Map<String, Tensor> feeds(int seq, int batch) {
        return Map.of("x", uniform(seq, batch, FEATURES));
    }

    private Tensor uniform(int... shape) {
        float[] v = new float[Tensor.sizeOf(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = random.nextFloat() * 2 - 1;
        }
        return Tensor.ofFloats(shape, v);
    }

    /** Normalizing only moves work around: the outputs are the same floats. */
    private static void assertSameOutputs(Graph before, Graph after, Map<String, Tensor> feeds) {
        Map<String, Tensor> want = new GraphExecutor(before).run(feeds);
        Map<String, Tensor> got = new GraphExecutor(after).run(feeds);
        for (ValueInfo o : before.outputs()) {
            assertArrayEquals(want.get(o.name()).shape(), got.get(o.name()).shape(), o.name());
            assertTrue(Arrays.equals(want.get(o.name()).floats(), got.get(o.name()).floats()), o.name() + " differs");
        }
    }
}
