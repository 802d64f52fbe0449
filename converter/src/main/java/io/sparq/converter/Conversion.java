package io.sparq.converter;

import io.sparq.converter.encode.EncodingPlan;
import io.sparq.converter.encode.EncodingPlanner;
import io.sparq.converter.export.OnnxExporter;
import io.sparq.converter.finetune.DiffRegistry;
import io.sparq.converter.data.Npz;
import io.sparq.converter.finetune.FineTuneConfig;
import io.sparq.converter.finetune.LossKind;
import io.sparq.converter.finetune.Trainer;
import io.sparq.converter.finetune.TrainingData;
import io.sparq.converter.finetune.TrainingGraph;
import io.sparq.converter.finetune.TrainingListener;
import io.sparq.converter.importer.FiniteWeights;
import io.sparq.converter.importer.OnnxImporter;
import io.sparq.converter.prune.PruneConfig;
import io.sparq.converter.prune.Pruner;
import io.sparq.converter.quantize.FakeQuantizer;
import io.sparq.format.DataType;
import io.sparq.format.ErrorCode;
import io.sparq.format.Graph;
import io.sparq.format.SparqException;
import io.sparq.format.Tensor;
import io.sparq.format.codec.MetaValue;
import io.sparq.format.codec.SparqWriter;

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
import java.util.Map;
import java.util.Set;
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
     *                  them (straight-through estimator), so low-bit formats keep more accuracy
     */
    public record Options(PruneConfig pruning, Path data, Path labels, FineTuneConfig fineTune,
                          EncodingPlanner.Options encoding, Path emitOnnx, boolean quantizationAware) {
        /** Without quantization-aware fine-tuning. */
        public Options(PruneConfig pruning, Path data, Path labels, FineTuneConfig fineTune,
                       EncodingPlanner.Options encoding, Path emitOnnx) {
            this(pruning, data, labels, fineTune, encoding, emitOnnx, false);
        }
    }

    /**
     * What a conversion did.
     *
     * @param pruned    per pruned tensor: target and achieved sparsity (empty without pruning)
     * @param training  the fine-tuning run, or null when there was none
     * @param frozen    weights fine-tuning could not train, with the reason
     */
    public record Result(EncodingPlan plan, List<Pruner.TensorReport> pruned, Trainer.Result training,
                         Map<String, String> frozen, long inputBytes, long outputBytes) {
    }

    /** What a long conversion reports while it works. */
    public interface Listener extends TrainingListener {
        /** A stage starts, e.g. {@code "importing model.onnx"}. */
        void stage(String description);

        /** Training progress, with the overall sparsity of the pruned tensors at that step. */
        void onStep(Progress progress, double sparsity);

        @Override
        default void onStep(Progress progress) {
            onStep(progress, Double.NaN);
        }
    }

    private Conversion() {
    }

    /** Converts {@code onnxFile} into {@code sparqFile} as {@code options} say. */
    public static Result run(Path onnxFile, Path sparqFile, Options options, Listener listener, AtomicBoolean cancel) {
        listener.stage("importing " + onnxFile.getFileName());
        Graph graph = OnnxImporter.load(onnxFile);
        OnnxImporter.checkSupported(graph);
        FiniteWeights.require(graph, EncodingPlanner.weights(graph, true).keySet());

        List<Pruner.TensorReport> pruned = List.of();
        Trainer.Result training = null;
        Map<String, String> frozen = Map.of();
        FineTuneConfig tuned = null;
        if (options.pruning() != null) {
            Pruner pruner = Pruner.forGraph(graph, options.pruning());
            if (options.data() != null) {
                FineTuneConfig config = options.fineTune();
                listener.stage("preparing fine-tuning data from " + options.data().getFileName());
                List<String> outputs = Trainer.lossOutputs(graph, config);
                TrainingData data = TrainingData.fromNpz(options.data(), graph, Map.of());
                Map<String, Tensor> labels = options.labels() == null ? null : Npz.read(options.labels());
                data = labels != null ? data.withTargets(labels)
                        : data.withTeacherTargets(new TrainingGraph(graph), outputs, config.batchSize());
                if (config.loss() == null) {
                    config = config.toBuilder().loss(defaultLoss(graph, outputs, labels)).build();
                }
                tuned = config;
                TrainingGraph student = new TrainingGraph(graph, DiffRegistry.standard(), config.trainingOptions(),
                        outputs, Set.of());
                frozen = student.frozen();
                for (String name : pruner.tensorNames()) {
                    if (!student.parameters().containsKey(name)) {
                        throw new SparqException(ErrorCode.UNSUPPORTED_MODEL, "tensor '" + name
                                + "' is to be pruned but cannot be fine-tuned: " + frozen.getOrDefault(name, "not trainable"));
                    }
                }
                listener.stage("fine-tuning " + config.steps() + " steps with " + pruner.schedule());
                Trainer trainer = new Trainer(student, config);
                if (options.quantizationAware()) {
                    List<String> weights = EncodingPlanner.weights(graph, options.encoding().embeddings()).keySet().stream()
                            .filter(student.parameters()::containsKey).toList();
                    trainer.withFakeQuantization(new FakeQuantizer(options.encoding().quantize(), weights));
                }
                training = trainer.train(data, pruner,
                        p -> listener.onStep(p, pruner.overallSparsity()), cancel);
                if (training.cancelled()) {
                    throw new SparqException(ErrorCode.INVALID_ARGUMENT, "cancelled at step " + training.steps()
                            + "; nothing was written");
                }
                graph = training.graph();
            } else {
                listener.stage("pruning in one shot (no --data, so no fine-tuning)");
                graph = pruner.pruneNow(graph);
            }
            pruned = pruner.report();
        }

        listener.stage("choosing encodings (" + options.encoding().quantize().displayName() + ", "
                + options.encoding().objective().name().toLowerCase(java.util.Locale.ROOT) + ")");
        EncodingPlan plan = EncodingPlanner.plan(graph, options.encoding());
        Map<String, MetaValue> metadata = new LinkedHashMap<>();
        metadata.put("sparq.producer", MetaValue.of("sparq-converter " + Version.version()));
        metadata.put("sparq.source.name", MetaValue.of(onnxFile.getFileName().toString()));
        metadata.put("sparq.source.sha256", MetaValue.of(sha256(onnxFile)));
        if (options.pruning() != null) {
            metadata.put("sparq.pruning.recipe", MetaValue.of(describe(options, tuned)));
        }
        for (Pruner.TensorReport r : pruned) {
            metadata.put("sparq.tensor." + r.name() + ".sparsity", MetaValue.of(r.achieved()));
        }
        if (cancel.get()) {
            throw new SparqException(ErrorCode.INVALID_ARGUMENT, "cancelled; nothing was written");
        }
        listener.stage("writing " + sparqFile.getFileName());
        if (options.emitOnnx() != null) {
            OnnxExporter.export(onnxFile, graph, options.emitOnnx());
        }
        SparqWriter.write(sparqFile, graph, plan.choices(), metadata);
        return new Result(plan, pruned, training, frozen, size(onnxFile), size(sparqFile));
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

    /** One line that says how the model was pruned, kept in the file's metadata. */
    private static String describe(Options o, FineTuneConfig f) {
        StringBuilder s = new StringBuilder(o.pruning().schedule().toString());
        s.append(", block ").append(o.pruning().blockSize());
        if (!o.pruning().targets().isEmpty()) {
            s.append(", targets ").append(o.pruning().targets());
        }
        if (f != null) {
            s.append(", fine-tuned ").append(f.steps()).append(" steps, batch ").append(f.batchSize())
                    .append(", lr ").append(f.learningRate()).append(", loss ")
                    .append(o.labels() != null ? f.loss() + " on labels" : f.loss() + " vs dense model")
                    .append(", seed ").append(f.seed());
        } else {
            s.append(", no fine-tuning");
        }
        return s.toString();
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
