package io.sparq.converter.cli;

import io.sparq.converter.data.Npz;
import io.sparq.format.Tensor;
import onnx.Onnx;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.sparq.converter.cli.CliRun.sparq;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs the {@code sparq} command line in-process on the bundled test models and on bad input. */
class SparqCliTest {
    private static Path models;
    private static Path model;      // a 2-layer bidirectional LSTM: x float32[seq, batch, 8] -> y float32[seq, batch, 4]
    private static Path reference;  // its inputs and onnxruntime's outputs ("output:y")

    @TempDir
    Path tmp;

    @BeforeAll
    static void findModels() {
        String dir = System.getProperty("sparq.testmodels.dir");
        assertTrue(dir != null && Files.isDirectory(Path.of(dir)), "test models not found: sparq.testmodels.dir=" + dir);
        models = Path.of(dir);
        model = models.resolve("lstm_stack2_bidir.onnx");
        reference = models.resolve("lstm_stack2_bidir.npz");
    }

    /** A one-line error (after any progress lines), no stack trace, and the given exit code. */
    private static void assertCleanError(CliRun r, int exit, String... fragments) {
        assertEquals(exit, r.exit(), () -> "exit code; stderr: " + r.err());
        // progress lines ("sparq: importing ...") may come first; the error is the one last line
        // a usage error (exit 2) adds one line saying where the command's help is
        List<String> lines = r.err().lines().toList();
        if (exit == ExitCode.USAGE) {
            assertTrue(!lines.isEmpty() && lines.get(lines.size() - 1).startsWith("Try 'sparq help"), r.err());
            lines = lines.subList(0, lines.size() - 1);
        }
        assertTrue(!lines.isEmpty() && lines.get(lines.size() - 1).startsWith("sparq: error: "), r.err());
        assertEquals(1, lines.stream().filter(l -> l.startsWith("sparq: error: ")).count(), r.err());
        assertFalse(r.err().contains("\tat "), "stack trace without --verbose: " + r.err());
        for (String f : fragments) {
            assertTrue(r.err().contains(f), () -> "expected '" + f + "' in: " + r.err());
        }
    }

    @Test
    void runWritesOutputsMatchingOnnxRuntime() {
        Path out = tmp.resolve("out.npz");
        CliRun r = sparq("run", model.toString(), "--inputs", reference.toString(), "--output", out.toString());
        assertEquals(ExitCode.OK, r.exit(), r.err());
        Tensor got = Npz.read(out).get("y");
        Tensor want = Npz.read(reference).get("output:y");
        assertArrayEquals(want.shape(), got.shape());
        float[] g = got.floats();
        float[] w = want.floats();
        for (int i = 0; i < w.length; i++) {
            // same tolerance as the model parity tests: 1e-5 abs + 1e-4 rel
            assertTrue(Math.abs(g[i] - w[i]) <= 1e-5 + 1e-4 * Math.abs(w[i]), "element " + i + ": " + g[i] + " vs " + w[i]);
        }
    }

