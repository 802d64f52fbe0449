package io.sparq.format.codec;

import java.util.Arrays;
import java.util.Objects;

/**
 * One typed value of a file's key/value metadata. The value's Java type follows {@link Type}:
 * STRING String, INT64 Long, FLOAT64 Double, BOOL Boolean, BYTES byte[], INT64S long[], FLOAT64S double[].
 */
public final class MetaValue {
    /** Metadata value types, with the tag byte that precedes each value in the file. */
    public enum Type {
        STRING(1), INT64(2), FLOAT64(3), BOOL(4), BYTES(5), INT64S(6), FLOAT64S(7);

        private final int code;

        Type(int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }

        public static java.util.Optional<Type> fromCode(int code) {
            return Arrays.stream(values()).filter(t -> t.code == code).findFirst();
        }
    }

    private final Type type;
    private final Object value;

    private MetaValue(Type type, Object value) {
        this.type = type;
        this.value = Objects.requireNonNull(value, "value");
    }

    public static MetaValue of(String value) {
        return new MetaValue(Type.STRING, value);
    }

    public static MetaValue of(long value) {
        return new MetaValue(Type.INT64, value);
    }

    public static MetaValue of(double value) {
        return new MetaValue(Type.FLOAT64, value);
    }

    public static MetaValue of(boolean value) {
        return new MetaValue(Type.BOOL, value);
    }

    public static MetaValue of(byte[] value) {
        return new MetaValue(Type.BYTES, value.clone());
    }

    public static MetaValue of(long[] value) {
        return new MetaValue(Type.INT64S, value.clone());
    }

    public static MetaValue of(double[] value) {
        return new MetaValue(Type.FLOAT64S, value.clone());
    }

    public Type type() {
        return type;
    }

    /** The value (arrays are copies). */
    public Object value() {
        switch (type) {
            case BYTES: return ((byte[]) value).clone();
            case INT64S: return ((long[]) value).clone();
            case FLOAT64S: return ((double[]) value).clone();
            default: return value;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MetaValue && ((MetaValue) o).type == type && Objects.deepEquals(((MetaValue) o).value, value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, Arrays.deepHashCode(new Object[] {value}));
    }

    @Override
    public String toString() {
        switch (type) {
            case BYTES: return "bytes[" + ((byte[]) value).length + "]";
            case INT64S: return Arrays.toString((long[]) value);
            case FLOAT64S: return Arrays.toString((double[]) value);
            case STRING: return "\"" + value + "\"";
            default: return value.toString();
        }
    }
}
