package io.sparq.format;

import java.util.List;

/**
 * A declared graph input or output: its name, element type and shape. {@code shape} is null when
 * the rank itself is unknown.
 */
public record ValueInfo(String name, DataType type, List<Dim> shape) {
    public ValueInfo {
        shape = shape == null ? null : List.copyOf(shape);
    }

    @Override
    public String toString() {
        return name + ": " + (type == null ? "?" : type.displayName()) + (shape == null ? "[?]" : shape.toString());
    }
}
