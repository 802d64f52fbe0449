package io.sparq.testmodels;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.sparq.converter.data.Npz;
import io.sparq.converter.importer.OnnxImporter;
import io.sparq.format.DataType;
import io.sparq.format.Graph;
import io.sparq.format.Tensor;
import io.sparq.format.codec.SparqWriter;
import io.sparq.runtime.api.Model;
import io.sparq.runtime.api.Session;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

/**
 * Runs every model of {@code sparq.testmodels.dir} through the ONNX importer and runtime-lite and
 * compares the outputs with the onnxruntime outputs committed beside it and with ONNX Runtime for
 * Java run live, on the committed inputs and on fresh inputs of another batch size and length.
 */
class ModelParityTest {
    /**
     * float32 everywhere; ONNX Runtime sums in a different order (MLAS, FMA) and uses its own
     * sigmoid/tanh, so exact equality is not expected, while a wrong gate or layout is far off.
     */
    private static final double ABS_TOL = 1e-5;
    private static final double REL_TOL = 1e-4;
    /** make_models.py names the dynamic axes "batch" and "seq"; its reference inputs use 3 and 5. */
    private static final Map<String, Integer> OTHER_SIZES = Map.of("batch", 2, "seq", 7);
    private static final String OUTPUT_PREFIX = "output:";


    @TestFactory
    Stream<DynamicContainer> everyModelMatchesOnnxRuntime() throws IOException {
        return models().stream().map(onnx -> {
            String name = onnx.getFileName().toString().replaceFirst("\\.onnx$", "");
            Path data = onnx.resolveSibling(name + ".npz");
            return dynamicContainer(name, Stream.of(
                    dynamicTest("committed outputs are what ONNX Runtime for Java computes",
                            () -> referenceDataMatchesOnnxRuntime(onnx, data)),
                    dynamicTest("sparq matches the committed outputs",
                            () -> sparqMatchesCommittedOutputs(onnx, data)),
                    dynamicTest("sparq matches ONNX Runtime live on the committed inputs",
                            () -> sparqMatchesOnnxRuntime(onnx, inputsOf(Npz.read(data)))),
                    dynamicTest("sparq matches ONNX Runtime live with batch 2 and seq 7",
                            () -> sparqMatchesOnnxRuntime(onnx, otherInputs(onnx, inputsOf(Npz.read(data))))),
                    dynamicTest("the .sparq file runs like the .onnx (within 1e-6)",
                            () -> sparqFileMatchesOnnx(onnx, inputsOf(Npz.read(data))))));
        });
    }

    private static List<Path> models() throws IOException {
        String dir = System.getProperty("sparq.testmodels.dir");
        assertNotNull(dir, "system property sparq.testmodels.dir is not set (the root pom sets it)");
        Path folder = Path.of(dir);
        assertTrue(Files.isDirectory(folder), "sparq.testmodels.dir " + folder + " is not a folder");
        List<Path> models;
        try (Stream<Path> files = Files.list(folder)) {
            models = files.filter(p -> p.toString().endsWith(".onnx")).sorted().toList();
        }
        assertFalse(models.isEmpty(), "no .onnx models in " + folder);
        return models;
    }

    static void referenceDataMatchesOnnxRuntime(Path onnx, Path data) throws OrtException {
        Map<String, Tensor> npz = Npz.read(data);
        Map<String, Tensor> inputs = inputsOf(npz);
        try (OrtSession session = OnnxRuntimeBridge.session(onnx)) {
            assertEquals(session.getInputNames(), inputs.keySet(), "graph inputs vs. inputs in " + data);
            Map<String, Tensor> expected = outputsOf(npz);
            assertEquals(session.getOutputNames(), expected.keySet(), "graph outputs vs. outputs in " + data);
            assertAllClose(expected, OnnxRuntimeBridge.run(session, inputs), "ONNX Runtime for Java");
        }
    }

    static void sparqMatchesCommittedOutputs(Path onnx, Path data) {
        Map<String, Tensor> npz = Npz.read(data);
        assertAllClose(outputsOf(npz), runSparq(onnx, inputsOf(npz)), "sparq");
    }

    static void sparqMatchesOnnxRuntime(Path onnx, Map<String, Tensor> inputs) throws OrtException {
        Map<String, Tensor> expected;
        try (OrtSession session = OnnxRuntimeBridge.session(onnx)) {
            expected = OnnxRuntimeBridge.run(session, inputs);
        }
        assertAllClose(expected, runSparq(onnx, inputs), "sparq");
    }

