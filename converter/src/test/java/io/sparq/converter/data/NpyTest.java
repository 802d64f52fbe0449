package io.sparq.converter.data;

import io.sparq.format.DataType;
import io.sparq.format.ErrorCode;
import io.sparq.format.SparqException;
import io.sparq.format.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;

import static io.sparq.converter.data.Fixtures.assertSameTensor;
import static io.sparq.converter.data.Fixtures.expected;
import static io.sparq.converter.data.Fixtures.file;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reads files numpy 2.4 wrote (see resources/npy/make_fixtures.py), round trips, and rejects bad input. */
class NpyTest {
    @ParameterizedTest
    @ValueSource(strings = {"f8", "f4", "f2", "i1", "u1", "i2", "u2", "i4", "i8", "b1"})
    void readsEveryDtypeExactly(String key) {
        assertSameTensor(expected(key), Npy.read(file(key + ".npy")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"f8", "f4", "f2", "i2", "u2", "i4", "i8"})
    void convertsBigEndian(String key) {
        assertSameTensor(expected(key), Npy.read(file("be_" + key + ".npy")));
    }

    @Test
    void convertsFortranOrder() {
        assertSameTensor(expected("f4"), Npy.read(file("fortran_f4.npy")));
        assertSameTensor(expected("i2"), Npy.read(file("fortran_be_i2.npy")));
    }

    @Test
    void readsFormatVersions2And3() {
        assertSameTensor(expected("f4"), Npy.read(file("v2_f4.npy")));
        assertSameTensor(expected("f4"), Npy.read(file("v3_f4.npy")));
    }

    @Test
    void readsZeroDimensionalAndEmptyArrays() {
        assertSameTensor(Tensor.scalar(2.5f), Npy.read(file("scalar_f4.npy")));
        assertSameTensor(Tensor.scalar(-7L), Npy.read(file("scalar_i8.npy")));
        assertSameTensor(Tensor.zeros(DataType.FLOAT32, new int[] {0, 3}), Npy.read(file("empty_f4.npy")));
        assertSameTensor(Tensor.zeros(DataType.INT64, new int[] {2, 0, 4}), Npy.read(file("empty_i8.npy")));
    }

    @Test
    void keepsSpecialFloatBits() {
        assertSameTensor(Tensor.ofFloats(new int[] {6}, Float.NaN, Float.POSITIVE_INFINITY,
                Float.NEGATIVE_INFINITY, -0.0f, Float.MIN_VALUE, Float.MAX_VALUE), Npy.read(file("special_f4.npy")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"unsupported_c8", "unsupported_u4", "unsupported_str", "unsupported_object"})
    void rejectsUnsupportedDtypes(String name) {
        SparqException e = assertThrows(SparqException.class, () -> Npy.read(file(name + ".npy")));
        assertEquals(ErrorCode.UNSUPPORTED_MODEL, e.code());
        assertTrue(e.getMessage().contains(name + ".npy") && e.getMessage().contains("dtype '"), e.getMessage());
    }

    /** Every little-endian C-order fixture, rewritten from the tensor, equals numpy's bytes. */
    @ParameterizedTest
    @ValueSource(strings = {"f8", "f4", "f2", "i1", "u1", "i2", "u2", "i4", "i8", "b1",
            "scalar_f4", "scalar_i8", "empty_f4", "empty_i8", "special_f4"})
    void writesTheBytesNumpyWrites(String name) throws IOException {
        Path numpyFile = file(name + ".npy");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Npy.write(out, Npy.read(numpyFile));
        assertArrayEquals(Files.readAllBytes(numpyFile), out.toByteArray());
    }

    @Test
    void roundTripsRandomTensorsThroughFiles(@TempDir Path dir) throws IOException {
        Random random = new Random(42);
        for (DataType type : DataType.values()) {
            int[][] shapes = {{}, {0}, {7}, {3, 5}, {5, 7, 3001}};
            for (int j = 0; j < shapes.length; j++) {
                Tensor t = randomTensor(type, shapes[j], random);
                Path f = dir.resolve(type + "_" + j + ".npy");
                Npy.write(f, t);
                assertSameTensor(t, Npy.read(f));
            }
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertTrue(files.allMatch(p -> p.getFileName().toString().endsWith(".npy")), "temporary files left");
        }
    }

    @Test
    void readsConsecutiveArraysFromOneStream() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Npy.write(out, expected("f4"));
        Npy.write(out, expected("b1"));
        InputStream in = new ByteArrayInputStream(out.toByteArray());
        assertSameTensor(expected("f4"), Npy.read(in, "stream"));
        assertSameTensor(expected("b1"), Npy.read(in, "stream"));
    }

    @Test
    void rejectsTruncatedData(@TempDir Path dir) throws IOException {
        byte[] whole = Files.readAllBytes(file("f4.npy"));
        Path cut = dir.resolve("cut.npy");
        Files.write(cut, Arrays.copyOf(whole, whole.length - 1));
        assertCorrupt(() -> Npy.read(cut), "cut.npy", "the file has 223 bytes");
        assertCorrupt(() -> Npy.read(new ByteArrayInputStream(Arrays.copyOf(whole, whole.length - 5)), "cut"),
                "cut", "data ends after 91");
        Path longer = dir.resolve("longer.npy");
        Files.write(longer, Arrays.copyOf(whole, whole.length + 1));
        assertCorrupt(() -> Npy.read(longer), "longer.npy", "the file has 225 bytes");
    }

    @Test
    void rejectsLyingHeadersWithoutAllocating(@TempDir Path dir) throws IOException {
        // 1e9 floats would need 4 GB; only 8 bytes of data follow
        byte[] lying = npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000,), }", new byte[8]);
        Path f = dir.resolve("lying.npy");
        Files.write(f, lying);
        assertCorrupt(() -> Npy.read(f), "lying.npy", "4000000000 data bytes");
        assertCorrupt(() -> Npy.read(new ByteArrayInputStream(lying), "lying"), "lying", "data ends after 8");
        byte[] huge = npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2147483647, 2147483647), }", new byte[8]);
        assertCorrupt(() -> Npy.read(new ByteArrayInputStream(huge), "huge"), "huge", "impossibly large");
        byte[] tooMany = npy(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (65536, 65536), }", new byte[8]);
        SparqException e = assertThrows(SparqException.class,
                () -> Npy.read(new ByteArrayInputStream(tooMany), "big"));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code(), e.getMessage());
        Path g = dir.resolve("big.npy");
        Files.write(g, tooMany);
        assertCorrupt(() -> Npy.read(g), "big.npy", "4294967296 data bytes");
    }

    @Test
    void rejectsMalformedHeaders() {
        byte[] data = new byte[4];
        assertCorrupt(() -> read(new byte[] {1, 2, 3}), "bad", "magic");
        assertCorrupt(() -> read("NUMPY\u0001\u0000".getBytes(StandardCharsets.ISO_8859_1)), "bad", "magic");
        assertCorrupt(() -> read(Arrays.copyOf(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }",
                data), 30)), "bad", "header should have");
        assertCorrupt(() -> read(npy(1, "{'descr': '<f4', 'shape': (1,), }", data)), "bad", "exactly the keys");
        assertCorrupt(() -> read(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}", data)),
                "bad", "exactly the keys");
        assertCorrupt(() -> read(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,) ", data)),
                "bad", "bad header");
        assertCorrupt(() -> read(npy(1, "{'descr': '<f4', 'fortran_order': 0, 'shape': (1,), }", data)),
                "bad", "fortran_order");
        assertCorrupt(() -> read(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", data)),
                "bad", "non-negative");
        assertCorrupt(() -> read(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': 4, }", data)),
                "bad", "tuple");
        assertCorrupt(() -> read(npy(1, "{'descr': '|f4', 'fortran_order': False, 'shape': (1,), }", data)),
                "bad", "byte order");
        assertCorrupt(() -> read(npy(1, "{'descr': 'f4', 'fortran_order': False, 'shape': (1,), }", data)),
                "bad", "byte order");
        byte[] v2 = npy(2, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", data);
        ByteBuffer.wrap(v2, 8, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(-1);
        assertCorrupt(() -> read(v2), "bad", "header length 4294967295");
        byte[] v4 = npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", data);
        v4[6] = 4;
        SparqException e = assertThrows(SparqException.class, () -> read(v4));
        assertEquals(ErrorCode.UNSUPPORTED_MODEL, e.code());
        assertTrue(e.getMessage().contains("version 4.0"), e.getMessage());
        SparqException structured = assertThrows(SparqException.class, () -> read(npy(1,
                "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", data)));
        assertEquals(ErrorCode.UNSUPPORTED_MODEL, structured.code());
    }

    @Test
    void acceptsPython2StyleHeaders() {
        byte[] data = new byte[12];
        Tensor t = read(npy(1, "{\"descr\": \"<i4\", \"fortran_order\": False, \"shape\": (3L,)}", data));
        assertSameTensor(Tensor.ofInts(new int[] {3}, 0, 0, 0), t);
    }

    @Test
    void refusesToWriteMoreDimensionsThanNumpyHas(@TempDir Path dir) throws IOException {
        int[] shape = new int[65];
        Arrays.fill(shape, 1);
        Path f = dir.resolve("deep.npy");
        SparqException e = assertThrows(SparqException.class, () -> Npy.write(f, Tensor.zeros(DataType.FLOAT32, shape)));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(0, files.count(), "nothing is left behind");
        }
        int[] deepest = Arrays.copyOf(shape, 64);
        Npy.write(f, Tensor.zeros(DataType.FLOAT32, deepest));
        assertSameTensor(Tensor.zeros(DataType.FLOAT32, deepest), Npy.read(f));
    }

    /** Found by fuzzing: a header of nested brackets overflowed the parser's stack. */
    @Test
    void rejectsDeeplyNestedHeadersWithoutOverflowingTheStack() {
        String nested = "[".repeat(200_000) + "]".repeat(200_000);
        assertCorrupt(() -> read(npy(2, "{'descr': '<f4', 'fortran_order': False, 'shape': " + nested + ", }",
                new byte[0])), "bad", "nested more than 8 deep");
    }

    @Test
    void rejectsMoreDimensionsThanNumpyHas() {
        String shape = "(" + "1, ".repeat(65) + ")";
        assertCorrupt(() -> read(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }",
                new byte[4])), "bad", "65 dimensions");
    }

    @Test
    void missingFileIsAnIoError(@TempDir Path dir) {
        SparqException e = assertThrows(SparqException.class, () -> Npy.read(dir.resolve("absent.npy")));
        assertEquals(ErrorCode.IO_ERROR, e.code());
        assertTrue(e.getMessage().contains("absent.npy"), e.getMessage());
    }

    private static Tensor read(byte[] bytes) {
        return Npy.read(new ByteArrayInputStream(bytes), "bad");
    }

    /** A .npy image with the given header text (padded with numpy's rule) and raw data. */
    static byte[] npy(int major, String dict, byte[] data) {
        int lengthBytes = major == 1 ? 2 : 4;
        int unpadded = dict.length() + 1;
        int padded = unpadded + 64 - (8 + lengthBytes + unpadded) % 64;
        ByteBuffer bb = ByteBuffer.allocate(8 + lengthBytes + padded + data.length).order(ByteOrder.LITTLE_ENDIAN);
        bb.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) major).put((byte) 0);
        if (major == 1) {
            bb.putShort((short) padded);
        } else {
            bb.putInt(padded);
        }
        bb.put((dict + " ".repeat(padded - unpadded) + "\n").getBytes(StandardCharsets.ISO_8859_1)).put(data);
        return bb.array();
    }

    private static void assertCorrupt(org.junit.jupiter.api.function.Executable call, String name, String detail) {
        SparqException e = assertThrows(SparqException.class, call);
        assertEquals(ErrorCode.CORRUPT_FILE, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains(name) && e.getMessage().contains(detail), e.getMessage());
    }

    static Tensor randomTensor(DataType type, int[] shape, Random random) {
        Tensor t = Tensor.zeros(type, shape);
        Object data = t.data();
        for (int i = 0; i < t.size(); i++) {
            switch (type) {
                case FLOAT32 -> ((float[]) data)[i] = (float) random.nextGaussian();
                case FLOAT64 -> ((double[]) data)[i] = random.nextGaussian();
                case FLOAT16, INT16, UINT16 -> ((short[]) data)[i] = (short) random.nextInt();
                case INT32 -> ((int[]) data)[i] = random.nextInt();
                case INT64 -> ((long[]) data)[i] = random.nextLong();
                case INT8, UINT8 -> ((byte[]) data)[i] = (byte) random.nextInt();
                case BOOL -> ((boolean[]) data)[i] = random.nextBoolean();
            }
        }
        return t;
    }
}
