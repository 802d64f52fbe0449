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
 * weights, {@code W} and {@code R} magnitude-pruned in 16×1 blocks (16 outputs of one input, what
 * {@code --block-axis output} prunes and {@code column_block_sparse} stores), stored as the dense
 * {@code .onnx} that ONNX Runtime runs and the {@code .sparq} that sparq runs (weights planned
 * with {@link EncodingPlanner.Objective#SPEED}). Files are cached under
 * {@code -Dsparq.bench.dir} (default: {@code java.io.tmpdir/sparq-bench}) and rebuilt only when
 * missing; the same seed always gives the same file.
 */
final class BenchModels {
    /** Rows per pruned block (B×1 blocks along the output axis). */
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
        Graph dense = SyntheticModels.recurrent(spec.cell(), spec.hidden(), spec.hidden(), 0, 1, OPSET, SEED);
        if (sparsity == 0) {
            return dense;
        }
        Map<String, Tensor> init = new java.util.LinkedHashMap<>(dense.initializers());
        for (String name : new String[] {"W", "R"}) {
            init.put(name, pruneRowBlocks(init.get(name), sparsity));
        }
        return new Graph(dense.name(), dense.inputs(), dense.outputs(), dense.nodes(), init, dense.opsets(), dense.metadata());
    }

    /** Zeros the share {@code sparsity} of the 16×1 blocks with the smallest L2 norm (ties by position). */
    private static Tensor pruneRowBlocks(Tensor t, double sparsity) {
        int[] shape = t.shape();
        int cols = shape[shape.length - 1];
        float[] v = t.floats().clone();
        int rows = v.length / cols;
        int groups = (rows + PRUNE_BLOCK - 1) / PRUNE_BLOCK;
        long[] keys = new long[groups * cols];
        for (int g = 0; g < groups; g++) {
            for (int c = 0; c < cols; c++) {
                float sum = 0;
                for (int r = g * PRUNE_BLOCK; r < Math.min(rows, (g + 1) * PRUNE_BLOCK); r++) {
                    sum += v[r * cols + c] * v[r * cols + c];
                }
                keys[g * cols + c] = (long) Float.floatToIntBits(sum) << 32 | (g * cols + c);
            }
        }
        java.util.Arrays.sort(keys);
        for (int i = 0; i < Math.round(sparsity * keys.length); i++) {
            int u = (int) keys[i];
            int g = u / cols;
            int c = u % cols;
            for (int r = g * PRUNE_BLOCK; r < Math.min(rows, (g + 1) * PRUNE_BLOCK); r++) {
                v[r * cols + c] = 0f;
            }
        }
        return Tensor.ofFloats(shape, v);
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
        Path file = dir().resolve(String.format(Locale.ROOT, "%s-s%.2f-%s-16x1.sparq", spec.key(), sparsity, encoding));
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

    /**
     * The dense model quantized by ONNX Runtime's own {@code quantize_dynamic} (int8 weights,
     * DynamicQuantizeLSTM): what a user gets from ONNX Runtime in one line of Python. Made on first
     * use by {@code python3} with {@code onnxruntime}, which the benchmark machine needs for the
     * {@code weights=int8} rows only.
     */
    static Path ortInt8(Spec spec) {
        Path fp32 = onnx(spec, 0);
        Path file = dir().resolve(spec.key() + "-s0.00.int8.onnx");
        if (!Files.exists(file)) {
            ProcessBuilder pb = new ProcessBuilder("python3", "-c",
                    "import sys; from onnxruntime.quantization import QuantType, quantize_dynamic; "
                            + "quantize_dynamic(sys.argv[1], sys.argv[2], weight_type=QuantType.QInt8)",
                    fp32.toString(), file.toString()).inheritIO();
            try {
                int exit = pb.start().waitFor();
                if (exit != 0 || !Files.exists(file)) {
                    throw new IllegalStateException("python3 quantize_dynamic failed (exit " + exit + ") for " + fp32
                            + "; the weights=int8 rows need python3 with onnxruntime");
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot run python3 for ONNX Runtime's quantize_dynamic", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return file;
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
