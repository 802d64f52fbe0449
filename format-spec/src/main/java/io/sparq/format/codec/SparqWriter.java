package io.sparq.format.codec;

import io.sparq.format.ErrorCode;
import io.sparq.format.Graph;
import io.sparq.format.SparqException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import java.util.zip.CRC32C;

/**
 * Writes {@code .sparq} files (format {@value SparqFormat#MAJOR_VERSION}.{@value SparqFormat#MINOR_VERSION} when a
 * tensor uses an encoding of that minor version, otherwise the lowest minor version that has every encoding used).
 * The graph is checked and every tensor encoded before the first byte is written; files appear
 * atomically (temporary file in the same folder, fsync, rename), so a failed write never leaves a
 * partial file and never touches an existing one.
 */
public final class SparqWriter {
    private SparqWriter() {
    }

    /** Writes every tensor dense in its own type, with no file metadata. */
    public static void write(Path target, Graph graph) {
        write(target, graph, Map.of(), Map.of());
    }

    /**
     * Writes {@code graph} to {@code target}, replacing it atomically.
     *
     * @param encodings per initializer name, how to store it; initializers not named are stored dense
     *                  (TENSOR attribute values are always dense)
     * @param metadata  file-level key/value metadata (SPEC.md §4 lists the well-known keys)
     */
    public static void write(Path target, Graph graph, Map<String, EncodingChoice> encodings, Map<String, MetaValue> metadata) {
        Prepared file = prepare(graph, encodings, metadata);
        writeAtomically(target, file::writeTo);
    }

    /** The bytes of the file {@link #write(Path, Graph, Map, Map)} would write. */
    public static byte[] toBytes(Graph graph, Map<String, EncodingChoice> encodings, Map<String, MetaValue> metadata) {
        Prepared file = prepare(graph, encodings, metadata);
        ByteBuffer out = ByteBuffer.allocate((int) file.size);
        for (ByteBuffer chunk : file.chunks) {
            out.put(chunk.duplicate());
        }
        return out.array();
    }

    /** A complete file as a sequence of buffers (sections, tensors and zero padding), ready to write. */
    private static final class Prepared {
        final List<ByteBuffer> chunks = new ArrayList<>();
        long size;

        void add(ByteBuffer b) {
            chunks.add(b.duplicate());
            size += b.remaining();
        }

        /** Zero bytes up to the next multiple of 64. */
        void pad() {
            long aligned = SparqFormat.align(size, SparqFormat.DATA_ALIGNMENT);
            if (aligned > size) {
                add(ByteBuffer.allocate((int) (aligned - size)));
            }
        }

        void writeTo(WritableByteChannel ch) throws IOException {
            for (ByteBuffer chunk : chunks) {
                ByteBuffer b = chunk.duplicate();
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            }
        }
    }

