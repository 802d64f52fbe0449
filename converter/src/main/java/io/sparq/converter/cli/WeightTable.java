package io.sparq.converter.cli;

import io.sparq.converter.Formats;
import io.sparq.format.Graph;
import io.sparq.format.Node;
import io.sparq.format.Tensor;
import io.sparq.format.codec.EncodedTensor;
import io.sparq.format.codec.TensorLayout;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Per-node weight statistics of a graph: every floating-point initializer a node reads (weights,
 * biases, embeddings), with its shape, parameter count, zeros, storage encoding and bytes. Integer
 * initializers (shape constants, indices) are not weights and are left out.
 */
record WeightTable(List<Row> rows) {
    /**
     * One weight tensor of one node.
     *
     * @param encoding   how it is stored, e.g. {@code dense/float32} or {@code block_sparse/int8/16}
     * @param bytes      bytes as stored
     * @param denseBytes bytes stored densely in its own type
     */
    record Row(String node, String op, String tensor, int[] shape, String dtype, long parameters, long zeros,
               String encoding, long bytes, long denseBytes) {
        double zeroPercent() {
            return parameters == 0 ? 0 : 100.0 * zeros / parameters;
        }
    }

    /** The table of a graph whose tensors are stored as {@code stored} says (dense when absent). */
    static WeightTable of(Graph graph, Map<String, EncodedTensor> stored) {
        List<Row> rows = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (Node node : graph.nodes()) {
            for (String in : node.inputs()) {
                Tensor t = graph.initializers().get(in);
                if (t == null || !t.type().isFloatingPoint() || !seen.add(in)) {
                    continue;
                }
                long zeros = 0;
                for (int i = 0; i < t.size(); i++) {
                    if (t.getDouble(i) == 0) {
                        zeros++;
                    }
                }
                long denseBytes = (long) t.size() * t.type().byteSize();
                EncodedTensor e = stored.get(in);
                String encoding = e == null ? "dense/" + t.type().displayName() : describe(e.layout());
                rows.add(new Row(node.name(), node.opType(), in, t.shape(), t.type().displayName(),
                        t.size(), zeros, encoding, e == null ? denseBytes : e.byteSize(), denseBytes));
            }
        }
        return new WeightTable(rows);
    }

    /** E.g. {@code dense/float32}, {@code csr/int8}, {@code block_sparse/int4/8}. */
    static String describe(TensorLayout l) {
        return Formats.encoding(l.encoding(), l.values(), l.type().displayName(), l.blockSize());
    }

    long parameters() {
        return rows.stream().mapToLong(Row::parameters).sum();
    }

    long zeros() {
        return rows.stream().mapToLong(Row::zeros).sum();
    }

    long bytes() {
        return rows.stream().mapToLong(Row::bytes).sum();
    }

    long denseBytes() {
        return rows.stream().mapToLong(Row::denseBytes).sum();
    }

    /** Nodes in order, each with its rows. */
    Map<String, List<Row>> byNode() {
        Map<String, List<Row>> m = new LinkedHashMap<>();
        rows.forEach(r -> m.computeIfAbsent(r.node(), k -> new ArrayList<>()).add(r));
        return m;
    }
}
