package io.sparq.format.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Edits {@code .sparq} bytes for tests, written from SPEC.md alone: recomputes the section and
 * header CRC32Cs after a change so that the reader's other checks are the ones exercised.
 */
final class FileSurgery {
    private FileSurgery() {
    }

    /** Recomputes every section CRC whose range lies inside the file, then the header CRC. */
    static byte[] fixCrcs(byte[] file) {
        if (file.length < 64) {
            return file;
        }
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        long count = Integer.toUnsignedLong(b.getInt(24));
        if (count > 1000 || 64 + 32 * count > file.length) {
            return file;
        }
        for (int i = 0; i < count; i++) {
            int entry = 64 + 32 * i;
            long offset = b.getLong(entry + 8);
            long length = b.getLong(entry + 16);
            if (offset >= 0 && length >= 0 && offset <= file.length && length <= file.length - offset) {
                b.putInt(entry + 24, crc(file, (int) offset, (int) length));
            }
        }
        CRC32C crc = new CRC32C();
        crc.update(file, 0, 60);
        crc.update(file, 64, (int) (32 * count));
        b.putInt(60, (int) crc.getValue());
        return file;
    }

    private static int crc(byte[] file, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(file, offset, length);
        return (int) crc.getValue();
    }

    /** Absolute offset of section {@code kind} (1 metadata, 2 graph, 3 tensor table, 4 tensor data). */
    static int section(byte[] file, int kind) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < b.getInt(24); i++) {
            if (b.getInt(64 + 32 * i) == kind) {
                return (int) b.getLong(64 + 32 * i + 8);
            }
        }
        throw new AssertionError("no section " + kind);
    }

    /** Offset of the n-th (0-based) occurrence of a length-prefixed string at or after {@code from}, pointing at its first byte. */
    static int string(byte[] file, String s, int from, int occurrence) {
        byte[] needle = s.getBytes(StandardCharsets.UTF_8);
        byte[] prefixed = ByteBuffer.allocate(4 + needle.length).order(ByteOrder.LITTLE_ENDIAN).putInt(needle.length).put(needle).array();
        int seen = 0;
        for (int i = from; i <= file.length - prefixed.length; i++) {
            if (java.util.Arrays.equals(file, i, i + prefixed.length, prefixed, 0, prefixed.length) && seen++ == occurrence) {
                return i + 4;
            }
        }
        throw new AssertionError("'" + s + "' not found");
    }

    /** Replaces the n-th length-prefixed occurrence of {@code from} (after {@code start}) by {@code to} of the same length. */
    static byte[] rename(byte[] file, int start, String from, int occurrence, String to) {
        byte[] out = file.clone();
        byte[] b = to.getBytes(StandardCharsets.UTF_8);
        if (b.length != from.getBytes(StandardCharsets.UTF_8).length) {
            throw new IllegalArgumentException("same length only");
        }
        System.arraycopy(b, 0, out, string(file, from, start, occurrence), b.length);
        return fixCrcs(out);
    }

    static byte[] putU8(byte[] file, int at, int v) {
        byte[] out = file.clone();
        out[at] = (byte) v;
        return fixCrcs(out);
    }

    static byte[] putU16(byte[] file, int at, int v) {
        byte[] out = file.clone();
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putShort(at, (short) v);
        return fixCrcs(out);
    }

    static byte[] putU32(byte[] file, int at, long v) {
        byte[] out = file.clone();
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putInt(at, (int) v);
        return fixCrcs(out);
    }

    static byte[] putU64(byte[] file, int at, long v) {
        byte[] out = file.clone();
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putLong(at, v);
        return fixCrcs(out);
    }

    static byte[] putF32(byte[] file, int at, float v) {
        return putU32(file, at, Float.floatToRawIntBits(v));
    }

    /** One section: its kind, flags and bytes. */
    record Section(int kind, int flags, byte[] body) {
    }

    static List<Section> sections(byte[] file) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        List<Section> out = new ArrayList<>();
        for (int i = 0; i < b.getInt(24); i++) {
            int entry = 64 + 32 * i;
            int offset = (int) b.getLong(entry + 8);
            out.add(new Section(b.getInt(entry), b.getInt(entry + 4), Arrays.copyOfRange(file, offset, offset + (int) b.getLong(entry + 16))));
        }
        return out;
    }

    /**
     * Lays sections out as a writer must (each at the previous end rounded up to 64, zero padding),
     * with valid CRCs; tensor-table data offsets are moved along with the tensor data section.
     */
    static byte[] build(List<Section> sections) {
        long[] offsets = new long[sections.size()];
        long end = 64 + 32L * sections.size();
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = (end + 63) & -64;
            end = offsets[i] + sections.get(i).body().length;
        }
        byte[] file = new byte[(int) end];
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        b.put(SparqFormat.magic()).putShort((short) 1).putShort((short) 0).putInt(0).putLong(end).putInt(sections.size());
        long dataStart = 0;
        for (int i = 0; i < offsets.length; i++) {
            dataStart = sections.get(i).kind() == 4 ? offsets[i] : dataStart;
        }
        for (int i = 0; i < offsets.length; i++) {
            Section s = sections.get(i);
            byte[] body = s.kind() == 3 ? rebaseTensorTable(s.body(), dataStart) : s.body();
            b.putInt(64 + 32 * i, s.kind()).putInt(64 + 32 * i + 4, s.flags())
                    .putLong(64 + 32 * i + 8, offsets[i]).putLong(64 + 32 * i + 16, body.length);
            System.arraycopy(body, 0, file, (int) offsets[i], body.length);
        }
        return fixCrcs(file);
    }

    /** A copy of a tensor table whose data offsets start at {@code dataStart} (the first entry's offset is the old start). */
    private static byte[] rebaseTensorTable(byte[] table, long dataStart) {
        byte[] out = table.clone();
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        int n = b.getInt(0);
        int at = 8;
        long oldStart = -1;
        for (int i = 0; i < n; i++) {
            at += 4 + b.getInt(at);               // name
            int rank = b.get(at + 6) & 0xFF;
            at += 8 + 4 * rank + 8;               // fields, dims, count
            long offset = b.getLong(at);
            oldStart = oldStart < 0 ? offset : oldStart;
            b.putLong(at, offset - oldStart + dataStart);
            at += 16;                             // offset, length
        }
        return out;
    }
}
