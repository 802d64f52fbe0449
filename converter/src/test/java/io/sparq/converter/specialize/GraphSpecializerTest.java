package io.sparq.converter.specialize;

import io.sparq.converter.TestModels;
import io.sparq.converter.data.Npz;
import io.sparq.converter.importer.OnnxImporter;
import io.sparq.format.Attribute;
import io.sparq.format.Dim;
import io.sparq.format.Graph;
import io.sparq.format.Node;
import io.sparq.format.SparqException;
import io.sparq.format.Tensor;
import io.sparq.format.ValueInfo;
import io.sparq.runtime.api.Model;
import io.sparq.runtime.api.Session;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Specializing {@code If} models to a fixed condition folds the {@code If} into the branch it
 * takes; the folded graph must give ONNX Runtime's outputs for that branch (recorded by
 * {@code importer/control/make_if_models.py}) to the tolerance of {@code IfImportTest},
 * 1e-5 + 1e-5·|expected|, and exactly the outputs of the unfolded graph run by runtime-lite
 * (folding moves computations, it does not change them).
 */
class GraphSpecializerTest {
    private static final double ABS_TOL = 1e-5;
    private static final double REL_TOL = 1e-5;
    private static final String OUTPUT_PREFIX = "output:";
    private static final List<String> MODELS = List.of(
            "if_outer_scope_opset11", "if_outer_scope_opset16", "if_nested_opset16", "if_nested_opset18");

    @TestFactory
    Stream<DynamicTest> aFixedConditionFoldsToTheTakenBranch() {
        return MODELS.stream().flatMap(model -> Stream.of("then", "else").map(branch ->
                DynamicTest.dynamicTest(model + " (" + branch + "_branch)", () -> {
                    Graph graph = OnnxImporter.load(resource(model + ".onnx"));
                    Map<String, Tensor> npz = Npz.read(resource(model + "." + branch + ".npz"));
                    boolean cond = npz.get("cond").bools()[0];
                    GraphSpecializer.Result r = GraphSpecializer.specialize(graph,
                            Specialization.parse(List.of("cond=" + cond), List.of()));
                    Graph folded = r.graph();
                    // if_nested's inner If tests sum(x) != 0, which no fixed input decides
                    boolean dataDependent = model.startsWith("if_nested") && cond;
                    assertEquals(dataDependent ? 1 : 0, r.remainingIfs(), model + ": Ifs left after folding");
                    assertTrue(r.inlinedIfs() >= 1);
                    assertFalse(folded.inputs().stream().anyMatch(v -> v.name().equals("cond")),
                            "a fixed input is no longer an input");
                    if (!dataDependent) {
                        assertNoSubgraphs(folded);
                    }
                    Map<String, Tensor> x = Map.of("x", npz.get("x"));
                    Map<String, Tensor> withCond = new LinkedHashMap<>(x);
                    withCond.put("cond", npz.get("cond"));
                    Map<String, Tensor> got = run(folded, x);
                    Map<String, Tensor> before = run(graph, withCond);
                    npz.forEach((key, expected) -> {
                        if (!key.startsWith(OUTPUT_PREFIX)) {
                            return;
                        }
                        String name = key.substring(OUTPUT_PREFIX.length());
                        Tensor actual = got.get(name);
                        assertNotNull(actual, "output " + name);
                        assertArrayEquals(expected.shape(), actual.shape(), name + " shape");
                        for (int i = 0; i < expected.size(); i++) {
                            float e = expected.floats()[i];
                            assertEquals(e, actual.floats()[i], ABS_TOL + REL_TOL * Math.abs(e), name + " element " + i);
                        }
                        assertArrayEquals(before.get(name).floats(), actual.floats(), name + " before and after folding");
                    });
                })));
    }

