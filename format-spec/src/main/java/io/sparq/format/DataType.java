package io.sparq.format;

/**
 * Element types of tensors, with the ONNX {@code TensorProto.DataType} code and the size of one
 * element. This enum is the single source of truth for element layout.
 */
public enum DataType {
    FLOAT32(1, 4),
    UINT8(2, 1),
    INT8(3, 1),
    UINT16(4, 2),
    INT16(5, 2),
    INT32(6, 4),
    INT64(7, 8),
    BOOL(9, 1),
    FLOAT16(10, 2),
    FLOAT64(11, 8);

    private final int onnxCode;
    private final int byteSize;

    DataType(int onnxCode, int byteSize) {
        this.onnxCode = onnxCode;
        this.byteSize = byteSize;
    }

    /** The {@code TensorProto.DataType} number ONNX uses for this type. */
    public int onnxCode() {
        return onnxCode;
    }

    /** Bytes per element when stored densely. */
    public int byteSize() {
        return byteSize;
    }

    public boolean isFloatingPoint() {
        return this == FLOAT32 || this == FLOAT64 || this == FLOAT16;
    }

    /** The type for an ONNX data-type code, or empty if sparq does not support it. */
    public static java.util.Optional<DataType> fromOnnx(int code) {
        for (DataType t : values()) {
            if (t.onnxCode == code) {
                return java.util.Optional.of(t);
            }
        }
        return java.util.Optional.empty();
    }

    /** Lower-case name as used in messages and in NumPy-like contexts, e.g. {@code float32}. */
    public String displayName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