    /** Dense f32 conversion is lossless: the .sparq model, read from a file and from bytes, must agree. */
    static void sparqFileMatchesOnnx(Path onnx, Map<String, Tensor> inputs) throws IOException {
        Map<String, Tensor> expected = runSparq(onnx, inputs);
        Path file = Files.createTempFile("sparq-parity-", ".sparq");
        try {
            SparqWriter.write(file, OnnxImporter.load(onnx));
            for (Model model : List.of(Model.load(file), Model.load(Files.readAllBytes(file)))) {
                try (Session session = model.newSession()) {
                    Map<String, Tensor> actual = session.run(inputs);
                    assertEquals(expected.keySet(), actual.keySet(), ".sparq output names");
                    expected.forEach((name, want) -> {
                        Tensor got = actual.get(name);
                        assertArrayEquals(want.shape(), got.shape(), ".sparq output " + name + " shape");
                        for (int i = 0; i < want.size(); i++) {
                            assertEquals(want.getDouble(i), got.getDouble(i), 1e-6, ".sparq output " + name + " element " + i);
                        }
                    });
                }
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    static Map<String, Tensor> runSparq(Path onnx, Map<String, Tensor> inputs) {
        Graph graph = OnnxImporter.load(onnx);
        try (Session session = Model.fromGraph(graph).newSession()) {
            return session.run(inputs);
        }
    }

    static Map<String, Tensor> inputsOf(Map<String, Tensor> npz) {
        Map<String, Tensor> inputs = new LinkedHashMap<>(npz);
        inputs.keySet().removeIf(k -> k.startsWith(OUTPUT_PREFIX));
        return inputs;
    }

    static Map<String, Tensor> outputsOf(Map<String, Tensor> npz) {
        Map<String, Tensor> outputs = new LinkedHashMap<>();
        npz.forEach((k, v) -> {
            if (k.startsWith(OUTPUT_PREFIX)) {
                outputs.put(k.substring(OUTPUT_PREFIX.length()), v);
            }
        });
        return outputs;
    }

    /**
     * Fresh inputs with the dynamic axes resized per {@link #OTHER_SIZES}: floats standard normal,
     * int64 (token ids) uniform over the range the committed input uses.
     */
    private static Map<String, Tensor> otherInputs(Path onnx, Map<String, Tensor> reference) throws OrtException {
        Random random = new Random(onnx.getFileName().toString().hashCode());
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        try (OrtSession session = OnnxRuntimeBridge.session(onnx)) {
            for (Map.Entry<String, NodeInfo> e : session.getInputInfo().entrySet()) {
                TensorInfo info = (TensorInfo) e.getValue().getInfo();
                long[] declared = info.getShape();
                String[] names = info.getDimensionNames();
                int[] shape = new int[declared.length];
                for (int i = 0; i < shape.length; i++) {
                    if (declared[i] >= 0) {
                        shape[i] = (int) declared[i];
                    } else if (OTHER_SIZES.containsKey(names[i])) {
                        shape[i] = OTHER_SIZES.get(names[i]);
                    } else {
                        fail(onnx + ": input " + e.getKey() + " has symbolic axis '" + names[i]
                                + "'; expected one of " + OTHER_SIZES.keySet());
                    }
                }
                Tensor ref = reference.get(e.getKey());
                assertNotNull(ref, "no committed input " + e.getKey());
                inputs.put(e.getKey(), randomLike(ref.type(), shape, ref, random));
            }
        }
        assertFalse(inputs.entrySet().stream().allMatch(e -> Arrays.equals(e.getValue().shape(),
                reference.get(e.getKey()).shape())), onnx + " has no dynamic axis to resize");
        return inputs;
    }

    static Tensor randomLike(DataType type, int[] shape, Tensor reference, Random random) {
        Tensor t = Tensor.zeros(type, shape);
        if (type == DataType.FLOAT32) {
            float[] v = t.floats();
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) random.nextGaussian();
            }
        } else if (type == DataType.INT64) {
            long min = Arrays.stream(reference.longs()).min().orElseThrow();
            long max = Arrays.stream(reference.longs()).max().orElseThrow();
            long[] v = t.longs();
            for (int i = 0; i < v.length; i++) {
                v[i] = min + (long) random.nextInt((int) (max - min + 1));
            }
        } else {
            fail("test inputs are float32 or int64, got " + type);
        }
        return t;
    }

    /** Same output names, types and shapes; every element within ABS_TOL + REL_TOL * |expected|. */
    static void assertAllClose(Map<String, Tensor> expected, Map<String, Tensor> actual, String who) {
        assertEquals(expected.keySet(), actual.keySet(), who + " output names");
        for (Map.Entry<String, Tensor> e : expected.entrySet()) {
            String name = e.getKey();
            Tensor want = e.getValue();
            Tensor got = actual.get(name);
            assertEquals(want.type(), got.type(), who + " output " + name + " type");
            assertArrayEquals(want.shape(), got.shape(), who + " output " + name + " shape");
            int bad = 0;
            int worst = -1;
            for (int i = 0; i < want.size(); i++) {
                double w = want.getDouble(i);
                double g = got.getDouble(i);
                boolean ok = Double.isNaN(w) ? Double.isNaN(g)
                        : Double.isInfinite(w) ? g == w
                        : Math.abs(g - w) <= ABS_TOL + REL_TOL * Math.abs(w);
                if (!ok) {
                    bad++;
                    if (worst < 0 || !(Math.abs(g - w) <= Math.abs(got.getDouble(worst) - want.getDouble(worst)))) {
                        worst = i;
                    }
                }
            }
            if (bad > 0) {
                fail(who + " output " + name + " " + Arrays.toString(want.shape()) + ": " + bad + " of " + want.size()
                        + " elements off by more than " + ABS_TOL + " + " + REL_TOL + "*|expected|; worst at flat index "
                        + worst + ": expected " + want.getDouble(worst) + ", got " + got.getDouble(worst));
            }
        }
    }
}
