package io.sparq.converter;

import io.sparq.converter.encode.EncodingPlan;
import io.sparq.converter.encode.EncodingPlanner;
import io.sparq.converter.export.OnnxExporter;
import io.sparq.converter.finetune.Checkpoint;
import io.sparq.converter.finetune.DiffRegistry;
import io.sparq.converter.data.AtomicFiles;
import io.sparq.converter.data.Npz;
import io.sparq.converter.finetune.FineTuneConfig;
import io.sparq.converter.finetune.LossKind;
import io.sparq.converter.finetune.Trainer;
import io.sparq.converter.finetune.TrainingData;
import io.sparq.converter.finetune.TrainingGraph;
import io.sparq.converter.finetune.TrainingListener;
import io.sparq.converter.importer.FiniteWeights;
import io.sparq.converter.importer.GraphNormalizer;
import io.sparq.converter.importer.OnnxFileSize;
import io.sparq.converter.importer.OnnxImporter;
import io.sparq.converter.prune.MagnitudeHistogram;
import io.sparq.converter.prune.PruneConfig;
import io.sparq.converter.prune.Pruner;
import io.sparq.converter.quantize.FakeQuantizer;
import io.sparq.converter.specialize.GraphSpecializer;
import io.sparq.converter.specialize.Specialization;
import io.sparq.format.DataType;
import io.sparq.format.ErrorCode;
import io.sparq.format.Graph;
import io.sparq.format.SparqException;
import io.sparq.format.Tensor;
import io.sparq.format.codec.MetaValue;
import io.sparq.format.codec.SparqWriter;
import onnx.Onnx.ModelProto;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The converter's pipeline, {@code import → prune + fine-tune → quantize → encode → write}, as
 * one call that the {@code sparq convert} command (and benchmarks) drive. Outputs are written
 * whole or not at all; a cancelled run writes nothing.
 */
public final class Conversion {
    /**
     * What to do; null fields switch a stage off.
     *
     * @param pruning   masks and schedule; null = no pruning
     * @param data      fine-tuning inputs (.npz, first axis = sample); null = prune without fine-tuning
     * @param labels    labels (.npz keyed by output name) for supervised fine-tuning; null = distil
     *                  from the dense model's outputs
     * @param fineTune  optimizer, steps and loss settings (used when {@code data} is given)
     * @param encoding  value format and encoding objective
     * @param emitOnnx  also write the pruned, fine-tuned model as dense ONNX here; null = don't
     * @param quantizationAware fine-tune with the weights rounded as {@code encoding} will store
     * @param recipe    the complete settings these options were made from, stored in the output's
     *                  metadata ({@code sparq.recipe}); null = store none
     *                  them (straight-through estimator), so low-bit formats keep more accuracy
     * @param specialization inputs fixed to values or shapes before anything else, with the graph
     *                  folded as {@link GraphSpecializer} does; null or empty = none
     * @param checkpoint where fine-tuning keeps its progress (see {@link Checkpoint}); null =
     *                  {@code <output>.ckpt}. Written at every validation pass and on cancel, deleted
     *                  once the output is written
     * @param resume    continue fine-tuning from {@code checkpoint}, which must have been made from
     *                  the same model, data and settings
     * @param batchAxes batch axis by input name, for inputs whose batch axis the graph does not
     *                  tell (see {@link GraphNormalizer}); empty = inferred
     */
    public record Options(PruneConfig pruning, Path data, Path labels, FineTuneConfig fineTune,
                          EncodingPlanner.Options encoding, Path emitOnnx, boolean quantizationAware, Recipe recipe,
                          Specialization specialization, Path checkpoint, boolean resume, Map<String, Integer> batchAxes) {
        public Options {
            batchAxes = batchAxes == null ? Map.of() : Map.copyOf(batchAxes);
        }

        /** Settings made in code: no ONNX copy, no quantization-aware training, no recipe, checkpoint or input fixes. */
        public Options(PruneConfig pruning, Path data, Path labels, FineTuneConfig fineTune, EncodingPlanner.Options encoding) {
            this(pruning, data, labels, fineTune, encoding, null, false, null, null, null, false, Map.of());
        }

        /**
         * The settings of a complete recipe ({@link Recipe#withDefaults}), which the output records in
         * its metadata, with the fine-tuning data (null: none) and labels (null: distil).
         */
        public static Options from(Recipe recipe, Path data, Path labels) {
            return new Options(recipe.pruning(), data, labels, recipe.fineTune(), recipe.encoding(), null,
                    recipe.quantizationAware(), recipe, null, null, false, recipe.batchAxes());
        }

        /** These options, also writing the pruned, fine-tuned model as ONNX to {@code file} (null: not). */
        public Options withEmitOnnx(Path file) {
            return new Options(pruning, data, labels, fineTune, encoding, file, quantizationAware, recipe,
                    specialization, checkpoint, resume, batchAxes);
        }

        /** These options with inputs fixed as {@code s} says (see {@link GraphSpecializer}). */
        public Options withSpecialization(Specialization s) {
            return new Options(pruning, data, labels, fineTune, encoding, emitOnnx, quantizationAware, recipe, s,
                    checkpoint, resume, batchAxes);
        }

        /**
         * These options with fine-tuning checkpoints kept in {@code file} (null: next to the output,
         * see {@link #checkpointFor}), continuing from it when {@code resume} is set.
         */
        public Options withCheckpoint(Path file, boolean resume) {
            return new Options(pruning, data, labels, fineTune, encoding, emitOnnx, quantizationAware, recipe,
                    specialization, file, resume, batchAxes);
        }

        /** Where fine-tuning keeps its checkpoint: the given file, else {@code <output>.ckpt}. */
        public Path checkpointFor(Path sparqFile) {
            return checkpoint != null ? checkpoint : sparqFile.resolveSibling(sparqFile.getFileName() + ".ckpt");
        }

        private boolean fineTunes() {
            return pruning != null && data != null;
        }
    }

