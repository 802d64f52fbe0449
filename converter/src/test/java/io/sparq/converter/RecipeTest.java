package io.sparq.converter;

import io.sparq.converter.encode.EncodingPlanner;
import io.sparq.converter.finetune.FineTuneConfig;
import io.sparq.converter.finetune.LossKind;
import io.sparq.converter.prune.CubicSchedule;
import io.sparq.converter.prune.NarangSchedule;
import io.sparq.converter.prune.OneShotSchedule;
import io.sparq.converter.prune.PruneConfig;
import io.sparq.converter.prune.TargetRule;
import io.sparq.converter.quantize.QuantizeMode;
import io.sparq.format.ErrorCode;
import io.sparq.format.SparqException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Recipes: the documented examples parse to the expected settings; defaults, overrides and mistakes. */
class RecipeTest {
    @TempDir
    Path tmp;

    @Test
    void fullRecipe() throws IOException {
        Path file = tmp.resolve("prune.yaml");
        Files.writeString(file, """
                # 90 % over 20k steps, 8-wide blocks
                schedule: cubic
                sparsity: 0.9
                initial_sparsity: 0.05
                begin: 1000
                steps: 20000
                frequency: 200
                block: 8
                embeddings: true
                targets:
                  "onnx::LSTM_*": 0.95
                  "head.*": 0
                fine_tune:
                  steps: 2.4e4
                  batch: 32
                  lr: 5e-4
                  loss: KL
                  bptt: 64
                  seed: 7
                  validation: 0.2
                quantize:
                  mode: int4
                  optimize: size
                  qat: true
                """);
        Recipe r = Recipe.load(file).withDefaults(true);
        PruneConfig c = r.pruning();
        assertEquals(new CubicSchedule(0.05, 0.9, 1000, 100, 200), c.schedule());
        assertEquals(8, c.blockSize());
        assertTrue(c.includeEmbeddings());
        assertEquals(List.of(new TargetRule("onnx::LSTM_*", 0.95), new TargetRule("head.*", 0)), c.targets());
        FineTuneConfig f = r.fineTune();
        assertEquals(24_000, f.steps());
        assertEquals(32, f.batchSize());
        assertEquals(5e-4, f.learningRate());
        assertEquals(LossKind.KL, f.loss());
        assertEquals(64, f.bpttTruncation());
        assertEquals(7, f.seed());
        assertEquals(0.2, f.validationFraction());
        EncodingPlanner.Options e = r.encoding();
        assertEquals(QuantizeMode.INT4, e.quantize());
        assertEquals(EncodingPlanner.Objective.SIZE, e.objective());
        assertTrue(e.embeddings());
        assertTrue(r.quantizationAware());
    }

    @Test
    void narangAndOneShotRecipes() {
        assertEquals(NarangSchedule.forSparsity(0, 3000, 6000, 0.8, 1.5, 60),
                Recipe.parse("schedule: narang\nsparsity: 0.8\nsteps: 6000\n", "r").withDefaults(true).pruning().schedule());
        assertEquals(NarangSchedule.withTheta(10, 50, 110, 1e-5, 2.0, 10),
                Recipe.parse("schedule: narang\ntheta: 1.0e-5\nphi: 2\nbegin: 10\nsteps: 100\nramp: 50\nfrequency: 10\n", "r")
                        .withDefaults(true).pruning().schedule());
        assertEquals(new OneShotSchedule(0.7, 0),
                Recipe.parse("schedule: oneshot\nsparsity: 0.7\n", "r").withDefaults(false).pruning().schedule());
    }

    /** The defaults are those of the command line: the ramp over 3/4 of the fine-tuning, 100 mask updates. */
    @Test
    void defaultsFollowTheFineTuningLength() {
        Recipe r = Recipe.parse("sparsity: 0.9\nfine_tune:\n  steps: 2000\n", "r").withDefaults(true);
        assertEquals(new CubicSchedule(0, 0.9, 0, 100, 15), r.pruning().schedule());
        assertEquals(16, r.pruning().blockSize());
        assertEquals(false, r.pruning().rowBlocks(), "blocks along the input axis unless asked");
        assertEquals(true, Recipe.parse("sparsity: 0.9\nblock_axis: output\n", "r").withDefaults(false).pruning().rowBlocks());
        assertEquals(QuantizeMode.INT8, r.encoding().quantize());
        assertNull(r.fineTune().loss(), "auto picks the loss from the model and labels");

        Recipe noData = Recipe.parse("sparsity: 0.9\nfine_tune:\n  steps: 2000\n", "r").withDefaults(false);
        assertNull(noData.fineTune(), "no fine-tuning settings without data");
        assertFalse(noData.toYaml().contains("fine_tune"), noData.toYaml());

        Recipe dense = Recipe.empty().withDefaults(false);
        assertNull(dense.pruning());
        assertEquals(QuantizeMode.NONE, dense.encoding().quantize());
    }

