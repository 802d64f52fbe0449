package io.sparq.converter.importer;

import io.sparq.format.DataType;
import io.sparq.format.ErrorCode;
import io.sparq.format.SparqException;
import io.sparq.format.Tensor;
import onnx.Onnx.TensorProto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.stream.Stream;

import static io.sparq.converter.importer.OnnxModels.external;
import static io.sparq.converter.importer.OnnxModels.littleEndian;
import static io.sparq.converter.importer.OnnxModels.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reads TensorProtos written by ONNX's own Python writer ({@code tensors/make_tensors.py}) in both
 * raw_data and typed-field form, and checks external data handling and every refusal.
 */
class OnnxTensorsTest {
    @TempDir
    Path dir;

    static Stream<Arguments> storedTensors() {
        return Stream.of(
                Arguments.of("float32", DataType.FLOAT32, new int[] {2, 3},
                        new float[] {1.5f, -2.25f, Float.MAX_VALUE, Float.MIN_VALUE, -0.0f, Float.POSITIVE_INFINITY}),
                Arguments.of("float64", DataType.FLOAT64, new int[] {3}, new double[] {1.5, -1e300, Double.MIN_VALUE}),
                Arguments.of("int64", DataType.INT64, new int[] {4}, new long[] {Long.MIN_VALUE, Long.MAX_VALUE, 0, -1}),
                Arguments.of("int32", DataType.INT32, new int[] {3}, new int[] {Integer.MIN_VALUE, Integer.MAX_VALUE, 7}),
                Arguments.of("int16", DataType.INT16, new int[] {3}, new short[] {-32768, 32767, -1}),
                Arguments.of("uint16", DataType.UINT16, new int[] {3}, new short[] {0, (short) 65535, 1234}),
                Arguments.of("int8", DataType.INT8, new int[] {3}, new byte[] {-128, 127, -1}),
                Arguments.of("uint8", DataType.UINT8, new int[] {3}, new byte[] {0, (byte) 255, (byte) 128}),
                Arguments.of("bool", DataType.BOOL, new int[] {3}, new boolean[] {true, false, true}),
                // binary16 bits of 1.0, -2.5, 65504 (largest), 2^-24 (smallest subnormal), +inf
                Arguments.of("float16", DataType.FLOAT16, new int[] {5},
                        new short[] {0x3C00, (short) 0xC100, 0x7BFF, 0x0001, 0x7C00}),
                Arguments.of("scalar", DataType.FLOAT32, new int[0], new float[] {7f}),
                Arguments.of("empty", DataType.FLOAT32, new int[] {0, 3}, new float[0]));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("storedTensors")
    void rawDataAndTypedFieldsGiveTheSameTensor(String name, DataType type, int[] shape, Object expected) {
        for (String form : new String[] {"raw", "typed"}) {
            Tensor t = OnnxTensors.read(resource(name + "_" + form + ".pb"));
            assertEquals(type, t.type(), form);
            assertArrayEquals(shape, t.shape(), form);
            assertArrayEqualsAnyType(expected, t.data(), name + " " + form);
        }
    }

    @Test
    void unsupportedElementTypesNameTheTensorAndType() {
        SparqException bf16 = assertFails(ErrorCode.UNSUPPORTED_MODEL, () -> OnnxTensors.read(resource("bfloat16.pb")));
        assertTrue(bf16.getMessage().contains("'t_bfloat16'") && bf16.getMessage().contains("bfloat16"), bf16.getMessage());
        SparqException str = assertFails(ErrorCode.UNSUPPORTED_MODEL, () -> OnnxTensors.read(resource("string.pb")));
        assertTrue(str.getMessage().contains("'t_string'") && str.getMessage().contains("string"), str.getMessage());
    }

    @Test
    void aFileThatIsNoTensorIsCorrupt() throws IOException {
        Path text = Files.writeString(dir.resolve("notes.pb"), "just some text\n");
        SparqException e = assertFails(ErrorCode.CORRUPT_FILE, () -> OnnxTensors.read(text));
        assertTrue(e.getMessage().startsWith(text.toString()), e.getMessage());
        Path empty = Files.write(dir.resolve("empty.pb"), new byte[0]);
        assertFails(ErrorCode.CORRUPT_FILE, () -> OnnxTensors.read(empty));
    }

    @Test
    void dataThatDoesNotMatchTheShapeIsRefused() {
        TensorProto tooFew = OnnxModels.floats("w", new long[] {2, 2}, 1, 2, 3);
        assertTrue(assertFails(ErrorCode.INVALID_MODEL, () -> OnnxTensors.fromProto(tooFew, null))
                .getMessage().contains("'w'"));
        TensorProto shortRaw = TensorProto.newBuilder().setName("r").setDataType(OnnxModels.FLOAT).addDims(3)
                .setRawData(OnnxModels.bytes(littleEndian(0, 1, 2))).build();
        assertTrue(assertFails(ErrorCode.INVALID_MODEL, () -> OnnxTensors.fromProto(shortRaw, null))
                .getMessage().contains("8 bytes of raw_data"));
        TensorProto both = OnnxModels.floats("b", new long[] {1}, 1).toBuilder()
                .setRawData(OnnxModels.bytes(littleEndian(0, 1))).build();
        assertFails(ErrorCode.INVALID_MODEL, () -> OnnxTensors.fromProto(both, null));
        TensorProto uint8 = TensorProto.newBuilder().setName("u").setDataType(TensorProto.DataType.UINT8_VALUE)
                .addDims(2).addInt32Data(1).addInt32Data(300).build();
        assertTrue(assertFails(ErrorCode.INVALID_MODEL, () -> OnnxTensors.fromProto(uint8, null))
                .getMessage().contains("int32_data[1] = 300"));
        TensorProto negativeDim = OnnxModels.floats("n", new long[] {-1});
        assertFails(ErrorCode.INVALID_MODEL, () -> OnnxTensors.fromProto(negativeDim, null));
    }

    @Test
    void externalDataHonoursOffsetAndLength() {
        write(dir.resolve("data/w.bin"), littleEndian(16, 1, 2, 3, 4, 5, 6, 7, 8));
        Tensor middle = OnnxTensors.fromProto(external("w", new long[] {2, 3}, "data/w.bin", 16L, 24L), dir);
        assertArrayEquals(new int[] {2, 3}, middle.shape());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, middle.floats());
        Tensor rest = OnnxTensors.fromProto(external("v", new long[] {2}, "data/w.bin", 40L, null), dir);
        assertArrayEquals(new float[] {7, 8}, rest.floats());
    }