    /**
     * What a conversion did.
     *
     * @param pruned    per pruned tensor: target and achieved sparsity (empty without pruning)
     * @param training  the fine-tuning run, or null when there was none
     * @param frozen    weights fine-tuning could not train, with the reason
     * @param inputBytes the source model's bytes: the .onnx file plus its external data files
     */
    public record Result(EncodingPlan plan, List<Pruner.TensorReport> pruned, Trainer.Result training,
                         Map<String, String> frozen, long inputBytes, long outputBytes) {
    }

    /** What a long conversion reports while it works. */
    public interface Listener extends TrainingListener {
        /** A stage starts, e.g. {@code "importing model.onnx"}. */
        void stage(String description);

        /** How far the current stage has come (import: phases; encoding: elements). */
        default void progress(long done, long total) {
        }

        /** Training progress, with the overall sparsity of the pruned tensors at that step. */
        void onStep(Progress progress, double sparsity);

        @Override
        default void onStep(Progress progress) {
            onStep(progress, Double.NaN);
        }
    }

    /** Metadata key of the inputs a file was specialized to, e.g. {@code sr=16000; input=[batch, 576]}. */
    public static final String SPECIALIZATION_KEY = "sparq.specialization";
    /** Metadata key of the source model's size in bytes: the .onnx file plus its external data files. */
    public static final String SOURCE_BYTES_KEY = "sparq.source.bytes";
    /** Metadata key of the recipe a file was made with (YAML, as {@link Recipe#parse} reads it). */
    public static final String RECIPE_KEY = "sparq.recipe";
    /**
     * Metadata keys of a pruned tensor's magnitude histogram before pruning:
     * {@code sparq.tensor.<name>.magnitudes} (counts) and {@code .magnitude_range} (log10 edges).
     */
    public static final String MAGNITUDES_PREFIX = "sparq.tensor.";
    /**
     * Metadata key of the fine-tuning curve, thinned to at most {@value #CURVE_POINTS} steps plus
     * every validation pass: float64 values, {@link io.sparq.converter.finetune.TrainingCurve#COLUMNS}
     * per step (step, training loss, validation loss or NaN, sparsity of the pruned weights).
     */
    public static final String CURVE_KEY = "sparq.training.curve";
    static final int CURVE_POINTS = 200;
    public static final String MAGNITUDES_SUFFIX = ".magnitudes";
    public static final String RANGE_SUFFIX = ".magnitude_range";

