package io.sparq.format.codec;

import io.sparq.format.DataType;
import io.sparq.format.ErrorCode;
import io.sparq.format.Float16;
import io.sparq.format.SparqException;
import io.sparq.format.Tensor;
import io.sparq.format.codec.Encoding.Part;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Encodes dense tensors into the byte layouts of SPEC.md §6, checks stored layouts for structural
 * consistency, and decodes them back. Every offset comes from {@link TensorLayout}.
 *
 * <p>A stored element is one whose float bits are not +0.0: -0.0 and NaN are stored, so the
 * lossless encodings reproduce every bit.
 */
final class TensorCodec {
    private TensorCodec() {
    }

    // ---- encode -------------------------------------------------------------------------------

    static EncodedTensor encode(String name, Tensor t, EncodingChoice choice) {
        Encoding enc = choice.encoding();
        ValueFormat vf = choice.values();
        int[] shape = t.shape();
        if ((enc.isSparse() || vf != ValueFormat.NATIVE) && t.type() != DataType.FLOAT32) {
            throw invalid(name, "encoding " + choice + " applies to float32 tensors only, this one is " + t.type().displayName());
        }
        TensorLayout probe = new TensorLayout(t.type(), shape, Encoding.DENSE, ValueFormat.NATIVE, IndexFormat.NONE, 0, 0);
        TensorLayout.Problem shapeProblem = probe.problem();
        if (shapeProblem != null) {
            throw invalid(name, shapeProblem.message());
        }
        float[] x = t.type() == DataType.FLOAT32 ? t.floats() : null;
        if (vf != ValueFormat.NATIVE) {
            requireEncodable(name, x, vf);
        }
        int rows = (int) probe.rows();
        int cols = (int) probe.cols();
        long count = 0;
        IndexFormat index = IndexFormat.NONE;
        if (enc == Encoding.BLOCK_SPARSE) {
            int b = choice.blockSize();
            if (b <= 0) {
                throw invalid(name, "block size " + b + " is not allowed for " + choice);
            }
            long blockCols = (cols + b - 1) / b;
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < blockCols; j++) {
                    if (blockStored(x, r, cols, j, b)) {
                        count++;
                    }
                }
            }
            index = blockCols <= 0x100 ? IndexFormat.U8 : blockCols <= 0x10000 ? IndexFormat.U16 : IndexFormat.U32;
        } else if (enc == Encoding.COLUMN_BLOCK_SPARSE) {
            int b = choice.blockSize();
            if (b <= 0) {
                throw invalid(name, "block size " + b + " is not allowed for " + choice);
            }
            for (int g = 0; (long) g * b < rows; g++) {
                for (int c = 0; c < cols; c++) {
                    if (columnBlockStored(x, g, b, rows, cols, c)) {
                        count++;
                    }
                }
            }
            index = cols <= 0x100 ? IndexFormat.U8 : cols <= 0x10000 ? IndexFormat.U16 : IndexFormat.U32;
        } else if (enc == Encoding.CSR || enc == Encoding.BITMAP) {
            boolean gapsFit = true;
            for (int r = 0; r < rows; r++) {
                int prev = -1;
                for (int c = 0; c < cols; c++) {
                    if (stored(x[r * cols + c])) {
                        count++;
                        gapsFit &= c - prev - 1 <= 0xFF;
                        prev = c;
                    }
                }
            }
            if (enc == Encoding.CSR) {
                index = gapsFit ? IndexFormat.U8_DELTA : cols <= 0x10000 ? IndexFormat.U16 : IndexFormat.U32;
            }
        }
        TensorLayout layout = new TensorLayout(t.type(), shape, enc, vf, index, choice.blockSize(), count);
        TensorLayout.Problem problem = layout.problem();
        if (problem != null) {
            throw invalid(name, problem.message());
        }
        long size = layout.byteSize();
        if (size > SparqFormat.MAX_FILE_BYTES) {
            throw invalid(name, layout + " needs " + size + " bytes, more than a file can hold");
        }
        ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
        if (enc == Encoding.DENSE && vf == ValueFormat.NATIVE) {
            putNative(b, t);
        } else {
            fill(b, layout, x, rows, cols);
        }
        return new EncodedTensor(name, layout, b.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN), -1);
    }

    private static SparqException invalid(String name, String message) {
        return new SparqException(ErrorCode.INVALID_ARGUMENT, (name.isEmpty() ? "attribute tensor" : "tensor '" + name + "'")
                + ": " + message);
    }

    private static boolean stored(float v) {
        return Float.floatToRawIntBits(v) != 0;
    }

    private static boolean blockStored(float[] x, int r, int cols, int j, int b) {
        for (long c = (long) j * b; c < Math.min(cols, (j + 1L) * b); c++) {
            if (stored(x[(int) (r * (long) cols + c)])) {
                return true;
            }
        }
        return false;
    }

    /** Whether rows {@code g·b … g·b + b - 1} (those that exist) hold a stored element in column c. */
    private static boolean columnBlockStored(float[] x, int g, int b, int rows, int cols, int c) {
        for (long r = (long) g * b; r < Math.min(rows, (g + 1L) * b); r++) {
            if (stored(x[(int) (r * cols + c)])) {
                return true;
            }
        }
        return false;
    }

    private static void requireEncodable(String name, float[] x, ValueFormat vf) {
        for (int i = 0; i < x.length; i++) {
            boolean ok = Float.isFinite(x[i]) && (vf != ValueFormat.F16 || Float.isFinite(Float16.toFloat(Float16.fromFloat(x[i]))));
            if (!ok) {
                throw invalid(name, "element " + i + " is " + x[i] + ", which " + vf.displayName() + " cannot represent");
            }
        }
    }

    private static float maxAbs(float[] x, int from, int to) {
        float m = 0;
        for (int i = from; i < to; i++) {
            m = Math.max(m, Math.abs(x[i]));
        }
        return m;
    }

    private static void putNative(ByteBuffer b, Tensor t) {
        switch (t.type()) {
            case FLOAT32: b.asFloatBuffer().put(t.floats()); break;
            case FLOAT64: b.asDoubleBuffer().put(t.doubles()); break;
            case INT64: b.asLongBuffer().put(t.longs()); break;
            case INT32: b.asIntBuffer().put(t.ints()); break;
            case FLOAT16: case INT16: case UINT16: b.asShortBuffer().put(t.shorts()); break;
            case INT8: case UINT8: b.put(0, t.bytes()); break;
            case BOOL:
                boolean[] v = t.bools();
                for (int i = 0; i < v.length; i++) {
                    b.put(i, (byte) (v[i] ? 1 : 0));
                }
                break;
            default: throw new AssertionError(t.type());
        }
    }

    /**
     * Writes every array of a float32 tensor whose layout is not dense/native, one method per
     * encoding (a switch expression, so a new encoding without a writer does not compile).
     */
    private static void fill(ByteBuffer b, TensorLayout l, float[] x, int rows, int cols) {
        int scales = (int) l.partOffset(Part.SCALES);
        int vals = (int) l.partOffset(Part.VALUES);
        long written = switch (l.encoding()) {
            case DENSE -> fillDense(b, l, x, rows, cols, scales, vals);
            case BLOCK_SPARSE -> fillBlocks(b, l, x, rows, cols, scales, vals);
            case COLUMN_BLOCK_SPARSE -> fillColumnBlocks(b, l, x, rows, cols, scales, vals);
            case CSR -> fillCsr(b, l, x, rows, cols, scales, vals);
            case BITMAP -> fillBitmap(b, l, x, rows, cols, scales, vals);
        };
        assert written == l.storedValues() : written + " values written, layout says " + l.storedValues();
    }

    /** Dense int8/int4/f16 values (int4: a scale per group of the block size); returns the values written. */
    private static long fillDense(ByteBuffer b, TensorLayout l, float[] x, int rows, int cols, int scales, int vals) {
        ValueFormat vf = l.values();
        int maxCode = vf.maxCode();
        long k = 0;
        if (vf == ValueFormat.INT4) {
            int g = l.blockSize();
            int groups = (int) l.blocksPerRow();
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < groups; j++) {
                    int from = r * cols + j * g;
                    float s = Quantization.scale(maxAbs(x, from, (int) Math.min(from + (long) g, (r + 1L) * cols)), maxCode);
                    b.putFloat(scales + 4 * (r * groups + j), s);
                    for (int c = j * g; c < Math.min(cols, (j + 1L) * g); c++) {
                        // rows start on a byte: a row holds 2 * ceil(cols / 2) nibbles
                        putValue(b, vals, vf, (long) r * ((cols + 1L) / 2 * 2) + c, x[r * cols + c], s);
                    }
                }
            }
        } else {
            for (int r = 0; r < rows; r++) {
                float s = rowScale(b, scales, vf, x, r, cols);
                for (int c = 0; c < cols; c++) {
                    putValue(b, vals, vf, k++, x[r * cols + c], s);
                }
            }
        }
        return (long) rows * cols;
    }

    /** BLOCK_SPARSE: row pointers, block-column indices and whole blocks; returns the values written. */
    private static long fillBlocks(ByteBuffer b, TensorLayout l, float[] x, int rows, int cols, int scales, int vals) {
        ValueFormat vf = l.values();
        long k = 0;
        int rowPtr = (int) l.partOffset(Part.ROW_PTR);
        int idx = (int) l.partOffset(Part.INDICES);
        int bs = l.blockSize();
        long stored = 0;
        for (int r = 0; r < rows; r++) {
            float s = rowScale(b, scales, vf, x, r, cols);
            for (int j = 0; (long) j * bs < cols; j++) {
                if (blockStored(x, r, cols, j, bs)) {
                    putIndex(b, idx, l.index(), stored++, j);
                    for (long c = (long) j * bs; c < (j + 1L) * bs; c++) {
                        putValue(b, vals, vf, k++, c < cols ? x[(int) (r * (long) cols + c)] : 0f, s);
                    }
                }
            }
            b.putInt(rowPtr + 4 * (r + 1), (int) stored);
        }
        return k;
    }

    /** COLUMN_BLOCK_SPARSE: per row group, column indices and B values down the column; returns the values written. */
    private static long fillColumnBlocks(ByteBuffer b, TensorLayout l, float[] x, int rows, int cols, int scales, int vals) {
        ValueFormat vf = l.values();
        long k = 0;
        int rowPtr = (int) l.partOffset(Part.ROW_PTR);
        int idx = (int) l.partOffset(Part.INDICES);
        int bs = l.blockSize();
        float[] s = new float[rows];
        for (int r = 0; r < rows; r++) {
            s[r] = rowScale(b, scales, vf, x, r, cols);
        }
        long stored = 0;
        for (int g = 0; g < l.rowGroups(); g++) {
            for (int c = 0; c < cols; c++) {
                if (columnBlockStored(x, g, bs, rows, cols, c)) {
                    putIndex(b, idx, l.index(), stored++, c);
                    for (long r = (long) g * bs; r < (g + 1L) * bs; r++) {
                        putValue(b, vals, vf, k++, r < rows ? x[(int) (r * cols + c)] : 0f, r < rows ? s[(int) r] : 0f);
                    }
                }
            }
            b.putInt(rowPtr + 4 * (g + 1), (int) stored);
        }
        return k;
    }

    /** CSR: row pointers, column indices (u8 gaps or absolute) and values; returns the values written. */
    private static long fillCsr(ByteBuffer b, TensorLayout l, float[] x, int rows, int cols, int scales, int vals) {
        ValueFormat vf = l.values();
        long k = 0;
        int rowPtr = (int) l.partOffset(Part.ROW_PTR);
        int idx = (int) l.partOffset(Part.INDICES);
        boolean delta = l.index() == IndexFormat.U8_DELTA;
        for (int r = 0; r < rows; r++) {
            float s = rowScale(b, scales, vf, x, r, cols);
            int prev = -1;
            for (int c = 0; c < cols; c++) {
                if (stored(x[r * cols + c])) {
                    putIndex(b, idx, l.index(), k, delta ? c - prev - 1 : c);
                    putValue(b, vals, vf, k++, x[r * cols + c], s);
                    prev = c;
                }
            }
            b.putInt(rowPtr + 4 * (r + 1), (int) k);
        }
        return k;
    }

    /** BITMAP: a bit per element, then the stored values in row order; returns the values written. */
    private static long fillBitmap(ByteBuffer b, TensorLayout l, float[] x, int rows, int cols, int scales, int vals) {
        ValueFormat vf = l.values();
        long k = 0;
        int bitmap = (int) l.partOffset(Part.BITMAP);
        int rowBytes = (cols + 7) / 8;
        for (int r = 0; r < rows; r++) {
            float s = rowScale(b, scales, vf, x, r, cols);
            for (int c = 0; c < cols; c++) {
                if (stored(x[r * cols + c])) {
                    int at = bitmap + r * rowBytes + c / 8;
                    b.put(at, (byte) (b.get(at) | 1 << (c % 8)));
                    putValue(b, vals, vf, k++, x[r * cols + c], s);
                }
            }
        }
        return k;
    }

    /** Computes and stores row r's scale when the format is scaled; returns it (0 otherwise). */
    private static float rowScale(ByteBuffer b, int scales, ValueFormat vf, float[] x, int r, int cols) {
        if (!vf.isScaled()) {
            return 0;
        }
        float s = Quantization.scale(maxAbs(x, r * cols, (r + 1) * cols), vf.maxCode());
        b.putFloat(scales + 4 * r, s);
        return s;
    }

    private static void putValue(ByteBuffer b, int base, ValueFormat vf, long k, float v, float scale) {
        switch (vf) {
            case NATIVE: b.putFloat(base + (int) (4 * k), v); break;
            case F16: b.putShort(base + (int) (2 * k), Float16.fromFloat(v)); break;
            case INT8: b.put(base + (int) k, (byte) Quantization.code(v, scale, 127)); break;
            case INT4:
                int at = base + (int) (k >>> 1);
                int q = Quantization.code(v, scale, 7) & 0xF;
                b.put(at, (byte) (b.get(at) | q << ((k & 1) << 2)));   // element 2i in the low nibble
                break;
            default: throw new AssertionError(vf);
        }
    }

    private static void putIndex(ByteBuffer b, int base, IndexFormat f, long k, long value) {
        switch (f) {
            case U8: case U8_DELTA: b.put(base + (int) k, (byte) value); break;
            case U16: b.putShort(base + (int) (2 * k), (short) value); break;
            case U32: b.putInt(base + (int) (4 * k), (int) value); break;
            default: throw new AssertionError(f);
        }
    }

    // ---- read helpers ---------------------------------------------------------------------------

    private static float value(ByteBuffer b, int base, ValueFormat vf, long k, float scale) {
        return switch (vf) {
            case NATIVE -> b.getFloat(base + (int) (4 * k));
            case F16 -> Float16.toFloat(b.getShort(base + (int) (2 * k)));
            case INT8 -> b.get(base + (int) k) * scale;
            // sign-extend the 4-bit code; element 2i is the low nibble
            case INT4 -> ((b.get(base + (int) (k >>> 1)) >> ((k & 1) << 2) & 0xF) << 28 >> 28) * scale;
        };
    }

    private static long index(ByteBuffer b, int base, IndexFormat f, long k) {
        return switch (f) {
            case U8, U8_DELTA -> b.get(base + (int) k) & 0xFF;
            case U16 -> b.getShort(base + (int) (2 * k)) & 0xFFFF;
            case U32 -> Integer.toUnsignedLong(b.getInt(base + (int) (4 * k)));
            case NONE -> throw new IllegalArgumentException("no index array to read");
        };
    }

    private static long rowPtr(ByteBuffer b, int base, int r) {
        return Integer.toUnsignedLong(b.getInt(base + 4 * r));
    }

    // ---- validate -------------------------------------------------------------------------------

    /**
     * Checks what the layout alone cannot: row pointers start at 0, never decrease, end at the
     * stored count; indices are strictly increasing within a row and inside the row; bitmap pad
     * bits are clear and the population equals the count; scales are finite and not negative;
     * bool bytes are 0 or 1. {@code data} is exactly the tensor's bytes, {@code fileOffset} where
     * they start in the file.
     */
    static void validate(TensorLayout l, ByteBuffer data, long fileOffset, Cursor ctx) {
        int rows = (int) l.rows();
        int cols = (int) l.cols();
        if (l.type() == DataType.BOOL) {
            for (int i = 0; i < data.limit(); i++) {
                if ((data.get(i) & 0xFE) != 0) {
                    throw ctx.fail(FormatError.BAD_VALUE, fileOffset + i, "bool element " + i + " is " + (data.get(i) & 0xFF) + ", expected 0 or 1");
                }
            }
        }
        if (l.values().isScaled()) {
            int base = (int) l.partOffset(Part.SCALES);
            long n = l.partLength(Part.SCALES) / 4;
            for (int i = 0; i < n; i++) {
                float s = data.getFloat(base + 4 * i);
                if (!(Float.isFinite(s) && s >= 0)) {
                    throw ctx.fail(FormatError.BAD_VALUE, fileOffset + base + 4L * i, "scale " + i + " is " + s + ", expected finite and >= 0");
                }
            }
        }
        long verified = switch (l.encoding()) {
            case DENSE -> 0;   // nothing beyond the scales and bool bytes above
            case BLOCK_SPARSE, CSR, COLUMN_BLOCK_SPARSE -> validateIndexed(l, data, fileOffset, ctx, rows, cols);
            case BITMAP -> validateBitmap(l, data, fileOffset, ctx, rows, cols);
        };
        assert verified == l.count();
    }

    /** Row pointers and (block-)column indices of BLOCK_SPARSE, CSR and COLUMN_BLOCK_SPARSE; returns the stored count they hold. */
    private static long validateIndexed(TensorLayout l, ByteBuffer data, long fileOffset, Cursor ctx, int rows, int cols) {
        boolean blocks = l.encoding() == Encoding.BLOCK_SPARSE;
        long limit = blocks ? l.blocksPerRow() : cols;
        String row = l.encoding().groupsRows() ? "row group " : "row ";
        rows = l.encoding().groupsRows() ? (int) l.rowGroups() : rows;
        int rp = (int) l.partOffset(Part.ROW_PTR);
        if (rowPtr(data, rp, 0) != 0) {
            throw ctx.fail(FormatError.BAD_INDEX, fileOffset + rp, "row_ptr[0] is " + rowPtr(data, rp, 0) + ", expected 0");
        }
        for (int r = 0; r < rows; r++) {
            long from = rowPtr(data, rp, r);
            long to = rowPtr(data, rp, r + 1);
            if (to < from || to - from > limit) {
                throw ctx.fail(FormatError.BAD_INDEX, fileOffset + rp + 4L * (r + 1), "row_ptr[" + (r + 1) + "] is " + to
                        + " after " + from + ", expected between them and " + (from + limit));
            }
        }
        if (rowPtr(data, rp, rows) != l.count()) {
            throw ctx.fail(FormatError.BAD_INDEX, fileOffset + rp + 4L * rows, "row_ptr[" + rows + "] is "
                    + rowPtr(data, rp, rows) + ", expected the stored count " + l.count());
        }
        int idx = (int) l.partOffset(Part.INDICES);
        boolean delta = l.index() == IndexFormat.U8_DELTA;
        for (int r = 0; r < rows; r++) {
            long prev = -1;
            for (long k = rowPtr(data, rp, r); k < rowPtr(data, rp, r + 1); k++) {
                long stored = index(data, idx, l.index(), k);
                long column = delta ? prev + 1 + stored : stored;
                if (column >= limit || column <= prev) {
                    throw ctx.fail(FormatError.BAD_INDEX, fileOffset + idx + k * l.index().width(), (blocks ? "block-column" : "column")
                            + " index " + column + " in " + row + r + (column <= prev ? " does not increase (previous " + prev + ")"
                            : " is out of range, expected < " + limit));
                }
                prev = column;
            }
        }
        return l.count();
    }

    /** Bitmap pad bits and population; returns the population. */
    private static long validateBitmap(TensorLayout l, ByteBuffer data, long fileOffset, Cursor ctx, int rows, int cols) {
        int bm = (int) l.partOffset(Part.BITMAP);
        int rowBytes = (cols + 7) / 8;
        int padMask = cols % 8 == 0 ? 0 : 0xFF << (cols % 8) & 0xFF;
        long population = 0;
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < rowBytes; i++) {
                int v = data.get(bm + r * rowBytes + i) & 0xFF;
                if (i == rowBytes - 1 && (v & padMask) != 0) {
                    throw ctx.fail(FormatError.BAD_INDEX, fileOffset + bm + (long) r * rowBytes + i, "bitmap pad bits of row " + r + " are set");
                }
                population += Integer.bitCount(v);
            }
        }
        if (population != l.count()) {
            throw ctx.fail(FormatError.BAD_INDEX, fileOffset + bm, "bitmap has " + population + " set bits, expected the stored count " + l.count());
        }
        return population;
    }

    // ---- decode ---------------------------------------------------------------------------------

    /** The dense tensor a valid layout and its bytes stand for. */
    static Tensor decode(TensorLayout l, ByteBuffer b) {
        int[] shape = l.shape();
        int n = (int) l.elements();
        if (l.encoding() == Encoding.DENSE && l.values() == ValueFormat.NATIVE) {
            return decodeNative(l.type(), shape, n, b);
        }
        ValueFormat vf = l.values();
        int rows = (int) l.rows();
        int cols = (int) l.cols();
        int scales = (int) l.partOffset(Part.SCALES);
        int vals = (int) l.partOffset(Part.VALUES);
        float[] out = switch (l.encoding()) {
            case DENSE -> decodeDense(b, l, rows, cols, scales, vals, new float[n]);
            case BLOCK_SPARSE, CSR -> decodeRows(b, l, rows, cols, scales, vals, new float[n]);
            case COLUMN_BLOCK_SPARSE -> decodeColumnBlocks(b, l, rows, cols, scales, vals, new float[n]);
            case BITMAP -> decodeBitmap(b, l, rows, cols, scales, vals, new float[n]);
        };
        return Tensor.ofFloats(shape, out);
    }

    /** Dense int8/int4/f16 values into out. */
    private static float[] decodeDense(ByteBuffer b, TensorLayout l, int rows, int cols, int scales, int vals, float[] out) {
        ValueFormat vf = l.values();
        if (vf == ValueFormat.INT4) {
            int g = l.blockSize();
            int groups = (int) l.blocksPerRow();
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    float s = b.getFloat(scales + 4 * (r * groups + c / g));
                    out[r * cols + c] = value(b, vals, vf, (long) r * ((cols + 1L) / 2 * 2) + c, s);
                }
            }
        } else {
            for (int r = 0; r < rows; r++) {
                float s = vf.isScaled() ? b.getFloat(scales + 4 * r) : 0;
                for (int c = 0; c < cols; c++) {
                    out[r * cols + c] = value(b, vals, vf, (long) r * cols + c, s);
                }
            }
        }
        return out;
    }

    /** BLOCK_SPARSE and CSR rows into out. */
    private static float[] decodeRows(ByteBuffer b, TensorLayout l, int rows, int cols, int scales, int vals, float[] out) {
        ValueFormat vf = l.values();
        int rp = (int) l.partOffset(Part.ROW_PTR);
        int idx = (int) l.partOffset(Part.INDICES);
        boolean delta = l.index() == IndexFormat.U8_DELTA;
        int bs = l.encoding() == Encoding.BLOCK_SPARSE ? l.blockSize() : 1;
        for (int r = 0; r < rows; r++) {
            float s = vf.isScaled() ? b.getFloat(scales + 4 * r) : 0;
            long prev = -1;
            for (long k = rowPtr(b, rp, r); k < rowPtr(b, rp, r + 1); k++) {
                long stored = index(b, idx, l.index(), k);
                prev = delta ? prev + 1 + stored : stored;
                for (int e = 0; e < bs; e++) {
                    long c = prev * bs + e;
                    if (c < cols) {
                        out[(int) (r * (long) cols + c)] = value(b, vals, vf, k * bs + e, s);
                    }
                }
            }
        }
        return out;
    }

    /** COLUMN_BLOCK_SPARSE row groups into out. */
    private static float[] decodeColumnBlocks(ByteBuffer b, TensorLayout l, int rows, int cols, int scales, int vals, float[] out) {
        ValueFormat vf = l.values();
        int rp = (int) l.partOffset(Part.ROW_PTR);
        int idx = (int) l.partOffset(Part.INDICES);
        int bs = l.blockSize();
        for (int g = 0; g < l.rowGroups(); g++) {
            for (long k = rowPtr(b, rp, g); k < rowPtr(b, rp, g + 1); k++) {
                long c = index(b, idx, l.index(), k);
                for (int e = 0; e < bs; e++) {
                    long r = (long) g * bs + e;
                    if (r < rows) {
                        float s = vf.isScaled() ? b.getFloat(scales + 4 * (int) r) : 0;
                        out[(int) (r * cols + c)] = value(b, vals, vf, k * bs + e, s);
                    }
                }
            }
        }
        return out;
    }

    /** BITMAP rows into out. */
    private static float[] decodeBitmap(ByteBuffer b, TensorLayout l, int rows, int cols, int scales, int vals, float[] out) {
        ValueFormat vf = l.values();
        int bm = (int) l.partOffset(Part.BITMAP);
        int rowBytes = (cols + 7) / 8;
        long k = 0;
        for (int r = 0; r < rows; r++) {
            float s = vf.isScaled() ? b.getFloat(scales + 4 * r) : 0;
            for (int c = 0; c < cols; c++) {
                if ((b.get(bm + r * rowBytes + c / 8) >> (c % 8) & 1) != 0) {
                    out[r * cols + c] = value(b, vals, vf, k++, s);
                }
            }
        }
        return out;
    }

    private static Tensor decodeNative(DataType type, int[] shape, int n, ByteBuffer b) {
        Object data = Tensor.newArray(type, n);
        switch (type) {
            case FLOAT32: b.asFloatBuffer().get((float[]) data); break;
            case FLOAT64: b.asDoubleBuffer().get((double[]) data); break;
            case INT64: b.asLongBuffer().get((long[]) data); break;
            case INT32: b.asIntBuffer().get((int[]) data); break;
            case FLOAT16: case INT16: case UINT16: b.asShortBuffer().get((short[]) data); break;
            case INT8: case UINT8: b.get(0, (byte[]) data); break;
            case BOOL:
                boolean[] v = (boolean[]) data;
                for (int i = 0; i < n; i++) {
                    v[i] = b.get(i) != 0;
                }
                break;
            default: throw new AssertionError(type);
        }
        return Tensor.of(type, shape, data);
    }
}
