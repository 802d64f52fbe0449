package io.sparq.format.codec;

import io.sparq.format.DataType;
import io.sparq.format.ErrorCode;
import io.sparq.format.Float16;
import io.sparq.format.Graph;
import io.sparq.format.SparqException;
import io.sparq.format.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Random tensors × every encoding → write → read → the same values: bit for bit for the lossless
 * encodings, within the bound of SPEC.md §6.1 for f16, int8 and int4.
 */
class RoundTripTest {
    /** Every encoding, value format and block size the format allows. */
    static List<EncodingChoice> choices() {
        List<EncodingChoice> all = new ArrayList<>();
        for (Encoding e : Encoding.values()) {
            for (ValueFormat v : ValueFormat.values()) {
                for (int b : TensorLayout.allowedBlockSizes(e, v)) {
                    all.add(new EncodingChoice(e, v, b));
                }
            }
        }
        return all;
    }

    /** Edge cases every encoding must store: empty, 0-d, all-zero rows, fully pruned, odd widths. */
    static List<Tensor> edgeCases() {
        float[] zeroRows = new float[4 * 6];
        for (int c = 0; c < 6; c++) {
            zeroRows[6 + c] = c + 1;
            zeroRows[18 + c] = -(c + 0.5f);
        }
        Random rnd = new Random(7);
        return List.of(
                Tensor.ofFloats(new int[] {0}),
                Tensor.ofFloats(new int[] {3, 0}),
                Tensor.ofFloats(new int[] {0, 5}),
                Tensor.ofFloats(new int[] {2, 0, 3}),
                Tensor.scalar(2.5f),
                Tensor.scalar(0f),
                Tensor.ofFloats(new int[] {4, 5}, new float[20]),       // fully pruned
                Tensor.ofFloats(new int[] {4, 6}, zeroRows),             // rows 0 and 2 all zero
                Graphs.randomTensor(rnd, new int[] {2, 3, 17}, 0.6),      // odd width: partial blocks, int4 pad nibble
                Graphs.randomTensor(rnd, new int[] {1, 300}, 0.02),      // gaps over 255
                Graphs.randomTensor(rnd, new int[] {5, 129}, 1.0));
    }

