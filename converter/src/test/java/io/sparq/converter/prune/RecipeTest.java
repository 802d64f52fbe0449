package io.sparq.converter.prune;

import io.sparq.format.ErrorCode;
import io.sparq.format.SparqException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Recipes: the documented example parses to the expected config; mistakes are named. */
class RecipeTest {
    @TempDir
    Path tmp;

    @Test
    void fullCubicRecipe() throws IOException {
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
                """);
        PruneConfig c = Recipe.load(file);
        assertEquals(new CubicSchedule(0.05, 0.9, 1000, 100, 200), c.schedule());
        assertEquals(8, c.blockSize());
        assertTrue(c.includeEmbeddings());
        assertEquals(List.of(new TargetRule("onnx::LSTM_*", 0.95), new TargetRule("head.*", 0)), c.targets());
    }

    @Test
    void narangAndOneShotRecipes() {
        assertEquals(NarangSchedule.forSparsity(0, 3000, 6000, 0.8, 1.5, 100),
                Recipe.parse("schedule: narang\nsparsity: 0.8\nsteps: 6000\n", "r").schedule());
        assertEquals(NarangSchedule.withTheta(10, 50, 110, 1e-5, 2.0, 10),
                Recipe.parse("schedule: narang\ntheta: 1.0e-5\nphi: 2\nbegin: 10\nsteps: 100\nramp: 50\nfrequency: 10\n", "r").schedule());
        assertEquals(new OneShotSchedule(0.7, 0), Recipe.parse("schedule: oneshot\nsparsity: 0.7\n", "r").schedule());
    }

    @Test
    void mistakesAreNamed() {
        assertBad("sparsity: 0.9\nsteps: 1000\nfrequncy: 10\n", "unknown key 'frequncy'");
        assertBad("sparsity: 0.9\nsteps: 1050\n", "steps = 1050 must be a multiple of frequency = 100");
        assertBad("sparsity: high\nsteps: 1000\n", "'sparsity' must be a number");
        assertBad("sparsity: 0.9\n", "steps");
        assertBad("schedule: linear\nsparsity: 0.9\n", "schedule 'linear' unknown");
        assertBad("schedule: narang\nsparsity: 0.9\ntheta: 0.1\nsteps: 10\n", "not both");
        assertBad("sparsity: 0.9\nsteps: 1000\nblock: 3\n", "block size 3");
        assertBad("sparsity: 0.9\nsteps: 1000\ntargets:\n  \"a*\": 1.5\n", "target 'a*'");
        assertBad("sparsity: 0.9\nsteps: 1000\ntargets: [a, b]\n", "'targets' must map");
        assertBad("- 1\n- 2\n", "expected a mapping");
        assertBad("sparsity: [\n", "not valid YAML");
        assertBad("sparsity: 0.9\nsparsity: 0.8\nsteps: 100\n", "not valid YAML");
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
}