    private Conversion() {
    }

    /** Converts {@code onnxFile} into {@code sparqFile} as {@code options} say. */
    public static Result run(Path onnxFile, Path sparqFile, Options options, Listener listener, AtomicBoolean cancel) {
        Prepared prepared = prepare(onnxFile, sparqFile, options);
        Imported imported = importGraph(onnxFile, options, listener);
        Pruned pruned = options.pruning() == null ? Pruned.none(imported.graph())
                : prune(imported.graph(), options, prepared, listener, cancel);
        listener.stage("choosing encodings (" + options.encoding().quantize().displayName() + ", "
                + options.encoding().objective().name().toLowerCase(Locale.ROOT) + ")");
        EncodingPlan plan = EncodingPlanner.plan(pruned.graph(), options.encoding(), listener::progress);
        long sourceBytes = OnnxFileSize.of(onnxFile);
        Map<String, MetaValue> metadata = metadata(onnxFile, options, prepared, pruned, sourceBytes);
        if (cancel.get()) {
            throw new SparqException(ErrorCode.CANCELLED, "cancelled; nothing was written");
        }
        write(onnxFile, sparqFile, options, imported, pruned.graph(), plan, metadata, listener);
        if (options.fineTunes()) {
            try {
                Files.deleteIfExists(prepared.checkpointFile());
            } catch (IOException e) {
                throw new SparqException(ErrorCode.IO_ERROR, "wrote " + sparqFile + " but cannot delete the checkpoint "
                        + prepared.checkpointFile() + ": " + e.getMessage(), e);
            }
        }
        return new Result(plan, pruned.reports(), pruned.training(), pruned.frozen(), sourceBytes, size(sparqFile));
    }

    /**
     * What is checked and read before any work: the outputs are writable, and for fine-tuning the
     * source's hash, the run's fingerprint and (with --resume) the checkpoint to continue from.
     */
    private record Prepared(String sourceSha256, Path checkpointFile, Map<String, String> fingerprint, Checkpoint resumed) {
    }

    private static Prepared prepare(Path onnxFile, Path sparqFile, Options options) {
        AtomicFiles.requireWritable(sparqFile);
        if (options.emitOnnx() != null) {
            AtomicFiles.requireWritable(options.emitOnnx());
        }
        Path checkpointFile = options.checkpointFor(sparqFile);
        if (options.resume() && !options.fineTunes()) {
            throw new SparqException(ErrorCode.INVALID_ARGUMENT, "--resume continues fine-tuning: give the pruning"
                    + " settings and --data of the run to continue");
        }
        if (!options.fineTunes()) {
            return new Prepared(null, checkpointFile, Map.of(), null);   // the hash is read when the metadata needs it
        }
        AtomicFiles.requireWritable(checkpointFile);
        String sourceSha256 = sha256(onnxFile);
        Map<String, String> fingerprint = fingerprint(sourceSha256, options);
        Checkpoint resumed = null;
        if (options.resume()) {
            if (!Files.exists(checkpointFile)) {
                throw new SparqException(ErrorCode.INVALID_ARGUMENT, "--resume: there is no checkpoint at " + checkpointFile
                        + " (a fine-tuning run keeps one there from its first validation pass, or when cancelled)");
            }
            resumed = Checkpoint.read(checkpointFile);
            resumed.requireSameInputs(fingerprint, FINGERPRINT_NAMES, checkpointFile);
        }
        return new Prepared(sourceSha256, checkpointFile, fingerprint, resumed);
    }

    /**
     * The imported graph as the later stages see it (normalized, specialized), and whether it still
     * has the original's structure (else --emit-onnx writes it from the graph).
     */
    private record Imported(Graph graph, boolean restructured) {
    }

