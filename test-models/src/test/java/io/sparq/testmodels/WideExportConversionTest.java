package io.sparq.testmodels;

import ai.onnxruntime.OrtSession;
import io.sparq.converter.Conversion;
import io.sparq.converter.data.Npz;
import io.sparq.converter.encode.EncodingPlanner;
import io.sparq.converter.finetune.FineTuneConfig;
import io.sparq.converter.importer.GraphNormalizer;
import io.sparq.converter.importer.OnnxImporter;
import io.sparq.converter.prune.OneShotSchedule;
import io.sparq.converter.prune.PruneConfig;
import io.sparq.converter.prune.Pruner;
import io.sparq.converter.quantize.QuantizeMode;
import io.sparq.format.Dim;
import io.sparq.format.Graph;
import io.sparq.format.Node;
import io.sparq.format.Tensor;
import io.sparq.format.ValueInfo;
import io.sparq.runtime.api.Model;
import io.sparq.runtime.api.Session;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

/**
 * The models of {@code exports/dynamo_wide} (torch's default exporter, static shapes, layers wide
 * enough that the exporter leaves its gate reorders and transposes in the graph; see
 * {@code make_wide_exports.py}): after import every weight of a recurrent, MatMul, Gemm, Conv or
 * Gather op is one initializer, pruning reaches each of them, the batch is generalized, the file
 * shrinks against {@code .onnx} + {@code .data}, and a fine-tuned model runs as its emitted ONNX
 * does in ONNX Runtime at another batch size.
 */
class WideExportConversionTest {
    /** ONNX Runtime sums in another order (MLAS, FMA) and uses its own sigmoid/tanh. */
    private static final double TOLERANCE = 2e-5;
    /** The ops whose weights are pruned, and the input of each that holds a weight. */
    private static final Map<String, Set<Integer>> WEIGHT_INPUTS = Map.of("LSTM", Set.of(1, 2), "GRU", Set.of(1, 2),
            "RNN", Set.of(1, 2), "MatMul", Set.of(1), "Gemm", Set.of(1), "Conv", Set.of(1));

    @TempDir
    Path tmp;

    @TestFactory
    Stream<DynamicContainer> everyWideExport() throws IOException {
        Path folder = Path.of(System.getProperty("sparq.testmodels.dir")).resolveSibling("exports").resolve("dynamo_wide");
        List<Path> models;
        try (Stream<Path> files = Files.list(folder)) {
            models = files.filter(p -> p.toString().endsWith(".onnx")).sorted().toList();
        }
        assertEquals(5, models.size(), "make_wide_exports.py writes five models into " + folder);
        return models.stream().map(onnx -> {
            String name = onnx.getFileName().toString().replaceFirst("\\.onnx$", "");
            Path data = onnx.resolveSibling(name + ".npz");
            Path train = onnx.resolveSibling(name + ".train.npz");
            return dynamicContainer(name, Stream.of(
                    dynamicTest("every weight is one initializer, the batch named", () -> normalized(onnx)),
                    dynamicTest("runs as ONNX Runtime did, at the exported batch and sample by sample",
                            () -> runsAtAnyBatch(onnx, data)),
                    dynamicTest("90 % int8: every weight pruned, >= 4x smaller than .onnx + .data",
                            () -> prunedAndSmall(onnx)),
                    dynamicTest("fine-tuned, it runs as its emitted ONNX in ONNX Runtime at batch 2",
                            () -> fineTunedMatchesEmitted(onnx, data, train))));
        });
    }

    private static void normalized(Path onnx) {
        Graph imported = OnnxImporter.load(onnx);
        Graph g = GraphNormalizer.normalize(imported, Map.of()).graph();
        for (Node n : g.nodes()) {
            for (int i : WEIGHT_INPUTS.getOrDefault(n.opType(), Set.of())) {
                if (i < n.inputs().size() && !n.inputs().get(i).isEmpty() && !isInput(g, n.inputs().get(i))
                        && computedFromConstants(imported, n.inputs().get(i))) {
                    assertTrue(g.initializers().containsKey(n.inputs().get(i)), "input " + i + " of " + n.describe()
                            + " is an initializer after import");
                }
            }
        }
        ValueInfo x = g.requiredInputs().get(0);
        assertTrue(x.shape().stream().anyMatch(d -> GraphNormalizer.BATCH.equals(d.symbol())),
                "the input's batch axis is named: " + x);
    }

