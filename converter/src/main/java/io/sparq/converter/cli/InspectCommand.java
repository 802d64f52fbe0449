package io.sparq.converter.cli;

import io.sparq.converter.Conversion;
import io.sparq.converter.Formats;
import io.sparq.converter.data.AtomicFiles;
import io.sparq.converter.importer.OnnxFileSize;
import io.sparq.converter.importer.OnnxImporter;
import io.sparq.format.ErrorCode;
import io.sparq.format.Graph;
import io.sparq.format.SparqException;
import io.sparq.format.ValueInfo;
import io.sparq.format.codec.MetaValue;
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

/** {@code sparq inspect}: per-layer weights, sparsity and size of a model. */
@Command(name = "inspect", header = "Show a model's layers: weights, shapes, sparsity and bytes.",
        description = "Prints one block per weight-bearing node: each weight tensor's name and shape, its"
                + " parameter count, the share of zeros, how it is stored (encoding/values[/block size]) and its"
                + " stored bytes; totals at the bottom.",
        footerHeading = "%nExamples:%n",
        footer = {
            "  sparq inspect model.onnx",
            "  sparq inspect model.onnx --json > layers.json",
            "  sparq inspect model.sparq --report report.html",
            "  sparq inspect model.sparq --recipe > again.yaml"})