    private static Imported importGraph(Path onnxFile, Options options, Listener listener) {
        listener.stage("importing " + onnxFile.getFileName());
        Graph imported = OnnxImporter.load(onnxFile, listener::progress);
        if (imported.metadata().containsKey(OnnxImporter.CHECKER_NOTE_KEY)) {
            listener.stage(imported.metadata().get(OnnxImporter.CHECKER_NOTE_KEY));
        }
        OnnxImporter.checkSupported(imported);
        GraphNormalizer.Result normal = GraphNormalizer.normalize(imported, options.batchAxes());
        if (normal.folded() > 0 || normal.shared() > 0) {
            listener.stage("folded " + normal.folded() + " constant node(s)" + (normal.shared() > 0 ? ", stored "
                    + normal.shared() + " repeated constant(s) once" : "") + (normal.renamed().isEmpty() ? ""
                    : "; weights named after their parameters: " + String.join(", ", normal.renamed().values())));
        }
        normal.notes().forEach(listener::stage);
        Graph graph = normal.graph();
        // a graph the normalizer changed no longer matches the original's structure
        boolean restructured = !graph.nodes().equals(imported.nodes()) || !graph.inputs().equals(imported.inputs())
                || !imported.initializers().keySet().containsAll(graph.initializers().keySet());
        Specialization specialization = options.specialization();
        if (specialization != null && !specialization.isEmpty()) {
            listener.stage("specializing to " + specialization);
            GraphSpecializer.Result s = GraphSpecializer.specialize(graph, specialization);
            listener.stage("folded " + s.foldedNodes() + " node(s) and " + s.inlinedIfs() + " If(s); "
                    + (s.remainingIfs() == 0 ? "no If is left" : s.remainingIfs() + " If(s) left (their weights are not pruned)"));
            graph = s.graph();
            restructured = true;
        }
        FiniteWeights.require(graph, EncodingPlanner.weights(graph, true).keySet());
        return new Imported(graph, restructured);
    }

    /**
     * The graph after pruning (and fine-tuning), with what the report and the metadata need: each
     * pruned tensor's report and magnitudes before pruning, the training run, the weights it kept
     * frozen and the fine-tuning settings used.
     */
    private record Pruned(Graph graph, List<Pruner.TensorReport> reports, Map<String, MagnitudeHistogram> before,
                          Trainer.Result training, Map<String, String> frozen, FineTuneConfig tuned) {
        static Pruned none(Graph graph) {
            return new Pruned(graph, List.of(), Map.of(), null, Map.of(), null);
        }
    }

    private static Pruned prune(Graph graph, Options options, Prepared prepared, Listener listener, AtomicBoolean cancel) {
        Pruner pruner = Pruner.forGraph(graph, options.pruning());
        Map<String, MagnitudeHistogram> before = new LinkedHashMap<>();
        for (String name : pruner.tensorNames()) {
            before.put(name, MagnitudeHistogram.of(graph.initializers().get(name).floats()));
        }
        if (options.data() == null) {
            listener.stage("pruning in one shot (no --data, so no fine-tuning)");
            Graph result = pruner.pruneNow(graph);
            return new Pruned(result, pruner.report(), before, null, Map.of(), null);
        }
        FineTuneConfig config = options.fineTune();
        listener.stage("preparing fine-tuning data from " + options.data().getFileName());
        List<String> outputs = Trainer.lossOutputs(graph, config);
        TrainingData data = TrainingData.fromNpz(options.data(), graph, Map.of());
        Map<String, Tensor> labels = options.labels() == null ? null : Npz.read(options.labels());
        // the teacher only runs forward: nothing of it is trained
        data = labels != null ? data.withTargets(labels)
                : data.withTeacherTargets(new TrainingGraph(graph, DiffRegistry.standard(), config.trainingOptions(),
                        outputs, graph.initializers().keySet()), outputs, config.batchSize());
        if (config.loss() == null) {
            config = config.toBuilder().loss(defaultLoss(graph, outputs, labels)).build();
        }
        // weights whose gradient cannot reach them (ops without a backward rule on the way) stay as they are
        Map<String, String> blocked = TrainingGraph.blockedWeights(graph, DiffRegistry.standard(), outputs);
        TrainingGraph student = new TrainingGraph(graph, DiffRegistry.standard(), config.trainingOptions(),
                outputs, blocked.keySet());
        Map<String, String> frozen = new LinkedHashMap<>(student.frozen());
        frozen.putAll(blocked);
        for (String name : pruner.tensorNames()) {
            if (!student.parameters().containsKey(name)) {
                throw new SparqException(ErrorCode.UNSUPPORTED_MODEL, "tensor '" + name
                        + "' is to be pruned but cannot be fine-tuned: " + frozen.getOrDefault(name, "not trainable"));
            }
        }
        listener.stage("fine-tuning " + config.steps() + " steps, " + pruner.schedule().describe());
        Path checkpointFile = prepared.checkpointFile();
        boolean[] saved = {prepared.resumed() != null};
        Trainer trainer = new Trainer(student, config).withCheckpoints(state -> {
            new Checkpoint(prepared.fingerprint(), state).write(checkpointFile);
            saved[0] = true;
        });
        if (prepared.resumed() != null) {
            listener.stage("resuming at step " + (prepared.resumed().state().step() + 1) + " of " + config.steps()
                    + " from " + checkpointFile);
            trainer.resumeFrom(prepared.resumed().state(), checkpointFile.toString());
        }
        if (options.quantizationAware()) {
            List<String> weights = EncodingPlanner.weights(graph, options.encoding().embeddings()).keySet().stream()
                    .filter(student.parameters()::containsKey).toList();
            trainer.withFakeQuantization(new FakeQuantizer(options.encoding().quantize(), weights));
        }
        Trainer.Result training = trainer.train(data, pruner, p -> listener.onStep(p, pruner.overallSparsity()), cancel);
        if (training.cancelled()) {
            throw new SparqException(ErrorCode.CANCELLED, "cancelled at step " + training.steps()
                    + "; nothing was written" + (saved[0] ? "; the progress is kept in " + checkpointFile
                    + ": run the same command with --resume to continue" : ""));
        }
        return new Pruned(training.graph(), pruner.report(), before, training, frozen, config);
    }

