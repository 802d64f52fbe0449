package io.sparq.converter.cli;

import io.sparq.converter.Conversion;
import io.sparq.converter.Recipe;
import io.sparq.converter.TestModels;
import io.sparq.converter.finetune.TrainingCurve;
import io.sparq.converter.prune.CubicSchedule;
import io.sparq.format.codec.SparqFile;
import io.sparq.format.codec.SparqReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.sparq.converter.cli.CliRun.sparq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A conversion from a recipe with a flag on top: the complete recipe lands in the file, inspect
 * shows it, and the HTML report holds the table and every chart (checked by parsing the page;
 * the browser check is converter/src/test/browser/check-report.sh).
 */
class InspectReportTest {
    @TempDir
    static Path tmp;
    static Path sparqFile;

    @BeforeAll
    static void convert() throws Exception {
        Path recipe = tmp.resolve("prune.yaml");
        Files.writeString(recipe, """
                sparsity: 0.8
                block: 1
                targets:
                  "onnx::MatMul_*": 0.5
                fine_tune:
                  steps: 40
                  batch: 8
                  lr: 3e-3
                """);
        sparqFile = tmp.resolve("m.sparq");
        CliRun r = sparq("convert", TestModels.file("lstm_stack2_bidir.onnx").toString(), "-o", sparqFile.toString(),
                "--recipe", recipe.toString(), "--steps", "20",
                "--data", TestModels.file("lstm_stack2_bidir.train.npz").toString());
        assertEquals(ExitCode.OK, r.exit(), r.err());
    }

    @Test
    void theCompleteRecipeIsStoredWithTheFlagApplied() {
        SparqFile file = SparqReader.read(sparqFile);
        String text = (String) file.metadata().get(Conversion.RECIPE_KEY).value();
        assertTrue(text.startsWith("# fine-tuned on lstm_stack2_bidir.train.npz"), text);
        Recipe stored = Recipe.parse(text, "stored");
        assertEquals(20, stored.fineTune().steps(), "--steps overrides the recipe's 40");
        assertEquals(8, stored.fineTune().batchSize());
        // the ramp defaults to 3/4 of the 20 steps, one update a step
        assertEquals(new CubicSchedule(0, 0.8, 0, 15, 1), stored.pruning().schedule());
        assertEquals(0.5, (Double) file.metadata().get("sparq.tensor.onnx::MatMul_394.sparsity").value(), 0.01);
        assertTrue(file.metadata().containsKey(Conversion.MAGNITUDES_PREFIX + "onnx::LSTM_392" + Conversion.MAGNITUDES_SUFFIX));
    }

    @Test
    void inspectShowsTheRecipe() {
        CliRun text = sparq("inspect", sparqFile.toString());
        assertEquals(ExitCode.OK, text.exit(), text.err());
        assertTrue(text.out().contains("recipe (converted with):\n  # fine-tuned on"), text.out());
        assertTrue(text.out().contains("\n  fine_tune:\n    steps: 20\n"), text.out());
        CliRun json = sparq("inspect", sparqFile.toString(), "--json");
        assertTrue(json.out().contains("\"recipe\": \"# fine-tuned on"), json.out());
    }

    /** The stored recipe, printed alone, converts the model again to the same file. */
    @Test
    void theStoredRecipeConvertsAgainToTheSameFile() throws Exception {
        CliRun printed = sparq("inspect", sparqFile.toString(), "--recipe");
        assertEquals(ExitCode.OK, printed.exit(), printed.err());
        Path again = tmp.resolve("again.yaml");
        Files.writeString(again, printed.out());
        Path second = tmp.resolve("again.sparq");
        CliRun r = sparq("convert", TestModels.file("lstm_stack2_bidir.onnx").toString(), "-o", second.toString(),
                "--recipe", again.toString(), "--data", TestModels.file("lstm_stack2_bidir.train.npz").toString());
        assertEquals(ExitCode.OK, r.exit(), r.err());
        assertEquals(-1, Files.mismatch(sparqFile, second), "byte-identical");

        CliRun none = sparq("inspect", TestModels.file("lstm_stack2_bidir.onnx").toString(), "--recipe");
        assertEquals(ExitCode.USAGE, none.exit());
        assertTrue(none.err().contains("holds no recipe"), none.err());
    }

