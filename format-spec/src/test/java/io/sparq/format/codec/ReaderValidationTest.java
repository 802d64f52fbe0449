package io.sparq.format.codec;

import io.sparq.format.Attribute;
import io.sparq.format.DataType;
import io.sparq.format.ErrorCode;
import io.sparq.format.Graph;
import io.sparq.format.Tensor;
import io.sparq.format.ValueInfo;
import io.sparq.format.codec.Encoding.Part;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One rule of SPEC.md at a time: a valid file is changed to break exactly that rule, its CRCs
 * are repaired, and the reader must reject it with the expected {@link FormatError}, naming
 * where the problem is.
 */
class ReaderValidationTest {
    private static FormatException rejected(byte[] file, FormatError expected, String messagePart) {
        FormatException e = assertThrows(FormatException.class, () -> SparqReader.read(file));
        assertEquals(ErrorCode.CORRUPT_FILE, e.code());
        assertEquals(expected, e.error(), e.getMessage());
        assertTrue(e.getMessage().contains(messagePart), e.getMessage());
        assertTrue(e.getMessage().startsWith("byte array: "), e.getMessage());
        return e;
    }

    private static byte[] golden(String name) {
        return GoldenFileTest.golden(name);
    }

    /** Offset of the field after the name of tensor-table entry {@code name} (its dtype byte). */
    private static int entry(byte[] file, String name) {
        return FileSurgery.string(file, name, FileSurgery.section(file, 3), 0) + name.length();
    }

    /** Offset in the file of one array of a tensor. */
    private static int part(byte[] file, String tensor, Part part) {
        EncodedTensor t = SparqReader.read(file).tensor(tensor);
        return (int) (t.fileOffset() + t.layout().partOffset(part));
    }

    @Test
    void header() {
        byte[] f = golden("dense_f32.sparq");
        byte[] magic = f.clone();
        magic[1] = 'X';
        rejected(magic, FormatError.BAD_MAGIC, "not a .sparq file");
        rejected(FileSurgery.putU16(f, 8, 2), FormatError.UNSUPPORTED_VERSION, "format version 2.0, this reader reads 1.x");
        assertEquals(7, SparqReader.read(FileSurgery.putU16(f, 10, 7)).minorVersion(), "a newer minor version is read");
        rejected(FileSurgery.putU32(f, 12, 1), FormatError.BAD_VALUE, "flags");
        rejected(FileSurgery.putU8(f, 40, 1), FormatError.BAD_VALUE, "reserved header bytes must be zero");
        rejected(FileSurgery.putU64(f, 16, f.length + 1), FormatError.TRUNCATED, "the header declares");
        byte[] longer = FileSurgery.putU64(java.util.Arrays.copyOf(f, f.length + 1), 16, f.length + 1);
        rejected(longer, FormatError.BAD_LAYOUT, "1 bytes follow the last section");
        rejected(FileSurgery.putU32(f, 24, 1000), FormatError.LIMIT_EXCEEDED, "sections count 1000 exceeds the limit 16");
        byte[] crc = f.clone();
        crc[61] ^= 1;
        FormatException e = rejected(crc, FormatError.CHECKSUM_MISMATCH, "header_crc32c");
        assertEquals(60, e.offset());
        rejected(java.util.Arrays.copyOf(f, 10), FormatError.TRUNCATED, "shorter than the 64-byte header");
    }

    @Test
    void anotherKindOfFileIsNamedByItsOwnBytes() {
        rejected("hello\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII), FormatError.BAD_MAGIC,
                "not a .sparq file: it starts with 68 65 6C 6C 6F 0A, where a .sparq file starts with 89 53 50 51 0D 0A 1A 0A");
        byte[] onnx = {0x08, 0x08, 0x12, 0x07, 'p', 'y', 't', 'o', 'r', 'c', 'h'};
        rejected(onnx, FormatError.BAD_MAGIC, "it starts with 08 08 12 07 70 79 74 6F, where a .sparq file starts with"
                + " 89 53 50 51 0D 0A 1A 0A; it looks like an ONNX model: convert it to .sparq first"
                + " (sparq convert MODEL.onnx -o MODEL.sparq)");
    }

