package io.sparq.converter.cli;

import io.sparq.format.ErrorCode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static io.sparq.converter.cli.CliRun.sparq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a user sees when something is wrong: every message's exact first line and its exit code,
 * and every numeric option of every command refusing an out-of-range value as a usage error.
 */
class CliErrorsTest {
    private static Path models;
    private static Path quickstart;

    @TempDir
    Path tmp;

    @BeforeAll
    static void findModels() {
        models = Path.of(System.getProperty("sparq.testmodels.dir"));
        quickstart = models.resolve("../../examples/quickstart").normalize();
    }

    /** The error lines of a run (stderr without progress lines). */
    private static List<String> errorLines(CliRun r) {
        return r.err().lines().filter(l -> !l.startsWith("sparq: ") || l.startsWith("sparq: error: ")
                || l.startsWith("sparq: warning: ")).toList();
    }

    /** A usage error: exactly the given line, then where the help is; exit 2. */
    private static void assertUsage(CliRun r, String line, String command) {
        assertEquals(ExitCode.USAGE, r.exit(), r.err());
        assertEquals(List.of(line, command == null ? "Try 'sparq help' for the commands."
                : "Try 'sparq help " + command + "' for its options and examples."), errorLines(r), r.err());
        assertEquals("", r.out(), "no help text on a usage error");
    }

    @Test
    void noCommand() {
        assertUsage(sparq(), "sparq: error: missing command: give one of convert, run, inspect, verify, bench, schedule,"
                + " sensitivity, version", null);
    }

    @Test
    void misspeltCommand() {
        assertUsage(sparq("conver", "model.onnx"), "sparq: error: unknown command 'conver'; did you mean convert or"
                + " version or verify?", null);
        assertUsage(sparq("help", "conver"), "sparq: error: unknown command 'conver'; the commands are convert, run,"
                + " inspect, verify, bench, schedule, sensitivity, version", null);
        assertUsage(sparq("frobnicate"), "sparq: error: unknown command 'frobnicate'; the commands are convert, run,"
                + " inspect, verify, bench, schedule, sensitivity, version", null);
    }

    @Test
    void missingOutput() {
        assertUsage(sparq("convert", "model.onnx"), "sparq: error: Missing required option: '--output=FILE'", "convert");
    }

    @Test
    void unknownOptionAndExtraArgument() {
        assertUsage(sparq("convert", "model.onnx", "-o", "m.sparq", "--stpes", "3"),
                "sparq: error: unknown option '--stpes'; did you mean --steps?", "convert");
        assertUsage(sparq("inspect", "a.sparq", "b.sparq"), "sparq: error: unexpected argument 'b.sparq'", "inspect");
    }

    @Test
    void badOptionValuesNameTheOptionAndTheRange() {
        String model = models.resolve("lstm_classifier.onnx").toString();
        String data = models.resolve("lstm_classifier.train.npz").toString();
        String out = tmp.resolve("m.sparq").toString();
        assertUsage(sparq("convert", model, "-o", out, "--sparsity", "0.9", "--data", data, "--batch", "0"),
                "sparq: error: --batch must be >= 1, got 0", "convert");
        assertUsage(sparq("convert", model, "-o", out, "--sparsity", "0.9", "--data", data, "--lr", "-1"),
                "sparq: error: --lr must be > 0, got -1.0", "convert");
        assertUsage(sparq("convert", model, "-o", out, "--sparsity", "0.9", "--data", data, "--validation", "1.5"),
                "sparq: error: --validation must be 0 <= value < 1, got 1.5", "convert");
        assertUsage(sparq("convert", model, "-o", out, "--sparsity", "1.5"),
                "sparq: error: --sparsity must be 0 <= value < 1, got 1.5", "convert");
        assertUsage(sparq("convert", model, "-o", out, "--sparsity", "0.9", "--block", "3"),
                "sparq: error: --block must be 1, 4, 8 or 16, got 3", "convert");
        assertUsage(sparq("verify", model, model, "--inputs", data, "--max-drop", "0.02"),
                "sparq: error: --max-drop checks accuracy on labels: give --labels too", "verify");
    }

    /** Out-of-range values for every numeric option; a new numeric option must be added here. */
    private static final Map<String, String> OUT_OF_RANGE = Map.ofEntries(
            Map.entry("convert --sparsity", "1.5"), Map.entry("convert --prune-steps", "0"),
            Map.entry("convert --frequency", "0"), Map.entry("convert --block", "3"),
            Map.entry("convert --steps", "0"), Map.entry("convert --batch", "0"), Map.entry("convert --lr", "-1"),
            Map.entry("convert --bptt", "-1"), Map.entry("convert --validation", "1.5"),
            Map.entry("schedule --sparsity", "1"), Map.entry("schedule --initial-sparsity", "-0.1"),
            Map.entry("schedule --begin", "-1"), Map.entry("schedule --steps", "0"), Map.entry("schedule --prune-steps", "0"),
            Map.entry("schedule --frequency", "0"), Map.entry("schedule --ramp", "-1"),
            Map.entry("schedule --theta", "-1"), Map.entry("schedule --phi", "0"), Map.entry("schedule --block", "5"),
            Map.entry("bench --warmup", "-1"), Map.entry("bench --warmup-seconds", "-1"), Map.entry("bench --runs", "0"),
            Map.entry("bench --threads", "0"), Map.entry("bench --dim", "time=0"),
            Map.entry("verify --tolerance", "-1"), Map.entry("verify --max-drop", "1.5"),
            Map.entry("sensitivity --block", "3"), Map.entry("sensitivity --samples", "0"),
            Map.entry("sensitivity --overall", "1"), Map.entry("sensitivity --sparsities", "0.5,1.2"));
    /** Numeric options every value of which is allowed. */
    private static final Set<String> UNBOUNDED = Set.of("convert --seed");

