package io.sparq.converter.importer;

import com.google.protobuf.InvalidProtocolBufferException;
import io.sparq.format.DataType;
import io.sparq.format.ErrorCode;
import io.sparq.format.SparqException;
import io.sparq.format.Tensor;
import onnx.Onnx.StringStringEntryProto;
import onnx.Onnx.TensorProto;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Converts ONNX {@code TensorProto}s to sparq {@link Tensor}s, from every storage form ONNX
 * allows: {@code raw_data}, the typed fields ({@code float_data}, {@code int32_data},
 * {@code int64_data}, {@code double_data}) and external data files.
 */
public final class OnnxTensors {
    /** External data is read in pieces of this many bytes (a multiple of every element size). */
    private static final int CHUNK_BYTES = 1 << 20;

    private OnnxTensors() {
    }

    /**
     * Converts one tensor.
     *
     * @param proto   the tensor
     * @param baseDir the folder that external-data locations are relative to (the model's folder),
     *                or null if the tensor may not refer to external data
     * @throws SparqException {@code UNSUPPORTED_MODEL} for element types sparq has no tensor for
     *         (string, bfloat16, complex, ...), {@code INVALID_MODEL} for data that does not match
     *         the declared type and shape or an external-data reference that is unsafe or points
     *         past the end of its file, {@code IO_ERROR} if an external file cannot be read
     */
    public static Tensor fromProto(TensorProto proto, Path baseDir) {
        return fromProto(proto, baseDir, "tensor '" + proto.getName() + "'");
    }

    /**
     * Reads a file holding one serialized {@code TensorProto}, like the {@code input_N.pb} and
     * {@code output_N.pb} files of ONNX conformance test data; external data is resolved against
     * the file's folder.
     *
     * @throws SparqException {@code CORRUPT_FILE} if the file is not a serialized tensor, otherwise
     *         as {@link #fromProto}, with the file named in the message
     */
    public static Tensor read(Path pbFile) {
        byte[] bytes = readFile(pbFile);
        TensorProto proto;
        try {
            proto = TensorProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new SparqException(ErrorCode.CORRUPT_FILE,
                    pbFile + ": not a serialized ONNX TensorProto: " + e.getMessage(), e);
        }
        if (!proto.hasDataType()) {
            throw new SparqException(ErrorCode.CORRUPT_FILE,
                    pbFile + ": not a serialized ONNX TensorProto: it has no data_type");
        }
        try {
            return fromProto(proto, pbFile.toAbsolutePath().getParent());
        } catch (SparqException e) {
            throw new SparqException(e.code(), pbFile + ": " + e.getMessage(), e);
        }
    }

    /** As {@link #fromProto(TensorProto, Path)}, naming the tensor as {@code what} in messages. */
    static Tensor fromProto(TensorProto proto, Path baseDir, String what) {
        DataType type = dataType(proto, what);
        int[] shape = shape(proto, what);
        int size;
        try {
            size = Tensor.sizeOf(shape);
        } catch (IllegalArgumentException e) {
            throw new SparqException(ErrorCode.UNSUPPORTED_MODEL, what + ": " + e.getMessage());
        }
        if (proto.hasSegment()) {
            throw new SparqException(ErrorCode.UNSUPPORTED_MODEL, what + " is split into segments, which sparq does not import");
        }
        if (proto.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            return Tensor.of(type, shape, readExternal(proto, type, shape, baseDir, what));
        }
        int forms = (proto.hasRawData() ? 1 : 0) + (proto.getFloatDataCount() > 0 ? 1 : 0)
                + (proto.getInt32DataCount() > 0 ? 1 : 0) + (proto.getInt64DataCount() > 0 ? 1 : 0)
                + (proto.getDoubleDataCount() > 0 ? 1 : 0) + (proto.getUint64DataCount() > 0 ? 1 : 0)
                + (proto.getStringDataCount() > 0 ? 1 : 0);
        if (forms > 1) {
            throw new SparqException(ErrorCode.INVALID_MODEL, what + " stores its values in more than one field;"
                    + " ONNX allows exactly one of raw_data and the typed *_data fields");
        }
        if (proto.hasRawData()) {
            ByteBuffer raw = proto.getRawData().asReadOnlyByteBuffer();
            requireByteCount(raw.remaining(), type, shape, what, "raw_data");
            Object data = Tensor.newArray(type, size);
            decode(raw, type, data, 0);
            return Tensor.of(type, shape, data);
        }
        return Tensor.of(type, shape, typedData(proto, type, shape, size, what));
    }

    private static DataType dataType(TensorProto proto, String what) {
        int code = proto.getDataType();
        if (code == TensorProto.DataType.UNDEFINED_VALUE) {
            throw new SparqException(ErrorCode.INVALID_MODEL, what + " has no data_type");
        }
        return DataType.fromOnnx(code).orElseThrow(() -> new SparqException(ErrorCode.UNSUPPORTED_MODEL,
                what + " has element type " + onnxTypeName(code) + ", which sparq does not support (supported: "
                        + Arrays.stream(DataType.values()).map(DataType::displayName).toList() + ")"));
    }

