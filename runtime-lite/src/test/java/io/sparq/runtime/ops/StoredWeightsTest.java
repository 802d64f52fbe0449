package io.sparq.runtime.ops;

import io.sparq.format.Attribute;
import io.sparq.format.DataType;
import io.sparq.format.Dim;
import io.sparq.format.Graph;
import io.sparq.format.Node;
import io.sparq.format.Tensor;
import io.sparq.format.ValueInfo;
import io.sparq.format.codec.EncodedTensor;
import io.sparq.format.codec.EncodingChoice;
import io.sparq.format.codec.SparqReader;
import io.sparq.format.codec.SparqWriter;
import io.sparq.format.codec.ValueFormat;
import io.sparq.runtime.api.Model;
import io.sparq.runtime.api.Session;
import io.sparq.runtime.ops.recurrent.LstmOp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Models loaded from {@code .sparq} bytes with sparse and quantized weights, run with the weights
 * in their stored form ({@link Model#load(byte[])}), against the same file with every weight
 * decoded to dense f32 ({@link SparqReader#read(byte[])}{@code .denseGraph()}). Both sides use
 * the same (already quantized) weight values, so what they check is the plumbing and the kernels.
 *
 * <p>Tolerances: f32 and f16 values reach both sides exactly, so only summation order differs:
 * 1e-4 relative (plus 1e-5 absolute near zero). Int8 kernels may also quantize each activation
 * row to int8 (scale = max|x| / 127), which moves one product by at most
 * {@code max|x| · ‖w_row‖₁ / 254}; inputs here lie in [-2, 2] and states in [-1, 1], and
 * {@link #int8Bound} computes that worst case from the graph's weights. A step adds the errors
 * of its input and recurrent products, and earlier steps' errors reach it through gates that are
 * at most 1-Lipschitz, so over a sequence of {@code T} steps the output moves by at most
 * {@code 2·T} such bounds.
 */
class StoredWeightsTest {
    private static final int SEQ = 4;
    private static final int BATCH = 3;
    private static final int INPUT = 12;
    private static final int HIDDEN = 8;

    record Encoding(String label, EncodingChoice choice, boolean int8) {
        @Override
        public String toString() {
            return label;
        }
    }

    static List<Encoding> encodings() {
        return List.of(
                new Encoding("dense f16", EncodingChoice.denseF16(), false),
                new Encoding("csr f32", EncodingChoice.csr(ValueFormat.NATIVE), false),
                new Encoding("bitmap f16", EncodingChoice.bitmap(ValueFormat.F16), false),
                new Encoding("block-sparse 8 f16", EncodingChoice.blockSparse(8, ValueFormat.F16), false),
                new Encoding("dense int8", EncodingChoice.denseInt8(), true),
                new Encoding("block-sparse 8 int8", EncodingChoice.blockSparse(8, ValueFormat.INT8), true),
                new Encoding("csr int8", EncodingChoice.csr(ValueFormat.INT8), true));
    }

    static Stream<Object[]> cases() {
        List<Object[]> out = new ArrayList<>();
        for (Encoding e : encodings()) {
            for (String model : List.of("lstm", "gru", "gru_linear_before_reset", "rnn", "gemm", "matmul", "shared")) {
                out.add(new Object[] {model, e});
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} / {1}")
    @MethodSource("cases")
    void storedWeightsGiveTheDecodedModelsOutputs(String model, Encoding encoding) {
        Random rng = new Random(model.hashCode() * 31L + encoding.label.hashCode());
        TestGraph g = build(model, rng);
        Map<String, EncodingChoice> choices = new LinkedHashMap<>();
        g.weights.forEach(name -> choices.put(name, encoding.choice));
        byte[] file = SparqWriter.toBytes(g.graph, choices, Map.of());
        Map<String, Tensor> expected = run(Model.fromGraph(SparqReader.read(file).denseGraph()), g.feeds);
        Map<String, Tensor> actual = run(Model.load(file), g.feeds);
        double abs = encoding.int8 ? 2 * SEQ * int8Bound(SparqReader.read(file).denseGraph(), g.weights) : 1e-5;
        double rel = encoding.int8 ? 0 : 1e-4;
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((name, want) -> assertClose(want, actual.get(name), abs, rel, model + " " + name));
    }

    @Test
    void recurrentWeightsAreTakenWithoutDecoding() {
        Random rng = new Random(7);
        TestGraph g = build("lstm", rng);
        Node node = g.graph.nodes().get(0);
        Map<String, EncodedTensor> stored = new LinkedHashMap<>();
        Map<String, Tensor> dense = new LinkedHashMap<>(g.graph.initializers());
        for (String name : List.of(node.inputs().get(1), node.inputs().get(2))) {
            stored.put(name, EncodedTensor.encode(name, dense.remove(name), EncodingChoice.blockSparse(8, ValueFormat.INT8)));
        }
        Constants constants = new Constants(dense, stored, Set.of("X"));
        NodeContext ctx = new NodeContext(node, 22, constants, Set.of());
        Op op = LstmOp.create(ctx);
        assertTrue(ctx.compiledIn(1) && ctx.compiledIn(2), "W and R are part of the compiled op");
        assertFalse(ctx.compiledIn(3), "B is read at run time");
        assertTrue(constants.decoded().isEmpty(), "decoded " + constants.decoded());
        // the op runs without W and R as run-time inputs
        Tensor[] in = new Tensor[node.inputs().size()];
        in[0] = g.feeds.get("X");
        in[3] = dense.get(node.inputs().get(3));
        in[4] = g.feeds.get("sequence_lens");
        Tensor[] out = op.run(in);
        assertNotNull(out[0]);
        assertTrue(constants.decoded().isEmpty(), "decoded at run time: " + constants.decoded());
    }

    @Test
    void aWeightThatIsAlsoAGraphInputUsesTheFedValue() {
        Random rng = new Random(11);
        TestGraph g = build("gemm", rng);
        Node gemm = g.graph.nodes().get(0);
        String b = gemm.inputs().get(1);
        Tensor fed = uniform(rng, 1f, g.graph.initializers().get(b).shape());
        List<ValueInfo> inputs = new ArrayList<>(g.graph.inputs());
        inputs.add(new ValueInfo(b, DataType.FLOAT32, null));
        Graph overridable = new Graph("g", inputs, g.graph.outputs(), g.graph.nodes(), g.graph.initializers(),
                g.graph.opsets(), Map.of());
        Map<String, Tensor> initializers = new LinkedHashMap<>(g.graph.initializers());
        initializers.remove(b);
        Graph fedOnly = new Graph("g", inputs, g.graph.outputs(), g.graph.nodes(), initializers, g.graph.opsets(), Map.of());
        Map<String, Tensor> feeds = new LinkedHashMap<>(g.feeds);
        feeds.put(b, fed);
        Tensor want = run(Model.fromGraph(fedOnly), feeds).get("Y");
        assertClose(want, run(Model.fromGraph(overridable), feeds).get("Y"), 0, 0, "fed B");
        assertFalse(Model.fromGraph(overridable).inputs().stream().anyMatch(v -> v.name().equals(b)),
                "B has a default, so it is not a required input");
    }

    /** One small graph, its weight initializer names (the ones to encode) and its feeds. */
    record TestGraph(Graph graph, List<String> weights, Map<String, Tensor> feeds) {
    }

    private static TestGraph build(String model, Random rng) {
        Map<String, Tensor> init = new LinkedHashMap<>();
        Map<String, Tensor> feeds = new LinkedHashMap<>();
        List<String> weights = new ArrayList<>();
        List<Node> nodes = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        feeds.put("X", uniform(rng, 2f, SEQ, BATCH, INPUT));
        switch (model) {
            case "lstm", "gru", "gru_linear_before_reset", "rnn" -> {
                String op = model.startsWith("gru") ? "GRU" : model.toUpperCase();
                int gates = op.equals("LSTM") ? 4 : op.equals("GRU") ? 3 : 1;
                init.put("W", pruned(rng, 2, gates * HIDDEN, INPUT));
                init.put("R", pruned(rng, 2, gates * HIDDEN, HIDDEN));
                init.put("B", uniform(rng, 0.5f, 2, 2 * gates * HIDDEN));
                weights.addAll(List.of("W", "R"));
                feeds.put("sequence_lens", Tensor.ofInts(new int[] {BATCH}, SEQ, 2, SEQ - 1));
                Map<String, Attribute> attrs = new LinkedHashMap<>();
                attrs.put("hidden_size", Attribute.of("hidden_size", (long) HIDDEN));
                attrs.put("direction", Attribute.of("direction", "bidirectional"));
                if (model.equals("gru_linear_before_reset")) {
                    attrs.put("linear_before_reset", Attribute.of("linear_before_reset", 1L));
                }
                nodes.add(new Node("rec", op, "", List.of("X", "W", "R", "B", "sequence_lens"), List.of("Y", "Y_h"), attrs));
                outputs.addAll(List.of("Y", "Y_h"));
            }
            case "gemm" -> {
                // [seq*batch, input] rows through Gemm with B as stored (transB = 1), then as [K, N]
                feeds.put("X", uniform(rng, 2f, SEQ * BATCH, INPUT));
                init.put("B1", pruned(rng, HIDDEN, INPUT));
                init.put("C1", uniform(rng, 0.5f, HIDDEN));
                init.put("B2", pruned(rng, HIDDEN, 5));
                weights.addAll(List.of("B1", "B2"));
                nodes.add(new Node("g1", "Gemm", "", List.of("X", "B1", "C1"), List.of("H"),
                        Map.of("transB", Attribute.of("transB", 1L))));
                nodes.add(new Node("g2", "Gemm", "", List.of("H", "B2"), List.of("Y"),
                        Map.of("alpha", Attribute.of("alpha", 0.5f))));
                outputs.add("Y");
            }
            case "matmul" -> {
                init.put("M", pruned(rng, INPUT, HIDDEN));
                init.put("v", pruned(rng, HIDDEN));
                weights.addAll(List.of("M", "v"));
                nodes.add(new Node("m1", "MatMul", "", List.of("X", "M"), List.of("H"), Map.of()));
                nodes.add(new Node("m2", "MatMul", "", List.of("H", "v"), List.of("Y"), Map.of()));
                outputs.add("Y");
            }
            case "shared" -> {
                // one weight both multiplied by and read as a tensor: decoded for the second reader only
                feeds.put("X", uniform(rng, 2f, INPUT, INPUT));
                init.put("S", pruned(rng, INPUT, INPUT));
                weights.add("S");
                nodes.add(new Node("m", "Gemm", "", List.of("X", "S"), List.of("H"),
                        Map.of("transB", Attribute.of("transB", 1L))));
                nodes.add(new Node("a", "Add", "", List.of("H", "S"), List.of("Y"), Map.of()));
                outputs.add("Y");
            }
            default -> throw new IllegalArgumentException(model);
        }
        List<ValueInfo> inputs = new ArrayList<>();
        feeds.forEach((k, t) -> inputs.add(new ValueInfo(k, t.type(),
                java.util.Arrays.stream(t.shape()).mapToObj(Dim::of).toList())));
        Graph graph = new Graph(model, inputs, outputs.stream().map(o -> new ValueInfo(o, null, null)).toList(),
                nodes, init, Map.of("", 22), Map.of());
        return new TestGraph(graph, weights, feeds);
    }

    /** Uniform in [-0.5, 0.5] with about 70% of the entries zero, so that sparse encodings have something to skip. */
    private static Tensor pruned(Random rng, int... shape) {
        Tensor t = uniform(rng, 0.5f, shape);
        float[] v = t.floats();
        for (int i = 0; i < v.length; i++) {
            if (rng.nextFloat() < 0.7f) {
                v[i] = 0;
            }
        }
        return t;
    }

    private static Tensor uniform(Random rng, float bound, int... shape) {
        float[] v = new float[Tensor.sizeOf(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (rng.nextFloat() * 2 - 1) * bound;
        }
        return Tensor.ofFloats(shape, v);
    }

    /**
     * {@code max|x| · max‖w_row‖₁ / 254} over the graph's weights, with {@code max|x| = 2}: what
     * rounding one activation row to int8 can change in one product.
     */
    private static double int8Bound(Graph decoded, List<String> weights) {
        double maxRow = 0;
        for (String name : weights) {
            Tensor w = decoded.initializers().get(name);
            int cols = w.dim(w.rank() - 1);
            float[] v = w.floats();
            for (int r = 0; r * cols < v.length; r++) {
                double l1 = 0;
                for (int p = 0; p < cols; p++) {
                    l1 += Math.abs(v[r * cols + p]);
                }
                maxRow = Math.max(maxRow, l1);
            }
        }
        return 2 * maxRow / 254;
    }

    private static Map<String, Tensor> run(Model model, Map<String, Tensor> feeds) {
        try (Session s = model.newSession()) {
            return s.run(feeds);
        }
    }

    private static void assertClose(Tensor want, Tensor got, double abs, double rel, String what) {
        assertArrayEquals(want.shape(), got.shape(), what + " shape");
        float[] w = want.floats();
        float[] g = got.floats();
        for (int i = 0; i < w.length; i++) {
            if (!(Math.abs(g[i] - w[i]) <= abs + rel * Math.abs(w[i]))) {
                fail(what + "[" + i + "] = " + g[i] + ", expected " + w[i] + " (tolerance " + abs + " + " + rel + "·|expected|)");
            }
        }
    }
}