    @Test
    void externalDataLargerThanOneReadChunk() {
        float[] values = new float[300_000];              // 1.2 MB: read in two pieces
        for (int i = 0; i < values.length; i++) {
            values[i] = i * 0.5f - 7;
        }
        write(dir.resolve("big.bin"), littleEndian(4096, values));
        Tensor t = OnnxTensors.fromProto(external("big", new long[] {values.length}, "big.bin", 4096L, null), dir);
        assertArrayEquals(values, t.floats());
    }

    @Test
    void externalDataPastTheEndOfItsFileIsRefused() {
        write(dir.resolve("w.bin"), littleEndian(0, 1, 2, 3, 4));  // 16 bytes
        SparqException tooLong = assertFails(ErrorCode.INVALID_MODEL,
                () -> OnnxTensors.fromProto(external("w", new long[] {4}, "w.bin", 4L, 16L), dir));
        assertTrue(tooLong.getMessage().contains("runs past the end of 'w.bin' (16 bytes)"), tooLong.getMessage());
        SparqException badOffset = assertFails(ErrorCode.INVALID_MODEL,
                () -> OnnxTensors.fromProto(external("w", new long[] {0}, "w.bin", 17L, null), dir));
        assertTrue(badOffset.getMessage().contains("offset 17 is past the end"), badOffset.getMessage());
        SparqException wrongSize = assertFails(ErrorCode.INVALID_MODEL,
                () -> OnnxTensors.fromProto(external("w", new long[] {3}, "w.bin", null, null), dir));
        assertTrue(wrongSize.getMessage().contains("needs 12"), wrongSize.getMessage());
        assertFails(ErrorCode.INVALID_MODEL,
                () -> OnnxTensors.fromProto(external("w", new long[] {1}, "w.bin", -4L, null), dir));
    }

    @Test
    void externalDataMustStayInsideTheModelFolder() throws IOException {
        Path model = Files.createDirectories(dir.resolve("model"));
        Path secret = write(dir.resolve("secret.bin"), littleEndian(0, 42));
        SparqException up = assertFails(ErrorCode.INVALID_MODEL,
                () -> OnnxTensors.fromProto(external("w", new long[] {1}, "../secret.bin", null, null), model));
        assertTrue(up.getMessage().contains("'../secret.bin' points outside the model folder"), up.getMessage());
        assertFails(ErrorCode.INVALID_MODEL,
                () -> OnnxTensors.fromProto(external("w", new long[] {1}, "sub/../../secret.bin", null, null), model));
        SparqException absolute = assertFails(ErrorCode.INVALID_MODEL,
                () -> OnnxTensors.fromProto(external("w", new long[] {1}, secret.toString(), null, null), model));
        assertTrue(absolute.getMessage().contains("must be a relative path"), absolute.getMessage());
        Files.createSymbolicLink(model.resolve("link.bin"), secret);
        SparqException link = assertFails(ErrorCode.INVALID_MODEL,
                () -> OnnxTensors.fromProto(external("w", new long[] {1}, "link.bin", null, null), model));
        assertTrue(link.getMessage().contains("is a link to"), link.getMessage());
        assertFails(ErrorCode.INVALID_MODEL,
                () -> OnnxTensors.fromProto(external("w", new long[] {1}, "missing.bin", null, null), model));
        assertFails(ErrorCode.INVALID_MODEL,
                () -> OnnxTensors.fromProto(external("w", new long[] {1}, "secret.bin", null, null), null));
    }

    static SparqException assertFails(ErrorCode code, Executable action) {
        SparqException e = assertThrows(SparqException.class, action);
        assertEquals(code, e.code(), e.getMessage());
        return e;
    }

    private static Path resource(String name) {
        URL url = OnnxTensorsTest.class.getResource("tensors/" + name);
        if (url == null) {
            throw new IllegalStateException("test resource tensors/" + name + " is missing");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Element-wise, bit-exact for floats (so -0.0 differs from 0.0), for any primitive array type. */
    private static void assertArrayEqualsAnyType(Object expected, Object actual, String message) {
        assertTrue(Objects.deepEquals(expected, actual),
                () -> message + ": expected " + Arrays.deepToString(new Object[] {expected})
                        + " but got " + Arrays.deepToString(new Object[] {actual}));
    }
}
