package io.sparq.converter.importer;

import io.sparq.format.Graph;
import io.sparq.format.Tensor;
import io.sparq.format.ValueInfo;
import io.sparq.runtime.api.Model;
import io.sparq.runtime.api.Session;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Imports every ONNX conformance case, runs it in runtime-lite on the case's inputs and compares
 * each output with the expected {@code output_N.pb}.
 */
class ConformanceTest {
    /**
     * An element passes when |actual - expected| <= ATOL + RTOL * |expected|, the tolerance the
     * conformance README gives (ONNX's own runner allows rtol 1e-3, atol 1e-7 for node tests).
     */
    static final double ATOL = 1e-5;
    static final double RTOL = 1e-5;

    @TestFactory
    Stream<DynamicTest> conformanceCases() {
        return ConformanceCases.all().stream()
                .map(c -> DynamicTest.dynamicTest(c.getFileName().toString(), () -> runCase(c)));
    }

    private static void runCase(Path caseDir) {
        Graph graph = OnnxImporter.load(caseDir.resolve("model.onnx"));
        OnnxImporter.checkSupported(graph);
        Model model = Model.fromGraph(graph);
        for (Path dataSet : ConformanceCases.dataSets(caseDir)) {
            List<Path> inputFiles = ConformanceCases.numbered(dataSet, "input");
            List<Path> outputFiles = ConformanceCases.numbered(dataSet, "output");
            List<ValueInfo> inputs = graph.requiredInputs();
            assertEquals(inputs.size(), inputFiles.size(), dataSet + ": input files vs graph inputs " + inputs);
            assertEquals(graph.outputs().size(), outputFiles.size(), dataSet + ": output files vs graph outputs");
            Map<String, Tensor> feeds = new LinkedHashMap<>();
            for (int i = 0; i < inputs.size(); i++) {
                feeds.put(inputs.get(i).name(), OnnxTensors.read(inputFiles.get(i)));
            }
            Map<String, Tensor> results;
            try (Session session = model.newSession()) {
                results = session.run(feeds);
            }
            for (int i = 0; i < outputFiles.size(); i++) {
                String name = graph.outputs().get(i).name();
                assertClose(OnnxTensors.read(outputFiles.get(i)), results.get(name), dataSet + " output '" + name + "'");
            }
        }
    }

    /** Fails naming the worst element (index, values, error, allowed) and how many elements are off. */
    static void assertClose(Tensor expected, Tensor actual, String what) {
        if (actual == null) {
            fail(what + " was not produced");
        }
        assertEquals(expected.type(), actual.type(), what + ": element type");
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape " + Arrays.toString(actual.shape())
                + ", expected " + Arrays.toString(expected.shape()));
        int worst = -1;
        double worstExcess = 0;
        int bad = 0;
        for (int i = 0; i < expected.size(); i++) {
            double e = expected.getDouble(i);
            double a = actual.getDouble(i);
            if (Double.isNaN(e) && Double.isNaN(a)) {
                continue;
            }
            double excess = Math.abs(a - e) - (ATOL + RTOL * Math.abs(e));
            if (!(excess <= 0)) {                       // NaN on one side counts as a failure
                bad++;
                if (worst < 0 || !(excess <= worstExcess)) {
                    worst = i;
                    worstExcess = excess;
                }
            }
        }
        if (bad > 0) {
            double e = expected.getDouble(worst);
            double a = actual.getDouble(worst);
            fail(what + ": " + bad + " of " + expected.size() + " elements differ by more than "
                    + ATOL + " + " + RTOL + "*|expected|; worst at " + Arrays.toString(index(worst, expected.shape()))
                    + ": got " + a + ", expected " + e + " (|diff| " + Math.abs(a - e) + ", allowed "
                    + (ATOL + RTOL * Math.abs(e)) + ")");
        }
    }

    private static int[] index(int flat, int[] shape) {
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        return idx;
    }
}