    @Test
    void everyNumericOptionIsInTheTable() {
        Set<String> numeric = new TreeSet<>();
        CommandLine root = SparqCli.commandLine();
        root.getSubcommands().forEach((name, sub) -> {
            for (CommandLine.Model.OptionSpec o : sub.getCommandSpec().options()) {
                Class<?> t = o.type();
                Class<?> element = t.isArray() ? t.getComponentType() : t;
                boolean number = element == int.class || element == long.class || element == double.class
                        || Number.class.isAssignableFrom(element)
                        || (Map.class.isAssignableFrom(t) && o.auxiliaryTypes().length == 2
                                && Number.class.isAssignableFrom(o.auxiliaryTypes()[1]));
                if (number) {
                    numeric.add(name + " " + o.longestName());
                }
            }
        });
        Set<String> covered = new TreeSet<>(OUT_OF_RANGE.keySet());
        covered.addAll(UNBOUNDED);
        assertEquals(numeric, covered, "numeric options and the out-of-range table");
    }

    static Stream<String> outOfRange() {
        return OUT_OF_RANGE.keySet().stream().sorted();
    }

    @ParameterizedTest
    @MethodSource("outOfRange")
    void anOutOfRangeValueIsAUsageError(String commandAndOption) {
        String[] parts = commandAndOption.split(" ");
        String command = parts[0];
        String option = parts[1];
        String model = models.resolve("lstm_classifier.onnx").toString();
        String data = models.resolve("lstm_classifier.train.npz").toString();
        List<String> args = new ArrayList<>(switch (command) {
            case "convert" -> List.of("convert", model, "-o", tmp.resolve("m.sparq").toString(), "--sparsity", "0.9",
                    "--data", data, "--steps", "10");
            case "schedule" -> List.of("schedule", "--sparsity", "0.5", "--steps", "1000");
            case "bench" -> List.of("bench", model, "--runs", "1", "--warmup", "0", "--warmup-seconds", "0");
            case "verify" -> List.of("verify", model, model, "--inputs", models.resolve("lstm_classifier.npz").toString(),
                    "--labels", data);
            case "sensitivity" -> List.of("sensitivity", model, "--data", data);
            default -> throw new AssertionError(command);
        });
        args.add(option);
        args.add(OUT_OF_RANGE.get(commandAndOption));
        CliRun r = sparq(args.toArray(String[]::new));
        assertEquals(ExitCode.USAGE, r.exit(), () -> String.join(" ", args) + ": " + r.err());
        assertFalse(r.err().contains("internal error"), r.err());
        String first = errorLines(r).get(0);
        assertTrue(first.startsWith("sparq: error: ") && first.contains(option), first);
        assertEquals("Try 'sparq help " + command + "' for its options and examples.", errorLines(r).get(1));
    }

    @Test
    void cancelledHasItsOwnExitCode() {
        assertEquals(130, ExitCode.of(ErrorCode.CANCELLED));
        for (ErrorCode code : ErrorCode.values()) {
            assertTrue(code == ErrorCode.CANCELLED || ExitCode.of(code) != ExitCode.CANCELLED, code.name());
        }
    }

    @Test
    void anOnnxFileWhereASparqFileBelongs() throws IOException {
        Path named = tmp.resolve("classifier.sparq");
        Files.copy(quickstart.resolve("classifier.onnx"), named);
        CliRun r = sparq("inspect", named.toString());
        assertEquals(ExitCode.FAILURE, r.exit(), r.err());
        assertEquals(List.of("sparq: error: " + named + ": header at byte 0: not a .sparq file: it starts with 08 0A 12 07"
                + " 70 79 74 6F, where a .sparq file starts with 89 53 50 51 0D 0A 1A 0A; it looks like an ONNX model:"
                + " convert it to .sparq first (sparq convert MODEL.onnx -o MODEL.sparq) [BAD_MAGIC]"), errorLines(r));
    }

    @Test
    void aTextFileNamedSparq() throws IOException {
        Path text = Files.writeString(tmp.resolve("notes.sparq"), "hello\n");
        CliRun r = sparq("run", text.toString(), "--inputs", models.resolve("lstm_classifier.npz").toString());
        assertEquals(ExitCode.FAILURE, r.exit(), r.err());
        assertEquals(List.of("sparq: error: " + text + ": header at byte 0: not a .sparq file: it starts with"
                + " 68 65 6C 6C 6F 0A, where a .sparq file starts with 89 53 50 51 0D 0A 1A 0A [BAD_MAGIC]"), errorLines(r));
    }

