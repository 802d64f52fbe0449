package io.sparq.converter.finetune;

import io.sparq.format.Graph;
import io.sparq.format.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The training loop end to end on a small non-recurrent model distilled from a teacher. */
class TrainerTest {
    private static final WeightConstraint NONE = new WeightConstraint() {
        @Override
        public void beforeStep(long step, Map<String, Tensor> weights) {
        }

        @Override
        public void afterUpdate(Map<String, Tensor> weights) {
        }
    };

    private static final Graph TEACHER = TestGraphs.projectionTanh(2);

    /** The teacher with every weight moved by up to ±0.3. */
    private static Graph student() {
        SplittableRandom rnd = new SplittableRandom(99);
        Map<String, Tensor> inits = new LinkedHashMap<>();
        TEACHER.initializers().forEach((k, v) -> {
            float[] w = v.floats().clone();
            for (int i = 0; i < w.length; i++) {
                w[i] += (float) rnd.nextDouble(-0.3, 0.3);
            }
            inits.put(k, Tensor.ofFloats(v.shape(), w));
        });
        return new Graph(TEACHER.name(), TEACHER.inputs(), TEACHER.outputs(), TEACHER.nodes(), inits,
                TEACHER.opsets(), TEACHER.metadata());
    }

    private static TrainingData data() {
        TrainingData inputs = TrainingData.of(Map.of("x", GradCheck.random(new SplittableRandom(1), 200, 3, 4)),
                TEACHER, Map.of());
        return inputs.withTeacherTargets(new TrainingGraph(TEACHER), List.of("probs"), 64);
    }

    private static FineTuneConfig config(long seed) {
        return FineTuneConfig.defaults().toBuilder().steps(300).batchSize(16).learningRate(1e-2).warmupSteps(10)
                .evalEvery(50).seed(seed).build();
    }

    private static double lossOnAll(TrainingGraph model, TrainingData data, FineTuneConfig config) {
        int[] all = new int[data.size()];
        java.util.Arrays.setAll(all, i -> i);
        return new Trainer(model, config).evaluate(data, all, List.of("probs"),
                Map.of("probs", OutputKind.PROBABILITIES));
    }

    @Test
    void distillationRecoversThePerturbedModel() {
        TrainingData data = data();
        TrainingGraph model = new TrainingGraph(student());
        FineTuneConfig config = config(5);
        double before = lossOnAll(model, data, config);
        List<TrainingListener.Progress> seen = new ArrayList<>();
        Trainer.Result r = new Trainer(model, config).train(data, NONE, seen::add, new AtomicBoolean());
        double after = lossOnAll(model, data, config);
        assertTrue(after < before / 20, "KL before " + before + ", after " + after);
        assertEquals(300, r.steps());
        assertFalse(r.cancelled());
        assertEquals(300, seen.size());
        assertEquals(6, seen.stream().filter(TrainingListener.Progress::evaluated).count(), "every 50 steps");
        assertTrue(seen.get(0).learningRate() < seen.get(9).learningRate(), "warm-up");
        assertEquals(after, lossOnAll(new TrainingGraph(r.graph()), data, config), 0, "result graph holds the weights");
    }

    /** Masks every other element of the matrices; the trainer must leave them exactly zero after every step. */
    @Test
    void maskedWeightsStayExactlyZero() {
        WeightConstraint halfMask = new WeightConstraint() {
            @Override
            public void beforeStep(long step, Map<String, Tensor> weights) {
                afterUpdate(weights);
            }

            @Override
            public void afterUpdate(Map<String, Tensor> weights) {
                for (String name : List.of("w1", "w2")) {
                    float[] w = weights.get(name).floats();
                    for (int i = 0; i < w.length; i += 2) {
                        w[i] = 0;
                    }
                }
            }
        };
        TrainingGraph model = new TrainingGraph(student());
        int[] violations = {0};
        new Trainer(model, config(5).toBuilder().steps(60).build()).train(data(), halfMask, p -> {
            for (String name : List.of("w1", "w2")) {
                float[] w = model.parameters().get(name).floats();
                for (int i = 0; i < w.length; i += 2) {
                    if (Float.floatToRawIntBits(w[i]) != 0) {
                        violations[0]++;
                    }
                }
            }
        }, new AtomicBoolean());
        assertEquals(0, violations[0]);
        float[] w1 = model.parameters().get("w1").floats();
        assertTrue(w1[1] != 0, "unmasked weights train");
    }

    @Test
    void sameSeedGivesBitIdenticalWeights() {
        TrainingData data = data();
        FineTuneConfig config = config(5).toBuilder().steps(80).build();
        Map<String, Tensor> a = run(data, config);
        Map<String, Tensor> b = run(data, config);
        Map<String, Tensor> other = run(data, config.toBuilder().seed(6).build());
        a.forEach((k, v) -> assertArrayEquals(v.floats(), b.get(k).floats(), k));
        assertFalse(java.util.Arrays.equals(a.get("w1").floats(), other.get("w1").floats()), "seed matters");
    }

    private static Map<String, Tensor> run(TrainingData data, FineTuneConfig config) {
        TrainingGraph model = new TrainingGraph(student());
        new Trainer(model, config).train(data, NONE, TrainingListener.none(), new AtomicBoolean());
        return model.parameters();
    }

    @Test
    void cancellationStopsBeforeTheNextStep() {
        AtomicBoolean cancel = new AtomicBoolean();
        Trainer.Result r = new Trainer(new TrainingGraph(student()), config(5).toBuilder().validationFraction(0).build())
                .train(data(), NONE, p -> cancel.set(p.step() == 4), cancel);
        assertEquals(5, r.steps());
        assertTrue(r.cancelled());
    }

    @Test
    void scheduleAndOptimizers() {
        LearningRate lr = new LearningRate(1.0, 4, LearningRate.Decay.COSINE, 0.1);
        assertEquals(0.25, lr.at(0, 14), 1e-12);
        assertEquals(1.0, lr.at(4, 14), 1e-12);
        assertEquals(0.55, lr.at(9, 15), 1e-12, "half way through the decay (steps 4..14)");
        assertEquals(0.1, lr.at(13, 14), 1e-12);
        // held until step 8: the peak through step 7, then the whole cosine over steps 8..13
        LearningRate held = lr.holdingUntil(8);
        assertEquals(0.25, held.at(0, 14), 1e-12, "warm-up unchanged");
        assertEquals(1.0, held.at(7, 14), 1e-12);
        assertEquals(1.0, held.at(8, 14), 1e-12);
        assertEquals(0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * 0.4)), held.at(10, 14), 1e-12);
        assertEquals(0.1, held.at(13, 14), 1e-12);
        assertEquals(lr.at(9, 15), lr.holdingUntil(2).at(9, 15), 1e-12, "a hold inside the warm-up changes nothing");
        // Adam's first step moves each weight by lr·sign(g) (bias-corrected moments are g and g²)
        Tensor w = Tensor.ofFloats(new int[] {2}, 1f, 1f);
        Optimizer.adam(0.9, 0.999, 1e-8, 0).step(Map.of("w", w), Map.of("w", Tensor.ofFloats(new int[] {2}, 3f, -0.01f)), 0.1);
        assertArrayEquals(new float[] {0.9f, 1.1f}, w.floats(), 1e-5f);
        Map<String, Tensor> g = Map.of("a", Tensor.ofFloats(new int[] {2}, 3f, 4f));
        assertEquals(5, Optimizer.clipGlobalNorm(g, 1), 1e-12);
        assertArrayEquals(new float[] {0.6f, 0.8f}, g.get("a").floats(), 1e-6f);
    }
}
