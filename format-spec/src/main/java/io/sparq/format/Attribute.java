package io.sparq.format;

import java.util.List;

/**
 * A node attribute. The value's Java type follows {@link Kind}: FLOAT Float, INT Long, STRING
 * String, TENSOR {@link Tensor}, GRAPH {@link Graph}, FLOATS float[], INTS long[], STRINGS
 * {@code List<String>}.
 */
public record Attribute(String name, Kind kind, Object value) {
    /** Attribute value kinds, mirroring ONNX's {@code AttributeProto.AttributeType}. */
    public enum Kind { FLOAT, INT, STRING, TENSOR, GRAPH, FLOATS, INTS, STRINGS }

    public static Attribute of(String name, float value) {
        return new Attribute(name, Kind.FLOAT, value);
    }

    public static Attribute of(String name, long value) {
        return new Attribute(name, Kind.INT, value);
    }

    public static Attribute of(String name, String value) {
        return new Attribute(name, Kind.STRING, value);
    }

    public static Attribute of(String name, Tensor value) {
        return new Attribute(name, Kind.TENSOR, value);
    }

    public static Attribute of(String name, Graph value) {
        return new Attribute(name, Kind.GRAPH, value);
    }

    public static Attribute of(String name, float[] value) {
        return new Attribute(name, Kind.FLOATS, value.clone());
    }

    public static Attribute of(String name, long[] value) {
        return new Attribute(name, Kind.INTS, value.clone());
    }

    public static Attribute of(String name, List<String> value) {
        return new Attribute(name, Kind.STRINGS, List.copyOf(value));
    }
}
