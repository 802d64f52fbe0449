package io.sparq.converter.export;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.sparq.converter.data.Npz;
import io.sparq.converter.encode.EncodingPlanner;
import io.sparq.converter.export.SyntheticModels.Cell;
import io.sparq.converter.importer.OnnxImporter;
import io.sparq.format.ErrorCode;
import io.sparq.format.Graph;
import io.sparq.format.SparqException;
import io.sparq.format.Tensor;
import io.sparq.runtime.api.Model;
import io.sparq.runtime.api.Session;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exported models re-import to the same tensors, pass the ONNX checker (run by the importer), and
 * give the same outputs in ONNX Runtime as in runtime-lite.
 */
class OnnxExporterTest {
    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    @TempDir
    Path tmp;

    private static Path model(String name) {
        String dir = System.getProperty("sparq.testmodels.dir");
        assertTrue(dir != null && Files.isDirectory(Path.of(dir)), "test models not found: sparq.testmodels.dir=" + dir);
        return Path.of(dir, name);
    }

    /** The graph with every weight pruned to 50 % in 1×4 blocks. */
    private static Graph pruned(Graph g) {
        Map<String, Tensor> init = new LinkedHashMap<>(g.initializers());
        EncodingPlanner.weights(g, true).keySet().forEach(n -> init.put(n, SyntheticModels.pruneBlocks(init.get(n), 0.5, 4)));
        return new Graph(g.name(), g.inputs(), g.outputs(), g.nodes(), init, g.opsets(), g.metadata());
    }

    @Test
    void replacingInitializersKeepsEverythingElse() throws Exception {
        Path original = model("lstm_stack2_bidir.onnx");
        Graph prunedGraph = pruned(OnnxImporter.load(original));
        Path out = tmp.resolve("pruned.onnx");
        OnnxExporter.export(original, prunedGraph, out);

        Graph back = OnnxImporter.load(out);
        prunedGraph.initializers().forEach((name, t) ->
                assertArrayEquals(t.floats(), back.initializers().get(name).floats(), name));
        ModelProto before = ModelProto.parseFrom(Files.readAllBytes(original));
        ModelProto after = ModelProto.parseFrom(Files.readAllBytes(out));
        assertNotEquals(before, after);
        assertEquals(withoutInitializers(before), withoutInitializers(after));
        for (int i = 0; i < before.getGraph().getInitializerCount(); i++) {
            assertEquals(before.getGraph().getInitializer(i).getName(), after.getGraph().getInitializer(i).getName());
        }

        Map<String, Tensor> inputs = Map.of("x", Npz.read(model("lstm_stack2_bidir.npz")).get("x"));
        assertClose(runOrt(out, inputs), runSparq(back, inputs));
    }

    private static ModelProto withoutInitializers(ModelProto m) {
        return m.toBuilder().setGraph(GraphProto.newBuilder(m.getGraph()).clearInitializer()).build();
    }

    @Test
    void unchangedInitializersAreKeptByteForByte() throws Exception {
        Path original = model("char_lm.onnx");
        Path out = tmp.resolve("same.onnx");
        OnnxExporter.export(original, OnnxImporter.load(original), out);
        assertArrayEquals(Files.readAllBytes(original), Files.readAllBytes(out));
    }

    @Test
    void syntheticModelsRunInOnnxRuntimeAsInSparq() throws Exception {
        Random random = new Random(5);
        for (Cell cell : Cell.values()) {
            for (int opset : new int[] {17, 22}) {
                Graph g = SyntheticModels.recurrent(cell, 12, 20, 0.8, 4, opset, 11);
                Path file = tmp.resolve(cell + "_" + opset + ".onnx");
                OnnxExporter.write(file, OnnxExporter.toModelProto(g));
                Graph back = OnnxImporter.load(file);
                assertEquals(g.initializers().keySet(), back.initializers().keySet());
                g.initializers().forEach((n, t) -> assertArrayEquals(t.floats(), back.initializers().get(n).floats(), n));
                assertEquals(g.nodes(), back.nodes());

                Map<String, Tensor> inputs = new LinkedHashMap<>();
                inputs.put("X", SyntheticModels.uniform(random, new int[] {5, 2, 12}, 1f));
                inputs.put("initial_h", SyntheticModels.uniform(random, new int[] {1, 2, 20}, 0.5f));
                if (cell == Cell.LSTM) {
                    inputs.put("initial_c", SyntheticModels.uniform(random, new int[] {1, 2, 20}, 0.5f));
                }
                assertClose(runOrt(file, inputs), runSparq(g, inputs));
            }
        }
    }