    /** ONNX's name for an element-type code, lower case, e.g. {@code bfloat16}. */
    static String onnxTypeName(int code) {
        TensorProto.DataType t = TensorProto.DataType.forNumber(code);
        return t == null ? "code " + code : t.name().toLowerCase(Locale.ROOT);
    }

    private static int[] shape(TensorProto proto, String what) {
        int[] shape = new int[proto.getDimsCount()];
        for (int i = 0; i < shape.length; i++) {
            long d = proto.getDims(i);
            if (d < 0 || d > Integer.MAX_VALUE) {
                throw new SparqException(ErrorCode.INVALID_MODEL, what + " has dimension " + i + " = " + d
                        + " in dims " + proto.getDimsList() + "; dimensions must be 0 .. " + Integer.MAX_VALUE);
            }
            shape[i] = (int) d;
        }
        return shape;
    }

    private static void requireByteCount(long bytes, DataType type, int[] shape, String what, String source) {
        long expected = (long) Tensor.sizeOf(shape) * type.byteSize();
        if (bytes != expected) {
            throw new SparqException(ErrorCode.INVALID_MODEL, what + " has " + bytes + " bytes of " + source + ", but "
                    + type.displayName() + Arrays.toString(shape) + " needs " + expected);
        }
    }

    /** Decodes little-endian elements from {@code le} into {@code array} starting at element {@code at}. */
    private static void decode(ByteBuffer le, DataType type, Object array, int at) {
        le.order(ByteOrder.LITTLE_ENDIAN);
        int n = le.remaining() / type.byteSize();
        switch (type) {
            case FLOAT32 -> le.asFloatBuffer().get((float[]) array, at, n);
            case FLOAT64 -> le.asDoubleBuffer().get((double[]) array, at, n);
            case INT64 -> le.asLongBuffer().get((long[]) array, at, n);
            case INT32 -> le.asIntBuffer().get((int[]) array, at, n);
            case FLOAT16, INT16, UINT16 -> le.asShortBuffer().get((short[]) array, at, n);
            case INT8, UINT8 -> le.get((byte[]) array, at, n);
            case BOOL -> {
                boolean[] out = (boolean[]) array;
                for (int i = 0; i < n; i++) {
                    out[at + i] = le.get() != 0;    // ONNX writes one byte per bool, 0 or 1
                }
            }
        }
    }

    private static Object typedData(TensorProto proto, DataType type, int[] shape, int size, String what) {
        String field = switch (type) {
            case FLOAT32 -> "float_data";
            case FLOAT64 -> "double_data";
            case INT64 -> "int64_data";
            default -> "int32_data";   // ONNX keeps every type of 32 bits or fewer, and float16 bits, here
        };
        int count = switch (type) {
            case FLOAT32 -> proto.getFloatDataCount();
            case FLOAT64 -> proto.getDoubleDataCount();
            case INT64 -> proto.getInt64DataCount();
            default -> proto.getInt32DataCount();
        };
        if (count != size) {
            throw new SparqException(ErrorCode.INVALID_MODEL, what + " is " + type.displayName() + Arrays.toString(shape)
                    + " (" + size + " elements), but " + field + " holds " + count + " values"
                    + (count == 0 && size > 0 ? " and raw_data is absent" : ""));
        }
        Object data = Tensor.newArray(type, size);
        for (int i = 0; i < size; i++) {
            switch (type) {
                case FLOAT32 -> ((float[]) data)[i] = proto.getFloatData(i);
                case FLOAT64 -> ((double[]) data)[i] = proto.getDoubleData(i);
                case INT64 -> ((long[]) data)[i] = proto.getInt64Data(i);
                case INT32 -> ((int[]) data)[i] = proto.getInt32Data(i);
                case INT16 -> ((short[]) data)[i] = (short) narrow(proto, i, type, Short.MIN_VALUE, Short.MAX_VALUE, what);
                case UINT16, FLOAT16 -> ((short[]) data)[i] = (short) narrow(proto, i, type, 0, 0xFFFF, what);
                case INT8 -> ((byte[]) data)[i] = (byte) narrow(proto, i, type, Byte.MIN_VALUE, Byte.MAX_VALUE, what);
                case UINT8 -> ((byte[]) data)[i] = (byte) narrow(proto, i, type, 0, 0xFF, what);
                case BOOL -> ((boolean[]) data)[i] = narrow(proto, i, type, 0, 1, what) != 0;
            }
        }
        return data;
    }

    private static int narrow(TensorProto proto, int i, DataType type, int min, int max, String what) {
        int v = proto.getInt32Data(i);
        if (v < min || v > max) {
            throw new SparqException(ErrorCode.INVALID_MODEL, what + ": int32_data[" + i + "] = " + v
                    + " is out of range for " + type.displayName() + " (" + min + " .. " + max + ")");
        }
        return v;
    }