    @Test
    void theReportHoldsTheTableAndEveryChart() throws Exception {
        Path report = tmp.resolve("report.html");
        CliRun r = sparq("inspect", sparqFile.toString(), "--report", report.toString());
        assertEquals(ExitCode.OK, r.exit(), r.err());
        assertTrue(r.out().contains("wrote " + report), r.out());
        String html = Files.readString(report);
        assertFalse(html.matches("(?s).*(src|href)=\"(https?:)?//.*"), "the page loads nothing from the network");

        Document page = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(report.toFile());
        List<String> headings = texts(page.getElementsByTagName("h2"));
        assertEquals(List.of("Recipe", "Layers", "Sparsity per tensor", "Bytes per tensor", "Pruning schedule",
                "Fine-tuning", "Weight magnitudes before and after pruning"), headings);
        ModelFiles.Opened opened = ModelFiles.open(sparqFile);
        int tensors = WeightTable.of(opened.graph(), opened.stored()).rows().size();
        assertEquals(tensors + 1, page.getElementsByTagName("tr").getLength(), "a header and a row per weight tensor");

        List<Element> charts = new ArrayList<>();
        NodeList svgs = page.getElementsByTagName("svg");
        for (int i = 0; i < svgs.getLength(); i++) {
            charts.add((Element) svgs.item(i));
        }
        // sparsity, bytes, schedule, fine-tuning, and one histogram per pruned tensor (4 LSTM W/R and the MatMul)
        assertEquals(4 + 5, charts.size());
        Element sparsity = charts.get(0);
        assertEquals(tensors, countBars(sparsity), "one bar per tensor");
        assertTrue(texts(sparsity.getElementsByTagName("text")).contains("80.00%"));
        Element schedule = charts.get(2);
        String[] points = ((Element) schedule.getElementsByTagName("polyline").item(0)).getAttribute("points").split(" ");
        assertTrue(points.length > 10, "the schedule curve has points");
        Element curve = charts.get(3);
        NodeList lines = curve.getElementsByTagName("polyline");
        assertEquals(3, lines.getLength(), "training loss, validation loss and sparsity");
        assertEquals(20, ((Element) lines.item(0)).getAttribute("points").split(" ").length, "a training loss per step");
        SparqFile file = SparqReader.read(sparqFile);
        double[] stored = (double[]) file.metadata().get(Conversion.CURVE_KEY).value();
        assertEquals(20 * TrainingCurve.COLUMNS, stored.length, "20 steps, four values each");
        assertEquals(0.8, stored[stored.length - 1], 0.01, "the curve ends at the final sparsity");
        Element histogram = charts.get(4);
        String title = texts(histogram.getElementsByTagName("text")).get(0);
        java.util.regex.Matcher after = java.util.regex.Pattern.compile("zeros after: (\\d+\\.\\d\\d)%").matcher(title);
        assertTrue(after.find() && Math.abs(Double.parseDouble(after.group(1)) - 80) < 0.1, title);   // 80 % pruned, as stored
    }

    @Test
    void aDenseModelGetsAReportWithoutScheduleOrHistograms() throws Exception {
        Path report = tmp.resolve("dense.html");
        CliRun r = sparq("inspect", TestModels.file("lstm_stack2_bidir.onnx").toString(), "--report", report.toString());
        assertEquals(ExitCode.OK, r.exit(), r.err());
        Document page = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(report.toFile());
        assertEquals(List.of("Layers", "Sparsity per tensor", "Bytes per tensor"), texts(page.getElementsByTagName("h2")));
    }

    private static int countBars(Element svg) {
        return svg.getElementsByTagName("rect").getLength();
    }

    private static List<String> texts(NodeList nodes) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            out.add(nodes.item(i).getTextContent());
        }
        return out;
    }
}
