package io.sparq.format;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sparq graph IR: what the importer produces, what {@code .sparq} files serialise and what
 * runtime-lite executes.
 *
 * <p>{@code initializers} are constant tensors by name. A graph input whose name is also an
 * initializer is optional: the initializer is its default. {@code opsets} maps operator-set
 * domain ("" for ONNX) to version; subgraphs (If/Loop bodies) inherit the outer graph's opsets.
 * {@code metadata} carries free-form producer information.
 */
public record Graph(String name, List<ValueInfo> inputs, List<ValueInfo> outputs, List<Node> nodes,
                    Map<String, Tensor> initializers, Map<String, Integer> opsets, Map<String, String> metadata) {
    public Graph {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        nodes = List.copyOf(nodes);
        initializers = Collections.unmodifiableMap(new LinkedHashMap<>(initializers));
        opsets = Collections.unmodifiableMap(new LinkedHashMap<>(opsets));
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /** The ONNX default-domain opset version, or 0 when none is declared (a subgraph). */
    public int onnxOpset() {
        Integer v = opsets.get("");
        if (v == null) {
            v = opsets.get("ai.onnx");
        }
        return v == null ? 0 : v;
    }

    /** Graph inputs that have no initializer default, i.e. what a caller must feed. */
    public List<ValueInfo> requiredInputs() {
        return inputs.stream().filter(v -> !initializers.containsKey(v.name())).toList();
    }
}