final class InspectCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "The model (.onnx or .sparq).")
    Path modelFile;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Option(names = "--recipe", description = "Print only the recipe the file was converted with (YAML that"
            + " convert --recipe reads), to convert again with the same settings.")
    boolean recipeOnly;

    @Option(names = "--report", paramLabel = "FILE",
            description = "Also write a self-contained HTML report: layer table, sparsity and bytes per tensor, the"
                    + " pruning schedule, the fine-tuning curve (loss, validation loss and sparsity per step) and"
                    + " weight-magnitude histograms before / after pruning (charts need a file converted by sparq"
                    + " with pruning).")
    Path report;

    @Override
    public Integer call() {
        if (report != null) {
            AtomicFiles.requireWritable(report);
        }
        ModelFiles.Opened opened = ModelFiles.open(modelFile);
        if (recipeOnly) {
            String stored = opened.text(Conversion.RECIPE_KEY);
            if (stored == null) {
                throw new SparqException(ErrorCode.INVALID_ARGUMENT, modelFile + " holds no recipe: only .sparq files"
                        + " written by sparq convert do (metadata key " + Conversion.RECIPE_KEY + ")");
            }
            spec.commandLine().getOut().print(stored);
            spec.commandLine().getOut().flush();
            return ExitCode.OK;
        }
        Graph graph = opened.graph();
        WeightTable table = WeightTable.of(graph, opened.stored());
        PrintWriter out = spec.commandLine().getOut();
        // an ONNX model's weights may be in external data files: its size is theirs too
        List<Path> files = ModelFiles.isSparq(modelFile) ? List.of(modelFile) : OnnxFileSize.files(modelFile);
        long bytes = OnnxFileSize.bytes(files);
        String size = sizeLine(files, bytes, opened);
        if (report != null) {
            String html = HtmlReport.of(modelFile.getFileName().toString(), opened, table, size);
            AtomicFiles.write(report, o -> o.write(html.getBytes(StandardCharsets.UTF_8)));
        }
        String recipe = opened.text(Conversion.RECIPE_KEY);
        if (json) {
            Map<String, Object> root = toJson(graph, table);
            root.put("file_bytes", bytes);
            root.put("source_bytes", sourceBytes(opened));
            root.put("recipe", recipe);
            out.println(Json.write(root));
        } else {
            printText(out, graph, table, size);
            if (recipe != null) {
                out.println();
                out.println("recipe (converted with):");
                recipe.lines().forEach(line -> out.println("  " + line));
            }
        }
        if (report != null && !json) {
            out.println();
            out.println("wrote " + report);
        }
        out.flush();
        return ExitCode.OK;
    }

    private void printText(PrintWriter out, Graph graph, WeightTable table, String size) {
        out.println("model   " + modelFile);
        out.println("size    " + size);
        String producer = graph.metadata().getOrDefault("onnx.producer_name", "");
        if (!producer.isEmpty()) {
            out.println("producer " + producer + " " + graph.metadata().getOrDefault("onnx.producer_version", ""));
        }
        String checked = graph.metadata().get(OnnxImporter.CHECKER_NOTE_KEY);
        if (checked != null) {
            out.println("checker " + checked);
        }
        out.println("opset   " + graph.onnxOpset());
        out.println("inputs  " + graph.requiredInputs().stream().map(ValueInfo::toString).toList());
        out.println("outputs " + graph.outputs().stream().map(ValueInfo::toString).toList());
        out.println();
        List<String[]> cells = new ArrayList<>();
        cells.add(new String[] {"node", "op", "tensor", "shape", "encoding", "params", "zeros", "bytes"});
        table.byNode().forEach((node, rows) -> {
            for (int i = 0; i < rows.size(); i++) {
                WeightTable.Row r = rows.get(i);
                cells.add(new String[] {i == 0 ? node : "", i == 0 ? r.op() : "", r.tensor(),
                    Arrays.toString(r.shape()), r.encoding(), String.format(Locale.ROOT, "%,d", r.parameters()),
                    Formats.percent(r.zeroPercent() / 100), humanBytes(r.bytes())});
            }
        });
        double zeroPct = table.parameters() == 0 ? 0 : 100.0 * table.zeros() / table.parameters();
        cells.add(new String[] {"total", "", table.rows().size() + " tensors", "", "",
            String.format(Locale.ROOT, "%,d", table.parameters()),
            Formats.percent(zeroPct / 100), humanBytes(table.bytes())});
        int[] width = new int[cells.get(0).length];
        for (String[] row : cells) {
            for (int c = 0; c < row.length; c++) {
                width[c] = Math.max(width[c], row[c].length());
            }
        }
        for (int r = 0; r < cells.size(); r++) {
            if (r == cells.size() - 1) {
                out.println("-".repeat(Arrays.stream(width).sum() + 2 * (width.length - 1)));
            }
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < width.length; c++) {
                boolean numeric = c >= 5;
                String v = cells.get(r)[c];
                String pad = " ".repeat(width[c] - v.length());
                line.append(c == 0 ? "" : "  ").append(numeric ? pad + v : v + pad);
            }
            out.println(line.toString().stripTrailing());
        }
    }

    private Map<String, Object> toJson(Graph graph, WeightTable table) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("model", modelFile.toString());
        root.put("opset", graph.onnxOpset());
        root.put("metadata", graph.metadata());
        root.put("inputs", graph.requiredInputs().stream().map(InspectCommand::valueJson).toList());
        root.put("outputs", graph.outputs().stream().map(InspectCommand::valueJson).toList());
        List<Object> nodes = new ArrayList<>();
        table.byNode().forEach((node, rows) -> {
            Map<String, Object> n = new LinkedHashMap<>();
            n.put("name", node);
            n.put("op", rows.get(0).op());
            List<Object> weights = new ArrayList<>();
            for (WeightTable.Row r : rows) {
                Map<String, Object> w = new LinkedHashMap<>();
                w.put("name", r.tensor());
                w.put("shape", Arrays.stream(r.shape()).boxed().toList());
                w.put("dtype", r.dtype());
                w.put("parameters", r.parameters());
                w.put("zeros", r.zeros());
                w.put("sparsity", r.parameters() == 0 ? 0.0 : (double) r.zeros() / r.parameters());
                w.put("encoding", r.encoding());
                w.put("bytes", r.bytes());
                w.put("dense_bytes", r.denseBytes());
                weights.add(w);
            }
            n.put("weights", weights);
            nodes.add(n);
        });
        root.put("nodes", nodes);
        Map<String, Object> totals = new LinkedHashMap<>();
        totals.put("tensors", table.rows().size());
        totals.put("parameters", table.parameters());
        totals.put("zeros", table.zeros());
        totals.put("sparsity", table.parameters() == 0 ? 0.0 : (double) table.zeros() / table.parameters());
        totals.put("bytes", table.bytes());
        totals.put("dense_bytes", table.denseBytes());
        root.put("totals", totals);
        return root;
    }

    private static Map<String, Object> valueJson(ValueInfo v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", v.name());
        m.put("dtype", v.type() == null ? null : v.type().displayName());
        m.put("shape", v.shape() == null ? null : v.shape().stream().map(d -> d.isFixed() ? (Object) d.value() : d.toString()).toList());
        return m;
    }

    /**
     * The model's size: for ONNX with its external data files named, for a converted file with its
     * source's size (the .onnx plus its external data) and how many times smaller the file is.
     */
    private static String sizeLine(List<Path> files, long bytes, ModelFiles.Opened opened) {
        Long source = sourceBytes(opened);
        if (source == null) {
            return humanBytes(bytes) + (files.size() > 1 ? " (" + OnnxFileSize.describe(files) + ")" : "");
        }
        String name = opened.text("sparq.source.name");
        return String.format(Locale.ROOT, "%s; %s was %s with its external data, %.1fx this size", humanBytes(bytes),
                name == null ? "the source model" : name, humanBytes(source), (double) source / bytes);
    }

    /** The source model's bytes (.onnx plus external data) a converted file records, or null. */
    private static Long sourceBytes(ModelFiles.Opened opened) {
        MetaValue v = opened.metadata().get(Conversion.SOURCE_BYTES_KEY);
        return v != null && v.value() instanceof Long n ? n : null;
    }

    static String humanBytes(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        double v = bytes;
        String[] units = {"KiB", "MiB", "GiB"};
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
