package io.sparq.converter.cli;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.sparq.converter.Conversion;
import io.sparq.converter.Recipe;
import io.sparq.converter.data.Npz;
import io.sparq.converter.encode.EncodingPlanner;
import io.sparq.converter.prune.OneShotSchedule;
import io.sparq.converter.prune.PruneConfig;
import io.sparq.converter.quantize.QuantizeMode;
import io.sparq.format.SparqException;
import io.sparq.format.Tensor;
import io.sparq.format.codec.EncodedTensor;
import io.sparq.format.codec.SparqFile;
import io.sparq.format.codec.SparqReader;
import io.sparq.runtime.api.Model;
import io.sparq.runtime.api.Session;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.LongBuffer;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static io.sparq.converter.cli.CliRun.sparq;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code sparq convert} with pruning and fine-tuning on every test model: the pruned tensors
 * reach their target, the {@code .sparq} runs in runtime-lite, the emitted ONNX runs in ONNX
 * Runtime and computes what the {@code .sparq} computes, and fine-tuning brings the pruned model
 * closer to the dense one than pruning alone.
 */
class ConvertCommandTest {
    private static final String[] MODELS = {
        "lstm_stack2_bidir", "lstm_batchfirst_logsoftmax", "gru_bidir_softmax", "rnn_tanh_stack2", "rnn_relu_bidir",
        "char_lm", "conv_gru", "lstm_streaming", "lstm_classifier"};
    private static Path models;

    @TempDir
    Path tmp;

    @BeforeAll
    static void findModels() {
        String dir = System.getProperty("sparq.testmodels.dir");
        assertTrue(dir != null && Files.isDirectory(Path.of(dir)), "test models not found: sparq.testmodels.dir=" + dir);
        models = Path.of(dir);
    }

    @TestFactory
    Stream<DynamicTest> fineTunedPruningOnEveryTestModel() {
        return Stream.of(MODELS).map(name -> DynamicTest.dynamicTest(name, () -> checkModel(name)));
    }

    private void checkModel(String name) throws Exception {
        Path onnx = models.resolve(name + ".onnx");
        Path train = models.resolve(name + ".train.npz");
        Map<String, Tensor> reference = Npz.read(models.resolve(name + ".npz"));
        Path tuned = tmp.resolve(name + ".sparq");
        Path tunedOnnx = tmp.resolve(name + ".pruned.onnx");
        Path oneShot = tmp.resolve(name + ".oneshot.sparq");
        double sparsity = 0.75;

        CliRun r = sparq("convert", onnx.toString(), "-o", tuned.toString(), "--sparsity", "" + sparsity, "--block", "1",
                "--data", train.toString(), "--steps", "60", "--batch", "8", "--lr", "3e-3", "--quantize", "none",
                "--emit-onnx", tunedOnnx.toString());
        assertEquals(ExitCode.OK, r.exit(), r.err());
        assertTrue(r.out().contains("pruned tensors:"), r.out());
        assertTrue(r.err().contains("step 60/60"), "progress on stderr: " + r.err());
        CliRun plain = sparq("convert", onnx.toString(), "-o", oneShot.toString(), "--sparsity", "" + sparsity, "--block", "1",
                "--quantize", "none");
        assertEquals(ExitCode.OK, plain.exit(), plain.err());

        // every pruned weight reaches its target within one element (unstructured masks)
        SparqFile file = SparqReader.read(tuned);
        int pruned = 0;
        for (Map.Entry<String, EncodedTensor> e : file.tensors().entrySet()) {
            if (file.metadata().containsKey("sparq.tensor." + e.getKey() + ".sparsity")) {
                Tensor t = e.getValue().toDense();
                long zeros = 0;
                for (float v : t.floats()) {
                    zeros += v == 0 ? 1 : 0;
                }
                assertTrue(Math.abs(zeros - sparsity * t.size()) <= 1, e.getKey() + ": " + zeros + " zeros of " + t.size());
                pruned++;
            }
        }
        assertTrue(pruned >= 1, "no pruned tensor recorded in " + file.metadata().keySet());

        Map<String, Tensor> inputs = new LinkedHashMap<>();
        reference.forEach((k, v) -> {
            if (!k.startsWith("output:")) {
                inputs.put(k, v);
            }
        });
        Map<String, Tensor> fromSparq = run(Model.load(tuned), inputs);
        Map<String, Tensor> fromOrt = runOrt(tunedOnnx, inputs);
        Map<String, Tensor> fromOneShot = run(Model.load(oneShot), inputs);
        double tunedError = 0;
        double oneShotError = 0;
        for (String out : fromSparq.keySet()) {
            float[] s = fromSparq.get(out).floats();
            float[] o = fromOrt.get(out).floats();
            for (int i = 0; i < s.length; i++) {
                // the emitted ONNX holds the same fp32 weights: 1e-5 abs + 1e-4 rel, as the parity tests
                assertTrue(Math.abs(s[i] - o[i]) <= 1e-5 + 1e-4 * Math.abs(o[i]), out + "[" + i + "]: " + s[i] + " vs ORT " + o[i]);
            }
            tunedError += squaredError(fromSparq.get(out), reference.get("output:" + out));
            oneShotError += squaredError(fromOneShot.get(out), reference.get("output:" + out));
        }
        assertTrue(tunedError < oneShotError, name + ": fine-tuned error " + tunedError + " should be below one-shot " + oneShotError);
    }

