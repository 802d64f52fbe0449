package io.sparq.converter.cli;

import io.sparq.converter.TestModels;
import io.sparq.converter.data.Npz;
import io.sparq.converter.encode.EncodingPlan;
import io.sparq.converter.encode.EncodingPlanner;
import io.sparq.converter.importer.OnnxImporter;
import io.sparq.converter.quantize.QuantizeMode;
import io.sparq.format.Graph;
import io.sparq.format.Tensor;
import io.sparq.format.codec.SparqWriter;
import io.sparq.runtime.api.Model;
import io.sparq.runtime.api.Session;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.sparq.converter.cli.CliRun.sparq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code sparq verify} and the encoding columns of {@code sparq inspect}, run in-process. */
class VerifyCommandTest {
    private static Path model;
    private static Path inputs;

    @TempDir
    Path tmp;

    @BeforeAll
    static void findModels() {
        model = TestModels.file("lstm_stack2_bidir.onnx");
        inputs = TestModels.file("lstm_stack2_bidir.npz");
    }

    private Path int8File() {
        Graph g = OnnxImporter.load(model);
        EncodingPlan plan = EncodingPlanner.plan(g, EncodingPlanner.Options.of(QuantizeMode.INT8, EncodingPlanner.Objective.SIZE));
        Path file = tmp.resolve("int8.sparq");
        SparqWriter.write(file, g, plan.choices(), Map.of());
        return file;
    }

    @Test
    void losslessConversionVerifiesWithZeroError() {
        Path sparqFile = tmp.resolve("dense.sparq");
        assertEquals(ExitCode.OK, sparq("convert", model.toString(), "-o", sparqFile.toString()).exit());
        CliRun r = sparq("verify", model.toString(), sparqFile.toString(), "--inputs", inputs.toString(), "--tolerance", "0");
        assertEquals(ExitCode.OK, r.exit(), r.err());
        String row = r.out().lines().filter(l -> l.startsWith("y ")).findFirst().orElseThrow();
        assertTrue(row.matches("y\\s+\\[5, 3, 4]\\s+0\\.000e\\+00\\s+\\S+\\s+0\\.000e\\+00\\s+ok"), row);
    }

    /** The printed errors are those of the two models run directly; the tolerance decides the exit code. */
    @Test
    void quantizedConversionReportsItsErrorAndFailsATightTolerance() {
        Path file = int8File();
        Tensor x = Npz.read(inputs).get("x");
        float[] a;
        float[] b;
        try (Session s = Model.fromGraph(OnnxImporter.load(model)).newSession()) {
            a = s.run(Map.of("x", x)).get("y").floats();
        }
        try (Session s = Model.load(file).newSession()) {
            b = s.run(Map.of("x", x)).get("y").floats();
        }
        double maxDiff = 0;
        double maxAbs = 0;
        for (int i = 0; i < a.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
            maxAbs = Math.max(maxAbs, Math.abs(a[i]));
        }
        assertTrue(maxDiff > 0, "int8 weights must change the outputs");
        double rel = maxDiff / maxAbs;

        CliRun loose = sparq("verify", model.toString(), file.toString(), "--inputs", inputs.toString(), "--tolerance", "0.05");
        assertEquals(ExitCode.OK, loose.exit(), loose.err());
        String row = loose.out().lines().filter(l -> l.startsWith("y ")).findFirst().orElseThrow();
        String[] cols = row.split("\\s+");
        assertEquals(maxDiff, Double.parseDouble(cols[4]), maxDiff * 1e-3, row);
        assertEquals(rel, Double.parseDouble(cols[6]), rel * 1e-3, row);

        CliRun tight = sparq("verify", model.toString(), file.toString(), "--inputs", inputs.toString(), "--tolerance", "1e-6");
        assertEquals(ExitCode.FAILURE, tight.exit());
        assertTrue(tight.out().contains("FAIL"), tight.out());
        assertEquals(1, tight.err().lines().count(), tight.err());
        assertTrue(tight.err().startsWith("sparq: error: output 'y'") && tight.err().contains("tolerance"), tight.err());
    }

