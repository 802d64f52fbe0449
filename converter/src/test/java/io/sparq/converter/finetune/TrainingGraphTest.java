package io.sparq.converter.finetune;

import io.sparq.converter.data.Npz;
import io.sparq.converter.importer.OnnxImporter;
import io.sparq.format.Attribute;
import io.sparq.format.DataType;
import io.sparq.format.Graph;
import io.sparq.format.Node;
import io.sparq.format.SparqException;
import io.sparq.format.Tensor;
import io.sparq.runtime.api.Model;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TrainingGraph against runtime-lite: forward outputs must match {@code Model.fromGraph} within
 * 1e-5 (both run the same kernels, so the only slack is for summation order), and end-to-end
 * gradients must match central differences (tolerances in {@link GradCheck}).
 */
class TrainingGraphTest {
    private static final double FORWARD_TOL = 1e-5;

    private static Map<String, Tensor> feeds(Graph g, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<String, Tensor> f = new LinkedHashMap<>();
        if (g.inputs().get(0).type() == DataType.INT64) {
            f.put("tokens", Tensor.ofLongs(new int[] {4}, 0, 6, 3, 6));
        } else {
            int[] shape = g.inputs().get(0).shape().stream().mapToInt(d -> d.isFixed() ? d.value() : 3).toArray();
            f.put(g.inputs().get(0).name(), GradCheck.random(rnd, shape));
        }
        return f;
    }

    private static void assertClose(Map<String, Tensor> expected, Map<String, Tensor> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((k, e) -> {
            Tensor a = actual.get(k);
            assertEquals(e.toString(), a.toString(), k);
            for (int i = 0; i < e.size(); i++) {
                assertEquals(e.getDouble(i), a.getDouble(i), FORWARD_TOL, k + "[" + i + "]");
            }
        });
    }

    @Test
    void forwardMatchesRuntimeOnSmallGraphs() {
        for (Graph g : List.of(TestGraphs.embeddingClassifier(1), TestGraphs.projectionTanh(2), TestGraphs.glue(3))) {
            Map<String, Tensor> in = feeds(g, 5);
            assertClose(Model.fromGraph(g).newSession().run(in), new TrainingGraph(g).run(in));
        }
    }

    @Test
    void weightsOfForwardOnlyOpsAreFrozenAndReported() {
        Graph g = new TestGraphs(4)
                .input("x", DataType.FLOAT32, "batch", 5)
                .weight("e", 1, 1).weight("w", 1, 5, 5)
                .node("Pow", "x,e", "p")
                .node("MatMul", "p,w", "y")
                .output("y", "batch", 5)
                .build();
        TrainingGraph t = new TrainingGraph(g);
        assertEquals(Set.of("w"), t.parameters().keySet());
        assertTrue(t.frozen().get("e").contains("'pow_0' (Pow)"), t.frozen().toString());
        assertEquals(Set.of("cw", "cb", "scale", "shift", "div", "one", "head"),
                new TrainingGraph(TestGraphs.glue(3)).parameters().keySet(), "Conv has a backward rule");
    }

    /**
     * Every test model runs through TrainingGraph as through runtime-lite, with all weights
     * trainable.
     */
    @Test
    void forwardMatchesRuntimeOnTestModels() throws IOException {
        Path dir = Path.of(System.getProperty("sparq.testmodels.dir", "missing"));
        assertTrue(Files.isDirectory(dir), "test models folder " + dir + " is missing");
        List<Path> models;
        try (Stream<Path> s = Files.list(dir)) {
            models = s.filter(p -> p.toString().endsWith(".onnx")).sorted().toList();
        }
        assertFalse(models.isEmpty());
        for (Path onnx : models) {
            String name = onnx.getFileName().toString().replace(".onnx", "");
            Graph graph = OnnxImporter.load(onnx);
            Map<String, Tensor> in = new LinkedHashMap<>();
            Npz.read(dir.resolve(name + ".npz")).forEach((k, v) -> {
                if (!k.startsWith("output:")) {
                    in.put(k, v);
                }
            });
            TrainingGraph t = new TrainingGraph(graph);
            // with the recurrent backward rules registered, every float weight of these models trains
            assertTrue(t.frozen().isEmpty(), name + ": " + t.frozen());
            assertClose(Model.fromGraph(graph).newSession().run(in), t.run(in));
        }
    }

