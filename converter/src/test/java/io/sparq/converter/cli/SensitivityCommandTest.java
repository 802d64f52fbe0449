package io.sparq.converter.cli;

import io.sparq.converter.Recipe;
import io.sparq.converter.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.sparq.converter.cli.CliRun.sparq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code sparq sensitivity} end to end: table, JSON, HTML and a recipe that {@code convert} accepts. */
class SensitivityCommandTest {
    @TempDir
    Path tmp;

    @Test
    void writesTheTableJsonReportAndARecipeConvertReads() throws IOException {
        Path model = TestModels.file("lstm_classifier.onnx");
        Path data = TestModels.file("lstm_classifier.train.npz");
        Path json = tmp.resolve("sens.json");
        Path html = tmp.resolve("sens.html");
        Path recipe = tmp.resolve("prune.yaml");
        CliRun r = sparq("sensitivity", model.toString(), "--data", data.toString(), "--samples", "48",
                "--sparsities", "0.5,0.9,0.95", "--overall", "0.8", "--json", json.toString(), "--report", html.toString(),
                "--recipe-out", recipe.toString());
        assertEquals(ExitCode.OK, r.exit(), r.err());
        String[] lines = r.out().split("\n");
        assertEquals("dense: loss 0.0000, agreement 1.0000  (kl, 48 samples, blocks 1x16)", lines[0]);
        assertTrue(lines[1].startsWith("tensor"), lines[1]);
        assertTrue(r.out().contains("planned: "), r.out());

        String text = Files.readString(json);
        assertTrue(text.contains("\"tensors\"") && text.contains("\"planned_overall\""), text);
        String page = Files.readString(html);
        assertTrue(page.startsWith("<!DOCTYPE html>") && page.contains("<svg class=\"chart"), "an HTML page with charts");

        Recipe planned = Recipe.load(recipe);
        assertFalse(planned.targets().isEmpty(), "per-tensor targets");
        Path out = tmp.resolve("m.sparq");
        CliRun convert = sparq("convert", model.toString(), "-o", out.toString(), "--recipe", recipe.toString(), "--quiet");
        assertEquals(ExitCode.OK, convert.exit(), convert.err());
        assertTrue(Files.size(out) > 0);
    }
}