    private static Prepared prepare(Graph graph, Map<String, EncodingChoice> encodings, Map<String, MetaValue> metadata) {
        GraphCodec.Encoder ge = new GraphCodec.Encoder();
        ge.graph(graph, null, 0, "graph");
        Set<String> names = ge.tensors.stream().map(GraphCodec.TensorRef::name).filter(n -> !n.isEmpty())
                .collect(Collectors.toCollection(java.util.LinkedHashSet::new));
        for (String name : encodings.keySet()) {
            if (!names.contains(name)) {
                throw new SparqException(ErrorCode.INVALID_ARGUMENT, "Unknown tensor name " + name
                        + " in the encoding choices, expected one of " + names);
            }
        }
        if (ge.tensors.size() > SparqFormat.MAX_TENSORS) {
            throw new SparqException(ErrorCode.INVALID_MODEL, "the graph has " + ge.tensors.size()
                    + " tensors, the limit is " + SparqFormat.MAX_TENSORS);
        }
        List<EncodedTensor> tensors = new ArrayList<>();
        for (GraphCodec.TensorRef ref : ge.tensors) {
            EncodingChoice choice = ref.name().isEmpty() ? EncodingChoice.dense()
                    : encodings.getOrDefault(ref.name(), EncodingChoice.dense());
            tensors.add(EncodedTensor.encode(ref.name(), ref.tensor(), choice));
        }
        ByteBuffer meta = MetadataCodec.write(metadata);
        ByteBuffer graphBytes = ge.out.toBuffer();

        SectionKind[] kinds = SectionKind.values();
        long tableEnd = SparqFormat.HEADER_BYTES + (long) SparqFormat.SECTION_ENTRY_BYTES * kinds.length;
        long metaAt = SparqFormat.align(tableEnd, SparqFormat.DATA_ALIGNMENT);
        long graphAt = SparqFormat.align(metaAt + meta.remaining(), SparqFormat.DATA_ALIGNMENT);
        long tableAt = SparqFormat.align(graphAt + graphBytes.remaining(), SparqFormat.DATA_ALIGNMENT);
        // entries are fixed-width, so the table's length does not depend on the offsets written into it
        long dataAt = SparqFormat.align(tableAt + tensorTable(tensors, 0).remaining(), SparqFormat.DATA_ALIGNMENT);
        ByteBuffer table = tensorTable(tensors, dataAt);
        long dataEnd = dataAt;
        CRC32C dataCrc = new CRC32C();
        for (EncodedTensor t : tensors) {
            long at = SparqFormat.align(dataEnd, SparqFormat.DATA_ALIGNMENT);
            dataCrc.update(new byte[(int) (at - dataEnd)]);
            dataCrc.update(t.data());
            dataEnd = at + t.byteSize();
        }
        if (dataEnd > SparqFormat.MAX_FILE_BYTES) {
            throw new SparqException(ErrorCode.INVALID_ARGUMENT, "the file would be " + dataEnd + " bytes, readers of format "
                    + SparqFormat.MAJOR_VERSION + " map at most " + SparqFormat.MAX_FILE_BYTES);
        }

        ByteBuffer head = ByteBuffer.allocate((int) tableEnd).order(ByteOrder.LITTLE_ENDIAN);
        head.put(SparqFormat.magic());
        head.putShort((short) SparqFormat.MAJOR_VERSION);
        // the lowest minor version that has every encoding used, so files without new encodings stay 1.0
        head.putShort((short) tensors.stream().mapToInt(t -> t.layout().encoding().sinceMinor()).max().orElse(0));
        head.putInt(0);                                   // flags
        head.putLong(dataEnd);                            // file_size
        head.putInt(kinds.length);                        // section_count
        head.position(SparqFormat.HEADER_BYTES);
        long[][] ranges = {{metaAt, meta.remaining()}, {graphAt, graphBytes.remaining()}, {tableAt, table.remaining()},
                {dataAt, dataEnd - dataAt}};
        ByteBuffer[] bodies = {meta, graphBytes, table};
        for (int i = 0; i < kinds.length; i++) {
            head.putInt(kinds[i].code());
            head.putInt(0);                               // flags
            head.putLong(ranges[i][0]);
            head.putLong(ranges[i][1]);
            head.putInt(i < bodies.length ? crc(bodies[i]) : (int) dataCrc.getValue());
            head.putInt(0);                               // reserved
        }
        CRC32C headerCrc = new CRC32C();
        headerCrc.update(head.array(), 0, SparqFormat.HEADER_BYTES - 4);
        headerCrc.update(head.array(), SparqFormat.HEADER_BYTES, (int) tableEnd - SparqFormat.HEADER_BYTES);
        head.putInt(SparqFormat.HEADER_BYTES - 4, (int) headerCrc.getValue());
        head.position(0);

        Prepared file = new Prepared();
        file.add(head);
        for (ByteBuffer body : bodies) {
            file.pad();
            file.add(body);
        }
        for (EncodedTensor t : tensors) {
            file.pad();
            file.add(t.data());
        }
        if (tensors.isEmpty()) {
            file.pad();                                   // the empty data section still starts aligned
        }
        if (file.size != dataEnd) {
            throw new SparqException(ErrorCode.INTERNAL, "laid out " + file.size + " bytes, expected " + dataEnd);
        }
        return file;
    }

    private static ByteBuffer tensorTable(List<EncodedTensor> tensors, long dataAt) {
        Out out = new Out();
        out.u32(tensors.size());
        out.u16(SparqFormat.QUANT_SCHEME_VERSION);
        out.u16(0);
        long next = dataAt;
        for (EncodedTensor t : tensors) {
            TensorLayout l = t.layout();
            int[] shape = l.shape();
            out.str(t.name(), SparqFormat.MAX_NAME_BYTES, ErrorCode.INVALID_MODEL,
                    "tensor name '" + t.name() + "'");
            out.u8(l.type().onnxCode());
            out.u8(l.encoding().code());
            out.u8(l.values().code());
            out.u8(l.index().code());
            out.u16(l.blockSize());
            out.u8(shape.length);
            out.u8(0);
            for (int d : shape) {
                out.u32(d);
            }
            out.u64(l.count());
            long at = SparqFormat.align(next, SparqFormat.DATA_ALIGNMENT);
            out.u64(at);
            out.u64(l.byteSize());
            next = at + l.byteSize();
        }
        return out.toBuffer();
    }

    private static int crc(ByteBuffer b) {
        CRC32C crc = new CRC32C();
        crc.update(b.duplicate());
        return (int) crc.getValue();
    }

    /** Writes a file's bytes. */
    interface Body {
        void writeTo(WritableByteChannel ch) throws IOException;
    }

    /**
     * Writes to a new temporary file beside {@code target}, forces it to disk and renames it over
     * {@code target}; on any failure the temporary file is deleted and {@code target} is untouched.
     */
    static void writeAtomically(Path target, Body body) {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        Path tmp = dir.resolve("." + abs.getFileName() + "." + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + ".tmp");
        boolean moved = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                body.writeTo(ch);
                ch.force(true);
            }
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
            forceDirectory(dir);
        } catch (IOException e) {
            throw new SparqException(ErrorCode.IO_ERROR, "cannot write " + target + ": " + e, e);
        } finally {
            if (!moved) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException e) {
                    // the write already failed; that failure is the one to report
                }
            }
        }
    }

    /** Makes the rename durable; not every platform can open a directory, and there the rename is all we get. */
    private static void forceDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // see above: best effort
        }
    }
}
