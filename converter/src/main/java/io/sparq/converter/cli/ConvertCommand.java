package io.sparq.converter.cli;

import io.sparq.converter.Conversion;
import io.sparq.converter.Formats;
import io.sparq.converter.Recipe;
import io.sparq.converter.encode.TensorReport;
import io.sparq.converter.finetune.Trainer;
import io.sparq.converter.importer.OnnxFileSize;
import io.sparq.converter.prune.Pruner;
import io.sparq.converter.importer.OnnxImporter;
import io.sparq.converter.specialize.GraphSpecializer;
import io.sparq.converter.specialize.Specialization;
import io.sparq.format.ErrorCode;
import io.sparq.format.Graph;
import io.sparq.format.SparqException;
import io.sparq.format.Tensor;
import io.sparq.runtime.api.Model;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

/** {@code sparq convert}: imports an ONNX model, optionally prunes and fine-tunes it, and writes a {@code .sparq} file. */
@Command(name = "convert", header = "Convert an ONNX model to a .sparq file, optionally pruned, fine-tuned and quantized.",
        description = {
            "Imports the model (checked by the ONNX checker; every operator must be supported) and writes it as a"
                + " .sparq file. With --sparsity (or --recipe) the LSTM/GRU/RNN and linear weights are pruned by"
                + " magnitude; with --data the pruned model is fine-tuned while the sparsity ramps up (gradual pruning),"
                + " learning from the dense model's outputs on those inputs, or from --labels. Weights are then"
                + " quantized (--quantize; int8 by default when pruning) and each stored in the encoding that suits"
                + " it (--optimize). The output appears whole or not at all; Ctrl-C writes none, but keeps the"
                + " fine-tuning progress for --resume.",
            "See docs/pruning.md and docs/quantization.md."},
        footerHeading = "%nExamples:%n",
        footer = {
            "  sparq convert model.onnx -o model.sparq",
            "  sparq convert model.onnx -o model.sparq --sparsity 0.9 --data train.npz \\",
            "      --steps 2000",
            "  sparq convert lm.onnx -o lm.sparq --sparsity 0.9 --schedule narang \\",
            "      --data x.npz --labels y.npz --block 8",
            "  sparq convert model.onnx -o model.sparq --recipe prune.yaml --data train.npz \\",
            "      --emit-onnx pruned.onnx",
            "  sparq convert model.onnx -o model.sparq --recipe prune.yaml --data train.npz \\",
            "      --quiet --json > result.json"})
