package io.sparq.converter.importer;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.sparq.format.Attribute;
import io.sparq.format.DataType;
import io.sparq.format.Dim;
import io.sparq.format.Graph;
import io.sparq.format.Node;
import io.sparq.format.Tensor;
import io.sparq.format.ValueInfo;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Checks the importer on the ONNX conformance models independently of runtime-lite: the imported
 * inputs and outputs must agree with ONNX Runtime's view of the same file and with the case's
 * .pb tensors, and ONNX Runtime fed the tensors that {@link OnnxTensors} read must reproduce the
 * expected outputs. ONNX Runtime refuses the batch-first ({@code layout = 1}) cases; those are
 * checked against their .pb files only.
 */
class ConformanceImportTest {
    @TestFactory
    Stream<DynamicTest> importedGraphsMatchOnnxRuntimeAndTheTestData() {
        return ConformanceCases.all().stream()
                .map(c -> DynamicTest.dynamicTest(c.getFileName().toString(), () -> checkCase(c)));
    }

    private static void checkCase(Path caseDir) throws OrtException {
        Graph graph = OnnxImporter.load(caseDir.resolve("model.onnx"));
        assertEquals(Map.of("", 22), graph.opsets());
        assertEquals(Map.of(), graph.initializers());
        assertEquals(1, graph.nodes().size());
        Path dataSet = ConformanceCases.dataSets(caseDir).get(0);
        List<Tensor> inputs = ConformanceCases.numbered(dataSet, "input").stream().map(OnnxTensors::read).toList();
        List<Tensor> outputs = ConformanceCases.numbered(dataSet, "output").stream().map(OnnxTensors::read).toList();
        assertMatches(graph.inputs(), inputs);
        assertMatches(graph.outputs(), outputs);

        if (isBatchFirst(graph.nodes().get(0))) {
            return;
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(caseDir.resolve("model.onnx").toString(), new OrtSession.SessionOptions())) {
            assertSameValues(session.getInputInfo(), graph.inputs());
            assertSameValues(session.getOutputInfo(), graph.outputs());
            Map<String, OnnxTensor> feeds = new HashMap<>();
            try {
                for (int i = 0; i < inputs.size(); i++) {
                    feeds.put(graph.inputs().get(i).name(), toOrt(env, inputs.get(i)));
                }
                try (OrtSession.Result result = session.run(feeds)) {
                    for (int i = 0; i < outputs.size(); i++) {
                        String name = graph.outputs().get(i).name();
                        ConformanceTest.assertClose(outputs.get(i), fromOrt(result.get(name).orElseThrow()),
                                "ONNX Runtime output '" + name + "'");
                    }
                }
            } finally {
                feeds.values().forEach(OnnxTensor::close);
            }
        }
    }

    @Test
    void recurrentNodesKeepTheirAttributesAndOptionalSlots() {
        Path dir = ConformanceCases.all().get(0).getParent();
        Node peepholes = OnnxImporter.load(dir.resolve("test_lstm_with_peepholes/model.onnx")).nodes().get(0);
        assertEquals("LSTM_0", peepholes.name(), "the unnamed node gets <opType>_<index>");
        assertEquals(List.of("X", "W", "R", "B", "sequence_lens", "initial_h", "initial_c", "P"), peepholes.inputs());
        assertEquals(List.of("", "Y_h"), peepholes.outputs(), "the omitted Y output stays an empty name");
        assertEquals(Map.of("hidden_size", Attribute.Kind.INT), kinds(peepholes));
        assertEquals(3L, peepholes.attributes().get("hidden_size").value());

        Node batchwise = OnnxImporter.load(dir.resolve("test_gru_batchwise/model.onnx")).nodes().get(0);
        assertEquals("GRU", batchwise.opType());
        assertEquals(6L, batchwise.attributes().get("hidden_size").value());
        assertEquals(1L, batchwise.attributes().get("layout").value());

        Node bidirectional = OnnxImporter.load(dir.resolve("test_simple_rnn_bidirectional/model.onnx")).nodes().get(0);
        assertEquals(Map.of("direction", Attribute.Kind.STRING, "hidden_size", Attribute.Kind.INT), kinds(bidirectional));
        assertEquals("bidirectional", bidirectional.attributes().get("direction").value());
        assertEquals(4L, bidirectional.attributes().get("hidden_size").value());
    }

    private static Map<String, Attribute.Kind> kinds(Node node) {
        Map<String, Attribute.Kind> kinds = new HashMap<>();
        node.attributes().forEach((k, v) -> kinds.put(k, v.kind()));
        return kinds;
    }

    private static boolean isBatchFirst(Node node) {
        Attribute layout = node.attributes().get("layout");
        return layout != null && (Long) layout.value() == 1;
    }

    /** Declared values agree with the tensors of the data set: count, order, type and fixed dims. */
    private static void assertMatches(List<ValueInfo> declared, List<Tensor> tensors) {
        assertEquals(declared.size(), tensors.size(), "values " + declared);
        for (int i = 0; i < declared.size(); i++) {
            ValueInfo v = declared.get(i);
            assertEquals(v.type(), tensors.get(i).type(), v.name());
            assertArrayEquals(v.shape().stream().mapToInt(Dim::value).toArray(), tensors.get(i).shape(), v.name());
        }
    }

    private static void assertSameValues(Map<String, NodeInfo> ort, List<ValueInfo> imported) {
        assertEquals(List.copyOf(ort.keySet()), imported.stream().map(ValueInfo::name).toList());
        for (ValueInfo v : imported) {
            TensorInfo info = (TensorInfo) ort.get(v.name()).getInfo();
            assertEquals(info.type.name(), switch (v.type()) {
                case FLOAT32 -> "FLOAT";
                case INT32 -> "INT32";
                default -> v.type().name();
            }, v.name());
            assertArrayEquals(info.getShape(), v.shape().stream().mapToLong(Dim::value).toArray(), v.name());
        }
    }

    private static OnnxTensor toOrt(OrtEnvironment env, Tensor t) throws OrtException {
        long[] shape = Arrays.stream(t.shape()).asLongStream().toArray();
        return switch (t.type()) {
            case FLOAT32 -> OnnxTensor.createTensor(env, FloatBuffer.wrap(t.floats()), shape);
            case INT32 -> OnnxTensor.createTensor(env, IntBuffer.wrap(t.ints()), shape);
            default -> throw new IllegalArgumentException("no conformance input is " + t.type());
        };
    }

    private static Tensor fromOrt(OnnxValue value) {
        OnnxTensor t = (OnnxTensor) value;
        int[] shape = Arrays.stream(t.getInfo().getShape()).mapToInt(Math::toIntExact).toArray();
        FloatBuffer b = t.getFloatBuffer();
        float[] data = new float[b.remaining()];
        b.get(data);
        return Tensor.of(DataType.FLOAT32, shape, data);
    }
}
