package io.sparq.converter.importer;

import io.sparq.format.Attribute;
import io.sparq.format.DataType;
import io.sparq.format.ErrorCode;
import io.sparq.format.Graph;
import io.sparq.format.Node;
import io.sparq.format.SparqException;
import io.sparq.format.Tensor;

import java.util.Map;
import java.util.Set;

/**
 * Refuses models whose stored numbers cannot be pruned, fine-tuned or quantized: a NaN in any
 * floating-point initializer or constant, an infinity in a weight matrix (a magnitude ranking, an
 * int8 scale and every gradient through it would be NaN). Runtime inputs are not checked: NaN
 * inputs propagate through the ops as they do in ONNX Runtime.
 */
public final class FiniteWeights {
    private FiniteWeights() {
    }

    /**
     * @param weights the tensors multiplied as weights (e.g. {@code EncodingPlanner.weights}), where
     *                infinities are refused too
     * @throws SparqException {@code INVALID_MODEL} naming the first bad tensor, its element index and value
     */
    public static void require(Graph graph, Set<String> weights) {
        check(graph, weights, "");
    }

    private static void check(Graph graph, Set<String> weights, String where) {
        for (Map.Entry<String, Tensor> e : graph.initializers().entrySet()) {
            check("initializer '" + e.getKey() + "'" + where, e.getValue(), weights.contains(e.getKey()));
        }
        for (Node node : graph.nodes()) {
            for (Attribute a : node.attributes().values()) {
                if (a.kind() == Attribute.Kind.TENSOR) {
                    check("tensor of attribute '" + a.name() + "' of node " + node.describe() + where, (Tensor) a.value(), false);
                } else if (a.kind() == Attribute.Kind.GRAPH) {
                    check((Graph) a.value(), weights, " in " + a.name() + " of " + node.describe() + where);
                }
            }
        }
    }

    private static void check(String what, Tensor t, boolean weight) {
        DataType type = t.type();
        if (type != DataType.FLOAT32 && type != DataType.FLOAT64 && type != DataType.FLOAT16) {
            return;
        }
        for (int i = 0; i < t.size(); i++) {
            double v = t.getDouble(i);
            if (Double.isNaN(v) || (weight && Double.isInfinite(v))) {
                throw new SparqException(ErrorCode.INVALID_MODEL, what + " holds " + v + " at element " + i
                        + (weight ? "; weights must be finite" : "; NaN is not a number sparq can prune, train or store")
                        + " (shape " + java.util.Arrays.toString(t.shape()) + ")");
            }
        }
    }
}
