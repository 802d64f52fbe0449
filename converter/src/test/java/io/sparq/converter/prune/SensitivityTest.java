package io.sparq.converter.prune;

import io.sparq.converter.TestModels;
import io.sparq.converter.finetune.LossKind;
import io.sparq.converter.finetune.TrainingData;
import io.sparq.converter.importer.GraphNormalizer;
import io.sparq.converter.importer.OnnxImporter;
import io.sparq.format.Graph;
import io.sparq.format.SparqException;
import io.sparq.format.Tensor;
import io.sparq.runtime.api.Model;
import io.sparq.runtime.api.Session;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Sensitivity} on a test model, and its plan on curves whose best answer is known. */
class SensitivityTest {
    @Test
    void everyPrunableTensorIsScoredAndMorePruningCostsMore() {
        Graph g = GraphNormalizer.normalize(OnnxImporter.load(TestModels.file("lstm_classifier.onnx")), Map.of()).graph();
        TrainingData data = TrainingData.fromNpz(TestModels.file("lstm_classifier.train.npz"), g, Map.of());
        double[] grid = {0.5, 0.95};
        Sensitivity.Result r = Sensitivity.analyze(g, data, null, grid, 1, 64, false, (done, total) -> { });

        List<String> prunable = PruneTargets.candidates(g, false).stream().map(PruneTargets.Candidate::name).toList();
        assertEquals(prunable, r.curves().stream().map(Sensitivity.Curve::tensor).toList());
        assertEquals(LossKind.KL, r.loss(), "a softmax output is distilled with KL");
        assertEquals("agreement", r.metricName());
        assertEquals(0, r.dense().loss(), 1e-9, "the dense model against itself");
        assertEquals(1.0, r.dense().metric());
        assertEquals(64, r.samples());
        for (Sensitivity.Curve c : r.curves()) {
            assertTrue(c.scores().get(1).loss() > c.scores().get(0).loss(), c.tensor() + ": 95 % loses more than 50 %: "
                    + c.scores());
        }
    }

    @Test
    void withLabelsTheLossIsCrossEntropyAndTheMetricAccuracy() {
        Graph g = GraphNormalizer.normalize(OnnxImporter.load(TestModels.file("lstm_classifier.onnx")), Map.of()).graph();
        TrainingData data = TrainingData.fromNpz(TestModels.file("lstm_classifier.train.npz"), g, Map.of());
        // labels: the dense model's own classes, so its accuracy is 1
        int n = 32;
        int[] all = java.util.stream.IntStream.range(0, n).toArray();
        String output = g.outputs().get(0).name();
        Tensor probs;
        try (Session s = Model.fromGraph(g).newSession()) {
            probs = data.samplesOf(output, s.run(data.inputBatch(all)).get(output));
        }
        int classes = probs.dim(probs.rank() - 1);
        long[] classOf = new long[probs.size() / classes];
        for (int r = 0; r < classOf.length; r++) {
            for (int c = 1; c < classes; c++) {
                if (probs.floats()[r * classes + c] > probs.floats()[r * classes + (int) classOf[r]]) {
                    classOf[r] = c;
                }
            }
        }
        Tensor labels = Tensor.ofLongs(java.util.Arrays.copyOf(probs.shape(), probs.rank() - 1), classOf);

        Sensitivity.Result r = Sensitivity.analyze(g, data, Map.of(output, labels), new double[] {0.9}, 16, n, false,
                (d, t) -> { });

        assertEquals(LossKind.CROSS_ENTROPY, r.loss());
        assertEquals("accuracy", r.metricName());
        assertEquals(1.0, r.dense().metric());
        SparqException e = assertThrows(SparqException.class, () -> Sensitivity.analyze(g, data,
                Map.of("nothing", labels), new double[] {0.5}, 16, n, false, (d, t) -> { }));
        assertTrue(e.getMessage().startsWith("the labels name none of the model's outputs"), e.getMessage());
    }

    @Test
    void thePlanPrunesTheRobustTensorMostAndReachesTheTarget() {
        double[] grid = {0.5, 0.75, 0.9, 0.95};
        Sensitivity.Curve fragile = curve("fragile", 1000, 0.1, 0.5, 2, 5);
        Sensitivity.Curve robust = curve("robust", 1000, 0.001, 0.002, 0.003, 0.01);
        Sensitivity.Result r = new Sensitivity.Result(LossKind.MSE, null, 10, grid, 16, new Sensitivity.Score(0, Double.NaN),
                List.of(fragile, robust));

        Map<String, Double> plan = Sensitivity.plan(r, 0.7);

        assertTrue(Sensitivity.sparsity(plan, r) >= 0.7 - 1e-12, plan.toString());
        assertTrue(plan.get("robust") >= 0.9, plan.toString());
        assertTrue(plan.get("fragile") <= 0.5, plan.toString());
        SparqException tooHigh = assertThrows(SparqException.class, () -> Sensitivity.plan(r, 0.97));
        assertTrue(tooHigh.getMessage().contains("above the largest sparsity analysed"), tooHigh.getMessage());
    }

    private static Sensitivity.Curve curve(String name, long params, double... losses) {
        return new Sensitivity.Curve(name, "MatMul weight", new int[] {(int) params}, params,
                java.util.Arrays.stream(losses).mapToObj(l -> new Sensitivity.Score(l, Double.NaN)).toList());
    }
}