final class ConvertCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "The dense ONNX model (.onnx).")
    Path modelFile;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "The .sparq file to write.")
    Path outputFile;

    @Option(names = {"-q", "--quiet"}, description = "No progress on stderr and no report on stdout; errors and"
            + " warnings only.")
    boolean quiet;

    @Option(names = "--inputs", paramLabel = "FILE",
            description = "Measure how far the converted model's outputs are from the dense model's on these"
                    + " inputs (graph-shaped, as verify takes them). Without it, one-shot pruning (no --data)"
                    + " measures on generated inputs.")
    Path inputsFile;

    @Option(names = "--json", description = "Print the report as JSON on stdout (progress still goes to stderr unless --quiet).")
    boolean json;

    @Option(names = "--input-value", paramLabel = "NAME=VALUE",
            description = "Fix an input to a value (e.g. sr=16000): it stops being an input and the graph is folded,"
                    + " including If nodes it decides (see docs/silero.md). Repeatable.")
    List<String> inputValues = new ArrayList<>();

    @Option(names = "--input-shape", paramLabel = "NAME=D0,D1,...",
            description = "Fix an input's shape for that folding, sizes or symbolic names (e.g. input=batch,576). Repeatable.")
    List<String> inputShapes = new ArrayList<>();

    @Option(names = "--batch-axis", paramLabel = "NAME=AXIS",
            description = "The batch axis of an input whose batch axis the model does not tell (no dimension named"
                    + " like 'batch' and none inferred from the ops that read it), e.g. x=1. Repeatable.")
    List<String> batchAxes = new ArrayList<>();

    @CommandLine.ArgGroup(validate = false, heading = "%nPruning:%n")
    PruneFlags prune = new PruneFlags();

    @CommandLine.ArgGroup(validate = false, heading = "%nFine-tuning (with --data):%n")
    TuneOptions tune = new TuneOptions();

    @CommandLine.ArgGroup(validate = false, heading = "%nQuantization and encoding:%n")
    EncodeOptions encode = new EncodeOptions();

    /** Flags of the fine-tuning run. */
    static final class TuneOptions {
        @Option(names = "--data", paramLabel = "FILE",
                description = "Fine-tuning inputs (.npz keyed by input name, first axis = sample). Without it,"
                        + " pruning is one-shot with no fine-tuning.")
        Path data;

        @Option(names = "--labels", paramLabel = "FILE",
                description = "Labels (.npz keyed by output name, first axis = sample): train on them instead of"
                        + " the dense model's outputs.")
        Path labels;

        @Option(names = "--steps", paramLabel = "N", defaultValue = "1000", description = "Training steps. Default: ${DEFAULT-VALUE}.")
        long steps;

        @Option(names = "--batch", paramLabel = "N", defaultValue = "16", description = "Samples per step. Default: ${DEFAULT-VALUE}.")
        int batch;

        @Option(names = "--lr", paramLabel = "RATE", defaultValue = "1e-3",
                description = "Peak learning rate (Adam; linear warm-up, cosine decay, see --lr-decay). Default: ${DEFAULT-VALUE}.")
        double learningRate;

        @Option(names = "--lr-decay", paramLabel = "WHEN", defaultValue = Recipe.DEFAULT_LR_DECAY,
                description = "after_pruning: the rate stays at its peak until the last mask update and decays"
                        + " (cosine) over the steps after it; whole: it decays over every step after warm-up."
                        + " Default: ${DEFAULT-VALUE}.")
        String lrDecay;

        @Option(names = "--loss", paramLabel = "KIND", defaultValue = "auto",
                description = "kl, mse or ce. auto: ce for integer labels, mse for float labels; without labels kl"
                        + " when every output is a (log-)softmax, else mse. Default: ${DEFAULT-VALUE}.")
        String loss;

        @Option(names = "--bptt", paramLabel = "STEPS", defaultValue = "0",
                description = "Truncate backpropagation through time to this many steps; 0 = full. Default: ${DEFAULT-VALUE}.")
        int bptt;

        @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Seed of the sample order. Default: ${DEFAULT-VALUE}.")
        long seed;

        @Option(names = "--validation", paramLabel = "FRACTION", defaultValue = "0.1",
                description = "Share of samples held out to pick the best checkpoint. Default: ${DEFAULT-VALUE}.")
        double validation;

        @Option(names = "--checkpoint", paramLabel = "FILE",
                description = "Where fine-tuning keeps its progress (at every validation pass and on Ctrl-C; deleted"
                        + " once the output is written). Default: the output's path with .ckpt added, e.g. out.sparq.ckpt.")
        Path checkpoint;

        @Option(names = "--resume",
                description = "Continue an interrupted fine-tuning run from its checkpoint; the model, data and settings"
                        + " must be the same.")
        boolean resume;
    }

    /** Flags of the storage stage. */
    static final class EncodeOptions {
        @Option(names = "--quantize", paramLabel = "KIND",
                description = "Weight values: int8 (per row), int4 (per block), f16 or none. Default: int8 when"
                        + " pruning, else none.")
        String quantize;

        @Option(names = "--optimize", paramLabel = "GOAL", defaultValue = "speed",
                description = "Pick each weight's encoding for speed or size. Default: ${DEFAULT-VALUE}.")
        String optimize;

        @Option(names = "--qat",
                description = "Quantization-aware fine-tuning: training sees the weights rounded as --quantize stores"
                        + " them (straight-through estimator), so int4 keeps more accuracy. Needs --data.")
        boolean qat;

        @Option(names = "--emit-onnx", paramLabel = "FILE",
                description = "Also write the pruned, fine-tuned model as (dense-stored) ONNX, to check it in any ONNX runtime.")
        Path emitOnnx;
    }

    /** The flags that are recipe settings, and the keys they stand for; given flags override the recipe. */
    private static final Map<String, Recipe.Key> RECIPE_KEYS = PruneFlags.withRecipeKeys(
            Map.entry("--steps", Recipe.Key.TUNE_STEPS),
            Map.entry("--batch", Recipe.Key.BATCH), Map.entry("--lr", Recipe.Key.LR),
            Map.entry("--lr-decay", Recipe.Key.LR_DECAY), Map.entry("--loss", Recipe.Key.LOSS),
            Map.entry("--bptt", Recipe.Key.BPTT), Map.entry("--seed", Recipe.Key.SEED),
            Map.entry("--validation", Recipe.Key.VALIDATION), Map.entry("--quantize", Recipe.Key.QUANTIZE),
            Map.entry("--optimize", Recipe.Key.OPTIMIZE), Map.entry("--qat", Recipe.Key.QAT),
            Map.entry("--batch-axis", Recipe.Key.BATCH_AXES));

    @Override
    public Integer call() {
        Recipe stated = (prune.recipe == null ? Recipe.empty() : Recipe.load(prune.recipe))
                .overriddenBy(RecipeFlags.given(spec.commandLine().getParseResult(), RECIPE_KEYS));
        if (!stated.prunes() && tune.data != null) {
            throw usage("--data fine-tunes a pruned model: give --sparsity or a recipe with a sparsity too");
        }
        if (tune.labels != null && tune.data == null) {
            throw usage("--labels needs --data");
        }
        Recipe recipe = stated.withDefaults(tune.data != null);
        if (recipe.quantizationAware() && tune.data == null) {
            throw usage("--qat fine-tunes: give --data (and --sparsity) too");
        }
        Conversion.Options options = Conversion.Options.from(recipe, tune.data, tune.labels).withEmitOnnx(encode.emitOnnx);
        if (!inputValues.isEmpty() || !inputShapes.isEmpty()) {
            options = options.withSpecialization(Specialization.parse(inputValues, inputShapes));
        }
        if ((tune.resume || tune.checkpoint != null) && tune.data == null) {
            throw usage((tune.resume ? "--resume" : "--checkpoint") + " is for fine-tuning: give --data (and --sparsity) too");
        }
        options = options.withCheckpoint(tune.checkpoint, tune.resume);

        PrintWriter out = spec.commandLine().getOut();
        ProgressPrinter progress = new ProgressPrinter(spec.commandLine().getErr(), ProgressPrinter.Mode.detect(quiet));
        AtomicBoolean cancel = new AtomicBoolean();
        Thread worker = Thread.currentThread();
        // Ctrl-C: stop at the next step and let the command unwind, so no output file is left behind
        Thread hook = new Thread(() -> {
            cancel.set(true);
            try {
                worker.join(10_000);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "sparq-cancel");
        Runtime.getRuntime().addShutdownHook(hook);
        Conversion.Result result;
        try {
            result = Conversion.run(modelFile, outputFile, options, progress, cancel);
        } finally {
            progress.finish();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it waits for this thread, which is about to return
            }
        }
        OutputChange change = inputsFile != null || (result.training() == null && !result.pruned().isEmpty())
                ? measureChange(options) : null;
        if (json) {
            Map<String, Object> doc = toJson(result);
            doc.put("output_change", change == null ? null : changeJson(change));
            out.println(Json.write(doc));
            out.flush();
        } else if (!quiet) {
            report(out, result);
            if (change != null) {
                out.println("output change on " + change.on() + ", converted against dense:");
                change.lines().forEach(line -> out.println("  " + line));
                out.flush();
            }
        }
        if (change != null && change.large() && tune.data == null) {
            PrintWriter err = spec.commandLine().getErr();
            err.printf(Locale.ROOT, "sparq: warning: one-shot pruning moved the outputs by up to %.0f%% of their"
                    + " largest value (more than %.0f%%) and, without --data, nothing repaired it: the model may no longer"
                    + " do its task. Prune while fine-tuning instead: %s%n", 100 * change.worst(), 100 * OutputChange.WARN_ABOVE, fineTuneCommand());
            err.flush();
        }
        return ExitCode.OK;
    }

    /**
     * Runs the dense model (specialized as the conversion was) and the file just written on
     * {@code --inputs}, or on generated inputs; null when inputs cannot be generated.
     */
    private OutputChange measureChange(Conversion.Options options) {
        Graph dense = OnnxImporter.load(modelFile);
        if (options.specialization() != null && !options.specialization().isEmpty()) {
            dense = GraphSpecializer.specialize(dense, options.specialization()).graph();
        }
        Model denseModel = Model.fromGraph(dense);
        if (inputsFile != null) {
            return OutputChange.measure(denseModel, Model.load(outputFile),
                    RunCommand.readInputs(inputsFile, denseModel.inputs()), inputsFile.toString(), true);
        }
        Map<String, Tensor> feeds = OutputChange.generatedInputs(denseModel.inputs());
        if (feeds == null) {
            return null;
        }
        return OutputChange.measure(denseModel, Model.load(outputFile), feeds,
                "generated inputs (uniform in [-1, 1), every symbolic dimension " + OutputChange.GENERATED_DIM + ")", false);
    }

    /** This command line with {@code --data} added: the same pruning, fine-tuned. */
    private String fineTuneCommand() {
        List<String> all = spec.commandLine().getParseResult().originalArgs();
        List<String> args = all.subList(all.indexOf(spec.name()) + 1, all.size());
        StringBuilder s = new StringBuilder("sparq convert");
        for (String a : args) {
            s.append(' ').append(a.matches("[\\w@%+=:,./-]+") ? a : "'" + a.replace("'", "'\\''") + "'");
        }
        return s.append(" --data TRAIN.npz").toString();
    }

    private static Map<String, Object> changeJson(OutputChange change) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("inputs", change.on());
        List<Object> outputs = new ArrayList<>();
        for (OutputChange.Output o : change.outputs()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("name", o.name());
            e.put("relative_error", o.relativeError());
            e.put("same_top", Double.isNaN(o.sameTop()) ? null : o.sameTop());
            outputs.add(e);
        }
        m.put("outputs", outputs);
        return m;
    }

    private void report(PrintWriter out, Conversion.Result r) {
        if (!r.pruned().isEmpty()) {
            out.println("pruned tensors:");
            out.printf("  %-40s %-14s %8s %8s%n", "tensor", "shape", "target", "achieved");
            for (Pruner.TensorReport t : r.pruned()) {
                out.printf(Locale.ROOT, "  %-40s %-14s %8s %8s%n", t.name(), Arrays.toString(t.shape()),
                        Formats.percent(t.target()), Formats.percent(t.achieved()));
            }
        }
        if (r.training() != null) {
            Trainer.Result t = r.training();
            out.printf(Locale.ROOT, "fine-tuned %d steps: last loss %.4g, %s%n", t.steps(), t.lastLoss(),
                    Double.isNaN(t.bestValidationLoss()) ? "no validation split (--validation 0)"
                            : String.format(Locale.ROOT, "best validation loss %.4g at step %d", t.bestValidationLoss(), t.bestStep() + 1));
        }
        r.frozen().forEach((name, why) -> out.println("  not trained: " + name + " (" + why + ")"));
        out.println("stored tensors:");
        Map<String, Double> zeros = storedZeros();
        r.plan().table(t -> zeros.getOrDefault(t.name(), t.sparsity())).forEach(line -> out.println("  " + line));
        double ratio = (double) r.inputBytes() / r.outputBytes();
        String source = OnnxFileSize.describe(OnnxFileSize.files(modelFile));   // the weights may be in external data files
        out.printf(Locale.ROOT, "wrote %s (%s; %s %s %s, %s)%n", outputFile, InspectCommand.humanBytes(r.outputBytes()),
                source, source.contains(" + ") ? "were" : "was", InspectCommand.humanBytes(r.inputBytes()),
                ratio >= 1 ? String.format(Locale.ROOT, "%.1fx smaller", ratio) : String.format(Locale.ROOT, "%.2fx its size", 1 / ratio));
        if (encode.emitOnnx != null) {
            out.println("wrote " + encode.emitOnnx + " (pruned model as ONNX)");
        }
        out.flush();
    }

    /** The share of zeros of each initializer as the written file decodes it, counted as inspect counts them. */
    private Map<String, Double> storedZeros() {
        Map<String, Double> zeros = new LinkedHashMap<>();
        ModelFiles.load(outputFile).initializers().forEach((name, t) -> {
            long n = 0;
            for (int i = 0; i < t.size(); i++) {
                n += t.getDouble(i) == 0 ? 1 : 0;
            }
            zeros.put(name, t.size() == 0 ? 0.0 : (double) n / t.size());
        });
        return zeros;
    }

    /** The fine-tuning curve as columns: 1-based step, loss, validation loss (null where none), sparsity. */
    static Map<String, Object> curveJson(io.sparq.converter.finetune.TrainingCurve curve) {
        List<Object> step = new ArrayList<>();
        List<Object> loss = new ArrayList<>();
        List<Object> validation = new ArrayList<>();
        List<Object> sparsity = new ArrayList<>();
        for (io.sparq.converter.finetune.TrainingCurve.Point p : curve.points()) {
            step.add(p.step() + 1);
            loss.add(p.loss());
            validation.add(Double.isNaN(p.validationLoss()) ? null : p.validationLoss());
            sparsity.add(Double.isNaN(p.sparsity()) ? null : p.sparsity());
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", step);
        m.put("loss", loss);
        m.put("validation_loss", validation);
        m.put("sparsity", sparsity);
        return m;
    }

    private Map<String, Object> toJson(Conversion.Result r) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("model", modelFile.toString());
        root.put("output", outputFile.toString());
        root.put("model_bytes", r.inputBytes());
        root.put("output_bytes", r.outputBytes());
        root.put("size_ratio", (double) r.inputBytes() / r.outputBytes());
        List<Object> pruned = new ArrayList<>();
        for (Pruner.TensorReport t : r.pruned()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", t.name());
            m.put("role", t.role());
            m.put("shape", Arrays.stream(t.shape()).boxed().toList());
            m.put("target", Double.isNaN(t.target()) ? null : t.target());
            m.put("achieved", t.achieved());
            m.put("block", t.block());
            pruned.add(m);
        }
        root.put("pruned", pruned);
        if (r.training() != null) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("steps", r.training().steps());
            m.put("last_loss", r.training().lastLoss());
            m.put("best_validation_loss", r.training().bestValidationLoss());
            m.put("best_step", r.training().bestStep() + 1);
            m.put("curve", curveJson(r.training().curve()));
            m.put("not_trained", r.frozen());
            root.put("fine_tuning", m);
        } else {
            root.put("fine_tuning", null);
        }
        List<Object> stored = new ArrayList<>();
        for (TensorReport t : r.plan().tensors()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", t.name());
            m.put("role", t.role());
            m.put("shape", Arrays.stream(t.shape()).boxed().toList());
            m.put("sparsity", t.sparsity());
            m.put("encoding", t.encodingName());
            m.put("bytes", t.bytes());
            m.put("dense_bytes", t.denseBytes());
            m.put("max_abs_error", t.maxAbsError());
            stored.add(m);
        }
        root.put("tensors", stored);
        root.put("emitted_onnx", encode.emitOnnx == null ? null : encode.emitOnnx.toString());
        return root;
    }

    private static SparqException usage(String message) {
        return new SparqException(ErrorCode.INVALID_ARGUMENT, message);
    }
}