    @Test
    void convertThenRunAndInspectTheSparqFile() {
        Path sparqFile = tmp.resolve("model.sparq");
        CliRun c = sparq("convert", model.toString(), "-o", sparqFile.toString());
        assertEquals(ExitCode.OK, c.exit(), c.err());
        assertTrue(java.nio.file.Files.isRegularFile(sparqFile));
        Path fromOnnx = tmp.resolve("onnx.npz");
        Path fromSparq = tmp.resolve("sparq.npz");
        assertEquals(ExitCode.OK, sparq("run", model.toString(), "--inputs", reference.toString(), "-o", fromOnnx.toString()).exit());
        CliRun r = sparq("run", sparqFile.toString(), "--inputs", reference.toString(), "-o", fromSparq.toString());
        assertEquals(ExitCode.OK, r.exit(), r.err());
        float[] want = Npz.read(fromOnnx).get("y").floats();
        float[] got = Npz.read(fromSparq).get("y").floats();
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 1e-6f, "element " + i);
        }
        CliRun onnxTable = sparq("inspect", model.toString());
        CliRun sparqTable = sparq("inspect", sparqFile.toString());
        assertEquals(ExitCode.OK, sparqTable.exit(), sparqTable.err());
        assertEquals(onnxTable.out().lines().filter(l -> l.startsWith("total")).toList(),
                sparqTable.out().lines().filter(l -> l.startsWith("total")).toList());
    }

    @Test
    void convertRefusesUnreadableInputAndLeavesNoOutput() throws IOException {
        Path junk = tmp.resolve("junk.onnx");
        Files.writeString(junk, "not a model");
        Path target = tmp.resolve("out.sparq");
        assertCleanError(sparq("convert", junk.toString(), "-o", target.toString()), ExitCode.FAILURE, "junk.onnx");
        try (var files = Files.list(tmp)) {
            assertEquals(List.of(junk), files.toList(), "nothing but the input may be left in the folder");
        }
    }

    @Test
    void inspectCountsEveryFloatInitializer() throws IOException {
        CliRun r = sparq("inspect", model.toString(), "--json");
        assertEquals(ExitCode.OK, r.exit(), r.err());
        Onnx.ModelProto proto = Onnx.ModelProto.parseFrom(Files.readAllBytes(model));
        long params = proto.getGraph().getInitializerList().stream()
                .filter(t -> t.getDataType() == Onnx.TensorProto.DataType.FLOAT_VALUE)
                .mapToLong(t -> t.getDimsList().stream().mapToLong(Long::longValue).reduce(1, (a, b) -> a * b))
                .sum();
        assertTrue(r.out().contains("\"parameters\": " + params + ","), "total " + params + " in " + r.out());
        assertTrue(r.out().contains("\"op\": \"LSTM\""), r.out());

        CliRun text = sparq("inspect", model.toString());
        assertEquals(ExitCode.OK, text.exit(), text.err());
        assertTrue(text.out().lines().anyMatch(l -> l.startsWith("total") && l.contains(String.format(java.util.Locale.ROOT, "%,d", params))),
                text.out());
    }

    @Test
    void truncatedModelIsAFailure() throws IOException {
        byte[] bytes = Files.readAllBytes(model);
        Path cut = tmp.resolve("cut.onnx");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
        assertCleanError(sparq("run", cut.toString(), "--inputs", reference.toString()), ExitCode.FAILURE, "cut.onnx");
    }

    @Test
    void nonOnnxFileIsAFailure() throws IOException {
        Path junk = tmp.resolve("junk.onnx");
        Files.writeString(junk, "this is not a model\n");
        assertCleanError(sparq("inspect", junk.toString()), ExitCode.FAILURE, "junk.onnx");
    }

    @Test
    void unsupportedOperatorsAreListedTogether() throws IOException {
        Onnx.ValueInfoProto x = Onnx.ValueInfoProto.newBuilder().setName("x").setType(Onnx.TypeProto.newBuilder()
                .setTensorType(Onnx.TypeProto.Tensor.newBuilder().setElemType(1)
                        .setShape(Onnx.TensorShapeProto.newBuilder().addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(4)))))
                .build();
        Onnx.ModelProto m = Onnx.ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
                .setGraph(Onnx.GraphProto.newBuilder().setName("g").addInput(x)
                        .addNode(Onnx.NodeProto.newBuilder().setName("r1").setOpType("Round").addInput("x").addOutput("a"))
                        .addNode(Onnx.NodeProto.newBuilder().setName("f1").setOpType("Floor").addInput("a").addOutput("y"))
                        .addOutput(x.toBuilder().setName("y")))
                .build();
        Path file = tmp.resolve("rounding.onnx");
        Files.write(file, m.toByteArray());
        Path in = tmp.resolve("in.npz");
        Npz.write(in, Map.of("x", Tensor.ofFloats(new int[] {4}, 1, 2, 3, 4)));
        assertCleanError(sparq("run", file.toString(), "--inputs", in.toString()), ExitCode.UNSUPPORTED,
                "'r1' (Round)", "'f1' (Floor)");
    }

    @Test
    void inputsThatDoNotFitAreUsageErrors() {
        Tensor x = Npz.read(reference).get("x");
        int[] s = x.shape();
        Map<String, Tensor> wrongShape = new LinkedHashMap<>();
        wrongShape.put("x", Tensor.zeros(io.sparq.format.DataType.FLOAT32, new int[] {s[0], s[1], s[2] + 1}));
        assertCleanError(runWith(wrongShape), ExitCode.USAGE, "input 'x'", "dimension 2 must be 8");

        Map<String, Tensor> wrongType = Map.of("x", Tensor.zeros(io.sparq.format.DataType.FLOAT64, s));
        assertCleanError(runWith(wrongType), ExitCode.USAGE, "input 'x' is float64", "float32");

        Map<String, Tensor> wrongName = Map.of("z", x);
        assertCleanError(runWith(wrongName), ExitCode.USAGE, "no array 'x'", "[z]");
    }

    @Test
    void badCommandLineIsAUsageError() {
        assertEquals(ExitCode.USAGE, sparq("run").exit());
        assertEquals(ExitCode.USAGE, sparq("frobnicate").exit());
        assertCleanError(sparq("run", tmp.resolve("absent.onnx").toString(), "--inputs", reference.toString()),
                ExitCode.FAILURE, "absent.onnx", "no such file");
    }

    @Test
    void verboseAddsTheStackTrace() {
        CliRun r = sparq("--verbose", "inspect", tmp.resolve("absent.onnx").toString());
        assertEquals(ExitCode.FAILURE, r.exit());
        assertTrue(r.err().contains("\tat "), r.err());
    }

    private CliRun runWith(Map<String, Tensor> inputs) {
        Path in = tmp.resolve("inputs-" + inputs.hashCode() + ".npz");
        Npz.write(in, inputs);
        return sparq("run", model.toString(), "--inputs", in.toString());
    }
}