    /**
     * Bits per character of the small character LM on its held-out split, against the value
     * onnxruntime gives (test-models/charlm/README.md: 2.9695, eval_bpc.py), for the original and an
     * int8 copy.
     */
    @Test
    void labelsGiveTheTaskMetricOfBothModels() {
        Path charlm = model.getParent().resolveSibling("charlm");
        Path lm = charlm.resolve("charlm_small.onnx");
        Path int8 = tmp.resolve("lm.sparq");
        assertEquals(ExitCode.OK, sparq("convert", lm.toString(), "-o", int8.toString(), "--quantize", "int8").exit());
        CliRun r = sparq("verify", lm.toString(), int8.toString(), "--inputs", charlm.resolve("heldout.npz").toString(),
                "--labels", charlm.resolve("heldout_labels.npz").toString(), "--tolerance", "1");
        assertEquals(ExitCode.OK, r.exit(), r.err());
        String row = r.out().lines().filter(l -> l.startsWith("logits ") && l.contains("65536")).findFirst().orElseThrow();
        String[] cells = row.trim().split("\\s+");
        double bitsOriginal = Double.parseDouble(cells[4]);
        double bitsInt8 = Double.parseDouble(cells[5]);
        assertEquals(2.9695, bitsOriginal, 5e-4, row);
        assertEquals(bitsOriginal, bitsInt8, 0.01, "int8 weights cost little: " + row);
        assertEquals(Math.pow(2, bitsOriginal), Double.parseDouble(cells[6]), 1e-3, row);
        double accuracy = Double.parseDouble(cells[2]);
        assertTrue(accuracy > 0.2 && accuracy < 1, row);
    }

    @Test
    void labelsThatDoNotFitAnOutputAreOneLineErrors() {
        Path labels = tmp.resolve("labels.npz");
        Npz.write(labels, Map.of("nope", Tensor.ofLongs(new int[] {5, 3}, new long[15])));
        CliRun r = sparq("verify", model.toString(), model.toString(), "--inputs", inputs.toString(), "--labels", labels.toString());
        assertEquals(ExitCode.USAGE, r.exit());
        assertTrue(r.err().contains("'nope', which is not an output"), r.err());
        assertEquals(List.of("Try 'sparq help verify' for its options and examples."), r.err().lines().skip(1).toList(), r.err());
    }

    @Test
    void errorsAreOneLine() {
        CliRun missing = sparq("verify", model.toString(), tmp.resolve("nope.sparq").toString(), "--inputs", inputs.toString());
        assertEquals(ExitCode.FAILURE, missing.exit());
        assertEquals(1, missing.err().lines().count(), missing.err());
        assertTrue(missing.err().startsWith("sparq: error: ") && missing.err().contains("nope.sparq"), missing.err());
        assertFalse(missing.err().contains("\tat "));
        CliRun negative = sparq("verify", model.toString(), model.toString(), "--inputs", inputs.toString(), "--tolerance", "-1");
        assertEquals(ExitCode.USAGE, negative.exit());
    }

    @Test
    void inspectShowsEncodingAndStoredBytes() {
        Path file = int8File();
        CliRun r = sparq("inspect", file.toString());
        assertEquals(ExitCode.OK, r.exit(), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("node ") && l.contains("encoding")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.contains("dense/int8") || l.contains("block_sparse/int8")
                || l.contains("csr/int8") || l.contains("bitmap/int8")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.contains("dense/float32")), "biases stay dense float32: " + r.out());
        CliRun json = sparq("inspect", file.toString(), "--json");
        assertTrue(json.out().contains("\"encoding\": \"dense/int8\""), json.out());
        CliRun onnx = sparq("inspect", model.toString());
        assertFalse(onnx.out().contains("int8"), onnx.out());
    }
}
