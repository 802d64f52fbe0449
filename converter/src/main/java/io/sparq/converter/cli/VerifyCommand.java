package io.sparq.converter.cli;

import io.sparq.converter.data.Npy;
import io.sparq.converter.data.Npz;
import io.sparq.converter.finetune.Metrics;
import io.sparq.converter.finetune.OutputKind;
import io.sparq.converter.importer.OnnxImporter;
import io.sparq.format.ErrorCode;
import io.sparq.format.Graph;
import io.sparq.format.SparqException;
import io.sparq.format.Tensor;
import io.sparq.format.ValueInfo;
import io.sparq.runtime.api.Model;
import io.sparq.runtime.api.Session;
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

/** {@code sparq verify}: runs an original and a converted model on the same inputs and compares their outputs. */
@Command(name = "verify", header = "Check that a converted model computes what the original does.",
        description = {"Runs ORIGINAL (ONNX, through the importer) and CONVERTED (.sparq, or an exported .onnx) in"
                + " runtime-lite on the arrays of --inputs and prints, per output, the largest absolute"
                + " difference max|a-b| and the relative error max|a-b| / max|a| (a = the original's output).",
            "With --labels, also prints each labelled output's task metric for both models: accuracy, and"
                + " bits per prediction (bits per character for a character model) with the perplexity 2^bits.",
            "Fails (exit code 1) when any output's relative error exceeds --tolerance: the check for a lossless"
                + " or lightly quantized conversion. A pruned model's outputs move far more than that while it"
                + " still does its task, so check it on the task instead: with --labels and --max-drop D it fails"
                + " when an output's accuracy falls more than D below the original's (the relative error is then"
                + " shown, not checked, unless --tolerance is given too)."},
        footerHeading = "%nExamples:%n",
        footer = {
            "  sparq verify model.onnx model.sparq --inputs inputs.npz",
            "  sparq verify model.onnx model.sparq --inputs inputs.npz --tolerance 1e-5",
            "  sparq verify model.onnx model.sparq --inputs test.npz --labels labels.npz \\",
            "      --max-drop 0.02"})