    /** The file's metadata: producer, source, recipe, fine-tuning curve, and each pruned tensor's sparsity and magnitudes. */
    private static Map<String, MetaValue> metadata(Path onnxFile, Options options, Prepared prepared, Pruned pruned,
                                                   long sourceBytes) {
        Map<String, MetaValue> metadata = new LinkedHashMap<>();
        metadata.put("sparq.producer", MetaValue.of("sparq-converter " + Version.version()));
        metadata.put("sparq.source.name", MetaValue.of(onnxFile.getFileName().toString()));
        metadata.put("sparq.source.sha256", MetaValue.of(prepared.sourceSha256() != null ? prepared.sourceSha256()
                : sha256(onnxFile)));
        metadata.put(SOURCE_BYTES_KEY, MetaValue.of(sourceBytes));
        Specialization specialization = options.specialization();
        if (specialization != null && !specialization.isEmpty()) {
            metadata.put(SPECIALIZATION_KEY, MetaValue.of(specialization.toString()));
        }
        if (options.recipe() != null) {
            metadata.put(RECIPE_KEY, MetaValue.of(recipeText(options, pruned.tuned(), pruned.training())));
        }
        if (pruned.training() != null) {
            metadata.put(CURVE_KEY, MetaValue.of(pruned.training().curve().thinned(CURVE_POINTS).flat()));
        }
        for (Pruner.TensorReport r : pruned.reports()) {
            metadata.put("sparq.tensor." + r.name() + ".sparsity", MetaValue.of(r.achieved()));
            MagnitudeHistogram h = pruned.before().get(r.name());
            metadata.put(MAGNITUDES_PREFIX + r.name() + MAGNITUDES_SUFFIX, MetaValue.of(h.counts()));
            metadata.put(MAGNITUDES_PREFIX + r.name() + RANGE_SUFFIX, MetaValue.of(new double[] {h.log10Low(), h.log10High()}));
        }
        return metadata;
    }

