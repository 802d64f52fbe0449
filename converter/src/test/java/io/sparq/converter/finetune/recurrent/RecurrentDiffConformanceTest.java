package io.sparq.converter.finetune.recurrent;

import io.sparq.converter.finetune.DiffOp;
import io.sparq.converter.finetune.DiffOpFactory;
import io.sparq.converter.finetune.TrainingOptions;
import io.sparq.converter.importer.OnnxImporter;
import io.sparq.converter.importer.OnnxTensors;
import io.sparq.format.Graph;
import io.sparq.format.Node;
import io.sparq.format.Tensor;
import io.sparq.runtime.ops.NodeContext;
import io.sparq.runtime.ops.OpRegistry;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every ONNX conformance case (folder from {@code -Dsparq.conformance.dir}; missing fails): the
 * differentiable forward against the case's expected outputs and against runtime-lite's op, and
 * its backward against finite differences ({@link GradCheck}) on the case's own inputs.
 */
class RecurrentDiffConformanceTest {
    /** The ONNX runner's tolerance for these cases, as the conformance README gives it. */
    static final double TOLERANCE = 1e-5;

    @TestFactory
    Stream<DynamicTest> conformanceCases() {
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.getFileName().toString(), () -> runCase(c)));
    }

    private static void runCase(Path caseDir) {
        Graph graph = OnnxImporter.load(caseDir.resolve("model.onnx"));
        assertEquals(1, graph.nodes().size(), caseDir + ": one-node model");
        Node node = graph.nodes().get(0);
        NodeContext ctx = new NodeContext(node, graph.onnxOpset(), graph.initializers(), Set.of());
        DiffOpFactory factory = switch (node.opType()) {
            case "LSTM" -> RecurrentDiffs.lstm();
            case "GRU" -> RecurrentDiffs.gru();
            case "RNN" -> RecurrentDiffs.rnn();
            default -> throw new AssertionError(caseDir + ": unexpected op " + node.opType());
        };
        DiffOp op = factory.create(ctx, TrainingOptions.defaults());
        Path dataSet = caseDir.resolve("test_data_set_0");
        Map<String, Tensor> values = new HashMap<>(graph.initializers());
        for (int i = 0; i < graph.requiredInputs().size(); i++) {
            values.put(graph.requiredInputs().get(i).name(), OnnxTensors.read(dataSet.resolve("input_" + i + ".pb")));
        }
        Tensor[] inputs = new Tensor[node.inputs().size()];
        for (int i = 0; i < inputs.length; i++) {
            String name = node.inputs().get(i);
            inputs[i] = name.isEmpty() ? null : values.get(name);
            assertTrue(name.isEmpty() || inputs[i] != null, caseDir + ": no value for input " + name);
        }
        DiffOp.Forward forward = op.forward(inputs);
        for (int o = 0; o < graph.outputs().size(); o++) {
            int index = node.outputs().indexOf(graph.outputs().get(o).name());
            Tensor expected = OnnxTensors.read(dataSet.resolve("output_" + o + ".pb"));
            RecurrentDiffForwardTest.assertClose(expected, forward.outputs()[index], TOLERANCE,
                    caseDir.getFileName() + " " + graph.outputs().get(o).name());
        }
        Tensor[] runtime = OpRegistry.standard().lookup("", node.opType()).orElseThrow().create(ctx).run(inputs);
        RecurrentDiffForwardTest.assertOutputsMatch(runtime, forward.outputs(), TOLERANCE,
                caseDir.getFileName() + " vs runtime-lite");

        Random rnd = new Random(caseDir.getFileName().toString().hashCode());
        boolean[] all = new boolean[forward.outputs().length];
        Arrays.fill(all, true);
        Tensor[] grads = GradCheck.randomGrads(forward.outputs(), all, rnd);
        boolean[] needed = new boolean[inputs.length];
        Arrays.fill(needed, true);
        Tensor[] analytic = op.backward(forward, grads, needed);
        Tensor[] own = Arrays.stream(inputs).map(t -> t == null ? null : copy(t)).toArray(Tensor[]::new);
        GradCheck.check(own, analytic, in -> GradCheck.linearLoss(op.forward(in).outputs(), grads),
                caseDir.getFileName().toString());
    }

    private static Tensor copy(Tensor t) {
        return Tensor.of(t.type(), t.shape(), switch (t.type()) {
            case FLOAT32 -> t.floats().clone();
            case INT32 -> t.ints().clone();
            case INT64 -> t.longs().clone();
            default -> throw new AssertionError("unexpected input type " + t.type());
        });
    }

    /** Case folders with a model.onnx, sorted; a missing or empty folder fails the test. */
    static List<Path> cases() {
        String property = System.getProperty("sparq.conformance.dir");
        assertNotNull(property, "system property sparq.conformance.dir is not set (the root pom sets it)");
        Path dir = Path.of(property);
        assertTrue(Files.isDirectory(dir), "conformance folder " + dir.toAbsolutePath() + " does not exist");
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> cases = s.filter(c -> Files.isRegularFile(c.resolve("model.onnx"))).sorted().toList();
            assertFalse(cases.isEmpty(), "conformance folder " + dir.toAbsolutePath() + " holds no case");
            return cases;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
