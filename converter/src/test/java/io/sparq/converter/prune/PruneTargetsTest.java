package io.sparq.converter.prune;

import io.sparq.converter.importer.OnnxImporter;
import io.sparq.format.ErrorCode;
import io.sparq.format.Graph;
import io.sparq.format.Node;
import io.sparq.format.SparqException;
import io.sparq.format.Tensor;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which initializers are pruned, on the bundled test models (exported by torch) and on hand-built graphs. */
class PruneTargetsTest {
    static Graph model(String name) {
        String dir = System.getProperty("sparq.testmodels.dir");
        assertTrue(dir != null && Files.isDirectory(Path.of(dir)), "test models not found: sparq.testmodels.dir=" + dir);
        return OnnxImporter.load(Path.of(dir, name + ".onnx"));
    }

    private static List<String> names(List<PruneTargets.Candidate> candidates) {
        return candidates.stream().map(PruneTargets.Candidate::name).toList();
    }

    private static final PruneConfig CUBIC_90 = PruneConfig.of(new CubicSchedule(0, 0.9, 0, 10, 100));

    @Test
    void recurrentWeightsAndMatMulButNotBiases() {
        Graph g = model("lstm_stack2_bidir");
        // initializers: LSTM_348/391 are biases [2, 128], head.bias is the MatMul's Add
        assertEquals(List.of("onnx::LSTM_349", "onnx::LSTM_350", "onnx::LSTM_392", "onnx::LSTM_393", "onnx::MatMul_394"),
                names(PruneTargets.candidates(g, false)));
    }

    @Test
    void gemmWeightsOfAnMlp() {
        assertEquals(List.of("onnx::LSTM_118", "onnx::LSTM_119", "mlp.0.weight", "mlp.2.weight", "mlp.4.weight"),
                names(PruneTargets.candidates(model("lstm_classifier"), false)));
    }

    @Test
    void embeddingsOnlyOnRequest() {
        Graph g = model("char_lm");
        assertEquals(List.of("onnx::LSTM_112", "onnx::LSTM_113", "onnx::MatMul_115"), names(PruneTargets.candidates(g, false)));
        assertEquals(List.of("embed.weight", "onnx::LSTM_112", "onnx::LSTM_113", "onnx::MatMul_115"),
                names(PruneTargets.candidates(g, true)));
        SparqException e = assertThrows(SparqException.class, () -> PruneTargets.resolve(g,
                CUBIC_90.withTargets(List.of(TargetRule.parse("embed*=0.5")))));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage().contains("embeddings are pruned only on request"), e.getMessage());
        List<PruneTargets.Target> t = PruneTargets.resolve(g,
                CUBIC_90.withEmbeddings(true).withTargets(List.of(TargetRule.parse("embed*=0.5"))));
        assertEquals("embed.weight", t.get(0).name());
        assertEquals(0.5, t.get(0).sparsity());
    }

    @Test
    void neverPeepholesStatesOrNormalisation() {
        Map<String, Tensor> init = new LinkedHashMap<>();
        for (String name : List.of("W", "R", "B", "h0", "c0", "P", "gemmB", "gemmC", "scale", "bias", "conv", "k")) {
            init.put(name, Tensor.ofFloats(new int[] {1, 8, 4}, new float[32]));
        }
        init.put("gemmB", Tensor.ofFloats(new int[] {4, 4}, new float[16]));
        init.put("scale", Tensor.ofFloats(new int[] {4, 4}, new float[16]));
        init.put("k", Tensor.ofFloats(new int[] {4, 4}, new float[16]));
        Graph g = new Graph("g", List.of(), List.of(), List.of(
                new Node("lstm", "LSTM", "", List.of("x", "W", "R", "B", "", "h0", "c0", "P"), List.of("y"), Map.of()),
                new Node("fc", "Gemm", "", List.of("y", "gemmB", "gemmC"), List.of("z"), Map.of()),
                new Node("ln", "LayerNormalization", "", List.of("z", "scale", "bias"), List.of("n"), Map.of()),
                new Node("cv", "Conv", "", List.of("n", "conv"), List.of("o"), Map.of()),
                new Node("mm", "MatMul", "com.example", List.of("o", "k"), List.of("p"), Map.of())),
                init, Map.of("", 17), Map.of());
        assertEquals(List.of("W", "R", "gemmB"), names(PruneTargets.candidates(g, true)));
    }

    @Test
    void laterGlobWinsAndZeroLeavesDense() {
        Graph g = model("lstm_stack2_bidir");
        PruneConfig config = CUBIC_90.withTargets(List.of(
                TargetRule.parse("onnx::LSTM_*=0.8"), TargetRule.parse("onnx::LSTM_39?=0.95"), TargetRule.parse("*MatMul*=0")));
        List<PruneTargets.Target> t = PruneTargets.resolve(g, config);
        assertEquals(List.of("onnx::LSTM_349", "onnx::LSTM_350", "onnx::LSTM_392", "onnx::LSTM_393"),
                t.stream().map(PruneTargets.Target::name).toList());
        assertEquals(List.of(0.8, 0.8, 0.95, 0.95), t.stream().map(PruneTargets.Target::sparsity).toList());
    }

    @Test
    void globMatchingNothingNamesTheAvailableTensors() {
        Graph g = model("lstm_stack2_bidir");
        SparqException e = assertThrows(SparqException.class, () -> PruneTargets.resolve(g,
                CUBIC_90.withTargets(List.of(TargetRule.parse("head.bias=0.5")))));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage().contains("'head.bias' matches no prunable tensor"), e.getMessage());
        assertTrue(e.getMessage().contains("onnx::LSTM_349") && e.getMessage().contains("onnx::MatMul_394"), e.getMessage());
    }

    @Test
    void targetSyntax() {
        assertEquals(new TargetRule("a=b*", 0.5), TargetRule.parse("a=b*=0.5"));
        assertTrue(new TargetRule("lstm_1.*", 0.5).matches("lstm_1.weight_ih"));
        assertTrue(!new TargetRule("lstm_1.*", 0.5).matches("lstm_10weight"));  // '.' is literal
        assertTrue(new TargetRule("a?c", 0.5).matches("abc"));
        assertThrows(SparqException.class, () -> TargetRule.parse("lstm"));
        assertThrows(SparqException.class, () -> TargetRule.parse("lstm=high"));
        assertThrows(SparqException.class, () -> TargetRule.parse("lstm=1.0"));
    }
}
