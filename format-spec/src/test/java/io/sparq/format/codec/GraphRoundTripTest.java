package io.sparq.format.codec;

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
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Graphs survive write → read unchanged: every attribute kind, nested subgraphs, every kind of dimension. */
class GraphRoundTripTest {
    /**
     * A graph with every attribute kind, a Constant holding a TENSOR attribute, and an If whose
     * branches are subgraphs (one with its own initializer and a nested subgraph) reading outer values.
     */
    static Graph everyAttributeKind() {
        Graph nested = new Graph("nested", List.of(), List.of(new ValueInfo("n_out", DataType.FLOAT32, null)),
                List.of(Graphs.node("n_id", "Identity", List.of("x"), List.of("n_out"))), Map.of(), Map.of(), Map.of());
        Graph thenBranch = new Graph("then", List.of(),
                List.of(new ValueInfo("then_out", DataType.FLOAT32, List.of(Dim.symbol("seq"), Dim.of(4)))),
                List.of(Graphs.node("then_add", "Add", List.of("x", "then_bias"), List.of("then_out"))),
                Map.of("then_bias", Tensor.ofFloats(new int[] {4}, 1, 2, 3, 4)), Map.of(), Map.of("note", "then branch"));
        Graph elseBranch = new Graph("else", List.of(), List.of(new ValueInfo("else_out", null, null)),
                List.of(Graphs.node("else_if", "If", List.of("cond"), List.of("else_out"),
                        Attribute.of("then_branch", nested), Attribute.of("else_branch", nested))),
                Map.of(), Map.of(), Map.of());
        List<Node> nodes = List.of(
                Graphs.node("const", "Constant", List.of(), List.of("c"),
                        Attribute.of("value", Tensor.ofLongs(new int[] {2}, -1, 4))),
                Graphs.node("reshape", "Reshape", List.of("x_raw", "c"), List.of("x")),
                Graphs.node("lstm", "LSTM", List.of("x", "W", "R", "", "", "h0"), List.of("", "y_h"),
                        Attribute.of("hidden_size", 4L),
                        Attribute.of("clip", 3.5f),
                        Attribute.of("direction", "forward"),
                        Attribute.of("activation_alpha", new float[] {0.5f, -0f, Float.NaN}),
                        Attribute.of("axes", new long[] {Long.MIN_VALUE, 0, Long.MAX_VALUE}),
                        Attribute.of("activations", List.of("Sigmoid", "Tanh", "Tanh", "ünïcødé ✓"))),
                Graphs.node("if", "If", List.of("cond"), List.of("branch_out"),
                        Attribute.of("then_branch", thenBranch), Attribute.of("else_branch", elseBranch)),
                new Node("custom", "Mystery", "com.example", List.of("y_h"), List.of("z"), Map.of()));
        Map<String, Tensor> initializers = new LinkedHashMap<>();
        initializers.put("W", Tensor.ofFloats(new int[] {1, 16, 4}, new float[64]));
        initializers.put("R", Tensor.ofFloats(new int[] {1, 16, 4}, new float[64]));
        initializers.put("h0", Tensor.ofFloats(new int[] {1, 1, 4}, 0.1f, 0.2f, 0.3f, 0.4f));
        Map<String, Integer> opsets = new LinkedHashMap<>();
        opsets.put("", 22);
        opsets.put("com.example", 1);
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("producer_name", "pytorch");
        metadata.put("producer_version", "2.13.0");
        return new Graph("main",
                List.of(new ValueInfo("x_raw", DataType.FLOAT32, List.of(Dim.symbol("seq"), Dim.symbol("batch"), Dim.of(4))),
                        new ValueInfo("cond", DataType.BOOL, List.of()),
                        new ValueInfo("h0", DataType.FLOAT32, List.of(Dim.of(1), Dim.unknown(), Dim.of(4)))),
                List.of(new ValueInfo("y_h", DataType.FLOAT32, null), new ValueInfo("branch_out", null, null),
                        new ValueInfo("z", DataType.FLOAT16, List.of(Dim.of(0)))),
                nodes, initializers, opsets, metadata);
    }

    static Map<String, MetaValue> everyMetadataType() {
        Map<String, MetaValue> m = new LinkedHashMap<>();
        m.put("sparq.producer", MetaValue.of("sparq-test"));
        m.put("sparq.source.sha256", MetaValue.of("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"));
        m.put("sparq.pruning.recipe", MetaValue.of("{\"schedule\":\"cubic\",\"target\":0.9}"));
        m.put("sparq.tensor.W.sparsity", MetaValue.of(0.9));
        m.put("count", MetaValue.of(-7L));
        m.put("flag", MetaValue.of(true));
        m.put("blob", MetaValue.of(new byte[] {0, 1, (byte) 0xFF}));
        m.put("dims", MetaValue.of(new long[] {1, -2, Long.MAX_VALUE}));
        m.put("curve", MetaValue.of(new double[] {0.25, Double.NaN, -0.0}));
        return m;
    }

