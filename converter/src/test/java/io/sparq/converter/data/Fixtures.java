package io.sparq.converter.data;

import io.sparq.format.DataType;
import io.sparq.format.Float16;
import io.sparq.format.Tensor;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The arrays that resources/npy/make_fixtures.py wrote, recomputed from the same formulas. */
final class Fixtures {
    static final String[] KEYS = {"f8", "f4", "f2", "i1", "u1", "i2", "u2", "i4", "i8", "b1"};

    private Fixtures() {
    }

    static Path file(String name) {
        URL url = Fixtures.class.getResource("/npy/" + name);
        assertNotNull(url, "missing test resource npy/" + name);
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Tensor expected(String key) {
        int n = 24;
        switch (key) {
            case "f8": {
                double[] v = new double[n];
                Arrays.setAll(v, i -> i * 0.37 - 3.1);
                return Tensor.ofDoubles(new int[] {2, 3, 4}, v);
            }
            case "f4": {
                float[] v = new float[n];
                for (int i = 0; i < n; i++) {
                    v[i] = (float) (i * 0.37 - 3.1);
                }
                return Tensor.ofFloats(new int[] {2, 3, 4}, v);
            }
            case "f2": {
                short[] v = new short[n];
                for (int i = 0; i < n; i++) {
                    v[i] = Float16.fromFloat((i - 12) * 0.125f);
                }
                return Tensor.of(DataType.FLOAT16, new int[] {4, 6}, v);
            }
            case "i1":
            case "u1": {
                byte[] v = new byte[n];
                for (int i = 0; i < n; i++) {
                    v[i] = (byte) (key.equals("i1") ? i * 37 - 300 : i * 37);
                }
                return key.equals("i1") ? Tensor.of(DataType.INT8, new int[] {24}, v)
                        : Tensor.of(DataType.UINT8, new int[] {6, 4}, v);
            }
            case "i2":
            case "u2": {
                short[] v = new short[n];
                for (int i = 0; i < n; i++) {
                    v[i] = (short) (key.equals("i2") ? i * 4099 - 40000 : i * 4099);
                }
                return key.equals("i2") ? Tensor.of(DataType.INT16, new int[] {3, 8}, v)
                        : Tensor.of(DataType.UINT16, new int[] {8, 3}, v);
            }
            case "i4": {
                int[] v = new int[n];
                for (int i = 0; i < n; i++) {
                    v[i] = (int) (i * 300000007L - 2147483648L);
                }
                return Tensor.ofInts(new int[] {2, 12}, v);
            }
            case "i8": {
                long[] v = new long[n];
                Arrays.setAll(v, i -> i * 0x0123456789ABCDEFL);
                return Tensor.ofLongs(new int[] {4, 3, 2}, v);
            }
            case "b1": {
                boolean[] v = new boolean[n];
                for (int i = 0; i < n; i++) {
                    v[i] = i % 3 == 0;
                }
                return Tensor.ofBools(new int[] {2, 3, 4}, v);
            }
            default:
                throw new IllegalArgumentException(key);
        }
    }

    /** Same type, shape and element bits (NaN equals NaN, -0.0 differs from 0.0). */
    static void assertSameTensor(Tensor expected, Tensor actual) {
        assertEquals(expected.type(), actual.type(), "type");
        assertArrayEquals(expected.shape(), actual.shape(), "shape");
        assertTrue(Arrays.deepEquals(new Object[] {expected.data()}, new Object[] {actual.data()}),
                () -> "elements differ: expected " + Arrays.deepToString(new Object[] {expected.data()})
                        + " got " + Arrays.deepToString(new Object[] {actual.data()}));
    }
}
