package io.sparq.bench;

import io.sparq.converter.encode.EncodingPlan;
import io.sparq.converter.encode.EncodingPlanner;
import io.sparq.converter.export.OnnxExporter;
import io.sparq.converter.export.SyntheticModels;
import io.sparq.converter.export.SyntheticModels.Cell;
import io.sparq.converter.quantize.QuantizeMode;
import io.sparq.format.Graph;
import io.sparq.format.Tensor;
import io.sparq.format.codec.SparqWriter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The benchmark models: one forward recurrent layer with input size = hidden size, seeded random
 * weights, {@code W} and {@code R} magnitude-pruned in 1×16 blocks, stored as the dense
 * {@code .onnx} that ONNX Runtime runs and the {@code .sparq} that sparq runs (weights planned
 * with {@link EncodingPlanner.Objective#SPEED}). Files are cached under
 * {@code -Dsparq.bench.dir} (default: {@code java.io.tmpdir/sparq-bench}) and rebuilt only when
 * missing; the same seed always gives the same file.
 */
final class BenchModels {
    /** Block width of the pruning (the widest block-sparse block). */
    static final int PRUNE_BLOCK = 16;
    static final int OPSET = 17;
    static final long SEED = 42;

    private BenchModels() {
    }

    /** A {@code model} parameter such as {@code lstm-1024}. */
    record Spec(Cell cell, int hidden) {
        static Spec parse(String text) {
            String[] p = text.split("-");
            return new Spec(Cell.valueOf(p[0].toUpperCase(Locale.ROOT)), Integer.parseInt(p[1]));
        }

        String key() {
            return cell.name().toLowerCase(Locale.ROOT) + "-" + hidden;
        }
    }

    static Path dir() {
        Path d = Path.of(System.getProperty("sparq.bench.dir", System.getProperty("java.io.tmpdir") + "/sparq-bench"));
        try {
            return Files.createDirectories(d);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Graph graph(Spec spec, double sparsity) {
        return SyntheticModels.recurrent(spec.cell(), spec.hidden(), spec.hidden(), sparsity, PRUNE_BLOCK, OPSET, SEED);
    }

    /** The dense ONNX model (the pruned weights, stored densely). */
    static Path onnx(Spec spec, double sparsity) {
        Path file = dir().resolve(String.format(Locale.ROOT, "%s-s%.2f.onnx", spec.key(), sparsity));
        if (!Files.exists(file)) {
            OnnxExporter.write(file, OnnxExporter.toModelProto(graph(spec, sparsity)));
        }
        return file;
    }

    /** The {@code .sparq} model; {@code encoding} is {@code f32} or {@code int8}. */
    static Path sparq(Spec spec, double sparsity, String encoding) {
        Path file = dir().resolve(String.format(Locale.ROOT, "%s-s%.2f-%s.sparq", spec.key(), sparsity, encoding));
        if (!Files.exists(file)) {
            Graph g = graph(spec, sparsity);
            EncodingPlan plan = EncodingPlanner.plan(g, EncodingPlanner.Options.of(quantize(encoding),
                    EncodingPlanner.Objective.SPEED));
            SparqWriter.write(file, g, plan.choices(), Map.of());
        }
        return file;
    }

    static QuantizeMode quantize(String encoding) {
        switch (encoding) {
            case "f32": return QuantizeMode.NONE;
            case "int8": return QuantizeMode.INT8;
            default: throw new IllegalArgumentException("encoding must be f32 or int8, got " + encoding);
        }
    }

    /** {@code X float32[steps, 1, hidden]}, seeded. */
    static Tensor input(Spec spec, int steps) {
        return SyntheticModels.uniform(new Random(SEED + steps), new int[] {steps, 1, spec.hidden()}, 1f);
    }

    /** The ONNX Runtime thread-count parameter: a number, or {@code all} for every core. */
    static int threads(String param) {
        return param.equals("all") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(param);
    }
}