    @Test
    void gradientsOfWholeGraphsMatchFiniteDifferences() {
        for (Graph g : List.of(TestGraphs.embeddingClassifier(1), TestGraphs.projectionTanh(2), TestGraphs.glue(3))) {
            TrainingGraph t = new TrainingGraph(g);
            Map<String, Tensor> in = feeds(g, 9);
            TrainingGraph.Tape tape = t.forward(in);
            String out = g.outputs().get(0).name();
            Tensor w = GradCheck.random(new SplittableRandom(11), tape.outputs().get(out).shape());
            Map<String, Tensor> grads = t.backward(tape, Map.of(out, w));
            List<String> names = List.copyOf(t.parameters().keySet());
            Tensor[] params = names.stream().map(t.parameters()::get)
                    .map(p -> Tensor.ofFloats(p.shape(), p.floats().clone())).toArray(Tensor[]::new);
            Tensor[] analytic = names.stream().map(grads::get).toArray(Tensor[]::new);
            boolean[] all = new boolean[params.length];
            java.util.Arrays.fill(all, true);
            GradCheck.check(params, all, analytic, p -> {
                for (int i = 0; i < p.length; i++) {      // write the probe values into the live weights
                    System.arraycopy(p[i].floats(), 0, t.parameters().get(names.get(i)).floats(), 0, p[i].size());
                }
                double loss = GradCheck.probe(new Tensor[] {t.run(in).get(out)}, new Tensor[] {w});
                for (int i = 0; i < p.length; i++) {
                    System.arraycopy(params[i].floats(), 0, t.parameters().get(names.get(i)).floats(), 0, p[i].size());
                }
                return loss;
            });
        }
    }

    @Test
    void aForwardOnlyOpBetweenTrainableWeightsAndTheLossIsAnErrorNamingIt() {
        Graph g = new TestGraphs(4)
                .input("x", DataType.FLOAT32, "batch", 2, 5)
                .weight("w", 1, 5, 5).weight("e", 1, 1)
                .node("MatMul", "x,w", "h")
                .node("Pow", "h,e", "y")
                .output("y", "batch", 2, 5)
                .build();
        SparqException e = assertThrows(SparqException.class, () -> new TrainingGraph(g));
        assertTrue(e.getMessage().contains("'pow_1' (Pow) has no backward rule"), e.getMessage());
        assertEquals(Map.of("w", "its gradient would pass through node 'pow_1' (Pow), which has no backward rule"),
                TrainingGraph.blockedWeights(g, DiffRegistry.standard(), List.of("y")));
        TrainingGraph frozen = new TrainingGraph(g, DiffRegistry.standard(), TrainingOptions.defaults(),
                List.of("y"), Set.of("w"));
        assertTrue(frozen.parameters().isEmpty());
        assertEquals("frozen on request", frozen.frozen().get("w"));
    }

    @Test
    void toGraphCarriesTheTrainedValuesAndLeavesTheSourceGraphAlone() {
        Graph g = TestGraphs.embeddingClassifier(1);
        TrainingGraph t = new TrainingGraph(g);
        float before = g.initializers().get("w").floats()[0];
        t.parameters().get("w").floats()[0] = 42f;
        assertEquals(before, g.initializers().get("w").floats()[0]);
        Graph out = t.toGraph();
        assertEquals(42f, out.initializers().get("w").floats()[0]);
        assertEquals(g.nodes(), out.nodes());
        assertNotEquals(before, 42f);
        Node producer = t.producer("log_probs");
        assertEquals(OutputKind.LOG_PROBABILITIES, OutputKind.of(producer));
        assertEquals(Attribute.Kind.INT, producer.attributes().get("axis").kind());
    }
}
