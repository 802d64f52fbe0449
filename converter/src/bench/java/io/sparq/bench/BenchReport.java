package io.sparq.bench;

import io.sparq.converter.importer.OnnxFileSize;
import io.sparq.format.codec.EncodedTensor;
import io.sparq.format.codec.SparqReader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns a JMH CSV result file ({@code -rf csv -rff results.csv}) into the Markdown tables of
 * docs/benchmarks.md: latency per timestep with ratios to ONNX Runtime taken from the same run,
 * the roofline (weight bytes per step ÷ measured bandwidth), load times and file sizes.
 *
 * <p>Usage: {@code java -cp converter/target/benchmarks.jar io.sparq.bench.BenchReport results.csv}
 */
public final class BenchReport {
    /** One JMH result row: benchmark method, score and its parameters. */
    record Row(String benchmark, double score, String unit, Map<String, String> params) {
        String param(String name) {
            return params.getOrDefault(name, "");
        }
    }

    private BenchReport() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: BenchReport results.csv");
            System.exit(2);
        }
        List<Row> rows = read(Path.of(args[0]));
        Double bandwidth = rows.stream().filter(r -> r.benchmark().endsWith("MemoryBandwidthBenchmark.readAll"))
                .map(r -> MemoryBandwidthBenchmark.BYTES / (r.score() / 1e3)).findFirst().orElse(null);   // bytes/s
        if (bandwidth != null) {
            System.out.printf(Locale.ROOT, "Measured read bandwidth (one thread): %.1f GB/s%n%n", bandwidth / 1e9);
        }
        for (String kind : new String[] {"step", "sequence"}) {
            System.out.println(kind.equals("step") ? "### Per-timestep latency, streaming (T = 1, state fed back), µs"
                    : "### Whole sequence (T = 100), µs per timestep");
            System.out.println();
            System.out.println("| model | sparsity | encoding | threads | sparq | ORT fp32, same threads | ORT fp32 ÷ sparq"
                    + " | ORT dynamic int8 | ORT int8 ÷ sparq | weight bytes/step | roofline µs | sparq ÷ roofline |");
            System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
            for (Row r : select(rows, "SparqBenchmark." + kind)) {
                String model = r.param("model");
                String threads = r.param("threads").isEmpty() ? "all" : r.param("threads");
                Double ort = ort(rows, kind, model, threads, "fp32");
                Double ort8 = ort(rows, kind, model, threads, "int8");
                long bytes = weightBytes(model, Double.parseDouble(r.param("sparsity")), r.param("encoding"));
                Double roofline = bandwidth == null ? null : bytes / bandwidth * 1e6;
                System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %.1f | %s | %s | %s | %s | %,d | %s | %s |%n", model,
                        r.param("sparsity"), r.param("encoding"), threads, r.score(), num(ort),
                        ratio(ort, r.score()), num(ort8), ratio(ort8, r.score()), bytes, num(roofline),
                        ratio(r.score(), roofline));
            }
            System.out.println();
        }
        System.out.println("### Load time, ms");
        System.out.println();
        System.out.println("| model | sparsity | encoding | sparq Model.load | ORT createSession |");
        System.out.println("|---|---|---|---|---|");
        for (Row r : select(rows, "LoadBenchmark.sparqLoad")) {
            Double ort = rows.stream().filter(o -> o.benchmark().endsWith("LoadBenchmark.ortLoad") && o.params().equals(r.params()))
                    .map(Row::score).findFirst().orElse(null);
            System.out.printf(Locale.ROOT, "| %s | %s | %s | %.2f | %s |%n", r.param("model"), r.param("sparsity"),
                    r.param("encoding"), r.score(), num(ort));
        }
        System.out.println();
        System.out.println("### File size");
        System.out.println();
        System.out.println("| model | sparsity | encoding | .onnx (+ data) bytes | .sparq bytes | .onnx ÷ .sparq |");
        System.out.println("|---|---|---|---|---|---|");
        Set<String> seen = new LinkedHashSet<>();
        for (Row r : rows) {
            if (r.params().containsKey("encoding") && seen.add(r.param("model") + r.param("sparsity") + r.param("encoding"))) {
                BenchModels.Spec spec = BenchModels.Spec.parse(r.param("model"));
                double s = Double.parseDouble(r.param("sparsity"));
                long onnx = OnnxFileSize.of(BenchModels.onnx(spec, s));   // with its external data, if any
                long sparq = Files.size(BenchModels.sparq(spec, s, r.param("encoding")));
                System.out.printf(Locale.ROOT, "| %s | %s | %s | %,d | %,d | %.1f× |%n", r.param("model"), r.param("sparsity"),
                        r.param("encoding"), onnx, sparq, (double) onnx / sparq);
            }
        }
    }

    private static List<Row> select(List<Row> rows, String suffix) {
        return rows.stream().filter(r -> r.benchmark().endsWith(suffix)).toList();
    }

    private static Double ort(List<Row> rows, String kind, String model, String threads, String weights) {
        // results from before the weights parameter are fp32
        return rows.stream().filter(r -> r.benchmark().endsWith("OrtBenchmark." + kind) && r.param("model").equals(model)
                && r.param("threads").equals(threads) && (r.param("weights").isEmpty() ? "fp32" : r.param("weights")).equals(weights))
                .map(Row::score).findFirst().orElse(null);
    }

    /** Bytes of W and R as stored in the .sparq file: what one timestep streams from memory. */
    private static long weightBytes(String model, double sparsity, String encoding) {
        Map<String, EncodedTensor> tensors = SparqReader.read(BenchModels.sparq(BenchModels.Spec.parse(model), sparsity, encoding)).tensors();
        return tensors.get("W").byteSize() + tensors.get("R").byteSize();
    }

    private static String num(Double v) {
        return v == null ? "–" : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String ratio(Double a, Double b) {
        return a == null || b == null ? "–" : String.format(Locale.ROOT, "%.2f×", a / b);
    }

    static List<Row> read(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        List<String> header = fields(lines.get(0));
        List<Row> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            List<String> f = fields(line);
            Map<String, String> params = new LinkedHashMap<>();
            for (int i = 0; i < header.size(); i++) {
                if (header.get(i).startsWith("Param: ") && i < f.size() && !f.get(i).isEmpty()) {
                    params.put(header.get(i).substring("Param: ".length()), f.get(i));
                }
            }
            rows.add(new Row(f.get(header.indexOf("Benchmark")), Double.parseDouble(f.get(header.indexOf("Score"))),
                    f.get(header.indexOf("Unit")), params));
        }
        return rows;
    }

    /** Splits one CSV line; fields may be quoted, quotes inside are doubled. */
    private static List<String> fields(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quoted && ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                cur.append('"');
                i++;
            } else if (ch == '"') {
                quoted = !quoted;
            } else if (ch == ',' && !quoted) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(ch);
            }
        }
        out.add(cur.toString());
        return out;
    }
}
