package io.sparq.testmodels;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.sparq.converter.data.Npz;
import io.sparq.format.Tensor;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

/**
 * The test models as other exporters write them ({@code test-models/exports/<variant>/}, made by
 * make_exports.py: torch's dynamo exporter with static shapes and with {@code dynamic_shapes},
 * legacy exports with other axis names and without dynamic axes, an IR 14 / opset 28 file) run in
 * sparq as ONNX Runtime runs them, with {@link ModelParityTest}'s checks and tolerance
 * (1e-5 + 1e-4 * |expected| per element).
 */
class ExportParityTest {
    /** The reference inputs have batch 3 and sequence 5; a symbolic axis of those sizes is resized to these. */
    private static final Map<Integer, Integer> RESIZED = Map.of(3, 2, 5, 7);
    /** Folders make_exports.py writes, each a variant of every model; all must be present. */
    static final List<String> VARIANTS = List.of("dynamo_static", "dynamo_dynamic", "legacy_renamed",
            "legacy_static", "onnx_ir14");

    @TestFactory
    Stream<DynamicContainer> everyExportMatchesOnnxRuntime() throws IOException {
        return exports().stream().map(onnx -> {
            String name = name(onnx);
            Path data = onnx.resolveSibling(name + ".npz");
            List<DynamicTest> tests = new ArrayList<>(List.of(
                    dynamicTest("committed outputs are what ONNX Runtime for Java computes",
                            () -> ModelParityTest.referenceDataMatchesOnnxRuntime(onnx, data)),
                    dynamicTest("sparq matches the committed outputs",
                            () -> ModelParityTest.sparqMatchesCommittedOutputs(onnx, data)),
                    dynamicTest("sparq matches ONNX Runtime live on the committed inputs",
                            () -> ModelParityTest.sparqMatchesOnnxRuntime(onnx, inputs(data))),
                    dynamicTest("the .sparq file runs like the .onnx (within 1e-6)",
                            () -> ModelParityTest.sparqFileMatchesOnnx(onnx, inputs(data)))));
            if (!onnx.getParent().getFileName().toString().endsWith("static")) {
                tests.add(dynamicTest("sparq matches ONNX Runtime live with every symbolic axis resized",
                        () -> ModelParityTest.sparqMatchesOnnxRuntime(onnx, resizedInputs(onnx, inputs(data)))));
            }
            return dynamicContainer(onnx.getParent().getFileName() + "/" + name, tests.stream());
        });
    }

    /** Every {@code .onnx} file of every variant folder beside {@code sparq.testmodels.dir}, sorted. */
    static List<Path> exports() throws IOException {
        String dir = System.getProperty("sparq.testmodels.dir");
        assertNotNull(dir, "system property sparq.testmodels.dir is not set (the root pom sets it)");
        Path root = Path.of(dir).resolveSibling("exports");
        List<Path> models = new ArrayList<>();
        for (String variant : VARIANTS) {
            Path folder = root.resolve(variant);
            assertTrue(Files.isDirectory(folder), "no folder " + folder + " (make_exports.py writes it)");
            try (Stream<Path> files = Files.list(folder)) {
                List<Path> found = files.filter(p -> p.toString().endsWith(".onnx")).sorted().toList();
                assertFalse(found.isEmpty(), "no .onnx models in " + folder);
                models.addAll(found);
            }
        }
        return models;
    }

    static String name(Path onnx) {
        return onnx.getFileName().toString().replaceFirst("\\.onnx$", "");
    }

    private static Map<String, Tensor> inputs(Path data) {
        return ModelParityTest.inputsOf(Npz.read(data));
    }

    /**
     * Fresh random inputs with every symbolic axis resized (batch 3 to 2, sequence 5 to 7), whatever
     * the axis is called: s27 (dynamo), T / N, seq_len / bsz, batch / seq.
     */
    private static Map<String, Tensor> resizedInputs(Path onnx, Map<String, Tensor> reference) throws OrtException {
        Random random = new Random(onnx.toString().hashCode());
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        boolean resized = false;
        try (OrtSession session = OnnxRuntimeBridge.session(onnx)) {
            for (Map.Entry<String, NodeInfo> e : session.getInputInfo().entrySet()) {
                Tensor ref = reference.get(e.getKey());
                assertNotNull(ref, "no committed input " + e.getKey());
                TensorInfo info = (TensorInfo) e.getValue().getInfo();
                long[] declared = info.getShape();
                String[] names = info.getDimensionNames();
                assertEquals(declared.length, ref.shape().length, "rank of input " + e.getKey());
                int[] shape = ref.shape().clone();
                for (int i = 0; i < shape.length; i++) {
                    if (declared[i] < 0) {
                        Integer size = RESIZED.get(shape[i]);
                        if (size == null) {
                            fail(onnx + ": input " + e.getKey() + " has symbolic axis '" + names[i] + "' of size "
                                    + shape[i] + " in the committed input; expected one of " + RESIZED.keySet());
                        }
                        shape[i] = size;
                        resized = true;
                    }
                }
                inputs.put(e.getKey(), ModelParityTest.randomLike(ref.type(), shape, ref, random));
            }
        }
        assertTrue(resized, onnx + " has no symbolic axis to resize");
        return inputs;
    }
}