    private static double squaredError(Tensor got, Tensor want) {
        double s = 0;
        float[] g = got.floats();
        float[] w = want.floats();
        for (int i = 0; i < w.length; i++) {
            s += (g[i] - w[i]) * (double) (g[i] - w[i]);
        }
        return s;
    }

    private static Map<String, Tensor> run(Model model, Map<String, Tensor> inputs) {
        try (Session s = model.newSession()) {
            return s.run(inputs);
        }
    }

    private static Map<String, Tensor> runOrt(Path onnx, Map<String, Tensor> inputs) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(onnx.toString(), new OrtSession.SessionOptions())) {
            Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
            List<OnnxTensor> open = new ArrayList<>();
            try {
                for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
                    Tensor t = e.getValue();
                    long[] shape = java.util.Arrays.stream(t.shape()).asLongStream().toArray();
                    OnnxTensor o = t.type() == io.sparq.format.DataType.INT64
                            ? OnnxTensor.createTensor(env, LongBuffer.wrap(t.longs()), shape)
                            : OnnxTensor.createTensor(env, FloatBuffer.wrap(t.floats()), shape);
                    open.add(o);
                    feeds.put(e.getKey(), o);
                }
                Map<String, Tensor> out = new LinkedHashMap<>();
                try (OrtSession.Result result = session.run(feeds)) {
                    for (Map.Entry<String, ai.onnxruntime.OnnxValue> e : result) {
                        OnnxTensor t = (OnnxTensor) e.getValue();
                        int[] shape = java.util.Arrays.stream(t.getInfo().getShape()).mapToInt(d -> (int) d).toArray();
                        FloatBuffer fb = t.getFloatBuffer();
                        float[] data = new float[fb.remaining()];
                        fb.get(data);
                        out.put(e.getKey(), Tensor.ofFloats(shape, data));
                    }
                }
                return out;
            } finally {
                open.forEach(OnnxTensor::close);
            }
        }
    }

    @Test
    void quantizationAwareFineTuningRunsAndNeedsData() {
        Path onnx = models.resolve("lstm_classifier.onnx");
        Path out = tmp.resolve("qat.sparq");
        CliRun noData = sparq("convert", onnx.toString(), "-o", out.toString(), "--sparsity", "0.5", "--qat");
        assertEquals(ExitCode.USAGE, noData.exit(), noData.err());
        assertTrue(noData.err().contains("--qat"), noData.err());
        CliRun r = sparq("convert", onnx.toString(), "-o", out.toString(), "--sparsity", "0.5", "--quantize", "int4", "--qat",
                "--data", models.resolve("lstm_classifier.train.npz").toString(), "--steps", "10");
        assertEquals(ExitCode.OK, r.exit(), r.err());
        assertTrue(r.out().contains("/int4"), "int4 weights in the table: " + r.out());
        Map<String, Tensor> in = new LinkedHashMap<>();
        Npz.read(models.resolve("lstm_classifier.npz")).forEach((k, v) -> {
            if (!k.startsWith("output:")) {
                in.put(k, v);
            }
        });
        // the int4 file runs: batch 3 of the reference input, 4 class probabilities each
        assertEquals(List.of(3, 4), java.util.Arrays.stream(run(Model.load(out), in).get("probs").shape()).boxed().toList());
    }

    @Test
    void quietAndJsonForScripts() {
        Path onnx = models.resolve("lstm_classifier.onnx");
        Path out = tmp.resolve("scripted.sparq");
        CliRun quiet = sparq("convert", onnx.toString(), "-o", out.toString(), "--sparsity", "0.5", "--quiet");
        assertEquals(ExitCode.OK, quiet.exit(), quiet.err());
        assertEquals("", quiet.out());
        assertEquals("", quiet.err());
        assertTrue(Files.exists(out));

        CliRun json = sparq("convert", onnx.toString(), "-o", out.toString(), "--sparsity", "0.5", "--block", "1",
                "--data", models.resolve("lstm_classifier.train.npz").toString(), "--steps", "4", "--json", "-q");
        assertEquals(ExitCode.OK, json.exit(), json.err());
        assertEquals("", json.err());
        String doc = json.out().strip();
        assertTrue(doc.startsWith("{") && doc.endsWith("}"), doc);
        assertTrue(doc.contains("\"output\": \"" + out + "\""), doc);
        String compact = doc.replaceAll("\\s", "");
        assertTrue(compact.contains("\"pruned\":[{\"name\":\"onnx::LSTM_118\",\"role\":\"LSTMW\""), doc);
        assertTrue(compact.contains("\"fine_tuning\":{\"steps\":4,"), doc);
        assertTrue(compact.contains("\"encoding\":\"dense/int8\""), doc);
    }

    /**
     * torch's default exporter keeps the weights in {@code model.onnx.data}: convert's report, its
     * JSON and inspect (text, JSON, HTML) compare against the .onnx plus that file.
     */
    @Test
    void sizeComparisonsCountTheSourcesExternalData() throws IOException {
        Path onnx = models.resolveSibling("exports").resolve("dynamo_static").resolve("lstm_stack2_bidir.onnx");
        Path data = onnx.resolveSibling("lstm_stack2_bidir.onnx.data");
        long source = Files.size(onnx) + Files.size(data);
        assertTrue(Files.size(data) > Files.size(onnx), "the weights are in " + data);
        Path out = tmp.resolve("external.sparq");
        CliRun r = sparq("convert", onnx.toString(), "-o", out.toString(), "--sparsity", "0.5");
        assertEquals(ExitCode.OK, r.exit(), r.err());
        String ratio = String.format(java.util.Locale.ROOT, "%.1fx smaller", (double) source / Files.size(out));
        assertTrue(r.out().contains("; lstm_stack2_bidir.onnx + lstm_stack2_bidir.onnx.data were "
                + InspectCommand.humanBytes(source) + ", " + ratio + ")"), r.out());
        CliRun json = sparq("convert", onnx.toString(), "-o", out.toString(), "--sparsity", "0.5", "--json", "-q");
        assertTrue(json.out().replaceAll("\\s", "").contains("\"model_bytes\":" + source + ","), json.out());

        CliRun original = sparq("inspect", onnx.toString());
        assertTrue(original.out().contains("size    " + InspectCommand.humanBytes(source)
                + " (lstm_stack2_bidir.onnx + lstm_stack2_bidir.onnx.data)"), original.out());
        Path report = tmp.resolve("report.html");
        CliRun converted = sparq("inspect", out.toString(), "--report", report.toString());
        String line = "size    " + InspectCommand.humanBytes(Files.size(out)) + "; lstm_stack2_bidir.onnx was "
                + InspectCommand.humanBytes(source) + " with its external data, "
                + String.format(java.util.Locale.ROOT, "%.1fx this size", (double) source / Files.size(out));
        assertTrue(converted.out().contains(line), converted.out());
        assertTrue(Files.readString(report).contains("file size: " + line.substring("size    ".length())), "report");
        CliRun convertedJson = sparq("inspect", out.toString(), "--json");
        assertTrue(convertedJson.out().replaceAll("\\s", "").contains("\"source_bytes\":" + source), convertedJson.out());
    }

    /** A model saved by onnx 1.23 (IR 14, opset 28) converts, and convert and inspect say how the checker saw it. */
    @Test
    void newerOnnxVersionsConvertAndSayHowTheyWereChecked() {
        Path onnx = models.resolveSibling("exports").resolve("onnx_ir14").resolve("lstm_stack2_bidir.onnx");
        String note = "IR 14 / opset 28 is newer than the bundled ONNX checker (1.17) knows: it checked the model as"
                + " IR 10 / opset 22, sparq's own validation covers the rest";
        CliRun r = sparq("convert", onnx.toString(), "-o", tmp.resolve("ir14.sparq").toString(), "--sparsity", "0.5");
        assertEquals(ExitCode.OK, r.exit(), r.err());
        assertTrue(r.err().contains(note), r.err());
        CliRun inspect = sparq("inspect", onnx.toString());
        assertTrue(inspect.out().contains("checker " + note), inspect.out());
    }

    /** A wrong output path fails before any work, not after a long fine-tuning run. */
    @Test
    void anUnwritableOutputFailsBeforeAnyWork() {
        Path missing = tmp.resolve("no-such-folder").resolve("x.sparq");
        CliRun r = sparq("convert", models.resolve("lstm_classifier.onnx").toString(), "-o", missing.toString(),
                "--sparsity", "0.5", "--data", models.resolve("lstm_classifier.train.npz").toString());
        assertEquals(ExitCode.FAILURE, r.exit(), r.err());
        assertTrue(r.err().startsWith("sparq: error: cannot write " + missing + ": folder "), r.err());
        assertTrue(r.err().contains("does not exist"), r.err());
        assertFalse(r.err().contains("importing"), "nothing ran: " + r.err());
    }

    @Test
    void dataWithoutPruningIsAUsageError() {
        CliRun r = sparq("convert", models.resolve("lstm_classifier.onnx").toString(), "-o", tmp.resolve("x.sparq").toString(),
                "--data", models.resolve("lstm_classifier.train.npz").toString());
        assertEquals(ExitCode.USAGE, r.exit(), r.err());
        assertTrue(r.err().startsWith("sparq: error: --data fine-tunes a pruned model"), r.err());
        assertFalse(Files.exists(tmp.resolve("x.sparq")));
    }

    @Test
    void aGlobThatMatchesNothingNamesThePrunableTensors() {
        CliRun r = sparq("convert", models.resolve("lstm_classifier.onnx").toString(), "-o", tmp.resolve("x.sparq").toString(),
                "--sparsity", "0.5", "--target", "nothing*=0.9");
        assertEquals(ExitCode.USAGE, r.exit(), r.err());
        assertTrue(r.err().contains("nothing*") && r.err().contains("LSTM"), r.err());
        assertFalse(Files.exists(tmp.resolve("x.sparq")));
    }

    @Test
    void dataThatDoesNotFitTheModelIsAUsageError() {
        CliRun r = sparq("convert", models.resolve("lstm_classifier.onnx").toString(), "-o", tmp.resolve("x.sparq").toString(),
                "--sparsity", "0.5", "--data", models.resolve("char_lm.train.npz").toString());
        assertEquals(ExitCode.USAGE, r.exit(), r.err());
        assertTrue(r.err().contains("'x'"), r.err());
        assertFalse(Files.exists(tmp.resolve("x.sparq")));
    }

    @Test
    void aCancelledConversionWritesNothing() throws IOException {
        Path target = tmp.resolve("cancelled.sparq");
        Path onnxOut = tmp.resolve("cancelled.onnx");
        Conversion.Options options = new Conversion.Options(PruneConfig.of(new OneShotSchedule(0.5, 0)),
                models.resolve("lstm_classifier.train.npz"), null,
                io.sparq.converter.finetune.FineTuneConfig.defaults().toBuilder().steps(5).build(),
                EncodingPlanner.Options.of(QuantizeMode.INT8, EncodingPlanner.Objective.SPEED)).withEmitOnnx(onnxOut);
        AtomicBoolean cancel = new AtomicBoolean(true);
        Conversion.Listener quiet = new Conversion.Listener() {
            @Override
            public void stage(String description) {
            }

            @Override
            public void onStep(Progress progress, double sparsity) {
            }
        };
        SparqException e = assertThrows(SparqException.class,
                () -> Conversion.run(models.resolve("lstm_classifier.onnx"), target, options, quiet, cancel));
        assertTrue(e.getMessage().contains("cancelled"), e.getMessage());
        assertEquals(io.sparq.format.ErrorCode.CANCELLED, e.code(), "Ctrl-C is not a usage error");
        assertEquals(130, ExitCode.of(e.code()));
        try (var files = Files.list(tmp)) {
            assertEquals(List.of(), files.toList(), "a cancelled conversion leaves no file");
        }
    }

    @Test
    void resumeContinuesACancelledRunAndSaysWhatIsWrong() throws IOException {
        Path onnx = models.resolve("lstm_classifier.onnx");
        Path data = models.resolve("lstm_classifier.train.npz");
        Path recipeFile = tmp.resolve("prune.yaml");
        Files.writeString(recipeFile, "sparsity: 0.5\nfine_tune:\n  steps: 12\n  batch: 8\n");
        Path target = tmp.resolve("tuned.sparq");
        Path checkpoint = tmp.resolve("tuned.sparq.ckpt");

        CliRun none = sparq("convert", onnx.toString(), "-o", target.toString(), "--recipe", recipeFile.toString(),
                "--data", data.toString(), "--resume", "--quiet");
        assertEquals(ExitCode.USAGE, none.exit(), none.err());
        assertTrue(none.err().contains("no checkpoint at " + checkpoint), none.err());
        CliRun noData = sparq("convert", onnx.toString(), "-o", target.toString(), "--sparsity", "0.5", "--resume");
        assertEquals(ExitCode.USAGE, noData.exit(), noData.err());
        assertTrue(noData.err().contains("--resume is for fine-tuning"), noData.err());

        // what Ctrl-C does: the same settings as the command line makes of this recipe, cancelled after step 5
        Recipe recipe = Recipe.load(recipeFile).withDefaults(true);
        Conversion.Options options = Conversion.Options.from(recipe, data, null);
        AtomicBoolean cancel = new AtomicBoolean();
        SparqException e = assertThrows(SparqException.class, () -> Conversion.run(onnx, target, options,
                new Conversion.Listener() {
                    @Override
                    public void stage(String description) {
                    }

                    @Override
                    public void onStep(Progress progress, double sparsity) {
                        cancel.set(progress.step() == 4);
                    }
                }, cancel));
        assertTrue(e.getMessage().contains("kept in " + checkpoint + ": run the same command with --resume"), e.getMessage());

        CliRun other = sparq("convert", onnx.toString(), "-o", target.toString(), "--recipe", recipeFile.toString(),
                "--data", data.toString(), "--steps", "13", "--resume", "--quiet");
        assertEquals(ExitCode.USAGE, other.exit(), other.err());
        assertTrue(other.err().contains("the settings differ: 'steps: 13' now, 'steps: 12' in the checkpoint"), other.err());
        assertTrue(Files.exists(checkpoint));

        CliRun resumed = sparq("convert", onnx.toString(), "-o", target.toString(), "--recipe", recipeFile.toString(),
                "--data", data.toString(), "--resume");
        assertEquals(ExitCode.OK, resumed.exit(), resumed.err());
        assertTrue(resumed.err().contains("resuming at step 6 of 12 from " + checkpoint), resumed.err());
        assertTrue(resumed.out().contains("fine-tuned 12 steps"), resumed.out());
        assertFalse(Files.exists(checkpoint), "deleted once the output is written");

        Path whole = tmp.resolve("whole.sparq");
        CliRun uninterrupted = sparq("convert", onnx.toString(), "-o", whole.toString(), "--recipe", recipeFile.toString(),
                "--data", data.toString(), "--quiet");
        assertEquals(ExitCode.OK, uninterrupted.exit(), uninterrupted.err());
        assertArrayEquals(Files.readAllBytes(whole), Files.readAllBytes(target), "resumed = uninterrupted");
    }
}