    @Test
    void sectionTable() {
        byte[] f = golden("dense_f32.sparq");
        int graphEntry = 64 + 32;
        long graphOffset = FileSurgery.section(f, 2);
        rejected(FileSurgery.putU64(f, graphEntry + 8, graphOffset + 64), FormatError.BAD_LAYOUT, "section offset is");
        rejected(FileSurgery.putU64(f, graphEntry + 16, 1 << 30), FormatError.TRUNCATED, "ends past the end of the file");
        rejected(FileSurgery.putU32(f, graphEntry, 9), FormatError.BAD_VALUE, "unknown section kind 9 not marked optional");
        byte[] optionalUnknown = FileSurgery.putU32(FileSurgery.putU32(f, graphEntry, 9), graphEntry + 4, 1);
        rejected(optionalUnknown, FormatError.BAD_LAYOUT, "the file has no GRAPH section");
        rejected(FileSurgery.putU32(f, graphEntry, 1), FormatError.BAD_LAYOUT, "second METADATA section");
        rejected(FileSurgery.putU32(f, graphEntry + 28, 5), FormatError.BAD_VALUE, "reserved must be zero");
        byte[] body = f.clone();
        body[(int) graphOffset + 1] ^= 1;
        FormatException e = rejected(body, FormatError.CHECKSUM_MISMATCH, "section GRAPH has crc32c");
        assertEquals(graphOffset, e.offset());
        byte[] padding = f.clone();
        padding[(int) graphOffset - 1] = 1;     // the metadata section ends before the graph's aligned start
        rejected(FileSurgery.fixCrcs(padding), FormatError.BAD_LAYOUT, "padding before the section must be zero");
    }

    @Test
    void unknownOptionalSectionsAreSkipped() {
        List<FileSurgery.Section> sections = new ArrayList<>(FileSurgery.sections(golden("dense_f32.sparq")));
        sections.add(2, new FileSurgery.Section(77, SectionKind.OPTIONAL, new byte[] {1, 2, 3}));
        SparqFile file = SparqReader.read(FileSurgery.build(sections));
        Graphs.assertTensorEquals(Tensor.ofLongs(new int[] {2}, -1, 3), file.tensor("shape").toDense(), "shape");
        sections.set(2, new FileSurgery.Section(77, 0, new byte[] {1, 2, 3}));
        rejected(FileSurgery.build(sections), FormatError.BAD_VALUE, "unknown section kind 77");
    }

    @Test
    void tensorTable() {
        byte[] f = golden("csr_f32.sparq");
        int w = entry(f, "w");
        rejected(FileSurgery.putU16(f, FileSurgery.section(f, 3) + 4, 2), FormatError.UNSUPPORTED_VERSION, "quantization scheme 2");
        rejected(FileSurgery.putU8(f, w, 99), FormatError.BAD_VALUE, "unknown dtype 99");
        rejected(FileSurgery.putU8(f, w + 1, 9), FormatError.BAD_VALUE, "unknown encoding 9");
        rejected(FileSurgery.putU8(f, w + 2, 9), FormatError.BAD_VALUE, "unknown value format 9");
        rejected(FileSurgery.putU8(f, w + 3, 1), FormatError.BAD_VALUE, "index format u8 is not allowed for csr");
        rejected(FileSurgery.putU16(f, w + 4, 4), FormatError.BAD_VALUE, "block size 4 is not allowed");
        rejected(FileSurgery.putU8(f, w + 6, 9), FormatError.LIMIT_EXCEEDED, "rank 9 exceeds the limit 8");
        rejected(FileSurgery.putU8(f, w + 7, 1), FormatError.BAD_VALUE, "reserved must be zero");
        rejected(FileSurgery.putU32(f, w + 8, 4), FormatError.BAD_LAYOUT, "data length is 40, float32[4, 6] csr/native u8_delta count=4 takes 48");
        rejected(FileSurgery.putU32(f, w + 8, 0x80000000L), FormatError.BAD_VALUE, "exceeds 2147483647");
        rejected(FileSurgery.putU32(f, w + 12, 1 << 30), FormatError.LIMIT_EXCEEDED, "more than 2147483647 elements");
        rejected(FileSurgery.putU64(f, w + 16, 19), FormatError.BAD_VALUE, "stored element count 19 is outside [0, 18]");
        rejected(FileSurgery.putU64(f, w + 16, -1), FormatError.BAD_VALUE, "count 18446744073709551615");
        long offset = SparqReader.read(f).tensor("w").fileOffset();
        rejected(FileSurgery.putU64(f, w + 24, offset + 64), FormatError.BAD_LAYOUT, "data offset is");
        rejected(FileSurgery.putU64(f, w + 32, 41), FormatError.BAD_LAYOUT, "data length is 41");
        rejected(FileSurgery.putU32(f, FileSurgery.section(f, 3), 1 << 21), FormatError.LIMIT_EXCEEDED, "exceeds the limit 1048576");
        rejected(FileSurgery.putU32(f, FileSurgery.section(f, 3), 2), FormatError.TRUNCATED, "need at least 72 bytes");

        byte[] two = golden("graph_attributes.sparq");
        rejected(FileSurgery.rename(two, FileSurgery.section(two, 3), "Rr", 0, "Wr"), FormatError.DUPLICATE_NAME, "duplicate tensor name 'Wr'");
        byte[] longer = golden("dense_f32.sparq");
        List<FileSurgery.Section> sections = new ArrayList<>(FileSurgery.sections(longer));
        byte[] data = sections.get(3).body();
        sections.set(3, new FileSurgery.Section(4, 0, java.util.Arrays.copyOf(data, data.length + 8)));
        rejected(FileSurgery.build(sections), FormatError.BAD_LAYOUT, "the tensor data section ends at");
    }