    /** Writes the {@code .sparq} file and, with --emit-onnx, the ONNX file: both or neither. */
    private static void write(Path onnxFile, Path sparqFile, Options options, Imported imported, Graph graph,
                              EncodingPlan plan, Map<String, MetaValue> metadata, Listener listener) {
        listener.stage("writing " + sparqFile.getFileName());
        // the ONNX file waits beside its target until the .sparq is written
        ModelProto emitted = options.emitOnnx() == null ? null
                : imported.restructured()
                ? OnnxExporter.toModelProto(graph)    // the graph no longer matches the original's structure
                : OnnxExporter.exported(onnxFile, graph);
        try (AtomicFiles.Staged onnx = emitted == null ? null : OnnxExporter.stage(options.emitOnnx(), emitted)) {
            SparqWriter.write(sparqFile, graph, plan.choices(), metadata);
            if (onnx != null) {
                onnx.commit();
            }
        }
    }

    /**
     * The loss when none is asked for: cross-entropy on integer labels, MSE on float labels; when
     * distilling, KL if every output is a (log-)softmax (a distribution), MSE otherwise.
     */
    private static LossKind defaultLoss(Graph graph, List<String> outputs, Map<String, Tensor> labels) {
        if (labels != null) {
            boolean integer = outputs.stream().map(labels::get).allMatch(t -> t != null
                    && (t.type() == DataType.INT64 || t.type() == DataType.INT32));
            return integer ? LossKind.CROSS_ENTROPY : LossKind.MSE;
        }
        boolean distributions = outputs.stream().allMatch(o -> graph.nodes().stream()
                .anyMatch(n -> n.outputs().contains(o) && (n.opType().equals("Softmax") || n.opType().equals("LogSoftmax"))));
        return distributions ? LossKind.KL : LossKind.MSE;
    }

    /** The recipe as stored: comment lines on what the settings ran on, then the settings. */
    private static String recipeText(Options o, FineTuneConfig tuned, Trainer.Result training) {
        StringBuilder s = new StringBuilder();
        if (o.data() != null) {
            s.append("# fine-tuned on ").append(o.data().getFileName())
                    .append(o.labels() != null ? " with labels " + o.labels().getFileName() : " against the dense model's outputs");
            if (tuned != null) {
                s.append(", loss ").append(tuned.loss().name().toLowerCase(Locale.ROOT));
            }
            if (training != null && !Double.isNaN(training.bestValidationLoss())) {
                s.append("; best validation loss ").append(String.format(Locale.ROOT, "%.4g", training.bestValidationLoss()))
                        .append(" at step ").append(training.bestStep() + 1).append(" of ").append(training.steps());
            }
            s.append('\n');
        }
        return s.append(o.recipe().toYaml()).toString();
    }

    /** What a difference in each of a checkpoint's inputs means, by fingerprint key. */
    private static final Map<String, String> FINGERPRINT_NAMES = Map.of("model", "the model differs (sha256)",
            "data", "the --data file differs (sha256)", "labels", "the --labels file differs (sha256)",
            "settings", "the settings differ", "specialization", "the fixed inputs (--input-value, --input-shape) differ",
            "batch axes", "the batch axes (--batch-axis) differ");

    /** The inputs a fine-tuning run depends on, so that it is only resumed with the same ones. */
    private static Map<String, String> fingerprint(String modelSha256, Options o) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("model", modelSha256);
        f.put("data", sha256(o.data()));
        f.put("labels", o.labels() == null ? "none" : sha256(o.labels()));
        f.put("settings", o.recipe() != null ? o.recipe().toYaml()
                : "pruning: " + o.pruning() + "\nfine-tuning: " + o.fineTune() + "\nencoding: " + o.encoding()
                + "\nquantization-aware: " + o.quantizationAware());
        if (!o.batchAxes().isEmpty()) {
            f.put("batch axes", new java.util.TreeMap<>(o.batchAxes()).toString());
        }
        f.put("specialization", o.specialization() == null || o.specialization().isEmpty() ? "none"
                : o.specialization().toString());
        return f;
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new SparqException(ErrorCode.IO_ERROR, "cannot read the size of " + p + ": " + e.getMessage(), e);
        }
    }

    private static String sha256(Path file) {
        try (DigestInputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(in.getMessageDigest().digest());
        } catch (IOException e) {
            throw new SparqException(ErrorCode.IO_ERROR, "cannot read " + file + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new SparqException(ErrorCode.INTERNAL, "SHA-256 is not available in this Java runtime", e);
        }
    }
}