    @ParameterizedTest
    @MethodSource("choices")
    void randomTensorsRoundTrip(EncodingChoice choice) {
        Random rnd = new Random(choice.toString().hashCode());
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        List<Tensor> edges = edgeCases();
        for (int i = 0; i < edges.size(); i++) {
            tensors.put("edge" + i, edges.get(i));
        }
        double[] densities = {0, 0.05, 0.3, 0.7, 1};
        for (int i = 0; i < 40; i++) {
            int rank = rnd.nextInt(4);
            int[] shape = new int[rank];
            for (int d = 0; d < rank; d++) {
                shape[d] = rnd.nextInt(d == rank - 1 ? 70 : 6);
            }
            tensors.put("random" + i, Graphs.randomTensor(rnd, shape, densities[rnd.nextInt(densities.length)]));
        }
        if (choice.values() == ValueFormat.NATIVE) {
            tensors.put("specials", Tensor.ofFloats(new int[] {2, 4},
                    -0f, Float.NaN, Float.intBitsToFloat(0x7fc01234), Float.POSITIVE_INFINITY,
                    Float.MIN_VALUE, 0f, -Float.MAX_VALUE, 1e-40f));
        }
        Map<String, EncodingChoice> encodings = new LinkedHashMap<>();
        tensors.keySet().forEach(k -> encodings.put(k, choice));

        byte[] bytes = SparqWriter.toBytes(Graphs.ofTensors(tensors), encodings, Map.of());
        SparqFile file = SparqReader.read(bytes);
        Graph dense = file.denseGraph();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            EncodedTensor stored = file.tensor(e.getKey());
            assertEquals(choice.encoding(), stored.layout().encoding(), e.getKey());
            assertEquals(choice.values(), stored.layout().values(), e.getKey());
            assertEquals(0, stored.fileOffset() % SparqFormat.DATA_ALIGNMENT, e.getKey() + " alignment");
            Tensor decoded = stored.toDense();
            Graphs.assertTensorEquals(decoded, dense.initializers().get(e.getKey()), e.getKey() + " via denseGraph");
            if (choice.values() == ValueFormat.NATIVE) {
                Graphs.assertTensorEquals(e.getValue(), decoded, e.getKey());
            } else {
                assertWithinBound(e.getValue(), decoded, choice, e.getKey());
            }
            if (choice.encoding() != Encoding.DENSE) {
                assertEquals(expectedCount(e.getValue(), choice), stored.layout().count(), e.getKey() + " stored count");
            }
        }
    }

    /** Sparse encodings store exactly the non-zeros (blocks holding one, for the block encodings). */
    private static long expectedCount(Tensor t, EncodingChoice choice) {
        int[] s = t.shape();
        int cols = s.length == 0 ? 1 : s[s.length - 1];
        float[] x = t.floats();
        long count = 0;
        if (choice.encoding() == Encoding.COLUMN_BLOCK_SPARSE) {
            int rows = cols == 0 ? 0 : x.length / cols;
            int b = choice.blockSize();
            for (int r0 = 0; r0 < rows; r0 += b) {
                for (int c = 0; c < cols; c++) {
                    boolean any = false;
                    for (int r = r0; r < Math.min(rows, r0 + b); r++) {
                        any |= Float.floatToRawIntBits(x[r * cols + c]) != 0;
                    }
                    count += any ? 1 : 0;
                }
            }
            return count;
        }
        int b = choice.encoding() == Encoding.BLOCK_SPARSE ? choice.blockSize() : 1;
        for (int start = 0; start < x.length; start += cols) {
            for (int c0 = 0; c0 < cols; c0 += b) {
                boolean any = false;
                for (int c = c0; c < Math.min(cols, c0 + b); c++) {
                    any |= Float.floatToRawIntBits(x[start + c]) != 0;
                }
                count += any ? 1 : 0;
            }
        }
        return count;
    }

    /**
     * f16: round to nearest binary16, so |x - x'| <= 2^-11 |x| (2^-25 below the normal range).
     * int8 / int4: s = max|x| / (127 or 7) over the scale group (a row, or G elements for dense int4),
     * |x - x'| <= s / 2 plus binary32 rounding (at most 2^-22 max|x|); zeros decode to exactly 0.
     */
    static void assertWithinBound(Tensor original, Tensor decoded, EncodingChoice choice, String what) {
        float[] x = original.floats();
        float[] y = decoded.floats();
        int[] s = original.shape();
        int cols = s.length == 0 ? 1 : s[s.length - 1];
        int group = choice.encoding() == Encoding.DENSE && choice.values() == ValueFormat.INT4 ? choice.blockSize() : cols;
        float[] groupMax = new float[x.length];   // max |x| of the scale group of each element
        for (int g0 = 0; g0 < x.length; g0 += group) {
            int row = g0 / cols;
            int g1 = Math.min(g0 + group, (row + 1) * cols);
            float max = 0;
            for (int j = g0; j < g1; j++) {
                max = Math.max(max, Math.abs(x[j]));
            }
            java.util.Arrays.fill(groupMax, g0, g1, max);
            g0 = g1 - group;
        }
        for (int i = 0; i < x.length; i++) {
            double bound;
            if (choice.values() == ValueFormat.F16) {
                assertEquals(Float16.toFloat(Float16.fromFloat(x[i])), y[i], 0, what + " element " + i + " is not the nearest f16");
                bound = Math.max(Math.abs(x[i]) * 0x1p-11, 0x1p-25);
            } else {
                float max = groupMax[i];
                double scale = max / (double) choice.values().maxCode();
                bound = scale / 2 + max * 0x1p-22 + 1e-38;
            }
            if (x[i] == 0 && y[i] != 0 || Math.abs(x[i] - y[i]) > bound) {
                fail(what + " element " + i + ": " + x[i] + " decoded as " + y[i] + ", bound " + bound);
            }
        }
    }

    @Test
    void everyDataTypeRoundTripsDense() {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("f32", Tensor.ofFloats(new int[] {3}, 1.5f, -0f, Float.NaN));
        tensors.put("f64", Tensor.ofDoubles(new int[] {2}, Math.PI, -1e300));
        tensors.put("i64", Tensor.ofLongs(new int[] {2, 2}, Long.MIN_VALUE, -1, 0, Long.MAX_VALUE));
        tensors.put("i32", Tensor.ofInts(new int[] {3}, Integer.MIN_VALUE, 7, Integer.MAX_VALUE));
        tensors.put("i16", Tensor.of(DataType.INT16, new int[] {2}, new short[] {-32768, 32767}));
        tensors.put("u16", Tensor.of(DataType.UINT16, new int[] {2}, new short[] {(short) 0xFFFF, 1}));
        tensors.put("f16", Tensor.of(DataType.FLOAT16, new int[] {2}, new short[] {Float16.fromFloat(0.5f), (short) 0x7E01}));
        tensors.put("i8", Tensor.of(DataType.INT8, new int[] {3}, new byte[] {-128, 0, 127}));
        tensors.put("u8", Tensor.of(DataType.UINT8, new int[] {2}, new byte[] {(byte) 255, 3}));
        tensors.put("bool", Tensor.ofBools(new int[] {1, 3}, true, false, true));
        tensors.put("scalar_i64", Tensor.scalar(42L));
        tensors.put("empty_i64", Tensor.ofLongs(new int[] {0}));
        Graph graph = Graphs.ofTensors(tensors);
        SparqFile file = SparqReader.read(SparqWriter.toBytes(graph, Map.of(), Map.of()));
        Graphs.assertGraphEquals(graph, file.denseGraph());
        tensors.forEach((k, t) -> Graphs.assertTensorEquals(t, file.tensor(k).toDense(), k));
        assertTrue(file.graph().initializers().isEmpty(), "graph() leaves weights in tensors()");
    }

    @Test
    void indexWidthsAreTheNarrowestThatFit() {
        assertIndex(EncodingChoice.csr(ValueFormat.NATIVE), new int[] {1, 300}, new int[] {0, 255, 299}, IndexFormat.U8_DELTA);
        assertIndex(EncodingChoice.csr(ValueFormat.NATIVE), new int[] {1, 300}, new int[] {3, 260}, IndexFormat.U16);
        assertIndex(EncodingChoice.csr(ValueFormat.INT8), new int[] {2, 65536}, new int[] {0, 65535}, IndexFormat.U16);
        assertIndex(EncodingChoice.csr(ValueFormat.INT8), new int[] {1, 70000}, new int[] {5, 69999}, IndexFormat.U32);
        assertIndex(EncodingChoice.blockSparse(4, ValueFormat.NATIVE), new int[] {2, 1024}, new int[] {0, 1023}, IndexFormat.U8);
        assertIndex(EncodingChoice.blockSparse(4, ValueFormat.F16), new int[] {1, 1025}, new int[] {1024}, IndexFormat.U16);
        assertIndex(EncodingChoice.blockSparse(16, ValueFormat.INT4), new int[] {1, 65536 * 16 + 1}, new int[] {7, 65536 * 16},
                IndexFormat.U32);
    }

    private static void assertIndex(EncodingChoice choice, int[] shape, int[] nonZeroFlat, IndexFormat expected) {
        float[] x = new float[Tensor.sizeOf(shape)];
        for (int i : nonZeroFlat) {
            x[i] = 1 + i % 5;
        }
        Tensor t = Tensor.ofFloats(shape, x);
        SparqFile file = SparqReader.read(SparqWriter.toBytes(Graphs.ofTensors(Map.of("w", t)), Map.of("w", choice), Map.of()));
        assertEquals(expected, file.tensor("w").layout().index(), choice + " " + java.util.Arrays.toString(shape));
        Tensor back = file.tensor("w").toDense();
        if (choice.values() == ValueFormat.NATIVE) {
            Graphs.assertTensorEquals(t, back, "w");
        } else {
            assertWithinBound(t, back, choice, "w");
        }
    }

    @Test
    void encodingsThatDoNotApplyAreRefused() {
        Tensor ints = Tensor.ofLongs(new int[] {2}, 1, 2);
        SparqException e = assertThrows(SparqException.class, () -> EncodedTensor.encode("shape", ints, EncodingChoice.csr(ValueFormat.NATIVE)));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        Tensor nan = Tensor.ofFloats(new int[] {2}, 1, Float.NaN);
        e = assertThrows(SparqException.class, () -> EncodedTensor.encode("w", nan, EncodingChoice.denseInt8()));
        assertTrue(e.getMessage().contains("element 1"), e.getMessage());
        Tensor big = Tensor.ofFloats(new int[] {1}, 70000f);
        e = assertThrows(SparqException.class, () -> EncodedTensor.encode("w", big, EncodingChoice.denseF16()));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        e = assertThrows(SparqException.class, () -> EncodedTensor.encode("w", nan, EncodingChoice.blockSparse(5, ValueFormat.NATIVE)));
        assertTrue(e.getMessage().contains("block size 5"), e.getMessage());
        Graph g = Graphs.ofTensors(Map.of("w", Tensor.scalar(1f)));
        e = assertThrows(SparqException.class, () -> SparqWriter.toBytes(g, Map.of("v", EncodingChoice.denseInt8()), Map.of()));
        assertEquals("Unknown tensor name v in the encoding choices, expected one of [w]", e.getMessage());
    }
}
