package io.sparq.format.codec;

import io.sparq.format.DataType;

import java.util.Optional;

/**
 * How each stored value is represented: in the tensor's own element type, as IEEE binary16, or as
 * symmetric int8 / int4 codes with f32 scales (quantization scheme 1, SPEC.md §6.1).
 */
public enum ValueFormat {
    /** The tensor's own element type, {@code DataType.byteSize()} bytes each. */
    NATIVE(0, 0),
    /** IEEE 754 binary16, 2 bytes each; float32 tensors only. */
    F16(1, 0),
    /** Signed 8-bit code in [-127, 127], value = code × scale; float32 tensors only. */
    INT8(2, 127),
    /** Signed 4-bit code in [-7, 7], two per byte, low nibble first; value = code × scale. */
    INT4(3, 7);

    private final int code;
    private final int maxCode;

    ValueFormat(int code, int maxCode) {
        this.code = code;
        this.maxCode = maxCode;
    }

    /** The {@code values} byte of a tensor-table entry. */
    public int code() {
        return code;
    }

    /** The largest code magnitude an encoder writes (127 or 7), or 0 for unscaled formats. */
    public int maxCode() {
        return maxCode;
    }

    /** Whether values are integer codes that need f32 scales. */
    public boolean isScaled() {
        return maxCode > 0;
    }

    /** Bytes needed for {@code n} values packed one after another. */
    public long bytesFor(long n, DataType type) {
        switch (this) {
            case NATIVE: return Math.multiplyExact(n, type.byteSize());
            case F16: return Math.multiplyExact(n, 2);
            case INT8: return n;
            case INT4: return Math.addExact(n, 1) / 2;
            default: throw new AssertionError(this);
        }
    }

    public static Optional<ValueFormat> fromCode(int code) {
        for (ValueFormat f : values()) {
            if (f.code == code) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /** Lower-case name as used in messages and the spec, e.g. {@code int8}. */
    public String displayName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
