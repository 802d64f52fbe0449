package io.sparq.converter.cli;

import io.sparq.converter.Recipe;
import io.sparq.converter.TestModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static io.sparq.converter.cli.CliRun.sparq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code sparq schedule} run in-process: printed updates, CSV of every step, estimates on a model, usage errors. */
class ScheduleCommandTest {
    private static Path model;  // lstm_stack2_bidir: prunable onnx::LSTM_349/350/392/393 and onnx::MatMul_394

    @TempDir
    Path tmp;

    @BeforeAll
    static void findModel() {
        model = TestModels.file("lstm_stack2_bidir.onnx");
    }

    private static void assertUsageError(CliRun r, String fragment) {
        assertEquals(ExitCode.USAGE, r.exit(), r.err());
        assertTrue(r.err().startsWith("sparq: error: "), r.err());
        assertTrue(r.err().contains(fragment), () -> "expected '" + fragment + "' in: " + r.err());
    }

    /** The table row printed for {@code step}, split into cells. */
    private static String[] row(CliRun r, long step) {
        return r.out().lines().map(String::trim).filter(l -> l.startsWith(step + " "))
                .findFirst().orElseThrow(() -> new AssertionError("no row for step " + step + " in:\n" + r.out())).split("\\s+");
    }

    @Test
    void cubicPrintsEachUpdateAndWritesEveryStep() throws IOException {
        Path csv = tmp.resolve("cubic.csv");
        CliRun r = sparq("schedule", "--sparsity", "0.9", "--prune-steps", "1000", "--frequency", "100", "--csv", csv.toString());
        assertEquals(ExitCode.OK, r.exit(), r.err());
        // Zhu & Gupta: 0.9 − 0.9 (1 − t/1000)^3
        assertEquals("0.2439", row(r, 100)[1]);
        assertEquals("0.7875", row(r, 500)[1]);
        assertEquals("0.9000", row(r, 1000)[1]);
        assertEquals(11, r.out().lines().filter(l -> l.trim().matches("\\d+\\s+\\d\\.\\d{4}")).count());
        List<String> lines = Files.readAllLines(csv);
        assertEquals("step,sparsity", lines.get(0));
        assertEquals(1002, lines.size());
        assertEquals("550,0.7875", lines.get(551));  // the sparsity set at step 500 holds until 600
        assertEquals("1000,0.9000", lines.get(1001));
    }

    @Test
    void narangWithThetaPrintsThresholds() {
        CliRun r = sparq("schedule", "--schedule", "narang", "--theta", "1e-4", "--prune-steps", "600", "--ramp", "400",
                "--frequency", "100", "--phi", "2");
        assertEquals(ExitCode.OK, r.exit(), r.err());
        assertEquals(4e-2, Double.parseDouble(row(r, 400)[1]), 1e-12);       // θ · 400
        assertEquals(4e-2 + 2e-4 * 200, Double.parseDouble(row(r, 600)[1]), 1e-12);
    }

