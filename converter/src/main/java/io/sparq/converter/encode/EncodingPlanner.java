package io.sparq.converter.encode;

import io.sparq.converter.ProgressSink;
import io.sparq.converter.quantize.QuantizeMode;
import io.sparq.format.DataType;
import io.sparq.format.ErrorCode;
import io.sparq.format.Graph;
import io.sparq.format.Node;
import io.sparq.format.SparqException;
import io.sparq.format.Tensor;
import io.sparq.format.ValueInfo;
import io.sparq.format.codec.EncodedTensor;
import io.sparq.format.codec.Encoding;
import io.sparq.format.codec.EncodingChoice;
import io.sparq.format.codec.IndexFormat;
import io.sparq.format.codec.TensorLayout;
import io.sparq.format.codec.ValueFormat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Chooses how each initializer of a graph is stored in a {@code .sparq} file.
 *
 * <p>Weights are the float32 initializers a node multiplies by: {@code W} and {@code R} (inputs 1
 * and 2) of LSTM, GRU and RNN, input {@code B} of Gemm, a 2-D constant input of MatMul, and, only
 * when asked, the table (input 0) of Gather (embeddings). An initializer that is also a graph
 * input stays dense, since a caller may replace it. Everything else (biases, initial states,
 * shape constants) is stored densely in its own type.
 *
 * <p>A weight's values take the format of the {@link QuantizeMode}; its encoding is the best of
 * dense, block-sparse (B = 4, 8, 16), column-block-sparse (B = 4, 8, 16), CSR and bitmap: for {@link Objective#SIZE} the fewest
 * stored bytes, for {@link Objective#SPEED} the lowest {@link SpeedCostModel} cost. Candidates
 * are ranked from the measured {@link SparsityProfile} without encoding; only the winner is
 * encoded, to measure its quantization error.
 */
public final class EncodingPlanner {
    /** What the encoding choice optimizes. */
    public enum Objective {
        /** Lowest estimated matrix-vector time ({@link SpeedCostModel}). */
        SPEED,
        /** Fewest stored bytes. */
        SIZE;

        /** Parses {@code speed} or {@code size}, ignoring case. */
        public static Objective parse(String text) {
            for (Objective o : values()) {
                if (o.name().equalsIgnoreCase(text.trim())) {
                    return o;
                }
            }
            throw new SparqException(ErrorCode.INVALID_ARGUMENT, "unknown optimization goal '" + text
                    + "', expected one of [speed, size]");
        }
    }

    /**
     * Planner settings.
     *
     * @param embeddings    whether Gather tables count as weights
     * @param int4GroupSize values per scale of dense int4 (16, 32, 64 or 128)
     */
    public record Options(QuantizeMode quantize, Objective objective, boolean embeddings, int int4GroupSize,
                          SpeedCostModel speedCosts) {
        public Options {
            java.util.Objects.requireNonNull(quantize, "quantize");
            java.util.Objects.requireNonNull(objective, "objective");
            java.util.Objects.requireNonNull(speedCosts, "speedCosts");
            int[] groups = TensorLayout.allowedBlockSizes(Encoding.DENSE, ValueFormat.INT4);
            if (Arrays.stream(groups).noneMatch(g -> g == int4GroupSize)) {
                throw new SparqException(ErrorCode.INVALID_ARGUMENT, "int4 group size " + int4GroupSize
                        + " is not allowed, expected one of " + Arrays.toString(groups));
            }
        }

        /** No embeddings, int4 groups of 32, the default speed costs. */
        public static Options of(QuantizeMode quantize, Objective objective) {
            return new Options(quantize, objective, false, 32, SpeedCostModel.DEFAULT);
        }

        public Options withEmbeddings(boolean include) {
            return new Options(quantize, objective, include, int4GroupSize, speedCosts);
        }

        public Options withSpeedCosts(SpeedCostModel costs) {
            return new Options(quantize, objective, embeddings, int4GroupSize, costs);
        }
    }

    private EncodingPlanner() {
    }

    /** Plans every initializer of {@code graph}'s top level. */
    public static EncodingPlan plan(Graph graph, Options options) {
        return plan(graph, options, ProgressSink.NONE);
    }

    /** As {@link #plan(Graph, Options)}, telling {@code progress} the elements planned so far of all. */
    public static EncodingPlan plan(Graph graph, Options options, ProgressSink progress) {
        Map<String, String> roles = weights(graph, options.embeddings());
        Map<String, EncodingChoice> choices = new LinkedHashMap<>();
        List<TensorReport> report = new ArrayList<>();
        long total = graph.initializers().values().stream().mapToLong(Tensor::size).sum();
        long done = 0;
        for (Map.Entry<String, Tensor> e : graph.initializers().entrySet()) {
            String role = roles.get(e.getKey());
            TensorReport r = role == null ? nonWeight(e.getKey(), e.getValue()) : weight(e.getKey(), role, e.getValue(), options);
            choices.put(e.getKey(), r.encoding());
            report.add(r);
            done += e.getValue().size();
            progress.update(done, total);
        }
        return new EncodingPlan(choices, report);
    }

    /**
     * The weights of {@code graph} (see the class comment), in initializer order, each with its
     * role, e.g. {@code LSTM W}.
     */
    public static Map<String, String> weights(Graph graph, boolean embeddings) {
        Set<String> overridable = graph.inputs().stream().map(ValueInfo::name).collect(Collectors.toSet());
        Map<String, String> found = new LinkedHashMap<>();
        for (Node n : graph.nodes()) {
            if (!n.domain().isEmpty() && !n.domain().equals("ai.onnx")) {
                continue;
            }
            switch (n.opType()) {
                case "LSTM", "GRU", "RNN" -> {
                    mark(graph, n, 1, n.opType() + " W", found);
                    mark(graph, n, 2, n.opType() + " R", found);
                }
                case "Gemm" -> mark(graph, n, 1, "Gemm B", found);
                case "MatMul" -> {
                    for (int i = 0; i < 2; i++) {
                        Tensor t = input(graph, n, i);
                        if (t != null && t.rank() == 2) {
                            mark(graph, n, i, "MatMul", found);
                        }
                    }
                }
                case "Gather" -> {
                    if (embeddings) {
                        mark(graph, n, 0, "embedding", found);
                    }
                }
                default -> { }
            }
        }
        Map<String, String> ordered = new LinkedHashMap<>();
        graph.initializers().keySet().stream().filter(k -> found.containsKey(k) && !overridable.contains(k))
                .forEach(k -> ordered.put(k, found.get(k)));
        return ordered;
    }

    private static Tensor input(Graph graph, Node n, int index) {
        return index < n.inputs().size() ? graph.initializers().get(n.inputs().get(index)) : null;
    }

    private static void mark(Graph graph, Node n, int index, String role, Map<String, String> found) {
        Tensor t = input(graph, n, index);
        if (t != null && t.type() == DataType.FLOAT32 && t.rank() >= 2) {
            found.putIfAbsent(n.inputs().get(index), role);
        }
    }

    private static TensorReport nonWeight(String name, Tensor t) {
        long zeros = 0;
        for (int i = 0; i < t.size(); i++) {
            zeros += t.getDouble(i) == 0 ? 1 : 0;
        }
        long bytes = new TensorLayout(t.type(), t.shape(), Encoding.DENSE, ValueFormat.NATIVE, IndexFormat.NONE, 0, 0)
                .byteSize();
        return new TensorReport(name, "", t.shape(), t.type().displayName(), t.size(),
                t.size() == 0 ? 0 : (double) zeros / t.size(), 0, EncodingChoice.dense(), bytes, bytes, 0);
    }

    private static TensorReport weight(String name, String role, Tensor t, Options options) {
        SparsityProfile p = SparsityProfile.of(t);
        ValueFormat vf = options.quantize().valueFormat();
        EncodingChoice best = null;
        double bestScore = Double.POSITIVE_INFINITY;
        for (EncodingChoice c : candidates(vf, options.int4GroupSize())) {
            double score = options.objective() == Objective.SIZE
                    ? p.layout(c.encoding(), c.values(), c.blockSize()).byteSize()
                    : options.speedCosts().cost(p, c.encoding(), c.blockSize());
            if (score < bestScore) {        // ties keep the earlier, simpler candidate
                best = c;
                bestScore = score;
            }
        }
        long denseBytes = 4 * p.elements();
        long bytes;
        double error = 0;
        if (vf == ValueFormat.NATIVE) {
            bytes = p.layout(best.encoding(), best.values(), best.blockSize()).byteSize();
        } else {
            EncodedTensor e = EncodedTensor.encode(name, t, best);
            bytes = e.byteSize();
            float[] x = t.floats();
            float[] y = e.toDense().floats();
            for (int i = 0; i < x.length; i++) {
                error = Math.max(error, Math.abs((double) x[i] - y[i]));
            }
        }
        return new TensorReport(name, role, t.shape(), t.type().displayName(), p.elements(), p.sparsity(),
                p.blockStructure(), best, bytes, denseBytes, error);
    }

    /** Every encoding a weight may take with values {@code vf}, simplest first. */
    static List<EncodingChoice> candidates(ValueFormat vf, int int4GroupSize) {
        List<EncodingChoice> c = new ArrayList<>();
        c.add(vf == ValueFormat.INT4 ? EncodingChoice.denseInt4(int4GroupSize)
                : new EncodingChoice(Encoding.DENSE, vf, 0));
        for (int k = SparsityProfile.BLOCK_SIZES.length - 1; k >= 0; k--) {
            c.add(EncodingChoice.blockSparse(SparsityProfile.BLOCK_SIZES[k], vf));
        }
        for (int k = SparsityProfile.BLOCK_SIZES.length - 1; k >= 0; k--) {
            c.add(EncodingChoice.columnBlockSparse(SparsityProfile.BLOCK_SIZES[k], vf));
        }
        c.add(EncodingChoice.csr(vf));
        c.add(EncodingChoice.bitmap(vf));
        return c;
    }
}