    @Test
    void weightsInIfBranchesGetTheHint() {
        Path silero = models.resolve("../silero/silero_vad_v5.onnx").normalize();
        CliRun r = sparq("convert", silero.toString(), "-o", tmp.resolve("s.sparq").toString(), "--sparsity", "0.5");
        assertEquals(ExitCode.USAGE, r.exit(), r.err());
        String first = errorLines(r).get(0);
        assertTrue(first.startsWith("sparq: error: the model has no prunable weights (LSTM/GRU/RNN W and R, Gemm B,"
                + " MatMul weight initializers); ") && first.endsWith("inside the branches of If node(s) [If_0]: fix the"
                + " input that decides them so the branch taken is folded in, e.g. --input-value sr=16000 for Silero VAD"
                + " (docs/silero.md)"), first);
    }

    @Test
    void oneShotPruningSaysWhatItCost() {
        Path out = tmp.resolve("c.sparq");
        CliRun r = sparq("convert", quickstart.resolve("classifier.onnx").toString(), "-o", out.toString(),
                "--sparsity", "0.9");
        assertEquals(ExitCode.OK, r.exit(), r.err());
        assertTrue(r.out().contains("output change on generated inputs (uniform in [-1, 1), every symbolic dimension 16),"
                + " converted against dense:\n  linear: relative error "), r.out());
        List<String> warnings = errorLines(r);
        assertEquals(1, warnings.size(), r.err());
        assertTrue(warnings.get(0).startsWith("sparq: warning: one-shot pruning moved the outputs by up to "), r.err());
        assertTrue(warnings.get(0).endsWith("Prune while fine-tuning instead: sparq convert " + quickstart.resolve("classifier.onnx")
                + " -o " + out + " --sparsity 0.9 --data TRAIN.npz"), r.err());

        // the same model checked on its task: --max-drop fails it, and passes a fine-tuned one (README)
        CliRun v = sparq("verify", quickstart.resolve("classifier.onnx").toString(), out.toString(),
                "--inputs", quickstart.resolve("test.npz").toString(), "--labels", quickstart.resolve("test_labels.npz").toString(),
                "--max-drop", "0.02");
        assertEquals(ExitCode.FAILURE, v.exit(), v.err());
        assertTrue(errorLines(v).get(0).startsWith("sparq: error: the accuracy of output 'linear' fell from 1.0000 to "),
                v.err());
        assertTrue(v.out().contains("pass rule: accuracy drop <= 0.02000 (--max-drop); relative error shown, not checked"),
                v.out());
    }

    @Test
    void maxDropPassesAModelThatKeepsItsAccuracy() {
        String onnx = quickstart.resolve("classifier.onnx").toString();
        CliRun v = sparq("verify", onnx, onnx, "--inputs", quickstart.resolve("test.npz").toString(),
                "--labels", quickstart.resolve("test_labels.npz").toString(), "--max-drop", "0");
        assertEquals(ExitCode.OK, v.exit(), v.err());
        assertTrue(v.out().lines().anyMatch(l -> l.startsWith("linear") && l.endsWith("  ok")), v.out());
    }

    /** convert's stored-tensor table and inspect print the same zeros and encoding for a tensor, formatted alike. */
    @Test
    void convertAndInspectDescribeATensorAlike() {
        Path out = tmp.resolve("c.sparq");
        CliRun c = sparq("convert", quickstart.resolve("classifier.onnx").toString(), "-o", out.toString(), "--sparsity", "0.9");
        assertEquals(ExitCode.OK, c.exit(), c.err());
        CliRun i = sparq("inspect", out.toString());
        assertEquals(ExitCode.OK, i.exit(), i.err());
        for (String tensor : List.of("lstm.weight_hh_l0", "head.bias")) {
            String[] converted = c.out().lines().filter(l -> l.startsWith("  " + tensor + " ") && l.contains("/"))
                    .findFirst().orElseThrow().trim().split("\\s{2,}");
            String inspected = i.out().lines().filter(l -> l.contains(" " + tensor + " ")).findFirst().orElseThrow();
            String zeros = converted[converted.length - 6];     // tensor role shape zeros block encoding bytes dense max|err|
            String encoding = converted[converted.length - 4];
            assertTrue(zeros.matches("\\d+\\.\\d\\d%") && inspected.contains(" " + zeros + " "), zeros + " vs " + inspected);
            assertTrue(inspected.contains(" " + encoding + " "), encoding + " vs " + inspected);
        }
        assertFalse(c.out().contains("native"), "encodings name their value type: " + c.out());
    }

    @Test
    void losslessConversionWarnsOfNothing() {
        CliRun r = sparq("convert", models.resolve("lstm_classifier.onnx").toString(), "-o", tmp.resolve("d.sparq").toString());
        assertEquals(ExitCode.OK, r.exit(), r.err());
        assertFalse(r.err().contains("warning"), r.err());
        assertFalse(r.out().contains("output change"), r.out());
    }
}