    @Test
    void narangOnAModelEstimatesSparsityAndReachesTheTarget() throws IOException {
        Path csv = tmp.resolve("narang.csv");
        CliRun r = sparq("schedule", "--schedule", "narang", "--sparsity", "0.9", "--prune-steps", "600", "--frequency", "100",
                "--model", model.toString(), "--block", "4", "--target", "onnx::MatMul_*=0.5", "--csv", csv.toString());
        assertEquals(ExitCode.OK, r.exit(), r.err());
        String[] last = row(r, 600);
        assertEquals("1.0000", last[1]);  // ramp fraction
        // 4 LSTM tensors (10240 elements) at 0.9 and 128 MatMul weights at 0.5, each to within one 4-block
        double want = (0.9 * 10240 + 0.5 * 128) / (10240 + 128);
        assertEquals(want, Double.parseDouble(last[last.length - 1]), 5 * 4.0 / 10368);
        assertTrue(r.out().contains("onnx::MatMul_394"), r.out());
        List<String> lines = Files.readAllLines(csv);
        assertTrue(lines.get(0).startsWith("step,ramp,threshold:onnx::LSTM_349,"), lines.get(0));
        assertTrue(lines.get(0).endsWith(",estimated_sparsity"), lines.get(0));
        assertEquals(602, lines.size());
        double previous = 0;
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",");
            double s = Double.parseDouble(cells[cells.length - 1]);
            assertTrue(s >= previous, "estimated sparsity never falls: " + line);
            previous = s;
        }
    }

    @Test
    void oneShotAndRecipe() throws IOException {
        CliRun r = sparq("schedule", "--schedule", "oneshot", "--sparsity", "0.8", "--begin", "5", "--block", "1", "--model", model.toString());
        assertEquals(ExitCode.OK, r.exit(), r.err());
        String[] cells = row(r, 5);
        assertEquals("0.8000", cells[1]);
        assertEquals(0.8, Double.parseDouble(cells[2]), 1.0 / 1000);
        Path recipe = tmp.resolve("r.yaml");
        Files.writeString(recipe, "schedule: cubic\nsparsity: 0.5\nsteps: 40\nfrequency: 20\nblock: 8\n");
        CliRun fromRecipe = sparq("schedule", "--recipe", recipe.toString(), "--model", model.toString());
        assertEquals(ExitCode.OK, fromRecipe.exit(), fromRecipe.err());
        assertTrue(fromRecipe.out().contains("blocks 1x8"), fromRecipe.out());
        assertEquals(Arrays.asList("40", "0.5000"), Arrays.asList(row(fromRecipe, 40)).subList(0, 2));
        CliRun overridden = sparq("schedule", "--recipe", recipe.toString(), "--sparsity", "0.6", "--model", model.toString());
        assertEquals(ExitCode.OK, overridden.exit(), overridden.err());
        assertEquals(Arrays.asList("40", "0.6000"), Arrays.asList(row(overridden, 40)).subList(0, 2), "the flag wins");
    }

    @Test
    void usageErrors() {
        Path csv = tmp.resolve("never.csv");
        assertUsageError(sparq("schedule", "--schedule", "narang", "--sparsity", "0.9", "--prune-steps", "100", "--csv", csv.toString()),
                "give --model, or give --theta");
        assertFalse(Files.exists(csv));
        assertUsageError(sparq("schedule", "--schedule", "quadratic", "--sparsity", "0.9", "--prune-steps", "100"),
                "--schedule must be one of cubic, narang, oneshot, got 'quadratic'");
        assertUsageError(sparq("schedule", "--sparsity", "0.9", "--prune-steps", "150", "--frequency", "100"), "multiple of frequency");
        assertUsageError(sparq("schedule", "--sparsity", "1.5", "--prune-steps", "100"), "--sparsity must be 0 <= value < 1, got 1.5");
        assertUsageError(sparq("schedule", "--sparsity", "0.9", "--prune-steps", "100", "--target", "lstm*=0.5"), "need --model");
        assertUsageError(sparq("schedule", "--sparsity", "0.9", "--prune-steps", "100", "--model", model.toString(), "--target", "lstm*=0.5"),
                "onnx::LSTM_349");
        assertEquals(ExitCode.FAILURE, sparq("schedule", "--recipe", tmp.resolve("absent.yaml").toString()).exit());
    }

    /** --steps is training steps in both commands: schedule shows the ramp convert runs for the same flags. */
    @Test
    void stepsMeanTrainingStepsAsInConvert() {
        CliRun r = sparq("schedule", "--sparsity", "0.9", "--steps", "1000");
        assertEquals(ExitCode.OK, r.exit(), r.err());
        Recipe convert = Recipe.empty().with(Recipe.Key.SPARSITY, 0.9).with(Recipe.Key.TUNE_STEPS, 1000L).withDefaults(true);
        assertTrue(r.out().startsWith(convert.pruning().schedule().describe()), r.out());
        assertTrue(r.out().contains("ends at step 749"), r.out());   // 3/4 of 1000, in whole updates of 7 steps (ramp / 100)
        assertTrue(r.err().contains("note: --steps is the number of training steps, as in convert"), r.err());
        CliRun ramp = sparq("schedule", "--sparsity", "0.9", "--prune-steps", "1000", "--frequency", "100");
        assertTrue(ramp.out().contains("ends at step 1000") && !ramp.err().contains("note:"), ramp.err());
    }
}
