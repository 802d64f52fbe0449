package io.sparq.converter.cli;

import io.sparq.converter.Formats;
import io.sparq.converter.Recipe;
import io.sparq.converter.data.AtomicFiles;
import io.sparq.converter.data.Npz;
import io.sparq.converter.finetune.TrainingData;
import io.sparq.converter.importer.GraphNormalizer;
import io.sparq.converter.importer.OnnxImporter;
import io.sparq.converter.prune.Sensitivity;
import io.sparq.converter.prune.TargetRule;
import io.sparq.format.Graph;
import io.sparq.format.Tensor;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code sparq sensitivity}: how much each weight tolerates pruning, and per-tensor targets from that. */
@Command(name = "sensitivity", header = "Measure how each weight tolerates pruning; plan per-tensor sparsities.",
        description = "Prunes each prunable tensor alone, in one shot, to each sparsity of --sparsities (1xB blocks"
                + " as convert prunes them), and scores the model on the samples of --data against the dense model:"
                + " the loss fine-tuning would use (KL for distributions, MSE otherwise; cross-entropy with --labels)"
                + " and a task metric (accuracy with labels, agreement of the predicted class without). With"
                + " --recipe-out, writes a recipe with per-tensor targets that reach --overall with the least"
                + " predicted loss.",
        footerHeading = "%nExamples:%n",
        footer = {
            "  sparq sensitivity model.onnx --data heldout.npz",
            "  sparq sensitivity lm.onnx --data x.npz --labels y.npz \\",
            "      --json sens.json --report sens.html",
            "  sparq sensitivity model.onnx --data x.npz --overall 0.9 \\",
            "      --recipe-out prune.yaml"})