    /**
     * Silero VAD v5 at 16 kHz: the sample-rate If, the exporter's rank and size checks and the
     * weights as Constant nodes all fold away; what is left is a plain graph with the LSTM weights
     * as initializers, giving the unfolded model's outputs on the recorded stream.
     */
    @Test
    void sileroV5FoldsToAPlainGraph() {
        Path dir = TestModels.file("x").getParent().resolveSibling("silero");
        Graph graph = OnnxImporter.load(dir.resolve("silero_vad_v5.onnx"));
        GraphSpecializer.Result r = GraphSpecializer.specialize(graph, Specialization.parse(List.of("sr=16000"),
                List.of("input=batch,576", "state=2,batch,128")));
        Graph folded = r.graph();
        assertEquals(0, r.remainingIfs());
        assertNoSubgraphs(folded);
        assertTrue(folded.nodes().stream().noneMatch(n -> n.opType().equals("Constant")));
        Node lstm = folded.nodes().stream().filter(n -> n.opType().equals("LSTM")).findFirst().orElseThrow();
        assertArrayEquals(new int[] {1, 512, 128}, folded.initializers().get(lstm.inputs().get(1)).shape());
        assertArrayEquals(new int[] {1, 512, 128}, folded.initializers().get(lstm.inputs().get(2)).shape());
        ValueInfo out = folded.outputs().get(0);
        assertEquals(List.of(Dim.symbol("batch"), Dim.of(1)), out.shape(), "output shape follows the batch symbol");

        Map<String, Tensor> npz = Npz.read(dir.resolve("silero_vad_v5.16k.npz"));
        Tensor frames = npz.get("input");
        int n = frames.size() / frames.dim(0);
        try (Session before = Model.fromGraph(graph).newSession(); Session after = Model.fromGraph(folded).newSession()) {
            Tensor state = npz.get("state");
            Tensor stateFolded = state;
            for (int call = 0; call < frames.dim(0); call++) {
                Tensor frame = Tensor.ofFloats(new int[] {1, n}, Arrays.copyOfRange(frames.floats(), call * n, (call + 1) * n));
                Map<String, Tensor> a = before.run(Map.of("input", frame, "state", state, "sr", npz.get("sr")));
                Map<String, Tensor> b = after.run(Map.of("input", frame, "state", stateFolded));
                assertArrayEquals(a.get("output").floats(), b.get("output").floats(), "call " + call);
                assertArrayEquals(a.get("stateN").floats(), b.get("stateN").floats(), "call " + call);
                state = a.get("stateN");
                stateFolded = b.get("stateN");
            }
        }
    }

    @Test
    void unknownInputsAndBadValuesAreRefusedByName() throws Exception {
        Graph graph = OnnxImporter.load(resource("if_outer_scope_opset16.onnx"));
        SparqException e = assertThrows(SparqException.class, () -> GraphSpecializer.specialize(graph,
                Specialization.parse(List.of("sr=1"), List.of())));
        assertTrue(e.getMessage().contains("'sr'") && e.getMessage().contains("cond"), e.getMessage());
        e = assertThrows(SparqException.class, () -> GraphSpecializer.specialize(graph,
                Specialization.parse(List.of("cond=maybe"), List.of())));
        assertTrue(e.getMessage().contains("cond=maybe"), e.getMessage());
        assertThrows(SparqException.class, () -> Specialization.parse(List.of("cond"), List.of()));
    }

    private static Map<String, Tensor> run(Graph g, Map<String, Tensor> feeds) {
        try (Session s = Model.fromGraph(g).newSession()) {
            return s.run(feeds);
        }
    }

    private static void assertNoSubgraphs(Graph g) {
        for (Node n : g.nodes()) {
            for (Attribute a : n.attributes().values()) {
                assertTrue(a.kind() != Attribute.Kind.GRAPH, "node " + n.describe() + " still has a subgraph");
            }
        }
    }

    private static Path resource(String name) throws URISyntaxException {
        URL url = GraphSpecializerTest.class.getResource("/io/sparq/converter/importer/control/" + name);
        assertNotNull(url, "missing test resource control/" + name);
        return Path.of(url.toURI());
    }
}