    @Test
    void importedModelsRebuiltFromTheGraphMatchTheReference() throws Exception {
        Path original = model("char_lm.onnx");
        Path out = tmp.resolve("rebuilt.onnx");
        Graph g = OnnxImporter.load(original);
        OnnxExporter.write(out, OnnxExporter.toModelProto(g));
        Graph back = OnnxImporter.load(out);
        assertEquals(g.nodes().size(), back.nodes().size());
        assertEquals(g.metadata(), back.metadata());
        Map<String, Tensor> ref = Npz.read(model("char_lm.npz"));
        Map<String, Tensor> want = Map.of("log_probs", ref.get("output:log_probs"));
        assertClose(want, runOrt(out, Map.of("tokens", ref.get("tokens"))));
    }

    @Test
    void refusesValuesThatDoNotFitTheModel() throws Exception {
        ModelProto m = ModelProto.parseFrom(Files.readAllBytes(model("char_lm.onnx")));
        String first = m.getGraph().getInitializer(0).getName();
        SparqException shape = assertThrows(SparqException.class, () -> OnnxExporter.withInitializers(m,
                Map.of(first, Tensor.ofFloats(new int[] {2}, 1, 2))));
        assertEquals(ErrorCode.INVALID_ARGUMENT, shape.code());
        assertTrue(shape.getMessage().contains(first), shape.getMessage());
        SparqException name = assertThrows(SparqException.class, () -> OnnxExporter.withInitializers(m,
                Map.of("nope", Tensor.ofFloats(new int[] {1}, 1))));
        assertTrue(name.getMessage().contains("nope"), name.getMessage());
    }

    /** ONNX Runtime's parity tolerance used across the project: 1e-5 absolute + 1e-4 relative. */
    private static void assertClose(Map<String, Tensor> want, Map<String, Tensor> got) {
        want.forEach((name, w) -> {
            Tensor g = got.get(name);
            assertArrayEquals(w.shape(), g.shape(), name);
            float[] a = w.floats();
            float[] b = g.floats();
            for (int i = 0; i < a.length; i++) {
                assertTrue(Math.abs(a[i] - b[i]) <= 1e-5 + 1e-4 * Math.abs(a[i]), name + "[" + i + "]: " + a[i] + " vs " + b[i]);
            }
        });
    }

    private static Map<String, Tensor> runSparq(Graph g, Map<String, Tensor> inputs) {
        try (Session s = Model.fromGraph(g).newSession()) {
            return s.run(inputs);
        }
    }

    private static Map<String, Tensor> runOrt(Path file, Map<String, Tensor> inputs) throws OrtException {
        Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
        try (OrtSession session = ENV.createSession(file.toString(), new OrtSession.SessionOptions())) {
            for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
                Tensor t = e.getValue();
                long[] shape = Arrays.stream(t.shape()).asLongStream().toArray();
                feeds.put(e.getKey(), t.type() == io.sparq.format.DataType.FLOAT32
                        ? OnnxTensor.createTensor(ENV, FloatBuffer.wrap(t.floats()), shape)
                        : OnnxTensor.createTensor(ENV, LongBuffer.wrap(t.longs()), shape));
            }
            Map<String, Tensor> out = new LinkedHashMap<>();
            try (OrtSession.Result result = session.run(feeds)) {
                for (Map.Entry<String, OnnxValue> e : result) {
                    OnnxTensor v = (OnnxTensor) e.getValue();
                    FloatBuffer b = v.getFloatBuffer();
                    float[] data = new float[b.remaining()];
                    b.get(data);
                    out.put(e.getKey(), Tensor.ofFloats(Arrays.stream(v.getInfo().getShape()).mapToInt(Math::toIntExact).toArray(), data));
                }
            }
            return out;
        } finally {
            feeds.values().forEach(OnnxTensor::close);
        }
    }
}
