package io.sparq.converter.cli;

import io.sparq.format.Graph;
import io.sparq.format.Node;
import io.sparq.format.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Per-node weight statistics of a graph: every floating-point initializer a node reads (weights,
 * biases, embeddings), with its shape, parameter count, zeros and bytes. Integer initializers
 * (shape constants, indices) are not weights and are left out.
 */
record WeightTable(List<Row> rows) {
    /** One weight tensor of one node. */
    record Row(String node, String op, String tensor, int[] shape, String dtype, long parameters, long zeros, long bytes) {
        double zeroPercent() {
            return parameters == 0 ? 0 : 100.0 * zeros / parameters;
        }
    }

    static WeightTable of(Graph graph) {
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
                rows.add(new Row(node.name(), node.opType(), in, t.shape(), t.type().displayName(),
                        t.size(), zeros, (long) t.size() * t.type().byteSize()));
            }
        }
        return new WeightTable(rows);
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

    /** Nodes in order, each with its rows. */
    Map<String, List<Row>> byNode() {
        Map<String, List<Row>> m = new LinkedHashMap<>();
        rows.forEach(r -> m.computeIfAbsent(r.node(), k -> new ArrayList<>()).add(r));
        return m;
    }
}
