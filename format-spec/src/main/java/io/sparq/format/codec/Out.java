package io.sparq.format.codec;

import io.sparq.format.ErrorCode;
import io.sparq.format.SparqException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A growing little-endian byte buffer for the parsed sections (metadata, graph, tensor table). */
final class Out {
    private ByteBuffer buf = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);

    private ByteBuffer room(int n) {
        if (buf.remaining() < n) {
            long want = Math.max((long) buf.capacity() * 2, (long) buf.position() + n);
            if (want > SparqFormat.MAX_FILE_BYTES) {
                throw new SparqException(ErrorCode.INVALID_MODEL, "section larger than " + SparqFormat.MAX_FILE_BYTES + " bytes");
            }
            ByteBuffer bigger = ByteBuffer.allocate((int) want).order(ByteOrder.LITTLE_ENDIAN);
            buf.flip();
            bigger.put(buf);
            buf = bigger;
        }
        return buf;
    }

    void u8(int v) {
        room(1).put((byte) v);
    }

    void u16(int v) {
        room(2).putShort((short) v);
    }

    void u32(long v) {
        room(4).putInt((int) v);
    }

    void u64(long v) {
        room(8).putLong(v);
    }

    void f32(float v) {
        room(4).putFloat(v);
    }

    void f64(double v) {
        room(8).putDouble(v);
    }

    void bytes(byte[] b) {
        room(b.length).put(b);
    }

    void zeros(int n) {
        room(n).put(new byte[n]);
    }

    /** A u32 length and the UTF-8 bytes; refuses unpaired surrogates and strings over {@code maxBytes}. */
    void str(String s, int maxBytes, ErrorCode code, String what) {
        byte[] b;
        try {
            ByteBuffer enc = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(java.nio.CharBuffer.wrap(s));
            b = Arrays.copyOf(enc.array(), enc.limit());
        } catch (CharacterCodingException e) {
            throw new SparqException(code, what + " is not valid Unicode (unpaired surrogate)");
        }
        if (b.length > maxBytes) {
            throw new SparqException(code, what + " is " + b.length + " bytes of UTF-8, the limit is " + maxBytes);
        }
        u32(b.length);
        bytes(b);
    }

    int size() {
        return buf.position();
    }

    /** The bytes written so far, as a read-only little-endian buffer. */
    ByteBuffer toBuffer() {
        return ByteBuffer.wrap(Arrays.copyOf(buf.array(), buf.position())).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }
}