    @Test
    void flagsOverrideTheRecipeAndAddTargets() {
        Recipe file = Recipe.parse("sparsity: 0.9\nblock: 8\ntargets:\n  \"a*\": 0.5\nfine_tune:\n  lr: 0.01\n", "r");
        Recipe flags = Recipe.empty().with(Recipe.Key.SPARSITY, 0.8).with(Recipe.Key.LR, 0.002)
                .with(Recipe.Key.TARGETS, List.of(TargetRule.parse("b*=0.7")));
        Recipe merged = file.overriddenBy(flags).withDefaults(true);
        assertEquals(0.8, ((CubicSchedule) merged.pruning().schedule()).finalSparsity());
        assertEquals(8, merged.pruning().blockSize());
        assertEquals(0.002, merged.fineTune().learningRate());
        assertEquals(List.of(new TargetRule("a*", 0.5), new TargetRule("b*", 0.7)), merged.pruning().targets());
    }

    /** What a conversion stores reads back as the same recipe, so a file can be converted again from it. */
    @Test
    void yamlRoundTrip() {
        Recipe r = Recipe.parse("schedule: narang\nsparsity: 0.85\ntargets:\n  \"onnx::LSTM_*\": 0.95\n"
                + "fine_tune:\n  lr: 1.0e-5\nquantize:\n  mode: f16\n", "r").withDefaults(true);
        String yaml = r.toYaml();
        assertEquals(r, Recipe.parse(yaml, "stored"), yaml);
        assertTrue(yaml.contains("fine_tune:\n  steps: 1000\n"), yaml);
        assertEquals("{}\n", Recipe.empty().toYaml());
    }

    @Test
    void mistakesAreNamed() {
        assertBad("sparsity: 0.9\nsteps: 1000\nfrequncy: 10\n", "unknown key 'frequncy'");
        assertBad("sparsity: 0.9\nfine_tune:\n  setps: 10\n", "unknown key 'fine_tune.setps'");
        assertBad("sparsity: high\nsteps: 1000\n", "'sparsity' must be a number, got 'high'");
        assertBad("sparsity: 0.9\nfine_tune:\n  steps: 10.5\n", "'fine_tune.steps' must be a whole number, got 10.5");
        assertBad("schedule: linear\nsparsity: 0.9\n", "'schedule' must be one of cubic, narang, oneshot, got 'linear'");
        assertBad("quantize:\n  mode: int3\n", "'quantize.mode' must be one of int8, int4, f16, none, got 'int3'");
        assertBad("quantize: int8\n", "'quantize' must be a mapping");
        assertBad("embeddings: yes please\n", "'embeddings' must be true or false");
        assertBad("sparsity: 0.9\nsteps: 1000\ntargets:\n  \"a*\": 1.5\n", "target 'a*'");
        assertBad("sparsity: 0.9\nsteps: 1000\ntargets: [a, b]\n", "'targets' must map");
        assertBad("- 1\n- 2\n", "expected a mapping");
        assertBad("sparsity: [\n", "not valid YAML");
        assertBad("sparsity: 0.9\nsparsity: 0.8\nsteps: 100\n", "not valid YAML");

        assertInvalid(Recipe.parse("sparsity: 0.9\nsteps: 1050\nfrequency: 100\n", "r").withDefaults(true),
                "steps = 1050 must be a multiple of frequency = 100");
        assertInvalid(Recipe.parse("schedule: narang\nsparsity: 0.9\ntheta: 0.1\nsteps: 10\n", "r").withDefaults(true), "not both");
        assertBad("sparsity: 0.9\nblock: 3\n", "'block' must be 1, 4, 8 or 16, got 3");
        assertBad("sparsity: 1.5\n", "'sparsity' must be 0 <= value < 1, got 1.5");
        assertBad("sparsity: 0.9\nfine_tune:\n  batch: 0\n", "'fine_tune.batch' must be >= 1, got 0");
        assertBad("sparsity: 0.9\nfine_tune:\n  lr: -1\n", "'fine_tune.lr' must be > 0, got -1");
        assertInvalid(Recipe.parse("targets:\n  \"a*\": 0.5\n", "r").withDefaults(true), "targets need a sparsity");
    }

    @Test
    void missingFileIsAnIoError() {
        SparqException e = assertThrows(SparqException.class, () -> Recipe.load(tmp.resolve("absent.yaml")));
        assertEquals(ErrorCode.IO_ERROR, e.code());
    }

    private static void assertBad(String yaml, String fragment) {
        SparqException e = assertThrows(SparqException.class, () -> Recipe.parse(yaml, "r.yaml"), yaml);
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage().startsWith("recipe r.yaml: "), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), () -> "expected '" + fragment + "' in: " + e.getMessage());
    }

    private static void assertInvalid(Recipe recipe, String fragment) {
        SparqException e = assertThrows(SparqException.class, recipe::pruning);
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage().contains(fragment), () -> "expected '" + fragment + "' in: " + e.getMessage());
    }
}
