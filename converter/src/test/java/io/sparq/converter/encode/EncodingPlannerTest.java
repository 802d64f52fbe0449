package io.sparq.converter.encode;

import io.sparq.converter.data.Npz;
import io.sparq.converter.encode.EncodingPlanner.Objective;
import io.sparq.converter.encode.EncodingPlanner.Options;
import io.sparq.converter.export.SyntheticModels;
import io.sparq.converter.importer.OnnxImporter;
import io.sparq.converter.quantize.QuantizeMode;
import io.sparq.format.Graph;
import io.sparq.format.Tensor;
import io.sparq.format.codec.EncodedTensor;
import io.sparq.format.codec.Encoding;
import io.sparq.format.codec.EncodingChoice;
import io.sparq.format.codec.SparqWriter;
import io.sparq.format.codec.ValueFormat;
import io.sparq.runtime.api.Model;
import io.sparq.runtime.api.Session;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Weight detection, zero-structure measurement, and both objectives of {@link EncodingPlanner}. */
class EncodingPlannerTest {
    @TempDir
    Path tmp;

    private static Path model(String name) {
        String dir = System.getProperty("sparq.testmodels.dir");
        assertTrue(dir != null && Files.isDirectory(Path.of(dir)), "test models not found: sparq.testmodels.dir=" + dir);
        return Path.of(dir, name);
    }

    private static Tensor random(int rows, int cols, long seed) {
        return SyntheticModels.uniform(new Random(seed), new int[] {rows, cols}, 1f);
    }

