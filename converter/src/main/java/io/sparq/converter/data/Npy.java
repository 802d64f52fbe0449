package io.sparq.converter.data;

import io.sparq.format.DataType;
import io.sparq.format.ErrorCode;
import io.sparq.format.SparqException;
import io.sparq.format.Tensor;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads and writes NumPy {@code .npy} files (format versions 1.0, 2.0 and 3.0) as {@link Tensor}s.
 *
 * <p>Layout (numpy {@code lib/format.py}):
 * <pre>
 *   uint8[6]  magic          "\x93NUMPY"
 *   uint8     major, minor   1.0, 2.0 or 3.0
 *   uint16/32 header_len     little-endian; uint16 in 1.0, uint32 in 2.0 and 3.0
 *   char[]    header         a Python dict literal, e.g. {'descr': '&lt;f4', 'fortran_order': False, 'shape': (2, 3), }
 *                            padded with spaces and one '\n' so the data starts on a 64-byte boundary;
 *                            latin-1 in 1.0 and 2.0, UTF-8 in 3.0
 *   byte[]    data           prod(shape) elements in the byte order of 'descr', C or Fortran order
 * </pre>
 * Big-endian data is byte-swapped and Fortran-ordered data reordered to row-major on read. Files
 * are written as version 1.0, little-endian, C order, byte for byte as {@code numpy.save} writes them.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int PREFIX_BYTES = MAGIC.length + 2;
    private static final int ALIGN = 64;
    /** numpy leaves room in the header for the growth axis to reach this many digits. */
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;
    /** Far above any real header (numpy itself refuses more than 10000 bytes by default). */
    private static final int MAX_HEADER_BYTES = 1 << 20;
    private static final int CHUNK_BYTES = 1 << 16;
    /** numpy 2's NPY_MAXDIMS. */
    private static final int MAX_DIMS = 64;
    private static final Set<String> HEADER_KEYS = Set.of("descr", "fortran_order", "shape");
    private static final String SUPPORTED =
            "float16/32/64, int8/16/32/64, uint8/16 or bool";

    private Npy() {
    }

    /** What a header declares, with the number of data bytes it promises. */
    private record Header(DataType type, ByteOrder order, boolean fortran, int[] shape, long dataBytes,
                          long headerBytes) {
    }

    /** Reads one array from a {@code .npy} file; the file must hold exactly what its header declares. */
    public static Tensor read(Path file) {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), CHUNK_BYTES)) {
            return read(in, file.toString(), Files.size(file));
        } catch (IOException e) {
            throw failure(file.toString(), e);
        }
    }

    /**
     * Reads one array from {@code in}, leaving the stream just after its data (numpy can append
     * several arrays to one stream). {@code nameForMessages} names the source in errors.
     */
    public static Tensor read(InputStream in, String nameForMessages) {
        try {
            return read(in, nameForMessages, -1, false);
        } catch (IOException e) {
            throw failure(nameForMessages, e);
        }
    }

    /**
     * Reads one array; when {@code knownSize >= 0} the source must be exactly that long, checked
     * against the header before any element array is allocated.
     */
    static Tensor read(InputStream in, String name, long knownSize) throws IOException {
        return read(in, name, knownSize, knownSize >= 0);
    }

    /**
     * Reads one array. When {@code size >= 0} the source must be exactly that long. When
     * {@code sizeIsReal} those bytes are known to exist (a file on disk, a stored zip entry), so the
     * element array is allocated at once; otherwise {@code size} is only a claim (a deflated zip
     * entry's declared size) and the raw bytes are buffered as they arrive, so that memory follows
     * the bytes actually there rather than a number in a header.
     */
    static Tensor read(InputStream in, String name, long size, boolean sizeIsReal) throws IOException {
        Header h = readHeader(in, name);
        long total = h.headerBytes + h.dataBytes;
        if (size >= 0 && size != total) {
            throw corrupt(name, "header declares " + describe(h) + " = " + h.dataBytes + " data bytes after a "
                    + h.headerBytes + "-byte header (" + total + " bytes in all), but the file has " + size
                    + " bytes");
        }
        long count = h.dataBytes / h.type.byteSize();
        if (count > Integer.MAX_VALUE) {
            throw new SparqException(ErrorCode.INVALID_ARGUMENT, name + ": array " + describe(h) + " has " + count
                    + " elements; sparq tensors hold at most " + Integer.MAX_VALUE);
        }
        InputStream data = sizeIsReal ? in : buffered(in, name, h);
        Object elements = decode(data, h, (int) count, name);
        if (size >= 0 && in.read() != -1) {
            throw corrupt(name, "more bytes follow the " + h.dataBytes + " data bytes the header declares");
        }
        if (h.fortran && h.shape.length > 1) {
            elements = fortranToC(elements, h.shape);
        }
        return Tensor.of(h.type, h.shape, elements);
    }

    /** Writes {@code tensor} to {@code file} atomically (a temporary sibling, then a move). */
    public static void write(Path file, Tensor tensor) {
        AtomicFiles.write(file, out -> writeTo(out, tensor));
    }

    /** Writes {@code tensor} as a {@code .npy} image to {@code out}, which is left open. */
    public static void write(OutputStream out, Tensor tensor) {
        try {
            writeTo(out, tensor);
        } catch (IOException e) {
            throw new SparqException(ErrorCode.IO_ERROR, "cannot write array " + tensor + ": " + e.getMessage(), e);
        }
    }

    /** Number of bytes {@link #write(OutputStream, Tensor)} produces for {@code tensor}. */
    static long byteSize(Tensor tensor) {
        return header(tensor).length + (long) tensor.size() * tensor.type().byteSize();
    }

    static void writeTo(OutputStream out, Tensor tensor) throws IOException {
        out.write(header(tensor));
        int es = tensor.type().byteSize();
        int n = tensor.size();
        byte[] buf = new byte[(int) Math.min(CHUNK_BYTES, Math.max(es, (long) n * es))];
        ByteBuffer bb = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
        Object data = tensor.data();
        for (int done = 0; done < n; ) {
            int k = Math.min(n - done, buf.length / es);
            switch (tensor.type()) {
                case FLOAT32 -> bb.asFloatBuffer().put((float[]) data, done, k);
                case FLOAT64 -> bb.asDoubleBuffer().put((double[]) data, done, k);
                case FLOAT16, INT16, UINT16 -> bb.asShortBuffer().put((short[]) data, done, k);
                case INT32 -> bb.asIntBuffer().put((int[]) data, done, k);
                case INT64 -> bb.asLongBuffer().put((long[]) data, done, k);
                case INT8, UINT8 -> System.arraycopy(data, done, buf, 0, k);
                case BOOL -> {
                    boolean[] b = (boolean[]) data;
                    for (int i = 0; i < k; i++) {
                        buf[i] = (byte) (b[done + i] ? 1 : 0);
                    }
                }
            }
            out.write(buf, 0, k * es);
            done += k;
        }
    }

    /** Magic, version, length and padded header dict, exactly as numpy 1.24+ writes them. */
    private static byte[] header(Tensor tensor) {
        int[] shape = tensor.shape();
        if (shape.length > MAX_DIMS) {
            // also keeps the header far below the 65535 bytes a version 1.0 header can have
            throw new SparqException(ErrorCode.INVALID_ARGUMENT, "cannot write " + tensor + " as .npy: numpy arrays "
                    + "have at most " + MAX_DIMS + " dimensions");
        }
        StringBuilder dict = new StringBuilder("{'descr': '").append(descr(tensor.type()))
                .append("', 'fortran_order': False, 'shape': (");
        for (int i = 0; i < shape.length; i++) {
            dict.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        dict.append(shape.length == 1 ? ",), }" : "), }");
        if (shape.length > 0) {
            // numpy reserves digits so the first axis can grow in place when arrays are appended
            dict.append(" ".repeat(GROWTH_AXIS_MAX_DIGITS - Integer.toString(shape[0]).length()));
        }
        int unpadded = dict.length() + 1;               // + the closing '\n'
        // numpy's padding always adds 1 to 64 spaces
        int headerLen = unpadded + ALIGN - (PREFIX_BYTES + 2 + unpadded) % ALIGN;
        dict.append(" ".repeat(headerLen - unpadded)).append('\n');
        ByteBuffer bb = ByteBuffer.allocate(PREFIX_BYTES + 2 + headerLen).order(ByteOrder.LITTLE_ENDIAN);
        bb.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) headerLen);
        bb.put(dict.toString().getBytes(StandardCharsets.ISO_8859_1));
        return bb.array();
    }

    private static String descr(DataType type) {
        return switch (type) {
            case FLOAT16 -> "<f2";
            case FLOAT32 -> "<f4";
            case FLOAT64 -> "<f8";
            case INT8 -> "|i1";
            case UINT8 -> "|u1";
            case INT16 -> "<i2";
            case UINT16 -> "<u2";
            case INT32 -> "<i4";
            case INT64 -> "<i8";
            case BOOL -> "|b1";
        };
    }

    private static Header readHeader(InputStream in, String name) throws IOException {
        byte[] prefix = in.readNBytes(PREFIX_BYTES);
        if (prefix.length < PREFIX_BYTES || !Arrays.equals(prefix, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw corrupt(name, "not a .npy file: it does not start with the magic \\x93NUMPY");
        }
        int major = prefix[6];
        int minor = prefix[7];
        if (major < 1 || major > 3 || minor != 0) {
            throw new SparqException(ErrorCode.UNSUPPORTED_MODEL, name + ": .npy format version " + (major & 0xFF)
                    + "." + (minor & 0xFF) + " is not supported (expected 1.0, 2.0 or 3.0)");
        }
        int lengthBytes = major == 1 ? 2 : 4;
        byte[] len = in.readNBytes(lengthBytes);
        if (len.length < lengthBytes) {
            throw corrupt(name, "truncated inside the header length field");
        }
        ByteBuffer lb = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN);
        long headerLen = lengthBytes == 2 ? lb.getShort() & 0xFFFF : lb.getInt() & 0xFFFFFFFFL;
        if (headerLen > MAX_HEADER_BYTES) {
            throw corrupt(name, "header length " + headerLen + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
        }
        byte[] raw = in.readNBytes((int) headerLen);
        if (raw.length < headerLen) {
            throw corrupt(name, "truncated: the header should have " + headerLen + " bytes, the file ends after "
                    + raw.length);
        }
        Charset charset = major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1;
        Object parsed = new HeaderParser(new String(raw, charset), name).parse();
        if (!(parsed instanceof Map<?, ?> dict) || !dict.keySet().equals(HEADER_KEYS)) {
            throw corrupt(name, "header must be a dict with exactly the keys 'descr', 'fortran_order' and 'shape', got "
                    + new String(raw, charset).strip());
        }
        if (!(dict.get("descr") instanceof String descr)) {
            throw new SparqException(ErrorCode.UNSUPPORTED_MODEL, name + ": structured dtype " + dict.get("descr")
                    + " is not supported; expected a plain " + SUPPORTED + " array");
        }
        if (!(dict.get("fortran_order") instanceof Boolean fortran)) {
            throw corrupt(name, "'fortran_order' must be True or False, got " + dict.get("fortran_order"));
        }
        int[] shape = shape(dict.get("shape"), name);
        DataType type = dataType(descr, name);
        ByteOrder order = descr.charAt(0) == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        long dataBytes = type.byteSize();
        for (int d : shape) {
            dataBytes = multiplyOrFail(dataBytes, d, name, shape);
        }
        return new Header(type, order, fortran, shape, dataBytes, PREFIX_BYTES + lengthBytes + headerLen);
    }

    private static int[] shape(Object value, String name) {
        if (!(value instanceof List<?> dims)) {
            throw corrupt(name, "'shape' must be a tuple of integers, got " + value);
        }
        if (dims.size() > MAX_DIMS) {
            throw corrupt(name, "'shape' has " + dims.size() + " dimensions, numpy arrays have at most " + MAX_DIMS);
        }
        int[] shape = new int[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            if (!(dims.get(i) instanceof Long d) || d < 0) {
                throw corrupt(name, "'shape' must hold non-negative integers, got " + dims);
            }
            if (d > Integer.MAX_VALUE) {
                throw new SparqException(ErrorCode.INVALID_ARGUMENT, name + ": dimension " + d + " of shape " + dims
                        + " exceeds sparq's limit of " + Integer.MAX_VALUE);
            }
            shape[i] = (int) (long) d;
        }
        return shape;
    }

    private static long multiplyOrFail(long a, int b, String name, int[] shape) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw corrupt(name, "shape " + Arrays.toString(shape) + " is impossibly large");
        }
    }

    /** The tensor type for a numpy type string such as {@code <f4}, {@code >i8} or {@code |b1}. */
    private static DataType dataType(String descr, String name) {
        char order = descr.isEmpty() ? '?' : descr.charAt(0);
        String kind = descr.length() > 1 ? descr.substring(1) : "";
        DataType type = switch (kind) {
            case "f2" -> DataType.FLOAT16;
            case "f4" -> DataType.FLOAT32;
            case "f8" -> DataType.FLOAT64;
            case "i1" -> DataType.INT8;
            case "u1" -> DataType.UINT8;
            case "i2" -> DataType.INT16;
            case "u2" -> DataType.UINT16;
            case "i4" -> DataType.INT32;
            case "i8" -> DataType.INT64;
            case "b1" -> DataType.BOOL;
            default -> null;
        };
        if (order != '<' && order != '>' && order != '|') {
            throw corrupt(name, "dtype '" + descr + "' has no byte order; expected it to start with '<', '>' or '|'");
        }
        if (type == null) {
            throw new SparqException(ErrorCode.UNSUPPORTED_MODEL, name + ": numpy dtype '" + descr + "'"
                    + kindName(kind) + " is not supported; expected " + SUPPORTED);
        }
        if (order == '|' && type.byteSize() > 1) {
            throw corrupt(name, "dtype '" + descr + "' needs a byte order '<' or '>', not '|'");
        }
        return type;
    }

    private static String kindName(String kind) {
        if (kind.isEmpty()) {
            return "";
        }
        return switch (kind.charAt(0)) {
            case 'c' -> " (complex)";
            case 'O' -> " (Python objects)";
            case 'U', 'S', 'a' -> " (strings)";
            case 'V' -> " (raw bytes / structured)";
            case 'M', 'm' -> " (datetime)";
            default -> "";
        };
    }

    private static InputStream buffered(InputStream in, String name, Header h) throws IOException {
        List<InputStream> chunks = new ArrayList<>();
        long read = 0;
        while (read < h.dataBytes) {
            byte[] chunk = in.readNBytes((int) Math.min(h.dataBytes - read, 1 << 20));
            read += chunk.length;
            if (chunk.length == 0) {
                throw truncated(name, h, read);
            }
            chunks.add(new ByteArrayInputStream(chunk));
        }
        return new SequenceInputStream(Collections.enumeration(chunks));
    }

    private static Object decode(InputStream in, Header h, int count, String name) throws IOException {
        Object out = Tensor.newArray(h.type, count);
        int es = h.type.byteSize();
        byte[] buf = new byte[(int) Math.min(CHUNK_BYTES, Math.max(es, (long) count * es))];
        ByteBuffer bb = ByteBuffer.wrap(buf).order(h.order);
        for (int done = 0; done < count; ) {
            int k = Math.min(count - done, buf.length / es);
            int got = in.readNBytes(buf, 0, k * es);
            if (got < k * es) {
                throw truncated(name, h, (long) done * es + got);
            }
            switch (h.type) {
                case FLOAT32 -> bb.asFloatBuffer().get((float[]) out, done, k);
                case FLOAT64 -> bb.asDoubleBuffer().get((double[]) out, done, k);
                case FLOAT16, INT16, UINT16 -> bb.asShortBuffer().get((short[]) out, done, k);
                case INT32 -> bb.asIntBuffer().get((int[]) out, done, k);
                case INT64 -> bb.asLongBuffer().get((long[]) out, done, k);
                case INT8, UINT8 -> System.arraycopy(buf, 0, out, done, k);
                case BOOL -> {
                    boolean[] b = (boolean[]) out;
                    for (int i = 0; i < k; i++) {
                        b[done + i] = buf[i] != 0;
                    }
                }
            }
            done += k;
        }
        return out;
    }

    /** Reorders elements stored first-axis-fastest into row-major order. */
    private static Object fortranToC(Object src, int[] shape) {
        int n = java.lang.reflect.Array.getLength(src);
        Object dst = java.lang.reflect.Array.newInstance(src.getClass().getComponentType(), n);
        int rank = shape.length;
        int[] fStride = new int[rank];
        for (int k = 0, s = 1; k < rank; k++) {
            fStride[k] = s;
            s *= shape[k];
        }
        int[] index = new int[rank];
        int f = 0;
        for (int c = 0; c < n; c++) {
            System.arraycopy(src, f, dst, c, 1);
            for (int k = rank - 1; k >= 0; k--) {    // advance the row-major index, last axis fastest
                f += fStride[k];
                if (++index[k] < shape[k]) {
                    break;
                }
                f -= fStride[k] * shape[k];
                index[k] = 0;
            }
        }
        return dst;
    }

    private static String describe(Header h) {
        return h.type.displayName() + Arrays.toString(h.shape);
    }

    private static SparqException truncated(String name, Header h, long got) {
        return corrupt(name, "truncated: header declares " + describe(h) + " = " + h.dataBytes
                + " data bytes, the data ends after " + got);
    }

    private static SparqException corrupt(String name, String message) {
        return new SparqException(ErrorCode.CORRUPT_FILE, name + ": " + message);
    }

    /** Maps an I/O failure to CORRUPT_FILE when the bytes were bad, IO_ERROR when the OS failed. */
    static SparqException failure(String name, IOException e) {
        if (e instanceof java.util.zip.ZipException || e instanceof java.io.EOFException) {
            return new SparqException(ErrorCode.CORRUPT_FILE, name + ": " + e.getMessage(), e);
        }
        if (e instanceof java.nio.file.NoSuchFileException) {
            return new SparqException(ErrorCode.IO_ERROR, name + ": no such file", e);
        }
        return new SparqException(ErrorCode.IO_ERROR, name + ": cannot read: " + e, e);
    }

    /**
     * Parses the Python literal subset numpy headers use: dicts, tuples, lists, strings, integers
     * (with Python 2's optional {@code L}), {@code True}, {@code False} and {@code None}.
     */
    private static final class HeaderParser {
        /** A numpy header nests two deep (a dict holding a tuple); this bounds the recursion. */
        private static final int MAX_DEPTH = 8;
        private final String text;
        private final String name;
        private int pos;
        private int depth;

        HeaderParser(String text, String name) {
            this.text = text;
            this.name = name;
        }

        Object parse() {
            Object value = value();
            skipSpace();
            if (pos != text.length()) {
                throw error("unexpected text after the header dict");
            }
            return value;
        }

        private Object value() {
            skipSpace();
            if (pos >= text.length()) {
                throw error("header ends early");
            }
            char c = text.charAt(pos);
            if ((c == '{' || c == '(' || c == '[') && depth == MAX_DEPTH) {
                throw error("containers nested more than " + MAX_DEPTH + " deep");
            }
            if (c == '{') {
                Map<Object, Object> dict = new java.util.LinkedHashMap<>();
                pos++;
                depth++;
                while (!closes('}')) {
                    Object key = value();
                    if (dict.containsKey(key)) {
                        throw error("duplicate key " + key);
                    }
                    expect(':');
                    dict.put(key, value());
                    separator('}');
                }
                depth--;
                return dict;
            }
            if (c == '(' || c == '[') {
                char close = c == '(' ? ')' : ']';
                List<Object> items = new ArrayList<>();
                pos++;
                depth++;
                while (!closes(close)) {
                    items.add(value());
                    separator(close);
                }
                depth--;
                return items;
            }
            if (c == '\'' || c == '"') {
                int end = text.indexOf(c, pos + 1);
                if (end < 0) {
                    throw error("unterminated string");
                }
                String s = text.substring(pos + 1, end);
                pos = end + 1;
                return s;
            }
            int start = pos;
            while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '-')) {
                pos++;
            }
            String word = text.substring(start, pos);
            switch (word) {
                case "True": return Boolean.TRUE;
                case "False": return Boolean.FALSE;
                case "None": return null;
                default:
                    String digits = word.endsWith("L") ? word.substring(0, word.length() - 1) : word;
                    try {
                        return Long.parseLong(digits);
                    } catch (NumberFormatException e) {
                        throw error("unexpected '" + (word.isEmpty() ? String.valueOf(c) : word) + "'");
                    }
            }
        }

        private boolean closes(char close) {
            skipSpace();
            if (pos < text.length() && text.charAt(pos) == close) {
                pos++;
                return true;
            }
            return false;
        }

        private void separator(char close) {
            skipSpace();
            if (pos < text.length() && text.charAt(pos) == ',') {
                pos++;
            } else if (pos >= text.length() || text.charAt(pos) != close) {
                throw error("expected ',' or '" + close + "'");
            }
        }

        private void expect(char c) {
            skipSpace();
            if (pos >= text.length() || text.charAt(pos) != c) {
                throw error("expected '" + c + "'");
            }
            pos++;
        }

        private void skipSpace() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }

        private SparqException error(String what) {
            return corrupt(name, "bad header at character " + pos + ": " + what + " in " + text.strip());
        }
    }
}
