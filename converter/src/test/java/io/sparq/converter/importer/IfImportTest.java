package io.sparq.converter.importer;

import io.sparq.converter.data.Npz;
import io.sparq.format.Graph;
import io.sparq.format.Tensor;
import io.sparq.format.codec.SparqWriter;
import io.sparq.runtime.api.Model;
import io.sparq.runtime.api.Session;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * {@code If} models of {@code control/} (made by {@code make_if_models.py}: branches reading graph
 * inputs, initializers and node outputs of enclosing graphs, a branch initializer, a nested If,
 * branches whose outputs differ in shape) are imported and run, directly and after a round trip
 * through a {@code .sparq} file, and compared with ONNX Runtime 1.30's outputs for either branch.
 * Tolerance: |actual - expected| &lt;= 1e-5 + 1e-5·|expected|, as for the one-node cases.
 */
class IfImportTest {
    private static final double ABS_TOL = 1e-5;
    private static final double REL_TOL = 1e-5;
    private static final String OUTPUT_PREFIX = "output:";
    private static final List<String> MODELS = List.of(
            "if_outer_scope_opset11", "if_outer_scope_opset16", "if_nested_opset16", "if_nested_opset18");

    @TestFactory
    Stream<DynamicTest> eachBranchMatchesOnnxRuntime() {
        return MODELS.stream().flatMap(model -> Stream.of("then", "else").map(branch ->
                DynamicTest.dynamicTest(model + " (" + branch + "_branch)", () -> {
                    Graph graph = OnnxImporter.load(resource(model + ".onnx"));
                    OnnxImporter.checkSupported(graph);
                    Map<String, Tensor> npz = Npz.read(resource(model + "." + branch + ".npz"));
                    Map<String, Tensor> inputs = new LinkedHashMap<>(npz);
                    inputs.keySet().removeIf(k -> k.startsWith(OUTPUT_PREFIX));
                    byte[] file = SparqWriter.toBytes(graph, Map.of(), Map.of());
                    Map<String, Model> models = new LinkedHashMap<>();
                    models.put("imported", Model.fromGraph(graph));
                    models.put(".sparq round trip", Model.load(file));
                    models.forEach((how, m) -> {
                        try (Session s = m.newSession()) {
                            assertMatches(npz, s.run(inputs), model + " " + branch + ", " + how);
                        }
                    });
                })));
    }

    private static void assertMatches(Map<String, Tensor> npz, Map<String, Tensor> actual, String where) {
        npz.forEach((key, expected) -> {
            if (!key.startsWith(OUTPUT_PREFIX)) {
                return;
            }
            String name = key.substring(OUTPUT_PREFIX.length());
            Tensor got = actual.get(name);
            assertNotNull(got, where + ": output " + name + " missing, got " + actual.keySet());
            assertArrayEquals(expected.shape(), got.shape(), where + ": output " + name + " shape");
            float[] e = expected.floats();
            float[] a = got.floats();
            for (int i = 0; i < e.length; i++) {
                assertEquals(e[i], a[i], ABS_TOL + REL_TOL * Math.abs(e[i]), where + ": output " + name + " element " + i);
            }
        });
    }

    private static Path resource(String name) throws URISyntaxException {
        URL url = IfImportTest.class.getResource("control/" + name);
        assertNotNull(url, "missing test resource control/" + name);
        return Path.of(url.toURI());
    }
}