    /** Tensors of every zero pattern the planner distinguishes, including odd widths and long CSR gaps. */
    private static Map<String, Tensor> patterns() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("dense", random(12, 40, 1));
        m.put("unstructured90", SyntheticModels.pruneBlocks(random(12, 40, 2), 0.9, 1));
        m.put("blocks8_80", SyntheticModels.pruneBlocks(random(16, 64, 3), 0.8, 8));
        m.put("blocks16_oddcols", SyntheticModels.pruneBlocks(random(6, 37, 4), 0.5, 16));
        float[] wide = new float[2 * 700];
        wide[3] = 1;
        wide[650] = -2;      // gap of 646 > 255: CSR needs u16 indices
        wide[700 + 699] = 0.5f;
        m.put("wideGaps", Tensor.ofFloats(new int[] {2, 700}, wide));
        m.put("allZero", Tensor.ofFloats(new int[] {3, 8}, new float[24]));
        return m;
    }

    @Test
    void predictedSizesMatchTheCodec() {
        patterns().forEach((name, t) -> {
            SparsityProfile p = SparsityProfile.of(t);
            for (ValueFormat vf : ValueFormat.values()) {
                for (EncodingChoice c : EncodingPlanner.candidates(vf, 16)) {
                    long predicted = p.layout(c.encoding(), c.values(), c.blockSize()).byteSize();
                    assertEquals(EncodedTensor.encode(name, t, c).byteSize(), predicted, name + " as " + c);
                }
            }
        });
    }

    @Test
    void blockStructureIsTheLargestExactBlock() {
        Map<String, Tensor> p = patterns();
        assertEquals(0, SparsityProfile.of(p.get("dense")).blockStructure());
        assertEquals(8, SparsityProfile.of(p.get("blocks8_80")).blockStructure());
        assertEquals(16, SparsityProfile.of(p.get("blocks16_oddcols")).blockStructure());
        assertEquals(0, SparsityProfile.of(p.get("unstructured90")).blockStructure());
        assertEquals(16, SparsityProfile.of(p.get("allZero")).blockStructure());
        assertEquals(0.9, SparsityProfile.of(p.get("unstructured90")).sparsity(), 1.0 / 480);
        assertEquals(0.8, SparsityProfile.of(p.get("blocks8_80")).sparsity(), 1.0 / 128);   // whole blocks of 128
    }

    private static Graph lstm(double sparsity, int block) {
        return SyntheticModels.recurrent(SyntheticModels.Cell.LSTM, 32, 64, sparsity, block, 17, 7);
    }

    @Test
    void speedFollowsTheCostTable() {
        Options int8Speed = Options.of(QuantizeMode.INT8, Objective.SPEED);
        assertEquals(EncodingChoice.denseInt8(), EncodingPlanner.plan(lstm(0, 1), int8Speed).choices().get("R"));
        assertEquals(EncodingChoice.denseInt8(), EncodingPlanner.plan(lstm(0.5, 1), int8Speed).choices().get("R"));
        // unstructured 95 %: 16×1 column blocks hold about 56 % of the elements and run at dense speed per value
        assertEquals(EncodingChoice.columnBlockSparse(16, ValueFormat.INT8),
                EncodingPlanner.plan(lstm(0.95, 1), int8Speed).choices().get("R"));
        assertEquals(EncodingChoice.blockSparse(16, ValueFormat.INT8),
                EncodingPlanner.plan(lstm(0.9, 16), int8Speed).choices().get("R"));
        // measured costs: unstructured 90 % is still slower as CSR than dense int8, 1x4 blocks are not
        assertEquals(EncodingChoice.denseInt8(), EncodingPlanner.plan(lstm(0.9, 1), int8Speed).choices().get("R"));
        assertEquals(EncodingChoice.denseInt8(), EncodingPlanner.plan(lstm(0.5, 4), int8Speed).choices().get("R"));
        assertEquals(EncodingChoice.blockSparse(4, ValueFormat.INT8),
                EncodingPlanner.plan(lstm(0.9, 4), int8Speed).choices().get("R"));
        EncodingPlan f32 = EncodingPlanner.plan(lstm(0.9, 16), Options.of(QuantizeMode.NONE, Objective.SPEED));
        assertEquals(EncodingChoice.blockSparse(16, ValueFormat.NATIVE), f32.choices().get("W"));
        assertEquals(EncodingChoice.dense(), f32.choices().get("B"), "biases are not weights");
    }

    /** Weights pruned in 16×1 blocks (B outputs of one input) are stored as column blocks, whose kernels run fastest. */
    @Test
    void rowBlockPruningGivesColumnBlocks() {
        Graph g = lstm(0, 1);
        Map<String, Tensor> init = new LinkedHashMap<>(g.initializers());
        Random rnd = new Random(3);
        for (String name : List.of("W", "R")) {
            Tensor t = init.get(name);
            int[] shape = t.shape();
            int cols = shape[shape.length - 1];
            float[] v = t.floats().clone();
            int rows = v.length / cols;
            for (int r0 = 0; r0 < rows; r0 += 16) {
                for (int c = 0; c < cols; c++) {
                    if (rnd.nextDouble() < 0.9) {
                        for (int r = r0; r < Math.min(rows, r0 + 16); r++) {
                            v[r * cols + c] = 0f;
                        }
                    }
                }
            }
            init.put(name, Tensor.ofFloats(shape, v));
        }
        Graph pruned = new Graph(g.name(), g.inputs(), g.outputs(), g.nodes(), init, g.opsets(), g.metadata());
        EncodingPlan plan = EncodingPlanner.plan(pruned, Options.of(QuantizeMode.INT8, Objective.SPEED));
        assertEquals(EncodingChoice.columnBlockSparse(16, ValueFormat.INT8), plan.choices().get("R"));
        assertEquals(EncodingChoice.columnBlockSparse(16, ValueFormat.INT8), plan.choices().get("W"));
        assertEquals(pruned.initializers().get("R").size() / 10.0,
                SparsityProfile.of(init.get("R")).keptColumnBlocks(16) * 16, pruned.initializers().get("R").size() * 0.03);
    }

    @Test
    void sizePicksTheSmallestCandidate() {
        for (QuantizeMode mode : QuantizeMode.values()) {
            for (double s : new double[] {0, 0.5, 0.9}) {
                for (int block : new int[] {1, 4, 16}) {
                    Graph g = lstm(s, block);
                    EncodingPlan plan = EncodingPlanner.plan(g, Options.of(mode, Objective.SIZE));
                    for (TensorReport r : plan.tensors()) {
                        if (!r.isWeight()) {
                            continue;
                        }
                        Tensor t = g.initializers().get(r.name());
                        long smallest = EncodingPlanner.candidates(mode.valueFormat(), 32).stream()
                                .mapToLong(c -> EncodedTensor.encode(r.name(), t, c).byteSize()).min().orElseThrow();
                        assertEquals(smallest, r.bytes(), mode + " " + s + " " + block + " " + r.name());
                        assertEquals(EncodedTensor.encode(r.name(), t, r.encoding()).byteSize(), r.bytes());
                    }
                }
            }
        }
    }

    @Test
    void weightsAreRecurrentGemmMatMulAndOptionallyEmbeddings() {
        Graph charLm = OnnxImporter.load(model("char_lm.onnx"));
        Map<String, String> without = EncodingPlanner.weights(charLm, false);
        Map<String, String> with = EncodingPlanner.weights(charLm, true);
        assertEquals(List.of("LSTM W", "LSTM R", "MatMul"), List.copyOf(without.values()));
        assertTrue(with.entrySet().containsAll(without.entrySet()));
        assertEquals(List.of("embedding"), with.values().stream().filter(r -> !without.containsValue(r)).toList());
        Graph classifier = OnnxImporter.load(model("lstm_classifier.onnx"));
        assertEquals(3, EncodingPlanner.weights(classifier, false).values().stream().filter("Gemm B"::equals).count());
    }

    /** int8 error per element is at most half a quantization step of its row: max|row| / 254. */
    @Test
    void int8ErrorIsBoundedByHalfAStepPerRow() {
        Graph g = lstm(0.5, 4);
        EncodingPlan plan = EncodingPlanner.plan(g, Options.of(QuantizeMode.INT8, Objective.SPEED));
        for (TensorReport r : plan.tensors()) {
            if (r.isWeight()) {
                float max = 0;
                for (float v : g.initializers().get(r.name()).floats()) {
                    max = Math.max(max, Math.abs(v));
                }
                assertTrue(r.maxAbsError() > 0 && r.maxAbsError() <= max / 254 * (1 + 1e-6), r.name() + ": " + r.maxAbsError());
            }
        }
    }

    /** Plans written to .sparq and run by runtime-lite reproduce the ONNX Runtime reference outputs. */
    @Test
    void plannedFilesRunCloseToTheOnnxRuntimeReference() {
        Graph g = OnnxImporter.load(model("lstm_stack2_bidir.onnx"));
        Map<String, Tensor> ref = Npz.read(model("lstm_stack2_bidir.npz"));
        float[] want = ref.get("output:y").floats();
        // lossless encodings: the 1e-5 abs + 1e-4 rel tolerance of the model parity tests;
        // int8 (per-row scale, half-step error <= 0.2 % of a row's range): 2e-2 absolute on outputs of magnitude ~0.5
        Map<QuantizeMode, Double> tolerance = Map.of(QuantizeMode.NONE, 1e-5, QuantizeMode.F16, 2e-3,
                QuantizeMode.INT8, 2e-2, QuantizeMode.INT4, 0.25);
        for (QuantizeMode mode : QuantizeMode.values()) {
            for (Objective o : Objective.values()) {
                EncodingPlan plan = EncodingPlanner.plan(g, Options.of(mode, o));
                Path file = tmp.resolve(mode + "_" + o + ".sparq");
                SparqWriter.write(file, g, plan.choices(), Map.of());
                float[] got;
                try (Session s = Model.load(file).newSession()) {
                    got = s.run(Map.of("x", ref.get("x"))).get("y").floats();
                }
                double tol = tolerance.get(mode);
                for (int i = 0; i < want.length; i++) {
                    double allowed = tol + (mode == QuantizeMode.NONE ? 1e-4 * Math.abs(want[i]) : 0);
                    assertTrue(Math.abs(got[i] - want[i]) <= allowed, mode + "/" + o + " element " + i + ": " + got[i] + " vs " + want[i]);
                }
                plan.tensors().stream().filter(r -> !r.isWeight())
                        .forEach(r -> assertEquals(Encoding.DENSE, r.encoding().encoding(), r.name()));
            }
        }
    }
}
