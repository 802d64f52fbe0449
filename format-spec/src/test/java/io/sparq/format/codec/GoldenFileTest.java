package io.sparq.format.codec;

import io.sparq.format.Attribute;
import io.sparq.format.DataType;
import io.sparq.format.Dim;
import io.sparq.format.Graph;
import io.sparq.format.Tensor;
import io.sparq.format.ValueInfo;
import io.sparq.format.codec.Encoding.Part;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Reads the committed version-1 files and checks them against values derived by hand from the
 * inputs in {@link GoldenFiles} and the layouts of SPEC.md §6: decoded values, and the raw arrays
 * (row pointers, indices, scales, codes) byte for byte. The writer must still produce each file
 * exactly.
 */
class GoldenFileTest {
    static byte[] golden(String file) {
        try (InputStream in = GoldenFileTest.class.getResourceAsStream("/v1/" + file)) {
            assertNotNull(in, "golden file v1/" + file + " is missing");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static List<GoldenFiles.Case> cases() {
        return GoldenFiles.cases();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void writerStillProducesTheSameBytes(GoldenFiles.Case c) {
        assertArrayEquals(golden(c.file()), SparqWriter.toBytes(c.graph(), c.encodings(), c.metadata()),
                c.file() + ": the writer's output changed; version-1 files are frozen, a format change needs a new version");
    }

    @ParameterizedTest
    @MethodSource("cases")
    void graphReadsBackAsWritten(GoldenFiles.Case c) {
        SparqFile file = SparqReader.read(golden(c.file()));
        Graphs.assertGraphEquals(Graphs.withoutInitializers(c.graph()), file.graph());
        if (c.encodings().values().stream().allMatch(e -> e.values() == ValueFormat.NATIVE)) {
            Graphs.assertGraphEquals(c.graph(), file.denseGraph());   // lossy values are checked one by one below
        }
        assertEquals(c.metadata(), file.metadata());
    }

    private static SparqFile read(String file) {
        return SparqReader.read(golden(file));
    }

    private static EncodedTensor w(String file, Encoding encoding, ValueFormat values, IndexFormat index, int block, long count) {
        EncodedTensor t = read(file).tensor("w");
        assertEquals(encoding, t.layout().encoding(), file);
        assertEquals(values, t.layout().values(), file);
        assertEquals(index, t.layout().index(), file);
        assertEquals(block, t.layout().blockSize(), file);
        assertEquals(count, t.layout().count(), file);
        return t;
    }

    private static void assertFloats(float[] expected, Tensor actual) {
        Graphs.assertTensorEquals(Tensor.ofFloats(actual.shape(), expected), actual, "decoded");
    }

    private static int[] u8(ByteBuffer b) {
        int[] v = new int[b.remaining()];
        for (int i = 0; i < v.length; i++) {
            v[i] = b.get(i) & 0xFF;
        }
        return v;
    }

    private static int[] u16(ByteBuffer b) {
        int[] v = new int[b.remaining() / 2];
        for (int i = 0; i < v.length; i++) {
            v[i] = b.getShort(2 * i) & 0xFFFF;
        }
        return v;
    }

    private static int[] u32(ByteBuffer b) {
        int[] v = new int[b.remaining() / 4];
        for (int i = 0; i < v.length; i++) {
            v[i] = b.getInt(4 * i);
        }
        return v;
    }

    private static float[] f32(ByteBuffer b) {
        float[] v = new float[b.remaining() / 4];
        for (int i = 0; i < v.length; i++) {
            v[i] = b.getFloat(4 * i);
        }
        return v;
    }

    @Test
    void denseF32() {
        byte[] bytes = golden("dense_f32.sparq");
        ByteBuffer b = ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertArrayEquals(new byte[] {(byte) 0x89, 'S', 'P', 'Q', '\r', '\n', 0x1A, '\n', 1, 0, 0, 0, 0, 0, 0, 0},
                Arrays.copyOf(bytes, 16), "magic, version 1.0, flags");
        assertEquals(bytes.length, b.getLong(16), "file_size");
        assertEquals(4, b.getInt(24), "section_count");
        for (int i = 0; i < 4; i++) {
            assertEquals(i + 1, b.getInt(64 + 32 * i), "section kinds in order");
            assertEquals(0, b.getLong(64 + 32 * i + 8) % 64, "section offsets are 64-aligned");
        }
        SparqFile file = SparqReader.read(bytes);
        assertEquals(List.of("W", "B", "shape"), List.copyOf(file.tensors().keySet()));
        EncodedTensor w = file.tensor("W");
        assertEquals("float32[3, 4] dense/native", w.layout().toString());
        assertArrayEquals(new float[] {0.5f, -1.25f, 2f, 0f, 3f, 0.125f, -0.75f, 1f, 0f, 0f, 0f, -2.5f}, f32(w.data()));
        assertArrayEquals(new int[] {0xCD, 0xCC, 0xCC, 0x3D}, Arrays.copyOf(u8(file.tensor("B").data()), 4), "0.1f little-endian");
        Graphs.assertTensorEquals(Tensor.ofLongs(new int[] {2}, -1, 3), file.tensor("shape").toDense(), "shape");
        Graph g = file.graph();
        assertEquals("gemm", g.name());
        assertEquals(List.of(new ValueInfo("X", DataType.FLOAT32, List.of(Dim.symbol("batch"), Dim.of(4)))), g.inputs());
        assertEquals("Gemm", g.nodes().get(0).opType());
        assertEquals(1L, g.nodes().get(0).attributes().get("transB").value());
        assertEquals(Map.of("", 17), g.opsets());
        assertEquals(MetaValue.of(0.25), file.metadata().get("sparq.tensor.W.sparsity"));
        assertEquals(MetaValue.of(new long[] {0, 100, 1000}), file.metadata().get("steps"));
        assertEquals(8, file.metadata().size());
    }

    @Test
    void denseF16() {
        EncodedTensor t = w("dense_f16.sparq", Encoding.DENSE, ValueFormat.F16, IndexFormat.NONE, 0, 0);
        assertArrayEquals(new int[] {0x3C00, 0xC100, 0x2E66, 0x7BFF, 0x0002, 0x8000, 0x4248, 0x6400}, u16(t.part(Part.VALUES)));
        assertFloats(new float[] {1f, -2.5f, 0.0999755859375f, 65504f, 0x1p-23f, -0f, 3.140625f, 1024f}, t.toDense());
    }

    @Test
    void denseInt8() {
        EncodedTensor t = w("dense_int8.sparq", Encoding.DENSE, ValueFormat.INT8, IndexFormat.NONE, 0, 0);
        assertEquals(16, t.byteSize());
        assertArrayEquals(new float[] {1f, 0.5f}, f32(t.part(Part.SCALES)));
        assertArrayEquals(new int[] {127, 256 - 64, 0, 3, 127, 256 - 20, 4, 0}, u8(t.part(Part.VALUES)));
        assertFloats(new float[] {127, -64, 0, 3, 63.5f, -10, 2, 0}, t.toDense());
    }

    @Test
    void denseInt4() {
        EncodedTensor t = w("dense_int4.sparq", Encoding.DENSE, ValueFormat.INT4, IndexFormat.NONE, 16, 0);
        assertArrayEquals(new float[] {1f, 0.5f, 0f, 2f}, f32(t.part(Part.SCALES)), "one scale per 16 elements of a row");
        assertEquals(16, t.layout().partOffset(Part.VALUES));
        assertArrayEquals(new int[] {0x97, 0x24, 0x0E, 0xF1, 0xA6, 0xB5, 0xC4, 0x10, 0x94, 0x01,
                0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x07}, u8(t.part(Part.VALUES)), "rows of ceil(19/2) bytes, low nibble first");
        assertFloats(new float[] {7, -7, 4, 2, -2, 0, 1, -1, 6, -6, 5, -5, 4, -4, 0, 1, 2, -3.5f, 0.5f,
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 14}, t.toDense());
    }

    @Test
    void blockSparseF32() {
        EncodedTensor t = w("block_sparse_f32.sparq", Encoding.BLOCK_SPARSE, ValueFormat.NATIVE, IndexFormat.U8, 4, 3);
        assertEquals(72, t.byteSize());
        assertArrayEquals(new int[] {0, 2, 2, 3}, u32(t.part(Part.ROW_PTR)));
        assertArrayEquals(new int[] {0, 2, 1}, u8(t.part(Part.INDICES)));
        assertEquals(24, t.layout().partOffset(Part.VALUES));
        assertArrayEquals(new float[] {1, 0, 0, 0, 0, 2, 0, 0, 3, 0, -4, 0}, f32(t.part(Part.VALUES)));
        assertFloats(new float[] {1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, -4, 0, 0, 0},
                t.toDense());
    }

    @Test
    void blockSparseInt8() {
        EncodedTensor t = w("block_sparse_int8.sparq", Encoding.BLOCK_SPARSE, ValueFormat.INT8, IndexFormat.U8, 8, 2);
        assertArrayEquals(new int[] {0, 1, 2}, u32(t.part(Part.ROW_PTR)));
        assertArrayEquals(new float[] {1f, 0.5f}, f32(t.part(Part.SCALES)));
        assertArrayEquals(new int[] {1, 0}, u8(t.part(Part.INDICES)));
        assertArrayEquals(new int[] {127, 0, 256 - 3, 0, 0, 0, 0, 2, 256 - 127, 0, 0, 0, 0, 0, 0, 0}, u8(t.part(Part.VALUES)));
        assertEquals(48, t.byteSize());
        float[] expected = new float[32];
        expected[8] = 127;
        expected[10] = -3;
        expected[15] = 2;
        expected[16] = -63.5f;
        assertFloats(expected, t.toDense());
    }

    @Test
    void columnBlockSparseInt8() {
        byte[] bytes = golden("column_block_sparse_int8.sparq");
        assertArrayEquals(new byte[] {1, 0, 1, 0}, Arrays.copyOfRange(bytes, 8, 12), "version 1.1: the file uses a 1.1 encoding");
        EncodedTensor t = w("column_block_sparse_int8.sparq", Encoding.COLUMN_BLOCK_SPARSE, ValueFormat.INT8, IndexFormat.U8, 4, 3);
        assertEquals(2, t.layout().rowGroups());
        assertArrayEquals(new int[] {0, 1, 3}, u32(t.part(Part.ROW_PTR)), "one pointer per group of 4 rows");
        assertArrayEquals(new float[] {1f, 0f, 0.5f, 0f, 2f, 0.25f}, f32(t.part(Part.SCALES)), "one scale per row");
        assertArrayEquals(new int[] {1, 0, 2}, u8(t.part(Part.INDICES)), "columns");
        assertArrayEquals(new int[] {127, 0, 256 - 127, 0, 127, 0, 0, 0, 0, 256 - 127, 0, 0}, u8(t.part(Part.VALUES)),
                "each block's 4 rows; rows 6 and 7 do not exist and are zero");
        assertEquals(60, t.byteSize());
        assertFloats(new float[] {0, 127, 0, 0, 0, 0, 0, -63.5f, 0, 0, 0, 0, 254, 0, 0, 0, 0, -31.75f}, t.toDense());
    }

    @Test
    void oneZeroFileCannotUseAnEncodingOfOneOne() {
        byte[] bytes = FileSurgery.putU16(golden("column_block_sparse_int8.sparq"), 10, 0);   // declare 1.0
        FormatException e = org.junit.jupiter.api.Assertions.assertThrows(FormatException.class, () -> SparqReader.read(bytes));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("column_block_sparse needs format 1.1"), e.getMessage());
    }

    @Test
    void csrF32() {
        EncodedTensor t = w("csr_f32.sparq", Encoding.CSR, ValueFormat.NATIVE, IndexFormat.U8_DELTA, 0, 4);
        assertArrayEquals(new int[] {0, 2, 2, 4}, u32(t.part(Part.ROW_PTR)));
        assertArrayEquals(new int[] {1, 2, 0, 4}, u8(t.part(Part.INDICES)), "gaps: columns 1, 4 | 0, 5");
        assertArrayEquals(new float[] {1.5f, -2, 7, 8}, f32(t.part(Part.VALUES)));
        assertEquals(40, t.byteSize());
        assertFloats(new float[] {0, 1.5f, 0, 0, -2, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0, 8}, t.toDense());
    }

    @Test
    void csrF16WithU16Indices() {
        EncodedTensor t = w("csr_f16_u16.sparq", Encoding.CSR, ValueFormat.F16, IndexFormat.U16, 0, 3);
        assertArrayEquals(new int[] {0, 2, 3}, u32(t.part(Part.ROW_PTR)));
        assertArrayEquals(new int[] {3, 290, 299}, u16(t.part(Part.INDICES)));
        assertArrayEquals(new int[] {0x3800, 0xBE00, 0x4000}, u16(t.part(Part.VALUES)));
        assertEquals(30, t.byteSize());
        float[] expected = new float[600];
        expected[3] = 0.5f;
        expected[290] = -1.5f;
        expected[599] = 2f;
        assertFloats(expected, t.toDense());
    }

    @Test
    void bitmapF32() {
        EncodedTensor t = w("bitmap_f32.sparq", Encoding.BITMAP, ValueFormat.NATIVE, IndexFormat.NONE, 0, 4);
        assertArrayEquals(new int[] {0x01, 0x02, 0x00, 0x00, 0x08, 0x01}, u8(t.part(Part.BITMAP)));
        assertArrayEquals(new float[] {1, -1, 0.5f, 4}, f32(t.part(Part.VALUES)));
        assertEquals(24, t.byteSize());
        assertFloats(new float[] {1, 0, 0, 0, 0, 0, 0, 0, 0, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.5f, 0, 0, 0, 0, 4, 0},
                t.toDense());
    }

    @Test
    void bitmapInt4() {
        EncodedTensor t = w("bitmap_int4.sparq", Encoding.BITMAP, ValueFormat.INT4, IndexFormat.NONE, 0, 4);
        assertArrayEquals(new float[] {1f, 0.5f}, f32(t.part(Part.SCALES)));
        assertArrayEquals(new int[] {0x0A, 0x11}, u8(t.part(Part.BITMAP)));
        assertArrayEquals(new int[] {0x94, 0x91}, u8(t.part(Part.VALUES)), "codes 4, -7 | 1, -7");
        assertEquals(18, t.byteSize());
        assertFloats(new float[] {0, 4, 0, -7, 0, 0.5f, 0, 0, 0, -3.5f}, t.toDense());
    }

    @Test
    void graphAttributes() {
        SparqFile file = read("graph_attributes.sparq");
        Graph g = file.graph();
        assertEquals(List.of("Wr", "Rr", "t_bias"), List.copyOf(file.tensors().keySet()));
        var rnn = g.nodes().get(1).attributes();
        assertEquals(List.of("hidden_size", "clip", "direction", "activation_alpha", "pads", "activations"), List.copyOf(rnn.keySet()));
        assertEquals(2L, rnn.get("hidden_size").value());
        assertEquals(2.5f, rnn.get("clip").value());
        assertEquals("forward", rnn.get("direction").value());
        assertArrayEquals(new float[] {0.25f, -1f}, (float[]) rnn.get("activation_alpha").value());
        assertArrayEquals(new long[] {0, -1, 1L << 40}, (long[]) rnn.get("pads").value());
        assertEquals(List.of("Tanh", "Relu"), rnn.get("activations").value());
        Attribute value = g.nodes().get(0).attributes().get("value");
        Graphs.assertTensorEquals(Tensor.ofLongs(new int[] {2}, 1, 2), (Tensor) value.value(), "Constant value");
        Graph then = (Graph) g.nodes().get(2).attributes().get("then_branch").value();
        assertEquals("then", then.name());
        assertEquals(List.of("h", "t_bias"), then.nodes().get(0).inputs(), "reads an outer value");
        Graphs.assertTensorEquals(Tensor.ofFloats(new int[] {2}, 0.5f, -0.5f), file.tensor("t_bias").toDense(), "subgraph initializer");
        assertEquals(List.of(Dim.symbol("seq"), Dim.unknown(), Dim.of(3)), g.inputs().get(0).shape());
        assertEquals(new ValueInfo("out", DataType.FLOAT32, null), g.outputs().get(0));
        assertEquals("com.example", g.nodes().get(3).domain());
        assertEquals(3, g.opsets().get("com.example"));
    }

    @Test
    void edgeCases() {
        SparqFile file = read("edge_cases.sparq");
        assertEquals(0, file.tensor("empty").byteSize());
        Graphs.assertTensorEquals(Tensor.ofFloats(new int[] {0}), file.tensor("empty").toDense(), "empty");

        EncodedTensor emptyRows = file.tensor("empty_rows");
        assertArrayEquals(new int[] {0, 0, 0, 0}, u32(emptyRows.part(Part.ROW_PTR)));
        assertArrayEquals(new float[] {0, 0, 0}, f32(emptyRows.part(Part.SCALES)));
        Graphs.assertTensorEquals(Tensor.ofFloats(new int[] {3, 0}), emptyRows.toDense(), "empty_rows");

        EncodedTensor scalar = file.tensor("scalar");
        assertEquals("float32[] block_sparse/native u8 block=4 count=1", scalar.layout().toString());
        assertArrayEquals(new float[] {2.5f, 0, 0, 0}, f32(scalar.part(Part.VALUES)), "a 0-d tensor is one row of one element");
        Graphs.assertTensorEquals(Tensor.scalar(2.5f), scalar.toDense(), "scalar");

        EncodedTensor pruned = file.tensor("pruned");
        assertEquals(0, pruned.layout().count());
        assertEquals(24, pruned.byteSize(), "just the row pointers, padded to 8 before the empty arrays");
        assertArrayEquals(new int[] {0, 0, 0, 0, 0}, u32(pruned.part(Part.ROW_PTR)));
        Graphs.assertTensorEquals(Tensor.ofFloats(new int[] {4, 5}, new float[20]), pruned.toDense(), "pruned");

        EncodedTensor prunedBitmap = file.tensor("pruned_bitmap");
        assertArrayEquals(new int[] {0, 0}, u8(prunedBitmap.part(Part.BITMAP)));
        assertEquals(0, prunedBitmap.part(Part.VALUES).remaining());

        EncodedTensor zeroRows = file.tensor("zero_rows");
        assertArrayEquals(new float[] {0, 1, 0}, f32(zeroRows.part(Part.SCALES)));
        assertArrayEquals(new int[] {0, 0, 127, 256 - 127, 0, 0}, u8(zeroRows.part(Part.VALUES)));

        Graphs.assertTensorEquals(Tensor.ofLongs(new int[] {2}, -1, 4), file.tensor("shape").toDense(), "shape");
        assertArrayEquals(new int[] {1, 0, 1}, u8(file.tensor("flags").data()));
        assertEquals(MetaValue.of("edge cases"), file.metadata().get("note"));
    }
}
