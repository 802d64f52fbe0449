package io.sparq.converter.prune;

import io.sparq.format.ErrorCode;
import io.sparq.format.Graph;
import io.sparq.format.SparqException;
import io.sparq.format.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pruner as a trainer drives it: a simulated training loop that perturbs every weight between steps. */
class PrunerTest {
    private static final int[] W_SHAPE = {2, 64, 24};   // 3072 elements, 24 columns: B = 16 leaves a short last block
    private static final int[] R_SHAPE = {2, 64, 16};

    private static Map<String, Tensor> weights(long seed) {
        Random r = new Random(seed);
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (Map.Entry<String, int[]> e : Map.of("lstm.W", W_SHAPE, "lstm.R", R_SHAPE).entrySet()) {
            float[] v = new float[Tensor.sizeOf(e.getValue())];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) r.nextGaussian() * 0.1f;
            }
            m.put(e.getKey(), Tensor.ofFloats(e.getValue(), v));
        }
        return new LinkedHashMap<>(Map.of("lstm.W", m.get("lstm.W"), "lstm.R", m.get("lstm.R")));
    }

    private static List<PruneTargets.Target> targets(double w, double r) {
        return List.of(new PruneTargets.Target("lstm.W", W_SHAPE, "LSTM W", w),
                new PruneTargets.Target("lstm.R", R_SHAPE, "LSTM R", r));
    }

    /** What an optimizer step does to the weights, pruned or not: every weight moves a little. */
    private static void optimizerStep(Map<String, Tensor> weights, Random r) {
        for (Tensor t : weights.values()) {
            float[] v = t.floats();
            for (int i = 0; i < v.length; i++) {
                v[i] += (float) r.nextGaussian() * 0.01f;
            }
        }
    }

    private static long zeros(Tensor t) {
        long n = 0;
        for (float v : t.floats()) {
            n += Float.floatToRawIntBits(v) == 0 ? 1 : 0;
        }
        return n;
    }

    private static boolean[] zeroSet(Tensor t) {
        float[] v = t.floats();
        boolean[] z = new boolean[v.length];
        for (int i = 0; i < v.length; i++) {
            z[i] = v[i] == 0;
        }
        return z;
    }

    @Test
    void cubicReachesEachTensorsScheduleAndPrunedWeightsStayZero() {
        for (int block : new int[] {1, 4, 16}) {
            CubicSchedule schedule = new CubicSchedule(0, 0.9, 20, 8, 10);
            Pruner pruner = new Pruner(targets(0.9, 0.75), schedule, block);
            Map<String, Tensor> w = weights(block);
            Random noise = new Random(99);
            Map<String, boolean[]> previous = new LinkedHashMap<>();
            for (long step = 0; step <= 130; step++) {
                pruner.beforeStep(step, w);
                if (schedule.isUpdateStep(step)) {
                    for (String name : List.of("lstm.W", "lstm.R")) {
                        double target = ((SparsitySchedule) pruner.scheduleOf(name)).sparsityAt(step);
                        Tensor t = w.get(name);
                        String what = "block " + block + " step " + step + " " + name;
                        assertTrue(Math.abs(zeros(t) - target * t.size()) <= block, what + ": " + zeros(t) + " zeros, want " + target * t.size());
                        boolean[] now = zeroSet(t);
                        boolean[] before = previous.put(name, now);
                        for (int i = 0; before != null && i < now.length; i++) {
                            assertFalse(before[i] && !now[i], what + ": element " + i + " came back");
                        }
                    }
                }
                optimizerStep(w, noise);
                pruner.afterUpdate(w);
                for (String name : List.of("lstm.W", "lstm.R")) {
                    assertEquals(Math.round(pruner.currentSparsity().get(name) * w.get(name).size()), zeros(w.get(name)),
                            "masked weights must be exactly +0.0 after every update");
                }
            }
            List<Pruner.TensorReport> report = pruner.report();
            assertEquals(List.of("lstm.W", "lstm.R"), report.stream().map(Pruner.TensorReport::name).toList());
            assertEquals(0.9, report.get(0).target());
            assertEquals(0.75, report.get(1).target());
            for (Pruner.TensorReport r : report) {
                assertTrue(Math.abs(r.achieved() - r.target()) * Tensor.sizeOf(r.shape()) <= block, r.toString());
                assertEquals(block, r.block());
            }
        }
    }

    @Test
    void nothingIsPrunedBeforeBeginWhenInitialSparsityIsZero() {
        Pruner pruner = new Pruner(targets(0.5, 0.5), new CubicSchedule(0, 0.5, 10, 2, 5), 1);
        Map<String, Tensor> w = weights(3);
        float[] original = w.get("lstm.W").floats().clone();
        for (long step = 0; step <= 10; step++) {
            pruner.beforeStep(step, w);
        }
        assertArrayEquals(original, w.get("lstm.W").floats());
        pruner.beforeStep(15, w);
        assertEquals(0.5 - 0.5 / 8, pruner.currentSparsity().get("lstm.W"), 1.0 / 3072);
    }

    @Test
    void narangDerivedThetaHitsTheTargetAndMasksOnlyGrow() {
        for (int block : new int[] {1, 8}) {
            NarangSchedule schedule = NarangSchedule.forSparsity(0, 40, 100, 0.9, 1.5, 7);
            Pruner pruner = new Pruner(targets(0.9, 0.6), schedule, block);
            Map<String, Tensor> w = weights(11);
            double last = 0;
            for (long step = 0; step <= 120; step++) {
                pruner.beforeStep(step, w);
                double now = pruner.overallSparsity();
                assertTrue(now >= last, "masks only grow");
                last = now;
            }
            // weights did not move, so ε(end) = the quantile taken at start_itr gives the target
            for (Pruner.TensorReport r : pruner.report()) {
                assertTrue(Math.abs(r.achieved() - r.target()) * Tensor.sizeOf(r.shape()) <= block, "block " + block + " " + r);
                NarangSchedule own = (NarangSchedule) pruner.scheduleOf(r.name());
                assertFalse(own.derivesTheta());
            }
        }
    }

    /** Training grows the kept weights (they take over from the pruned ones); the last update still lands on the target. */
    @Test
    void narangDerivedThetaReachesTheTargetWhenWeightsGrow() {
        for (int block : new int[] {1, 8}) {
            Pruner pruner = new Pruner(targets(0.9, 0.6), NarangSchedule.forSparsity(0, 40, 100, 0.9, 1.5, 7), block);
            Map<String, Tensor> w = weights(12);
            for (long step = 0; step <= 120; step++) {
                pruner.beforeStep(step, w);
                for (Tensor t : w.values()) {
                    float[] v = t.floats();
                    for (int i = 0; i < v.length; i++) {
                        v[i] *= 1.01f;
                    }
                }
                pruner.afterUpdate(w);
            }
            for (Pruner.TensorReport r : pruner.report()) {
                assertTrue(Math.abs(r.achieved() - r.target()) * Tensor.sizeOf(r.shape()) <= block, "block " + block + " " + r);
                assertEquals(Math.round(r.achieved() * Tensor.sizeOf(r.shape())), zeros(w.get(r.name())), r.name());
            }
        }
    }

    @Test
    void narangWithGivenThetaMasksWeightsBelowTheThreshold() {
        NarangSchedule schedule = NarangSchedule.withTheta(0, 10, 20, 0.002, 1.5, 5);
        Pruner pruner = new Pruner(targets(Double.NaN, Double.NaN), schedule, 1);
        Map<String, Tensor> w = weights(5);
        float[] original = w.get("lstm.R").floats().clone();
        for (long step = 0; step <= 20; step++) {
            pruner.beforeStep(step, w);
        }
        double eps = 0.002 * 10 + 0.003 * 10;
        float[] now = w.get("lstm.R").floats();
        for (int i = 0; i < now.length; i++) {
            assertEquals(Math.abs(original[i]) < eps ? 0f : original[i], now[i], "element " + i);
        }
    }

    @Test
    void oneShotFixesTheMaskAfterItsStep() {
        Pruner pruner = new Pruner(targets(0.5, 0.5), new OneShotSchedule(0.5, 3), 1);
        Map<String, Tensor> w = weights(8);
        Random noise = new Random(1);
        for (long step = 0; step < 3; step++) {
            pruner.beforeStep(step, w);
            assertEquals(0, zeros(w.get("lstm.W")));
            optimizerStep(w, noise);
            pruner.afterUpdate(w);
        }
        pruner.beforeStep(3, w);
        boolean[] mask = zeroSet(w.get("lstm.W"));
        for (long step = 4; step < 50; step++) {
            optimizerStep(w, noise);
            pruner.afterUpdate(w);
            pruner.beforeStep(step, w);
        }
        assertArrayEquals(mask, zeroSet(w.get("lstm.W")));
    }

    @Test
    void pruneNowCopiesTheGraphAndLeavesBiasesAlone() {
        Graph g = PruneTargetsTest.model("lstm_stack2_bidir");
        Map<String, float[]> before = new LinkedHashMap<>();
        g.initializers().forEach((k, v) -> before.put(k, v.floats().clone()));
        Pruner pruner = Pruner.forGraph(g, PruneConfig.of(new CubicSchedule(0, 0.9, 0, 10, 100)).withBlockSize(4)
                .withTargets(List.of(TargetRule.parse("*MatMul*=0.5"))));
        Graph pruned = pruner.pruneNow(g);
        g.initializers().forEach((k, v) -> assertArrayEquals(before.get(k), v.floats(), "input graph changed: " + k));
        for (String bias : List.of("onnx::LSTM_348", "onnx::LSTM_391", "head.bias")) {
            assertArrayEquals(before.get(bias), pruned.initializers().get(bias).floats(), bias);
        }
        for (Pruner.TensorReport r : pruner.report()) {
            Tensor t = pruned.initializers().get(r.name());
            assertTrue(Math.abs(zeros(t) - r.target() * t.size()) <= 4, r + ": " + zeros(t) + " zeros");
        }
        assertEquals(0.5, pruner.report().get(4).target());
        assertEquals(g.nodes(), pruned.nodes());
    }

    @Test
    void missingOrMisshapenWeightsAreNamed() {
        Pruner pruner = new Pruner(targets(0.5, 0.5), new OneShotSchedule(0.5, 0), 1);
        Map<String, Tensor> w = weights(1);
        w.remove("lstm.R");
        SparqException e = assertThrows(SparqException.class, () -> pruner.beforeStep(0, w));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage().contains("'lstm.R'"), e.getMessage());
        w.put("lstm.R", Tensor.ofFloats(new int[] {2, 64, 8}, new float[1024]));
        e = assertThrows(SparqException.class, () -> pruner.afterUpdate(w));
        assertTrue(e.getMessage().contains("[2, 64, 8]") && e.getMessage().contains(Arrays.toString(R_SHAPE)), e.getMessage());
    }
}
