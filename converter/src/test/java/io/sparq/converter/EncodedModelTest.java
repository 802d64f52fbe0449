package io.sparq.converter;

import io.sparq.converter.data.Npz;
import io.sparq.converter.importer.OnnxImporter;
import io.sparq.format.DataType;
import io.sparq.format.Graph;
import io.sparq.format.Tensor;
import io.sparq.format.codec.EncodingChoice;
import io.sparq.format.codec.SparqReader;
import io.sparq.format.codec.SparqWriter;
import io.sparq.format.codec.ValueFormat;
import io.sparq.runtime.api.Model;
import io.sparq.runtime.api.Session;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every test model, imported, pruned (60% of each weight's entries zeroed), written as
 * {@code .sparq} with sparse / quantized weight encodings and loaded with {@link Model#load(Path)}
 * (weights used in their stored form), against the same file with every weight decoded
 * ({@code SparqReader.read(file).denseGraph()}) on the model's reference inputs.
 *
 * <p>Tolerances. f32 and f16 values reach both sides exactly; only summation order differs:
 * 1e-4 relative plus 1e-5 absolute. Int8 kernels may also round each activation row to int8
 * (scale = max|x| / 127): one product {@code x·w} then moves by at most
 * {@code max|x|·‖w‖₁ / 254}, 0.4% of the largest value that product can take. An output of these
 * models goes through at most five such products that matter (two layers' input and recurrent
 * products and the head; gates are at most 1-Lipschitz and do not amplify), so int8 outputs
 * may differ by 2% of the output tensor's largest magnitude (at least 1).
 */
class EncodedModelTest {
    private static final double INT8_SHARE = 0.02;

    @TempDir
    static Path tmp;

    record Encoding(String label, EncodingChoice choice, boolean int8) {
        @Override
        public String toString() {
            return label;
        }
    }

    static Stream<Object[]> cases() throws IOException {
        String dir = System.getProperty("sparq.testmodels.dir");
        assertTrue(dir != null && Files.isDirectory(Path.of(dir)), "test models not found: sparq.testmodels.dir=" + dir);
        List<Path> models;
        try (Stream<Path> files = Files.list(Path.of(dir))) {
            models = files.filter(p -> p.toString().endsWith(".onnx")).sorted().toList();
        }
        assertTrue(models.size() >= 9, "expected the 9 test models in " + dir + ", found " + models);
        List<Encoding> encodings = List.of(
                new Encoding("dense f16", EncodingChoice.denseF16(), false),
                new Encoding("bitmap f16", EncodingChoice.bitmap(ValueFormat.F16), false),
                new Encoding("csr f32", EncodingChoice.csr(ValueFormat.NATIVE), false),
                new Encoding("dense int8", EncodingChoice.denseInt8(), true),
                new Encoding("block-sparse 8 int8", EncodingChoice.blockSparse(8, ValueFormat.INT8), true),
                new Encoding("csr int8", EncodingChoice.csr(ValueFormat.INT8), true));
        List<Object[]> out = new ArrayList<>();
        for (Path m : models) {
            for (Encoding e : encodings) {
                out.add(new Object[] {m.getFileName().toString().replace(".onnx", ""), m, e});
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} / {2}")
    @MethodSource("cases")
    void storedWeightsGiveTheDecodedModelsOutputs(String name, Path onnx, Encoding encoding) throws IOException {
        Graph graph = pruned(OnnxImporter.load(onnx), new Random(name.hashCode()));
        Map<String, EncodingChoice> choices = new LinkedHashMap<>();
        graph.initializers().forEach((k, t) -> {
            if (t.type() == DataType.FLOAT32 && t.rank() >= 2) {
                choices.put(k, encoding.choice);
            }
        });
        assertTrue(choices.size() >= 2, name + ": no weights to encode");
        Path file = tmp.resolve(name + "-" + encoding.label.replace(' ', '_') + ".sparq");
        SparqWriter.write(file, graph, choices, Map.of());

        Map<String, Tensor> feeds = new LinkedHashMap<>();
        Npz.read(Path.of(onnx.toString().replace(".onnx", ".npz"))).forEach((k, t) -> {
            if (!k.startsWith("output:")) {
                feeds.put(k, t);
            }
        });
        Map<String, Tensor> expected = run(Model.fromGraph(SparqReader.read(file).denseGraph()), feeds);
        Map<String, Tensor> actual = run(Model.load(file), feeds);
        assertEquals(expected.keySet(), actual.keySet(), "output names");
        expected.forEach((out, want) -> assertClose(want, actual.get(out), encoding.int8, name + " " + out));
    }

    /** Zeroes 60% of the entries of every float weight (rank 2 or more), so sparse encodings skip something. */
    private static Graph pruned(Graph g, Random rng) {
        Map<String, Tensor> init = new LinkedHashMap<>();
        g.initializers().forEach((k, t) -> {
            if (t.type() == DataType.FLOAT32 && t.rank() >= 2) {
                float[] v = t.floats().clone();
                for (int i = 0; i < v.length; i++) {
                    if (rng.nextFloat() < 0.6f) {
                        v[i] = 0;
                    }
                }
                t = Tensor.ofFloats(t.shape(), v);
            }
            init.put(k, t);
        });
        return new Graph(g.name(), g.inputs(), g.outputs(), g.nodes(), init, g.opsets(), g.metadata());
    }

    private static Map<String, Tensor> run(Model model, Map<String, Tensor> feeds) {
        try (Session s = model.newSession()) {
            return s.run(feeds);
        }
    }

    private static void assertClose(Tensor want, Tensor got, boolean int8, String what) {
        assertArrayEquals(want.shape(), got.shape(), what + " shape");
        double largest = 1;
        for (int i = 0; i < want.size(); i++) {
            largest = Math.max(largest, Math.abs(want.getDouble(i)));
        }
        double abs = int8 ? INT8_SHARE * largest : 1e-5;
        double rel = int8 ? 0 : 1e-4;
        for (int i = 0; i < want.size(); i++) {
            double w = want.getDouble(i);
            double g = got.getDouble(i);
            if (!(Math.abs(g - w) <= abs + rel * Math.abs(w))) {
                fail(what + "[" + i + "] = " + g + ", expected " + w + " (tolerance " + abs + " + " + rel + "·|expected|)");
            }
        }
    }
}