    @Test
    void sparseStructure() {
        byte[] csr = golden("csr_f32.sparq");           // row_ptr 0 2 2 4, gaps 1 2 | 0 4, 3×6
        int rowPtr = part(csr, "w", Part.ROW_PTR);
        int idx = part(csr, "w", Part.INDICES);
        rejected(FileSurgery.putU32(csr, rowPtr, 1), FormatError.BAD_INDEX, "row_ptr[0] is 1, expected 0");
        rejected(FileSurgery.putU32(csr, rowPtr + 8, 1), FormatError.BAD_INDEX, "row_ptr[2] is 1 after 2");
        rejected(FileSurgery.putU32(csr, rowPtr + 12, 3), FormatError.BAD_INDEX, "expected the stored count 4");
        FormatException e = rejected(FileSurgery.putU8(csr, idx + 1, 4), FormatError.BAD_INDEX, "column index 6 in row 0 is out of range, expected < 6");
        assertEquals(idx + 1, e.offset());
        assertTrue(e.getMessage().contains("tensor table entry 0 'w'"), e.getMessage());

        byte[] wide = golden("csr_f16_u16.sparq");      // columns 3 290 | 299
        int wideIdx = part(wide, "w", Part.INDICES);
        rejected(FileSurgery.putU16(wide, wideIdx + 2, 3), FormatError.BAD_INDEX, "column index 3 in row 0 does not increase");
        rejected(FileSurgery.putU16(wide, wideIdx + 4, 300), FormatError.BAD_INDEX, "column index 300 in row 1 is out of range");

        byte[] bsr = golden("block_sparse_f32.sparq");  // 3×10, B=4: 3 block columns; indices 0 2 | - | 1
        int bIdx = part(bsr, "w", Part.INDICES);
        rejected(FileSurgery.putU8(bsr, bIdx + 2, 3), FormatError.BAD_INDEX, "block-column index 3 in row 2 is out of range, expected < 3");
        rejected(FileSurgery.putU8(bsr, bIdx, 2), FormatError.BAD_INDEX, "block-column index 2 in row 0 does not increase");
        int bRowPtr = part(bsr, "w", Part.ROW_PTR);
        rejected(FileSurgery.putU32(bsr, bRowPtr + 4, 0xFFFFFFFFL), FormatError.BAD_INDEX, "row_ptr[1] is 4294967295");

        byte[] bitmap = golden("bitmap_f32.sparq");     // 3×10: rows of 2 bytes
        int bits = part(bitmap, "w", Part.BITMAP);
        rejected(FileSurgery.putU8(bitmap, bits + 1, 0x06), FormatError.BAD_INDEX, "bitmap pad bits of row 0 are set");
        rejected(FileSurgery.putU8(bitmap, bits + 2, 0x01), FormatError.BAD_INDEX, "bitmap has 5 set bits, expected the stored count 4");
    }

    @Test
    void scalesAndBools() {
        byte[] int8 = golden("dense_int8.sparq");
        int scales = part(int8, "w", Part.SCALES);
        rejected(FileSurgery.putF32(int8, scales + 4, Float.NaN), FormatError.BAD_VALUE, "scale 1 is NaN");
        rejected(FileSurgery.putF32(int8, scales, -1f), FormatError.BAD_VALUE, "scale 0 is -1.0");
        rejected(FileSurgery.putF32(int8, scales, Float.POSITIVE_INFINITY), FormatError.BAD_VALUE, "expected finite");
        byte[] edge = golden("edge_cases.sparq");
        int flags = part(edge, "flags", Part.VALUES);
        rejected(FileSurgery.putU8(edge, flags + 1, 2), FormatError.BAD_VALUE, "bool element 1 is 2");
    }

    /** A graph whose names are easy to find and change in its bytes. */
    private static byte[] namedGraph() {
        Graph g = new Graph("g", List.of(new ValueInfo("valIn", DataType.FLOAT32, null)),
                List.of(new ValueInfo("valB", DataType.FLOAT32, null)),
                List.of(Graphs.node("nodeA", "Relu", List.of("valIn"), List.of("valA"),
                                Attribute.of("attrI", 1L), Attribute.of("attrS", List.of("s1")),
                                Attribute.of("attrT", Tensor.ofFloats(new int[] {1}, 1f))),
                        Graphs.node("nodeB", "Neg", List.of("valA"), List.of("valB"))),
                Map.of("wgt", Tensor.ofFloats(new int[] {2}, 1f, 2f)), Map.of(), Map.of());
        byte[] f = SparqWriter.toBytes(g, Map.of(), Map.of("keyOne", MetaValue.of(1L), "keyTwo", MetaValue.of(2L)));
        SparqReader.read(f);
        return f;
    }