    @Test
    void everyAttributeKindAndSubgraphsRoundTrip(@TempDir Path dir) throws Exception {
        Graph graph = everyAttributeKind();
        Map<String, EncodingChoice> encodings = Map.of("W", EncodingChoice.csr(ValueFormat.NATIVE));
        Path target = dir.resolve("model.sparq");
        SparqWriter.write(target, graph, encodings, everyMetadataType());
        byte[] bytes = Files.readAllBytes(target);
        assertArrayEquals(SparqWriter.toBytes(graph, encodings, everyMetadataType()), bytes, "write(Path) and toBytes agree");

        for (SparqFile file : List.of(SparqReader.read(target), SparqReader.read(bytes),
                SparqReader.read(new ByteArrayInputStream(bytes)), SparqReader.read(new ByteArrayInputStream(bytes), bytes.length))) {
            Graphs.assertGraphEquals(graph, file.denseGraph());
            assertEquals(everyMetadataType(), file.metadata());
            assertEquals(List.of("W", "R", "h0", "then_bias"), List.copyOf(file.tensors().keySet()));
            assertEquals(Encoding.CSR, file.tensor("W").layout().encoding());
            assertEquals(bytes.length, file.fileSize());
            assertEquals(1, file.majorVersion());
            assertEquals(SparqFormat.QUANT_SCHEME_VERSION, file.quantSchemeVersion());
            Graph structure = file.graph();
            assertTrue(structure.initializers().isEmpty());
            Graph then = (Graph) structure.nodes().get(3).attributes().get("then_branch").value();
            assertTrue(then.initializers().isEmpty(), "subgraph weights are in tensors() too");
            Graphs.assertTensorEquals(Tensor.ofLongs(new int[] {2}, -1, 4),
                    (Tensor) structure.nodes().get(0).attributes().get("value").value(), "TENSOR attribute in graph()");
        }
        SparqException e = assertThrows(SparqException.class, () -> SparqReader.read(target).tensor("nope"));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        e = assertThrows(SparqException.class, () -> SparqReader.read(new ByteArrayInputStream(bytes), bytes.length - 1));
        assertEquals(ErrorCode.CORRUPT_FILE, e.code());
    }

    @Test
    void graphWithoutTensorsRoundTrips() {
        Graph g = new Graph("", List.of(new ValueInfo("a", DataType.FLOAT32, List.of())),
                List.of(new ValueInfo("b", DataType.FLOAT32, List.of())),
                List.of(Graphs.node("", "Relu", List.of("a"), List.of("b")), Graphs.node("", "Neg", List.of("a"), List.of("c"))),
                Map.of(), Map.of(), Map.of());
        SparqFile file = SparqReader.read(SparqWriter.toBytes(g, Map.of(), Map.of()));
        Graphs.assertGraphEquals(g, file.denseGraph());
        assertEquals(0, file.fileSize() % SparqFormat.DATA_ALIGNMENT, "an empty data section still starts aligned");
    }

    @Test
    void writerRefusesGraphsThatBreakTheNameRules() {
        Tensor w = Tensor.scalar(1f);
        ValueInfo out = new ValueInfo("y", DataType.FLOAT32, null);
        List<ValueInfo> in = List.of(new ValueInfo("x", DataType.FLOAT32, null));
        assertRefused("duplicate node name 'n'", new Graph("g", in, List.of(out), List.of(
                Graphs.node("n", "Relu", List.of("x"), List.of("y")), Graphs.node("n", "Relu", List.of("x"), List.of("z"))),
                Map.of(), Map.of(), Map.of()));
        assertRefused("output 'y' is already defined", new Graph("g", in, List.of(out), List.of(
                Graphs.node("a", "Relu", List.of("x"), List.of("y")), Graphs.node("b", "Relu", List.of("x"), List.of("y"))),
                Map.of(), Map.of(), Map.of()));
        assertRefused("value 'q' is used but nothing defines it", new Graph("g", in, List.of(out), List.of(
                Graphs.node("a", "Add", List.of("x", "q"), List.of("y"))), Map.of(), Map.of(), Map.of()));
        assertRefused("value 'y' is used but nothing defines it", new Graph("g", in, List.of(out), List.of(), Map.of(), Map.of(), Map.of()));
        Graph sub = new Graph("sub", List.of(), List.of(new ValueInfo("w", null, null)), List.of(), Map.of("w", w), Map.of(), Map.of());
        assertRefused("duplicate tensor name 'w'", new Graph("g", in, List.of(out), List.of(
                Graphs.node("if", "If", List.of("x"), List.of("y"), Attribute.of("then_branch", sub))),
                Map.of("w", w), Map.of(), Map.of()));
        assertRefused("output 'x' is already defined", new Graph("g", List.of(), List.of(out), List.of(
                Graphs.node("a", "Relu", List.of("w"), List.of("x")), Graphs.node("b", "Relu", List.of("x"), List.of("y"))),
                Map.of("w", w, "x", w), Map.of(), Map.of()));
        Graph deep = new Graph("leaf", List.of(), List.of(), List.of(), Map.of(), Map.of(), Map.of());
        for (int i = 0; i <= SparqFormat.MAX_GRAPH_DEPTH; i++) {
            deep = new Graph("d" + i, List.of(), List.of(), List.of(Graphs.node("n", "If", List.of(), List.of(),
                    Attribute.of("then_branch", deep))), Map.of(), Map.of(), Map.of());
        }
        assertRefused("nested deeper than 16", deep);
    }

    private static void assertRefused(String message, Graph graph) {
        SparqException e = assertThrows(SparqException.class, () -> SparqWriter.toBytes(graph, Map.of(), Map.of()));
        assertEquals(ErrorCode.INVALID_MODEL, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }
}
