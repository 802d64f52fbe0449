package io.sparq.format.codec;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads little-endian fields from one byte range of a file, checking every length against what is
 * left before anything is allocated; failures name the file, the structure ({@link #where}) and
 * the absolute offset.
 */
final class Cursor {
    private final ByteBuffer buf;
    private final String source;
    private final int end;
    private int pos;
    /** What is being read, e.g. {@code graph 'main' > node 'lstm_1' (LSTM)}; callers update it as they descend. */
    String where;

    Cursor(ByteBuffer buf, int start, int end, String source, String where) {
        this.buf = buf;
        this.pos = start;
        this.end = end;
        this.source = source;
        this.where = where;
    }

    int pos() {
        return pos;
    }

    int remaining() {
        return end - pos;
    }

    FormatException fail(FormatError error, long offset, String detail) {
        return new FormatException(error, source + ": " + where, offset, detail);
    }

    private int take(long n, String what) {
        if (n > end - pos) {
            throw fail(FormatError.TRUNCATED, pos, what + " needs " + n + " bytes, only " + (end - pos) + " remain");
        }
        int at = pos;
        pos += (int) n;
        return at;
    }

    int u8(String what) {
        return buf.get(take(1, what)) & 0xFF;
    }

    int u16(String what) {
        return buf.getShort(take(2, what)) & 0xFFFF;
    }

    long u32(String what) {
        return Integer.toUnsignedLong(buf.getInt(take(4, what)));
    }

    /** A u64 field; values of 2^63 and above come back negative and fail every range check. */
    long u64(String what) {
        return buf.getLong(take(8, what));
    }

    long i64(String what) {
        return buf.getLong(take(8, what));
    }

    float f32(String what) {
        return buf.getFloat(take(4, what));
    }

    double f64(String what) {
        return buf.getDouble(take(8, what));
    }

    /** A u32 that must be at most {@code max}. */
    int u32Max(String what, long max) {
        int at = pos;
        long v = u32(what);
        if (v > max) {
            throw fail(FormatError.BAD_VALUE, at, what + " " + v + " exceeds " + max);
        }
        return (int) v;
    }

    /**
     * A u32 count of items that take at least {@code minBytes} each, checked against {@code max} and
     * against the bytes left, so no list is ever sized from an unchecked number.
     */
    int count(String what, long max, int minBytes) {
        int at = pos;
        long n = u32(what + " count");
        if (n > max) {
            throw fail(FormatError.LIMIT_EXCEEDED, at, what + " count " + n + " exceeds the limit " + max);
        }
        if (n * minBytes > end - pos) {
            throw fail(FormatError.TRUNCATED, at, n + " " + what + " need at least " + n * minBytes
                    + " bytes, only " + (end - pos) + " remain");
        }
        return (int) n;
    }

    /** A string: u32 byte length (at most {@code maxBytes}) then that many bytes of valid UTF-8. */
    String str(String what, int maxBytes) {
        int at = pos;
        long len = u32(what + " length");
        if (len > maxBytes) {
            throw fail(FormatError.LIMIT_EXCEEDED, at, what + " is " + len + " bytes, the limit is " + maxBytes);
        }
        int start = take(len, what);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(buf.slice(start, (int) len))
                    .toString();
        } catch (CharacterCodingException e) {
            throw fail(FormatError.BAD_STRING, start, what + " is not valid UTF-8");
        }
    }

    /** A name: like {@link #str} with the name limit, and non-empty when {@code required}. */
    String name(String what, boolean required) {
        int at = pos;
        String s = str(what, SparqFormat.MAX_NAME_BYTES);
        if (required && s.isEmpty()) {
            throw fail(FormatError.BAD_STRING, at, what + " is empty");
        }
        return s;
    }

    /** Bytes that must be zero (reserved fields, padding). */
    void zeros(int n, String what) {
        int at = take(n, what);
        for (int i = 0; i < n; i++) {
            if (buf.get(at + i) != 0) {
                throw fail(FormatError.BAD_VALUE, at + i, what + " must be zero");
            }
        }
    }

    /** Bytes [from, to) of the file, outside this cursor's range, that must be zero (alignment padding). */
    void requireZero(int from, int to, String what) {
        for (int i = from; i < to; i++) {
            if (buf.get(i) != 0) {
                throw fail(FormatError.BAD_LAYOUT, i, what + " must be zero");
            }
        }
    }

    void expectEnd(String what) {
        if (pos != end) {
            throw fail(FormatError.BAD_LAYOUT, pos, (end - pos) + " bytes follow the end of " + what);
        }
    }
}