    /** Whether a value is a function of initializers only (then it must have been folded). */
    private static boolean computedFromConstants(Graph g, String value) {
        for (Node n : g.nodes()) {
            if (n.outputs().contains(value)) {
                return n.inputs().stream().allMatch(i -> i.isEmpty() || g.initializers().containsKey(i)
                        || computedFromConstants(g, i));
            }
        }
        return g.initializers().containsKey(value);
    }

    private static boolean isInput(Graph g, String name) {
        return g.inputs().stream().anyMatch(v -> v.name().equals(name));
    }

    private static void runsAtAnyBatch(Path onnx, Path data) {
        Map<String, Tensor> npz = Npz.read(data);
        Graph g = GraphNormalizer.normalize(OnnxImporter.load(onnx), Map.of()).graph();
        ValueInfo x = g.requiredInputs().get(0);
        int batchAxis = x.shape().indexOf(Dim.symbol(GraphNormalizer.BATCH));
        Tensor input = npz.get(x.name());
        String output = g.outputs().get(0).name();
        Tensor want = npz.get("output:" + output);
        Model model = Model.fromGraph(g);
        try (Session s = model.newSession()) {
            assertClose(want, s.run(Map.of(x.name(), input)).get(output), "at the exported batch");
            int outAxis = g.outputs().get(0).shape().indexOf(Dim.symbol(GraphNormalizer.BATCH));
            assertTrue(outAxis >= 0, "the output follows the batch: " + g.outputs().get(0));
            for (int b = 0; b < input.dim(batchAxis); b++) {
                Tensor one = s.run(Map.of(x.name(), slice(input, batchAxis, b))).get(output);
                assertClose(slice(want, outAxis, b), one, "sample " + b + " alone");
            }
        }
    }

    private void prunedAndSmall(Path onnx) {
        Path sparq = tmp.resolve(onnx.getFileName() + ".sparq");
        // 1x16 blocks, as sparq convert prunes by default
        Conversion.Options options = new Conversion.Options(PruneConfig.of(new OneShotSchedule(0.9, 0)).withBlockSize(16), null, null,
                FineTuneConfig.defaults(), EncodingPlanner.Options.of(QuantizeMode.INT8, EncodingPlanner.Objective.SPEED));
        Conversion.Result result = Conversion.run(onnx, sparq, options, quiet(), new AtomicBoolean());
        Graph g = GraphNormalizer.normalize(OnnxImporter.load(onnx), Map.of()).graph();
        List<String> weights = new ArrayList<>();
        for (Node n : g.nodes()) {
            for (int i : WEIGHT_INPUTS.getOrDefault(n.opType(), Set.of())) {
                // sparq prunes recurrent and linear weights; Conv kernels stay dense
                if (!n.opType().equals("Conv") && i < n.inputs().size() && g.initializers().containsKey(n.inputs().get(i))) {
                    weights.add(n.inputs().get(i));
                }
            }
        }
        List<String> pruned = result.pruned().stream().map(Pruner.TensorReport::name).toList();
        assertTrue(pruned.containsAll(weights), "every W, R and linear weight is pruned: " + weights + " vs " + pruned);
        for (Pruner.TensorReport r : result.pruned()) {
            // 1x16 blocks: a small tensor's achieved share is a whole number of blocks
            assertEquals(0.9, r.achieved(), 0.03, r.name() + " " + Arrays.toString(r.shape()));
        }
        long source = size(onnx) + size(onnx.resolveSibling(onnx.getFileName() + ".data"));
        long out = size(sparq);
        assertTrue(out * 4 <= source, "the .sparq (" + out + " B) is >= 4x smaller than .onnx + .data (" + source + " B)");
    }

