package io.sparq.converter.cli;

import io.sparq.converter.TestModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.sparq.converter.cli.CliRun.sparq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code sparq bench}, run in-process on a test model. */
class BenchCommandTest {
    private static Path model;
    private static Path inputs;

    @BeforeAll
    static void findModels() {
        model = TestModels.file("lstm_stack2_bidir.onnx");
        inputs = TestModels.file("lstm_stack2_bidir.npz");
    }

    @Test
    void quantilesInterpolateBetweenRanks() {
        double[] sorted = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        assertEquals(5.5, BenchCommand.Result.quantile(sorted, 0.5), 1e-12);
        assertEquals(1.9, BenchCommand.Result.quantile(sorted, 0.1), 1e-12);
        assertEquals(9.1, BenchCommand.Result.quantile(sorted, 0.9), 1e-12);
        assertFalse(BenchCommand.Result.of(new double[] {1}, 0, 256).heapGrew(), "256 fresh pages is the limit");
        assertTrue(BenchCommand.Result.of(new double[] {1}, 0, 257).heapGrew());
        BenchCommand.Result r = BenchCommand.Result.of(new double[] {4, 1, 3, 2});
        assertEquals(2.5, r.median(), 1e-12);
        assertEquals(2.5, r.mean(), 1e-12);
        assertEquals(1, r.min(), 1e-12);
    }

    @Test
    void jsonReportsTheRunsAndTheGeneratedShapes() {
        CliRun r = sparq("bench", model.toString(), "--dim", "seq=7", "--dim", "batch=2", "--warmup", "2", "--warmup-seconds", "0", "--runs", "9",
                "--threads", "1", "--json");
        assertEquals(ExitCode.OK, r.exit(), r.err());
        assertTrue(r.out().contains("\"x\": [7, 2, 8]"), r.out());
        assertTrue(r.out().contains("\"runs\": 9"), r.out());
        assertTrue(r.out().contains("\"warmup\": 2"), r.out());
        assertTrue(r.out().contains("\"threads\": 1"), r.out());
        assertTrue(r.out().matches("(?s).*\"page_faults\": \\d+.*"), r.out());
        double p10 = number(r.out(), "p10_us");
        double median = number(r.out(), "median_us");
        double p90 = number(r.out(), "p90_us");
        assertTrue(0 < p10 && p10 <= median && median <= p90, r.out());
        assertEquals(1e6 / median, number(r.out(), "runs_per_second"), 1e-6 * (1e6 / median), r.out());
    }

    @Test
    void inputsFromAFileAndPlainText() {
        CliRun r = sparq("bench", model.toString(), "--inputs", inputs.toString(), "--warmup", "0", "--warmup-seconds", "0", "--runs", "3");
        assertEquals(ExitCode.OK, r.exit(), r.err());
        assertTrue(r.out().contains("median") && r.out().contains("runs/s") && r.out().contains("runs     3 after 0 warm-up runs"),
                r.out());
    }

    /** The same model through both runtimes on the reference inputs: outputs agree, both timings and the ratio are printed. */
    @Test
    void compareRunsOnnxRuntimeOnTheSameInputs() {
        CliRun r = sparq("bench", model.toString(), "--compare", model.toString(), "--inputs", inputs.toString(),
                "--warmup", "2", "--warmup-seconds", "0", "--runs", "5", "--threads", "1", "--json");
        assertEquals(ExitCode.OK, r.exit(), r.err());
        double ours = number(r.out(), "median_us");
        String ort = r.out().substring(r.out().indexOf("\"onnxruntime\""));
        double theirs = number(ort, "median_us");
        assertEquals(theirs / ours, number(ort, "speedup"), 1e-9 * theirs / ours, r.out());
        // the ONNX model run by both: fp32 all the way, 1e-5 as the parity tests
        assertTrue(number(ort, "max_abs_difference") <= 1e-5, r.out());

        CliRun text = sparq("bench", model.toString(), "--compare", model.toString(), "--warmup", "1", "--warmup-seconds", "0", "--runs", "3");
        assertEquals(ExitCode.OK, text.exit(), text.err());
        assertTrue(text.out().matches("(?s).*sparq +[0-9.]+x (faster|slower) than ONNX Runtime \\(median\\).*"), text.out());
        assertTrue(text.out().contains("outputs  max |sparq - ONNX Runtime| = "), text.out());
    }

    @Test
    void compareNeedsAModelOnnxRuntimeCanFeed() {
        CliRun missing = sparq("bench", model.toString(), "--compare", "absent.onnx");
        assertEquals(ExitCode.FAILURE, missing.exit(), missing.err());
        assertTrue(missing.err().contains("absent.onnx"), missing.err());
        CliRun other = sparq("bench", model.toString(), "--compare", TestModels.file("char_lm.onnx").toString(), "--runs", "1",
                "--warmup-seconds", "0");
        assertEquals(ExitCode.USAGE, other.exit(), other.err());
        assertTrue(other.err().contains("has no input 'x'"), other.err());
    }

    /** The warm-up goes on for --warmup-seconds even when --warmup runs are done sooner. */
    @Test
    void warmUpLastsAtLeastTheGivenTime() {
        long t0 = System.nanoTime();
        CliRun r = sparq("bench", model.toString(), "--warmup", "0", "--warmup-seconds", "0.3", "--runs", "1", "--json");
        assertEquals(ExitCode.OK, r.exit(), r.err());
        assertTrue(System.nanoTime() - t0 >= 300_000_000L);
        assertTrue(number(r.out(), "warmup") > 0, r.out());
    }

    @Test
    void badOptionsAreUsageErrors() {
        CliRun unknownDim = sparq("bench", model.toString(), "--dim", "time=4");
        assertEquals(ExitCode.USAGE, unknownDim.exit());
        assertTrue(unknownDim.err().contains("--dim [time] names no symbolic dimension"), unknownDim.err());
        assertEquals(ExitCode.USAGE, sparq("bench", model.toString(), "--runs", "0").exit());
        assertEquals(ExitCode.USAGE, sparq("bench", model.toString(), "--warmup-seconds", "-1").exit());
    }

    private static double number(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\": ([-0-9.eE]+)").matcher(json);
        assertTrue(m.find(), key + " in " + json);
        return Double.parseDouble(m.group(1));
    }
}