final class VerifyCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ORIGINAL", description = "The original dense model (.onnx).")
    Path originalFile;

    @Parameters(index = "1", paramLabel = "CONVERTED", description = "The converted model (.sparq or .onnx).")
    Path convertedFile;

    @Option(names = "--inputs", required = true, paramLabel = "FILE",
            description = "Inputs: a .npz with one array per model input (keyed by input name), or a .npy for a"
                    + " model with one input.")
    Path inputsFile;

    @Option(names = "--tolerance", paramLabel = "X",
            description = "Largest relative error max|a-b| / max|a| allowed per output, >= 0 (default: 1e-2;"
                    + " not checked with --max-drop unless given).")
    Double toleranceGiven;

    @Option(names = "--max-drop", paramLabel = "D",
            description = "With --labels: largest accuracy drop allowed per labelled output, 0 <= D <= 1"
                    + " (0.02 = two points), instead of --tolerance.")
    Double maxDrop;

    /** The relative-error limit in force: the given one, none with --max-drop alone, else 1e-2. */
    private double tolerance;

    @Option(names = "--labels", paramLabel = "FILE",
            description = "Class labels for classifier outputs: a .npz with one int array per labelled output (keyed"
                    + " by output name, shaped as the output without its last axis), or a .npy for a model with one"
                    + " output. Adds accuracy and bits per prediction of both models.")
    Path labelsFile;

    /** How far one output of the converted model is from the original's. */
    record Difference(String output, int[] shape, double maxAbsError, double maxAbs, double relativeError) {
    }

    @Override
    public Integer call() {
        if (toleranceGiven != null && !(toleranceGiven >= 0)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--tolerance must be >= 0, got " + toleranceGiven);
        }
        if (maxDrop != null && !(maxDrop >= 0 && maxDrop <= 1)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--max-drop must be 0 <= D <= 1, got " + maxDrop);
        }
        if (maxDrop != null && labelsFile == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--max-drop checks accuracy on labels: give --labels too");
        }
        tolerance = toleranceGiven != null ? toleranceGiven : maxDrop != null ? Double.POSITIVE_INFINITY : 1e-2;
        Graph originalGraph = ModelFiles.importOnnx(originalFile);
        OnnxImporter.checkSupported(originalGraph);
        Model original = Model.fromGraph(originalGraph);
        Model converted = ModelFiles.model(convertedFile);
        Map<String, Tensor> feeds = RunCommand.readInputs(inputsFile, original.inputs());
        Map<String, Tensor> want = run(original, feeds);
        Map<String, Tensor> got = run(converted, feeds);
        List<Difference> diffs = new ArrayList<>();
        for (ValueInfo out : original.outputs()) {
            Tensor g = got.get(out.name());
            if (g == null) {
                throw new SparqException(ErrorCode.INVALID_MODEL, convertedFile + " has no output '" + out.name()
                        + "'; its outputs are " + got.keySet());
            }
            diffs.add(compare(out.name(), want.get(out.name()), g));
        }
        print(diffs);
        List<Drop> drops = labelsFile == null ? List.of() : printMetrics(originalGraph, want, got);
        PrintWriter err = spec.commandLine().getErr();
        Difference worst = diffs.stream().filter(d -> !(d.relativeError() <= tolerance)).findFirst().orElse(null);
        if (worst != null) {
            err.printf(Locale.ROOT, "sparq: error: output '%s' of %s differs from %s by %.3g (relative), more than"
                    + " the tolerance %.3g%n", worst.output(), convertedFile, originalFile, worst.relativeError(), tolerance);
            err.flush();
            return ExitCode.FAILURE;
        }
        Drop over = drops.stream().filter(d -> !d.within(maxDrop)).findFirst().orElse(null);
        if (over != null) {
            err.printf(Locale.ROOT, "sparq: error: the accuracy of output '%s' fell from %.4f to %.4f (%.4f), more than"
                    + " --max-drop %.4g%n", over.output(), over.original(), over.converted(), over.drop(), maxDrop);
            err.flush();
            return ExitCode.FAILURE;
        }
        return ExitCode.OK;
    }

    private static Map<String, Tensor> run(Model model, Map<String, Tensor> feeds) {
        try (Session s = model.newSession()) {
            return s.run(feeds);
        }
    }

    /** Differences over all elements; a NaN on one side only, or a shape mismatch, is an infinite error. */
    static Difference compare(String name, Tensor a, Tensor b) {
        if (!Arrays.equals(a.shape(), b.shape())) {
            return new Difference(name, a.shape(), Double.POSITIVE_INFINITY, Double.NaN, Double.POSITIVE_INFINITY);
        }
        double maxDiff = 0;
        double maxAbs = 0;
        for (int i = 0; i < a.size(); i++) {
            double x = a.getDouble(i);
            double y = b.getDouble(i);
            double d = Double.isNaN(x) && Double.isNaN(y) ? 0
                    : Double.isNaN(x) || Double.isNaN(y) ? Double.POSITIVE_INFINITY : Math.abs(x - y);
            maxDiff = Math.max(maxDiff, d);
            if (!Double.isNaN(x)) {
                maxAbs = Math.max(maxAbs, Math.abs(x));
            }
        }
        double rel = maxDiff == 0 ? 0 : maxDiff / maxAbs;   // x / 0 = Infinity: any error on an all-zero output
        return new Difference(name, a.shape(), maxDiff, maxAbs, rel);
    }

    /** How much a labelled output's accuracy fell from the original to the converted model. */
    record Drop(String output, double original, double converted) {
        double drop() {
            return original - converted;
        }

        /** Passes with no limit; NaN accuracies never pass a limit. */
        boolean within(Double limit) {
            return limit == null || drop() <= limit + 1e-12;
        }
    }

    private void print(List<Difference> diffs) {
        PrintWriter out = spec.commandLine().getOut();
        out.println("original  " + originalFile);
        out.println("converted " + convertedFile);
        if (Double.isInfinite(tolerance)) {
            out.printf(Locale.ROOT, "pass rule: accuracy drop <= %.4g (--max-drop); relative error shown, not checked%n%n",
                    maxDrop);
        } else {
            out.printf(Locale.ROOT, "tolerance %.3g (relative error = max|a-b| / max|a|)%s%n%n", tolerance,
                    maxDrop == null ? "" : String.format(Locale.ROOT, "; accuracy drop <= %.4g (--max-drop)", maxDrop));
        }
        boolean checked = !Double.isInfinite(tolerance);
        List<String[]> cells = new ArrayList<>();
        cells.add(checked ? new String[] {"output", "shape", "max|a-b|", "max|a|", "relative", "result"}
                : new String[] {"output", "shape", "max|a-b|", "max|a|", "relative"});
        for (Difference d : diffs) {
            String[] row = {d.output(), Arrays.toString(d.shape()), number(d.maxAbsError()), number(d.maxAbs()),
                number(d.relativeError()), d.relativeError() <= tolerance ? "ok" : "FAIL"};
            cells.add(checked ? row : Arrays.copyOf(row, 5));
        }
        printTable(out, cells, 2, 4);
    }

    /** Columns padded to their widest cell; the numeric ones ({@code firstNumeric..lastNumeric}) right-aligned. */
    private static void printTable(PrintWriter out, List<String[]> cells, int firstNumeric, int lastNumeric) {
        int[] width = new int[cells.get(0).length];
        cells.forEach(row -> {
            for (int c = 0; c < row.length; c++) {
                width[c] = Math.max(width[c], row[c].length());
            }
        });
        for (String[] row : cells) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < row.length; c++) {
                String pad = " ".repeat(width[c] - row[c].length());
                boolean right = c >= firstNumeric && c <= lastNumeric;
                line.append(c == 0 ? "" : "  ").append(right ? pad + row[c] : row[c] + pad);
            }
            out.println(line.toString().stripTrailing());
        }
        out.flush();
    }

    /** Accuracy and bits per prediction of both models on every output that has labels; returns the accuracy drops. */
    private List<Drop> printMetrics(Graph graph, Map<String, Tensor> want, Map<String, Tensor> got) {
        Map<String, Tensor> labels = readLabels(graph);
        List<Drop> drops = new ArrayList<>();
        List<String[]> cells = new ArrayList<>();
        String[] header = {"output", "rows", "accuracy (original)", "accuracy (converted)",
            "bits (original)", "bits (converted)", "perplexity (original)", "perplexity (converted)", "result"};
        cells.add(maxDrop == null ? Arrays.copyOf(header, 8) : header);
        labels.forEach((name, l) -> {
            OutputKind kind = OutputKind.of(graph.nodes().stream()
                    .filter(n -> n.outputs().contains(name)).findFirst().orElse(null));
            Metrics.Classification a = Metrics.classification(name, want.get(name), l, kind);
            Metrics.Classification b = Metrics.classification(name, got.get(name), l, kind);
            Drop drop = new Drop(name, a.accuracy(), b.accuracy());
            drops.add(drop);
            String[] row = {name, Integer.toString(a.rows()), fixed(a.accuracy()), fixed(b.accuracy()),
                fixed(a.bitsPerPrediction()), fixed(b.bitsPerPrediction()), fixed(a.perplexity()), fixed(b.perplexity()),
                drop.within(maxDrop) ? "ok" : "FAIL"};
            cells.add(maxDrop == null ? Arrays.copyOf(row, 8) : row);
        });
        PrintWriter out = spec.commandLine().getOut();
        out.printf("%nlabels    %s (bits = mean -log2 p(label) per prediction)%n%n", labelsFile);
        printTable(out, cells, 1, 7);
        return drops;
    }

    private Map<String, Tensor> readLabels(Graph graph) {
        List<String> outputs = graph.outputs().stream().map(ValueInfo::name).toList();
        Map<String, Tensor> labels = new LinkedHashMap<>();
        if (labelsFile.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".npy")) {
            if (outputs.size() != 1) {
                throw new SparqException(ErrorCode.INVALID_ARGUMENT, "a .npy of labels needs a model with one output;"
                        + " this one has " + outputs + ": give a .npz keyed by output name");
            }
            labels.put(outputs.get(0), Npy.read(labelsFile));
            return labels;
        }
        Npz.read(labelsFile).forEach((name, t) -> {
            if (!outputs.contains(name)) {
                throw new SparqException(ErrorCode.INVALID_ARGUMENT, labelsFile + " has labels '" + name
                        + "', which is not an output; the outputs are " + outputs);
            }
            labels.put(name, t);
        });
        return labels;
    }

    private static String fixed(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    private static String number(double v) {
        return String.format(Locale.ROOT, "%.3e", v);
    }
}