    private void fineTunedMatchesEmitted(Path onnx, Path data, Path train) throws Exception {
        Path sparq = tmp.resolve(onnx.getFileName() + ".tuned.sparq");
        Path emitted = tmp.resolve(onnx.getFileName() + ".pruned.onnx");
        FineTuneConfig tune = FineTuneConfig.defaults().toBuilder().steps(6).batchSize(8).warmupSteps(1).evalEvery(3)
                .seed(3).build();
        Conversion.Options options = new Conversion.Options(PruneConfig.of(new OneShotSchedule(0.75, 0)), train, null,
                tune, EncodingPlanner.Options.of(QuantizeMode.NONE, EncodingPlanner.Objective.SPEED)).withEmitOnnx(emitted);
        Conversion.Result result = Conversion.run(onnx, sparq, options, quiet(), new AtomicBoolean());
        assertTrue(result.training() != null && result.training().steps() == 6, "fine-tuned 6 steps");

        Map<String, Tensor> npz = Npz.read(data);
        Graph g = GraphNormalizer.normalize(OnnxImporter.load(onnx), Map.of()).graph();
        ValueInfo x = g.requiredInputs().get(0);
        int batchAxis = x.shape().indexOf(Dim.symbol(GraphNormalizer.BATCH));
        Tensor two = first(npz.get(x.name()), batchAxis, 2);
        String output = g.outputs().get(0).name();
        Tensor got;
        try (Session s = Model.load(sparq).newSession()) {
            got = s.run(Map.of(x.name(), two)).get(output);
        }
        try (OrtSession ort = OnnxRuntimeBridge.session(emitted)) {
            Tensor want = OnnxRuntimeBridge.run(ort, Map.of(x.name(), two)).get(output);
            assertClose(want, got, "the fine-tuned .sparq against its emitted ONNX in ONNX Runtime, batch 2");
        }
    }

    private static Conversion.Listener quiet() {
        return new Conversion.Listener() {
            @Override
            public void stage(String description) {
            }

            @Override
            public void onStep(Progress progress, double sparsity) {
            }
        };
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Tensor slice(Tensor t, int axis, int index) {
        return first(drop(t, axis, index), axis, 1);
    }

    /** {@code t} from {@code index} on along {@code axis}. */
    private static Tensor drop(Tensor t, int axis, int index) {
        int[] shape = t.shape().clone();
        int outer = Tensor.sizeOf(Arrays.copyOf(shape, axis));
        int inner = Tensor.sizeOf(Arrays.copyOfRange(shape, axis + 1, shape.length));
        int n = shape[axis];
        shape[axis] = n - index;
        Object out = Tensor.newArray(t.type(), Tensor.sizeOf(shape));
        for (int o = 0; o < outer; o++) {
            System.arraycopy(t.data(), (o * n + index) * inner, out, o * (n - index) * inner, (n - index) * inner);
        }
        return Tensor.of(t.type(), shape, out);
    }

    /** The first {@code count} entries of {@code t} along {@code axis}. */
    private static Tensor first(Tensor t, int axis, int count) {
        int[] shape = t.shape().clone();
        int outer = Tensor.sizeOf(Arrays.copyOf(shape, axis));
        int inner = Tensor.sizeOf(Arrays.copyOfRange(shape, axis + 1, shape.length));
        int n = shape[axis];
        shape[axis] = count;
        Object out = Tensor.newArray(t.type(), Tensor.sizeOf(shape));
        for (int o = 0; o < outer; o++) {
            System.arraycopy(t.data(), o * n * inner, out, o * count * inner, count * inner);
        }
        return Tensor.of(t.type(), shape, out);
    }

    private static void assertClose(Tensor want, Tensor got, String what) {
        assertEquals(Arrays.toString(want.shape()), Arrays.toString(got.shape()), what + ": shape");
        double worst = 0;
        for (int i = 0; i < want.size(); i++) {
            worst = Math.max(worst, Math.abs(want.getDouble(i) - got.getDouble(i)) / (1 + Math.abs(want.getDouble(i))));
        }
        assertTrue(worst <= TOLERANCE, what + ": largest difference " + worst + " > " + TOLERANCE);
    }
}