    private static Object readExternal(TensorProto proto, DataType type, int[] shape, Path baseDir, String what) {
        Map<String, String> keys = new HashMap<>();
        for (StringStringEntryProto e : proto.getExternalDataList()) {
            keys.put(e.getKey(), e.getValue());
        }
        String location = keys.get("location");
        if (location == null) {
            throw new SparqException(ErrorCode.INVALID_MODEL, what + " has data_location EXTERNAL but no 'location' key");
        }
        long offset = externalNumber(keys, "offset", 0, what);
        long length = externalNumber(keys, "length", -1, what);
        Path file = resolveInside(baseDir, location, what);
        int size = Tensor.sizeOf(shape);
        long expected = (long) size * type.byteSize();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long fileSize = ch.size();
            if (offset > fileSize) {
                throw new SparqException(ErrorCode.INVALID_MODEL, what + ": external data offset " + offset
                        + " is past the end of '" + location + "' (" + fileSize + " bytes)");
            }
            if (length < 0) {
                length = fileSize - offset;
            } else if (length > fileSize - offset) {
                throw new SparqException(ErrorCode.INVALID_MODEL, what + ": external data offset " + offset
                        + " + length " + length + " runs past the end of '" + location + "' (" + fileSize + " bytes)");
            }
            requireByteCount(length, type, shape, what, "external data in '" + location + "'");
            Object data = Tensor.newArray(type, size);
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(expected, CHUNK_BYTES));
            for (long done = 0; done < expected; ) {
                buf.clear().limit((int) Math.min(buf.capacity(), expected - done));
                while (buf.hasRemaining()) {
                    if (ch.read(buf, offset + done + buf.position()) < 0) {
                        throw new SparqException(ErrorCode.IO_ERROR, what + ": '" + location + "' ended early while being read");
                    }
                }
                buf.flip();
                decode(buf, type, data, (int) (done / type.byteSize()));
                done += buf.limit();
            }
            return data;
        } catch (IOException e) {
            throw new SparqException(ErrorCode.IO_ERROR, what + ": cannot read external data '" + location + "': " + e, e);
        }
    }

    private static long externalNumber(Map<String, String> keys, String key, long absent, String what) {
        String text = keys.get(key);
        if (text == null) {
            return absent;
        }
        try {
            long v = Long.parseLong(text.trim());
            if (v >= 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below, with the same message as a negative value
        }
        throw new SparqException(ErrorCode.INVALID_MODEL, what + ": external data '" + key + "' must be a"
                + " non-negative integer, got '" + text + "'");
    }

    /**
     * The external file {@code location} names, which must stay inside {@code baseDir} even after
     * following symbolic links: a model must not be able to read arbitrary files.
     */
    private static Path resolveInside(Path baseDir, String location, String what) {
        if (baseDir == null) {
            throw new SparqException(ErrorCode.INVALID_MODEL, what + " keeps its data in external file '" + location
                    + "', but no model folder is known to look for it in");
        }
        Path relative;
        try {
            relative = Path.of(location);
        } catch (InvalidPathException e) {
            throw new SparqException(ErrorCode.INVALID_MODEL, what + ": external data location '" + location
                    + "' is not a valid path: " + e.getMessage());
        }
        if (location.isEmpty() || relative.isAbsolute()) {
            throw new SparqException(ErrorCode.INVALID_MODEL, what + ": external data location '" + location
                    + "' must be a relative path inside the model folder");
        }
        Path base = baseDir.toAbsolutePath().normalize();
        Path file = base.resolve(relative).normalize();
        if (!file.startsWith(base) || file.equals(base)) {
            throw new SparqException(ErrorCode.INVALID_MODEL, what + ": external data location '" + location
                    + "' points outside the model folder " + base);
        }
        try {
            Path real = file.toRealPath();
            if (!real.startsWith(base.toRealPath())) {
                throw new SparqException(ErrorCode.INVALID_MODEL, what + ": external data location '" + location
                        + "' is a link to " + real + ", outside the model folder " + base);
            }
            return real;
        } catch (NoSuchFileException e) {
            throw new SparqException(ErrorCode.INVALID_MODEL, what + ": external data file '" + location
                    + "' does not exist in " + base);
        } catch (IOException e) {
            throw new SparqException(ErrorCode.IO_ERROR, what + ": cannot open external data '" + location + "': " + e, e);
        }
    }

    /** The whole content of a protobuf file, refusing what protobuf-java cannot parse (2 GiB and more). */
    static byte[] readFile(Path file) {
        try {
            long size = Files.size(file);
            if (size > Integer.MAX_VALUE - 8) {
                throw new SparqException(ErrorCode.UNSUPPORTED_MODEL, file + " is " + size + " bytes; protobuf files"
                        + " must be under 2 GiB, so keep large weights as ONNX external data"
                        + " (onnx.save_model(..., save_as_external_data=True))");
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new SparqException(ErrorCode.IO_ERROR, file + ": no such file", e);
        } catch (IOException e) {
            throw new SparqException(ErrorCode.IO_ERROR, file + ": cannot read: " + e, e);
        }
    }
}
