package io.sparq.runtime.ops;

import io.sparq.format.DataType;
import io.sparq.format.Float16;
import io.sparq.format.Tensor;

import java.util.Arrays;

/**
 * The Cast operator between every element type sparq holds, with C++ conversion rules as ONNX
 * Runtime applies them: floats to integers truncate toward zero, integers narrow by dropping high
 * bits (two's complement), anything to bool is "not zero" (NaN is true), bool is 1 or 0.
 */
final class CastOp {
    private CastOp() {
    }

    static Op create(NodeContext ctx) {
        ctx.requireInputs(1, 1);
        if (!ctx.hasAttr("to")) {
            throw ctx.fail("attribute to is required");
        }
        long code = ctx.attrInt("to", 0);
        DataType to = DataType.fromOnnx((int) code).filter(t -> t.onnxCode() == code).orElseThrow(() ->
                ctx.unsupported("cast to ONNX data type " + code + " is not supported; supported types: "
                        + Arrays.stream(DataType.values()).map(t -> t.displayName() + " (" + t.onnxCode() + ")").toList()));
        return in -> new Tensor[] {cast(in[0], to)};
    }

    /** {@code t} converted to {@code to}; {@code t} itself when it already has that type. */
    static Tensor cast(Tensor t, DataType to) {
        if (t.type() == to) {
            return t;
        }
        Object out = t.type().isFloatingPoint() ? fromDoubles(toDoubles(t), to) : fromLongs(toLongs(t), to);
        return Tensor.of(to, t.shape(), out);
    }

    /** The elements of an integer or bool tensor as longs (may be the tensor's own array: read only). */
    private static long[] toLongs(Tensor t) {
        if (t.type() == DataType.INT64) {
            return t.longs();
        }
        long[] v = new long[t.size()];
        switch (t.type()) {
            case INT32 -> {
                int[] s = t.ints();
                for (int i = 0; i < v.length; i++) {
                    v[i] = s[i];
                }
            }
            case INT16 -> {
                short[] s = t.shorts();
                for (int i = 0; i < v.length; i++) {
                    v[i] = s[i];
                }
            }
            case UINT16 -> {
                short[] s = t.shorts();
                for (int i = 0; i < v.length; i++) {
                    v[i] = s[i] & 0xFFFF;
                }
            }
            case INT8 -> {
                byte[] s = t.bytes();
                for (int i = 0; i < v.length; i++) {
                    v[i] = s[i];
                }
            }
            case UINT8 -> {
                byte[] s = t.bytes();
                for (int i = 0; i < v.length; i++) {
                    v[i] = s[i] & 0xFF;
                }
            }
            case BOOL -> {
                boolean[] s = t.bools();
                for (int i = 0; i < v.length; i++) {
                    v[i] = s[i] ? 1 : 0;
                }
            }
            default -> throw new IllegalArgumentException("not an integer type: " + t);
        }
        return v;
    }

    /** The elements of a floating-point tensor as doubles (may be the tensor's own array: read only). */
    private static double[] toDoubles(Tensor t) {
        if (t.type() == DataType.FLOAT64) {
            return t.doubles();
        }
        double[] v = new double[t.size()];
        if (t.type() == DataType.FLOAT32) {
            float[] s = t.floats();
            for (int i = 0; i < v.length; i++) {
                v[i] = s[i];
            }
        } else {
            short[] s = t.shorts();
            for (int i = 0; i < v.length; i++) {
                v[i] = Float16.toFloat(s[i]);
            }
        }
        return v;
    }

    /** A new array of type {@code to} holding {@code v} converted (int64 returns {@code v} itself). */
    static Object fromLongs(long[] v, DataType to) {
        int n = v.length;
        switch (to) {
            case INT64: return v;
            case FLOAT32: {
                float[] o = new float[n];
                for (int i = 0; i < n; i++) {
                    o[i] = v[i];                     // one rounding, unlike a trip through double
                }
                return o;
            }
            case FLOAT64: {
                double[] o = new double[n];
                for (int i = 0; i < n; i++) {
                    o[i] = v[i];
                }
                return o;
            }
            case FLOAT16: {
                short[] o = new short[n];
                for (int i = 0; i < n; i++) {
                    o[i] = Float16.fromFloat(v[i]);
                }
                return o;
            }
            case INT32: {
                int[] o = new int[n];
                for (int i = 0; i < n; i++) {
                    o[i] = (int) v[i];
                }
                return o;
            }
            case INT16: case UINT16: {
                short[] o = new short[n];
                for (int i = 0; i < n; i++) {
                    o[i] = (short) v[i];
                }
                return o;
            }
            case INT8: case UINT8: {
                byte[] o = new byte[n];
                for (int i = 0; i < n; i++) {
                    o[i] = (byte) v[i];
                }
                return o;
            }
            case BOOL: {
                boolean[] o = new boolean[n];
                for (int i = 0; i < n; i++) {
                    o[i] = v[i] != 0;
                }
                return o;
            }
            default: throw new AssertionError(to);
        }
    }

    /** A new array of type {@code to} holding {@code v} converted (float64 returns {@code v} itself). */
    private static Object fromDoubles(double[] v, DataType to) {
        int n = v.length;
        switch (to) {
            case FLOAT64: return v;
            case FLOAT32: {
                float[] o = new float[n];
                for (int i = 0; i < n; i++) {
                    o[i] = (float) v[i];
                }
                return o;
            }
            case FLOAT16: {
                short[] o = new short[n];
                for (int i = 0; i < n; i++) {
                    o[i] = Float16.fromFloat((float) v[i]);
                }
                return o;
            }
            case BOOL: {
                boolean[] o = new boolean[n];
                for (int i = 0; i < n; i++) {
                    o[i] = v[i] != 0;                // NaN != 0 holds: NaN casts to true
                }
                return o;
            }
            default: {
                long[] truncated = new long[n];
                for (int i = 0; i < n; i++) {
                    truncated[i] = (long) v[i];
                }
                return fromLongs(truncated, to);
            }
        }
    }
}