    @Test
    void graphSection() {
        byte[] f = namedGraph();
        int graph = FileSurgery.section(f, 2);
        rejected(FileSurgery.rename(f, graph, "nodeB", 0, "nodeA"), FormatError.DUPLICATE_NAME, "duplicate node name 'nodeA'");
        rejected(FileSurgery.rename(f, graph, "valA", 1, "valZ"), FormatError.BAD_REFERENCE, "value 'valZ' is used but nothing defines it");
        rejected(FileSurgery.rename(f, graph, "valB", 1, "valA"), FormatError.DUPLICATE_NAME, "output 'valA' is already defined");
        rejected(FileSurgery.rename(f, graph, "attrS", 0, "attrI"), FormatError.DUPLICATE_NAME, "duplicate attribute 'attrI'");
        byte[] utf8 = f.clone();
        utf8[FileSurgery.string(f, "nodeA", graph, 0)] = (byte) 0xFF;
        rejected(FileSurgery.fixCrcs(utf8), FormatError.BAD_STRING, "node name is not valid UTF-8");
        int attrI = FileSurgery.string(f, "attrI", graph, 0) + 5;
        rejected(FileSurgery.putU8(f, attrI, 9), FormatError.BAD_VALUE, "unknown attribute kind 9");
        int attrS = FileSurgery.string(f, "attrS", graph, 0) + 5;
        rejected(FileSurgery.putU32(f, attrS + 1, 0x7FFFFFFF), FormatError.TRUNCATED, "2147483647 STRINGS values need at least");
        int attrT = FileSurgery.string(f, "attrT", graph, 0) + 5;
        rejected(FileSurgery.putU32(f, attrT + 1, 99), FormatError.BAD_REFERENCE, "tensor index 99 is outside the table of 2");
        rejected(FileSurgery.putU32(f, attrT + 1, 0), FormatError.BAD_REFERENCE, "tensor 0 'wgt' is referenced twice");
        int nameLength = FileSurgery.string(f, "nodeA", graph, 0) - 4;
        rejected(FileSurgery.putU32(f, nameLength, 5000), FormatError.LIMIT_EXCEEDED, "node name is 5000 bytes, the limit is 4096");
        rejected(FileSurgery.putU32(f, nameLength, 1 << 20), FormatError.LIMIT_EXCEEDED, "the limit is 4096");
    }

    @Test
    void everyTensorMustBeReferencedOnce() {
        // the graph section of a file with one tensor, over the tensor table of a file with two
        Map<String, Tensor> ab = new java.util.LinkedHashMap<>();
        ab.put("a", Tensor.scalar(1f));
        ab.put("b", Tensor.scalar(2f));
        Graph two = Graphs.ofTensors(ab);
        Graph one = new Graph("tensors", List.of(), List.of(new ValueInfo("a", DataType.FLOAT32, List.of())), List.of(),
                Map.of("a", Tensor.scalar(1f)), Map.of("", 17), Map.of());
        List<FileSurgery.Section> sections = new ArrayList<>(FileSurgery.sections(SparqWriter.toBytes(two, Map.of(), Map.of())));
        sections.set(1, FileSurgery.sections(SparqWriter.toBytes(one, Map.of(), Map.of())).get(1));
        rejected(FileSurgery.build(sections), FormatError.BAD_REFERENCE, "is not referenced by the graph");
    }

    @Test
    void metadataSection() {
        byte[] f = namedGraph();
        int meta = FileSurgery.section(f, 1);
        rejected(FileSurgery.rename(f, meta, "keyTwo", 0, "keyOne"), FormatError.DUPLICATE_NAME, "duplicate metadata key 'keyOne'");
        int type = FileSurgery.string(f, "keyOne", meta, 0) + 6;
        rejected(FileSurgery.putU8(f, type, 0), FormatError.BAD_VALUE, "unknown metadata type 0");
    }

    @Test
    void streamsLongerThanTheLimitAreRefusedWithoutReadingThemWhole() {
        byte[] f = golden("dense_f32.sparq");
        FormatException e = assertThrows(FormatException.class,
                () -> SparqReader.read(new java.io.ByteArrayInputStream(f), 100));
        assertEquals(FormatError.LIMIT_EXCEEDED, e.error());
    }
}
