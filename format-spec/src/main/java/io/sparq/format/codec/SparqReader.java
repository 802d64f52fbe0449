package io.sparq.format.codec;

import io.sparq.format.DataType;
import io.sparq.format.ErrorCode;
import io.sparq.format.SparqException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * Reads {@code .sparq} files. Everything is validated before any structure is built from it; every
 * rejection is a {@link FormatException} ({@code CORRUPT_FILE}) naming the structure and byte offset.
 */
public final class SparqReader {
    private SparqReader() {
    }

    /** Memory-maps the file read-only; tensor data is not copied. The file must not change while in use. */
    public static SparqFile read(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > SparqFormat.MAX_FILE_BYTES) {
                throw new FormatException(FormatError.LIMIT_EXCEEDED, file.toString(), 0, "the file is " + size
                        + " bytes, this reader maps at most " + SparqFormat.MAX_FILE_BYTES);
            }
            return read(ch.map(FileChannel.MapMode.READ_ONLY, 0, size), file.toString());
        } catch (IOException e) {
            throw new SparqException(ErrorCode.IO_ERROR, "cannot read " + file + ": " + e, e);
        }
    }

    /** Reads from an array, which is used in place (not copied) and must not change afterwards. */
    public static SparqFile read(byte[] bytes) {
        return read(ByteBuffer.wrap(bytes), "byte array");
    }

    /** Reads the whole stream (at most {@link SparqFormat#MAX_FILE_BYTES}); the caller closes it. */
    public static SparqFile read(InputStream in) {
        return read(in, SparqFormat.MAX_FILE_BYTES);
    }

    /** Reads the whole stream, refusing more than {@code maxBytes}; the caller closes it. */
    public static SparqFile read(InputStream in, long maxBytes) {
        if (maxBytes < 0 || maxBytes > SparqFormat.MAX_FILE_BYTES) {
            throw new SparqException(ErrorCode.INVALID_ARGUMENT, "maxBytes is " + maxBytes + ", expected 0.." + SparqFormat.MAX_FILE_BYTES);
        }
        byte[] bytes;
        try {
            bytes = in.readNBytes((int) maxBytes + 1);   // grows with what arrives, never sized from maxBytes
        } catch (IOException e) {
            throw new SparqException(ErrorCode.IO_ERROR, "cannot read the stream: " + e, e);
        }
        if (bytes.length > maxBytes) {
            throw new FormatException(FormatError.LIMIT_EXCEEDED, "stream", maxBytes, "the stream is longer than the limit of "
                    + maxBytes + " bytes");
        }
        return read(ByteBuffer.wrap(bytes), "stream");
    }

    private static String hex(byte[] bytes) {
        StringBuilder s = new StringBuilder();
        for (byte b : bytes) {
            s.append(s.length() == 0 ? "" : " ").append(String.format("%02X", b & 0xFF));
        }
        return s.length() == 0 ? "(nothing)" : s.toString();
    }

    /**
     * Whether the bytes open like an ONNX {@code ModelProto}: field 1 ({@code ir_version}, a small
     * varint) then field 2, 3, 4, 5, 7 or 8 (producer, domain, version, graph, opset import).
     */
    static boolean looksLikeOnnx(byte[] head) {
        if (head.length < 3 || head[0] != 0x08 || head[1] < 1 || head[1] > 15) {
            return false;
        }
        int next = head[2] & 0xFF;
        return next == 0x12 || next == 0x1A || next == 0x22 || next == 0x28 || next == 0x3A || next == 0x42;
    }

    static SparqFile read(ByteBuffer buffer, String source) {
        ByteBuffer file = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int size = file.limit();
        Cursor h = new Cursor(file, 0, size, source, "header");
        byte[] magic = SparqFormat.magic();
        // the magic first, on what there is: a short file of another kind is not a truncated .sparq file
        byte[] head = new byte[Math.min(size, magic.length)];
        file.get(0, head);
        for (int i = 0; i < head.length; i++) {
            if (head[i] != magic[i]) {
                throw h.fail(FormatError.BAD_MAGIC, i, "not a .sparq file: it starts with " + hex(head) + ", where a"
                        + " .sparq file starts with " + hex(magic) + (looksLikeOnnx(head)
                        ? "; it looks like an ONNX model: convert it to .sparq first (sparq convert MODEL.onnx -o MODEL.sparq)"
                        : ""));
            }
        }
        if (size < SparqFormat.HEADER_BYTES) {
            throw h.fail(FormatError.TRUNCATED, size, "the file is " + size + " bytes, shorter than the "
                    + SparqFormat.HEADER_BYTES + "-byte header");
        }
        Cursor c = new Cursor(file, magic.length, size, source, "header");
        int major = c.u16("major_version");
        int minor = c.u16("minor_version");
        if (major != SparqFormat.MAJOR_VERSION) {
            throw c.fail(FormatError.UNSUPPORTED_VERSION, 8, "format version " + major + "." + minor
                    + ", this reader reads " + SparqFormat.MAJOR_VERSION + ".x");
        }
        long flags = c.u32("flags");
        long fileSize = c.u64("file_size");
        if (fileSize != size) {
            throw c.fail(fileSize < 0 || fileSize > size ? FormatError.TRUNCATED : FormatError.BAD_LAYOUT, 16,
                    "the header declares " + Long.toUnsignedString(fileSize) + " bytes, the file has " + size);
        }
        int sectionCount = c.count("sections", SparqFormat.MAX_SECTIONS, 0);
        int tableEnd = SparqFormat.HEADER_BYTES + SparqFormat.SECTION_ENTRY_BYTES * sectionCount;
        if (tableEnd > size) {
            throw c.fail(FormatError.TRUNCATED, size, "the section table needs " + tableEnd + " bytes, the file has " + size);
        }
        int headerCrc = crc(file, 0, SparqFormat.HEADER_BYTES - 4, SparqFormat.HEADER_BYTES, tableEnd);
        int storedCrc = file.getInt(SparqFormat.HEADER_BYTES - 4);
        if (headerCrc != storedCrc) {
            throw c.fail(FormatError.CHECKSUM_MISMATCH, SparqFormat.HEADER_BYTES - 4, "header_crc32c is "
                    + hex(storedCrc) + ", the header and section table hash to " + hex(headerCrc));
        }
        if (flags != 0) {
            throw c.fail(FormatError.BAD_VALUE, 12, "flags are " + hex((int) flags) + ", no flags are defined");
        }
        c.zeros(32, "reserved header bytes");

        Map<SectionKind, int[]> sections = new EnumMap<>(SectionKind.class);
        long end = tableEnd;
        for (int i = 0; i < sectionCount; i++) {
            int entry = SparqFormat.HEADER_BYTES + SparqFormat.SECTION_ENTRY_BYTES * i;
            Cursor s = new Cursor(file, entry, entry + SparqFormat.SECTION_ENTRY_BYTES, source, "section table entry " + i);
            long kind = s.u32("kind");
            long sectionFlags = s.u32("flags");
            long offset = s.u64("offset");
            long length = s.u64("length");
            int sectionCrc = (int) s.u32("crc32c");
            s.zeros(4, "reserved");
            long expected = SparqFormat.align(end, SparqFormat.DATA_ALIGNMENT);
            if (offset != expected) {
                throw s.fail(FormatError.BAD_LAYOUT, entry + 8, "section offset is " + Long.toUnsignedString(offset)
                        + ", expected " + expected + " (the end of the previous structure rounded up to 64)");
            }
            if (length < 0 || length > size - offset) {
                throw s.fail(FormatError.TRUNCATED, entry + 16, "section of " + Long.toUnsignedString(length) + " bytes at "
                        + offset + " ends past the end of the file (" + size + " bytes)");
            }
            s.requireZero((int) end, (int) offset, "padding before the section");
            if ((sectionFlags & ~SectionKind.OPTIONAL) != 0) {
                throw s.fail(FormatError.BAD_VALUE, entry + 4, "section flags are " + hex((int) sectionFlags)
                        + ", only bit 0 (optional) is defined");
            }
            SectionKind known = SectionKind.fromCode(kind).orElse(null);
            if (known == null && (sectionFlags & SectionKind.OPTIONAL) == 0) {
                throw s.fail(FormatError.BAD_VALUE, entry, "unknown section kind " + kind + " not marked optional");
            }
            if (known != null && sections.containsKey(known)) {
                throw s.fail(FormatError.BAD_LAYOUT, entry, "second " + known + " section");
            }
            int actual = crc(file, (int) offset, (int) (offset + length), 0, 0);
            if (actual != sectionCrc) {
                throw s.fail(FormatError.CHECKSUM_MISMATCH, offset, "section " + (known == null ? kind : known)
                        + " has crc32c " + hex(sectionCrc) + " in the table, its bytes hash to " + hex(actual));
            }
            if (known != null) {
                sections.put(known, new int[] {(int) offset, (int) (offset + length)});
            }
            end = offset + length;
        }
        if (end != size) {
            throw c.fail(FormatError.BAD_LAYOUT, end, (size - end) + " bytes follow the last section");
        }
        for (SectionKind k : SectionKind.values()) {
            if (!sections.containsKey(k)) {
                throw c.fail(FormatError.BAD_LAYOUT, SparqFormat.HEADER_BYTES, "the file has no " + k + " section");
            }
        }
        int[] meta = sections.get(SectionKind.METADATA);
        if (meta[1] - meta[0] > SparqFormat.MAX_METADATA_BYTES) {
            throw c.fail(FormatError.LIMIT_EXCEEDED, meta[0], "the metadata section is " + (meta[1] - meta[0])
                    + " bytes, the limit is " + SparqFormat.MAX_METADATA_BYTES);
        }
        int[] tt = sections.get(SectionKind.TENSOR_TABLE);
        int[] data = sections.get(SectionKind.TENSOR_DATA);
        Cursor tc = new Cursor(file, tt[0], tt[1], source, "tensor table");
        List<EncodedTensor> tensors = new ArrayList<>();
        int quantScheme = readTensorTable(tc, file, data[0], data[1], minor, tensors);
        Map<String, MetaValue> metadata = MetadataCodec.read(new Cursor(file, meta[0], meta[1], source, "metadata section"));
        int[] g = sections.get(SectionKind.GRAPH);
        var graph = new GraphCodec.Decoder(new Cursor(file, g[0], g[1], source, "graph section"), tensors, false).main();
        return new SparqFile(source, major, minor, quantScheme, metadata, graph, tensors, file, g[0], g[1]);
    }

    /** Parses the tensor table, checks each entry's layout, placement and structure; returns the quantization scheme. */
    private static int readTensorTable(Cursor c, ByteBuffer file, int dataStart, int dataEnd, int minor,
                                       List<EncodedTensor> out) {
        int n = c.count("tensors", SparqFormat.MAX_TENSORS, 36);
        int schemeAt = c.pos();
        int scheme = c.u16("quant_scheme_version");
        if (scheme != SparqFormat.QUANT_SCHEME_VERSION) {
            throw c.fail(FormatError.UNSUPPORTED_VERSION, schemeAt, "quantization scheme " + scheme
                    + ", this reader knows " + SparqFormat.QUANT_SCHEME_VERSION);
        }
        c.zeros(2, "reserved");
        Set<String> names = new HashSet<>();
        long next = dataStart;
        for (int i = 0; i < n; i++) {
            int at = c.pos();
            c.where = "tensor table entry " + i;
            String name = c.name("name", false);
            c.where = "tensor table entry " + i + " '" + name + "'";
            if (!name.isEmpty() && !names.add(name)) {
                throw c.fail(FormatError.DUPLICATE_NAME, at, "duplicate tensor name '" + name + "'");
            }
            int fieldAt = c.pos();
            int dtypeCode = c.u8("dtype");
            int encodingCode = c.u8("encoding");
            int valuesCode = c.u8("values");
            int indexCode = c.u8("index");
            DataType type = DataType.fromOnnx(dtypeCode)
                    .orElseThrow(() -> c.fail(FormatError.BAD_VALUE, fieldAt, "unknown dtype " + dtypeCode));
            Encoding encoding = Encoding.fromCode(encodingCode)
                    .orElseThrow(() -> c.fail(FormatError.BAD_VALUE, fieldAt + 1, "unknown encoding " + encodingCode));
            if (encoding.sinceMinor() > minor) {
                throw c.fail(FormatError.BAD_VALUE, fieldAt + 1, "encoding " + encoding.displayName() + " needs format 1."
                        + encoding.sinceMinor() + ", the header declares 1." + minor);
            }
            ValueFormat values = ValueFormat.fromCode(valuesCode)
                    .orElseThrow(() -> c.fail(FormatError.BAD_VALUE, fieldAt + 2, "unknown value format " + valuesCode));
            IndexFormat index = IndexFormat.fromCode(indexCode)
                    .orElseThrow(() -> c.fail(FormatError.BAD_VALUE, fieldAt + 3, "unknown index format " + indexCode));
            int blockSize = c.u16("block");
            int rankAt = c.pos();
            int rank = c.u8("rank");
            if (rank > SparqFormat.MAX_RANK) {
                throw c.fail(FormatError.LIMIT_EXCEEDED, rankAt, "rank " + rank + " exceeds the limit " + SparqFormat.MAX_RANK);
            }
            c.zeros(1, "reserved");
            int[] shape = new int[rank];
            for (int d = 0; d < rank; d++) {
                shape[d] = c.u32Max("dimension " + d, Integer.MAX_VALUE);
            }
            long count = c.u64("count");
            int offsetAt = c.pos();
            long offset = c.u64("offset");
            long length = c.u64("length");
            TensorLayout layout = new TensorLayout(type, shape, encoding, values, index, blockSize, count);
            TensorLayout.Problem problem = layout.problem();
            if (problem != null) {
                throw c.fail(problem.error(), at, problem.message());
            }
            long expected = SparqFormat.align(next, SparqFormat.DATA_ALIGNMENT);
            if (offset != expected) {
                throw c.fail(FormatError.BAD_LAYOUT, offsetAt, "data offset is " + Long.toUnsignedString(offset) + ", expected "
                        + expected + " (the previous tensor's end rounded up to 64)");
            }
            long size = layout.byteSize();
            if (length != size) {
                throw c.fail(FormatError.BAD_LAYOUT, offsetAt + 8, "data length is " + Long.toUnsignedString(length)
                        + ", " + layout + " takes " + size);
            }
            if (size > dataEnd - offset) {
                throw c.fail(FormatError.BAD_LAYOUT, offsetAt, "data [" + offset + ", " + (offset + size)
                        + ") ends past the tensor data section [" + dataStart + ", " + dataEnd + ")");
            }
            c.requireZero((int) next, (int) offset, "padding before the tensor's data");
            ByteBuffer bytes = file.slice((int) offset, (int) size).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
            TensorCodec.validate(layout, bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN), offset, c);
            out.add(new EncodedTensor(name, layout, bytes, offset));
            next = offset + size;
        }
        c.where = "tensor table";
        c.expectEnd("the tensor table");
        if (next != dataEnd) {
            throw c.fail(FormatError.BAD_LAYOUT, next, "the tensor data section ends at " + dataEnd + ", its last tensor at " + next);
        }
        return scheme;
    }

    /** CRC32C of bytes [from, to) followed by [from2, to2). */
    static int crc(ByteBuffer file, int from, int to, int from2, int to2) {
        CRC32C crc = new CRC32C();
        crc.update(file.slice(from, to - from));
        crc.update(file.slice(from2, to2 - from2));
        return (int) crc.getValue();
    }

    private static String hex(int v) {
        return String.format("0x%08X", v);
    }
}
