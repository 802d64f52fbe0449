package io.sparq.format;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One operator application. {@code inputs} and {@code outputs} are value names; an empty string
 * marks an omitted optional input or output, as in ONNX. {@code domain} is "" for the default
 * ONNX operator set.
 */
public record Node(String name, String opType, String domain, List<String> inputs, List<String> outputs,
                   Map<String, Attribute> attributes) {
    public Node {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        attributes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
    }

    /** How messages refer to this node: {@code 'lstm_1' (LSTM)}. */
    public String describe() {
        return "'" + name + "' (" + (domain.isEmpty() ? "" : domain + ".") + opType + ")";
    }
}