final class SensitivityCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "The dense ONNX model (.onnx).")
    Path modelFile;

    @Option(names = "--data", required = true, paramLabel = "FILE",
            description = "Held-out inputs (.npz keyed by input name, first axis = sample), as convert --data reads them.")
    Path data;

    @Option(names = "--labels", paramLabel = "FILE",
            description = "Labels for those samples (.npz keyed by output name); without, the dense model's outputs are the reference.")
    Path labels;

    @Option(names = "--sparsities", paramLabel = "S,S,...", split = ",", defaultValue = "0.5,0.75,0.9,0.95",
            description = "Sparsities to try, each in (0, 1). Default: ${DEFAULT-VALUE}.")
    double[] sparsities;

    @Option(names = "--block", paramLabel = "B", defaultValue = "16",
            description = "Mask granularity, as convert --block. Default: ${DEFAULT-VALUE}.")
    int block;

    @Option(names = "--samples", paramLabel = "N", defaultValue = "256",
            description = "Score on at most the first N samples. Default: ${DEFAULT-VALUE}.")
    int samples;

    @Option(names = "--embeddings", description = "Analyse embedding tables (Gather) too.")
    boolean embeddings;

    @Option(names = "--overall", paramLabel = "S", defaultValue = "0.9",
            description = "Overall sparsity the planned targets reach (share of zeros over the analysed tensors)."
                    + " Default: ${DEFAULT-VALUE}.")
    double overall;

    @Option(names = "--recipe-out", paramLabel = "FILE",
            description = "Write a recipe (YAML for convert --recipe) with the planned per-tensor targets.")
    Path recipeOut;

    @Option(names = "--json", paramLabel = "FILE", description = "Write every score as JSON.")
    Path jsonOut;

    @Option(names = "--report", paramLabel = "FILE", description = "Write a self-contained HTML page with a chart per tensor.")
    Path reportOut;

    @Override
    public Integer call() {
        for (double s : sparsities) {
            if (!(s > 0 && s < 1)) {
                throw usage("--sparsities: " + s + " is outside (0, 1)");
            }
        }
        if (block != 1 && block != 4 && block != 8 && block != 16) {
            throw usage("--block must be 1, 4, 8 or 16, got " + block);
        }
        if (samples < 1) {
            throw usage("--samples must be >= 1, got " + samples);
        }
        if (!(overall > 0 && overall < 1)) {
            throw usage("--overall must be in (0, 1), got " + overall);
        }
        for (Path p : new Path[] {recipeOut, jsonOut, reportOut}) {
            if (p != null) {
                AtomicFiles.requireWritable(p);
            }
        }
        double[] grid = Arrays.stream(sparsities).sorted().distinct().toArray();
        ProgressPrinter progress = new ProgressPrinter(spec.commandLine().getErr(), ProgressPrinter.Mode.detect(false));
        progress.stage("importing " + modelFile.getFileName());
        ModelFiles.requireFile(modelFile);
        Graph imported = OnnxImporter.load(modelFile);
        OnnxImporter.checkSupported(imported);
        Graph graph = GraphNormalizer.normalize(imported, Map.of()).graph();
        TrainingData samplesData = TrainingData.fromNpz(data, graph, Map.of());
        Map<String, Tensor> labelArrays = labels == null ? null : Npz.read(labels);
        progress.stage("pruning each tensor alone to " + Arrays.toString(grid) + " on "
                + Math.min(samples, samplesData.size()) + " samples");
        Sensitivity.Result result;
        try {
            result = Sensitivity.analyze(graph, samplesData, labelArrays, grid, block, samples, embeddings,
                    (done, total) -> progress.progress(done, total));
        } finally {
            progress.finish();
        }
        Map<String, Double> plan = Sensitivity.plan(result, overall);
        PrintWriter out = spec.commandLine().getOut();
        print(out, result, plan);
        if (recipeOut != null) {
            List<TargetRule> rules = new ArrayList<>();
            plan.forEach((name, s) -> rules.add(new TargetRule(name, s)));
            String yaml = "# per-tensor targets from sparq sensitivity on " + data.getFileName() + ": overall "
                    + Formats.percent(Sensitivity.sparsity(plan, result)) + "\n"
                    + Recipe.empty().with(Recipe.Key.SPARSITY, overall).with(Recipe.Key.BLOCK, (long) block)
                    .with(Recipe.Key.TARGETS, rules).toYaml();
            AtomicFiles.write(recipeOut, o -> o.write(yaml.getBytes(StandardCharsets.UTF_8)));
            out.println("wrote " + recipeOut + " (convert --recipe " + recipeOut.getFileName() + " --data ...)");
        }
        if (jsonOut != null) {
            String text = Json.write(toJson(result, plan));
            AtomicFiles.write(jsonOut, o -> o.write(text.getBytes(StandardCharsets.UTF_8)));
        }
        if (reportOut != null) {
            String html = SensitivityReport.of(modelFile.getFileName().toString(), result, plan);
            AtomicFiles.write(reportOut, o -> o.write(html.getBytes(StandardCharsets.UTF_8)));
        }
        out.flush();
        return ExitCode.OK;
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    private static void print(PrintWriter out, Sensitivity.Result r, Map<String, Double> plan) {
        String metric = r.metricName();
        out.printf(Locale.ROOT, "dense: loss %.5g%s  (%s, %d samples, blocks 1x%d)%n", r.dense().loss(),
                metric == null ? "" : String.format(Locale.ROOT, ", %s %.4f", metric, r.dense().metric()),
                r.loss().name().toLowerCase(Locale.ROOT), r.samples(), r.block());
        int width = Math.max(6, r.curves().stream().mapToInt(c -> c.tensor().length()).max().orElse(6));
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-" + width + "s %-14s %10s", "tensor", "role", "params"));
        for (double s : r.sparsities()) {
            head.append(String.format(Locale.ROOT, " %12s", "loss@" + Formats.percent(s)));
            if (metric != null) {
                head.append(String.format(Locale.ROOT, " %9s", abbreviation(metric) + "@" + Formats.percent(s)));
            }
        }
        head.append(String.format(Locale.ROOT, " %8s", "planned"));
        out.println(head);
        for (Sensitivity.Curve c : r.curves()) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-" + width + "s %-14s %,10d", c.tensor(),
                    c.role(), c.parameters()));
            for (Sensitivity.Score s : c.scores()) {
                row.append(String.format(Locale.ROOT, " %12.5g", s.loss()));
                if (metric != null) {
                    row.append(String.format(Locale.ROOT, " %9.4f", s.metric()));
                }
            }
            row.append(String.format(Locale.ROOT, " %8s", Formats.percent(plan.get(c.tensor()))));
            out.println(row);
        }
        out.printf(Locale.ROOT, "planned: %s overall over these tensors, each at the sparsity with the least loss"
                + " per parameter removed%n", Formats.percent(Sensitivity.sparsity(plan, r)));
    }

    private static String abbreviation(String metric) {
        return metric.equals("accuracy") ? "acc" : "agree";
    }

    private static Map<String, Object> toJson(Sensitivity.Result r, Map<String, Double> plan) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("loss", r.loss().name().toLowerCase(Locale.ROOT));
        root.put("metric", r.metricName());
        root.put("samples", r.samples());
        root.put("block", r.block());
        root.put("sparsities", Arrays.stream(r.sparsities()).boxed().toList());
        root.put("dense", score(r.dense()));
        List<Object> tensors = new ArrayList<>();
        for (Sensitivity.Curve c : r.curves()) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("name", c.tensor());
            t.put("role", c.role());
            t.put("shape", Arrays.stream(c.shape()).boxed().toList());
            t.put("parameters", c.parameters());
            t.put("scores", c.scores().stream().map(SensitivityCommand::score).toList());
            t.put("planned_sparsity", plan.get(c.tensor()));
            tensors.add(t);
        }
        root.put("tensors", tensors);
        root.put("planned_overall", Sensitivity.sparsity(plan, r));
        return root;
    }

    private static Map<String, Object> score(Sensitivity.Score s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("loss", s.loss());
        if (!Double.isNaN(s.metric())) {
            m.put("metric", s.metric());
        }
        return m;
    }
}
