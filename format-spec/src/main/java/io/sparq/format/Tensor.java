package io.sparq.format;

import java.util.Arrays;

/**
 * A dense n-dimensional array in row-major (C) order: an element type, a shape and one primitive
 * array holding the elements. The array type follows the element type:
 *
 * <pre>
 *   FLOAT32 float[]   FLOAT64 double[]   FLOAT16 short[] (IEEE binary16 bits)
 *   INT64   long[]    INT32   int[]      INT16, UINT16 short[]
 *   INT8, UINT8 byte[] (UINT8 read with & 0xFF)          BOOL boolean[]
 * </pre>
 *
 * Tensors are treated as immutable once built: operators write only into tensors they create.
 */
public final class Tensor {
    private final DataType type;
    private final int[] shape;
    private final int size;
    private final Object data;

    private Tensor(DataType type, int[] shape, Object data) {
        this.type = type;
        this.shape = shape;
        this.size = sizeOf(shape);
        this.data = data;
        int length = java.lang.reflect.Array.getLength(data);
        if (length != size) {
            throw new IllegalArgumentException(
                    "data has " + length + " elements, shape " + Arrays.toString(shape) + " needs " + size);
        }
    }

    /** Wraps {@code data} (not copied) as a tensor; the array class must match the type. */
    public static Tensor of(DataType type, int[] shape, Object data) {
        if (data == null || data.getClass() != arrayClass(type)) {
            throw new IllegalArgumentException(type + " tensors hold "
                    + arrayClass(type).getSimpleName() + ", got "
                    + (data == null ? "null" : data.getClass().getSimpleName()));
        }
        return new Tensor(type, shape.clone(), data);
    }

    public static Tensor ofFloats(int[] shape, float... data) {
        return of(DataType.FLOAT32, shape, data);
    }

    public static Tensor ofDoubles(int[] shape, double... data) {
        return of(DataType.FLOAT64, shape, data);
    }

    public static Tensor ofLongs(int[] shape, long... data) {
        return of(DataType.INT64, shape, data);
    }

    public static Tensor ofInts(int[] shape, int... data) {
        return of(DataType.INT32, shape, data);
    }

    public static Tensor ofBools(int[] shape, boolean... data) {
        return of(DataType.BOOL, shape, data);
    }

    public static Tensor scalar(float value) {
        return ofFloats(new int[0], value);
    }

    public static Tensor scalar(long value) {
        return ofLongs(new int[0], value);
    }

    /** A tensor of the given type and shape with every element zero (false). */
    public static Tensor zeros(DataType type, int[] shape) {
        return new Tensor(type, shape.clone(), newArray(type, sizeOf(shape)));
    }

    /** A new primitive array of the class that holds {@code type}, with {@code length} elements. */
    public static Object newArray(DataType type, int length) {
        return java.lang.reflect.Array.newInstance(arrayClass(type).getComponentType(), length);
    }

    /** The primitive array class that holds elements of {@code type}. */
    public static Class<?> arrayClass(DataType type) {
        switch (type) {
            case FLOAT32: return float[].class;
            case FLOAT64: return double[].class;
            case FLOAT16: case INT16: case UINT16: return short[].class;
            case INT64: return long[].class;
            case INT32: return int[].class;
            case INT8: case UINT8: return byte[].class;
            case BOOL: return boolean[].class;
            default: throw new AssertionError(type);
        }
    }

    /** Number of elements of a shape; rejects negative dims and totals past {@code Integer.MAX_VALUE}. */
    public static int sizeOf(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n *= d;
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has more than 2^31-1 elements");
            }
        }
        return (int) n;
    }

    public DataType type() {
        return type;
    }

    /** A copy of the shape. */
    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int axis) {
        return shape[axis];
    }

    /** Number of elements. */
    public int size() {
        return size;
    }

    /** The backing primitive array (not a copy). */
    public Object data() {
        return data;
    }

    public float[] floats() {
        return (float[]) expect(DataType.FLOAT32);
    }

    public double[] doubles() {
        return (double[]) expect(DataType.FLOAT64);
    }

    public long[] longs() {
        return (long[]) expect(DataType.INT64);
    }

    public int[] ints() {
        return (int[]) expect(DataType.INT32);
    }

    public boolean[] bools() {
        return (boolean[]) expect(DataType.BOOL);
    }

    /** The elements of an INT8 or UINT8 tensor. */
    public byte[] bytes() {
        if (type != DataType.INT8 && type != DataType.UINT8) {
            throw wrongType("int8 or uint8");
        }
        return (byte[]) data;
    }

    /** The elements of a FLOAT16 (raw bits), INT16 or UINT16 tensor. */
    public short[] shorts() {
        if (type != DataType.FLOAT16 && type != DataType.INT16 && type != DataType.UINT16) {
            throw wrongType("float16, int16 or uint16");
        }
        return (short[]) data;
    }

    /** The same elements viewed with another shape of equal size (data shared, not copied). */
    public Tensor reshape(int[] newShape) {
        if (sizeOf(newShape) != size) {
            throw new IllegalArgumentException("cannot reshape " + Arrays.toString(shape)
                    + " (" + size + " elements) to " + Arrays.toString(newShape));
        }
        return new Tensor(type, newShape.clone(), data);
    }

    /** Element {@code i} (flat index) converted to double, whatever the type. */
    public double getDouble(int i) {
        switch (type) {
            case FLOAT32: return ((float[]) data)[i];
            case FLOAT64: return ((double[]) data)[i];
            case FLOAT16: return Float16.toFloat(((short[]) data)[i]);
            case INT16: return ((short[]) data)[i];
            case UINT16: return ((short[]) data)[i] & 0xFFFF;
            case INT64: return ((long[]) data)[i];
            case INT32: return ((int[]) data)[i];
            case INT8: return ((byte[]) data)[i];
            case UINT8: return ((byte[]) data)[i] & 0xFF;
            case BOOL: return ((boolean[]) data)[i] ? 1 : 0;
            default: throw new AssertionError(type);
        }
    }

    /** Element {@code i} (flat index) converted to long (floats truncate toward zero). */
    public long getLong(int i) {
        switch (type) {
            case INT64: return ((long[]) data)[i];
            case INT32: return ((int[]) data)[i];
            case INT16: return ((short[]) data)[i];
            case UINT16: return ((short[]) data)[i] & 0xFFFF;
            case INT8: return ((byte[]) data)[i];
            case UINT8: return ((byte[]) data)[i] & 0xFF;
            case BOOL: return ((boolean[]) data)[i] ? 1 : 0;
            default: return (long) getDouble(i);
        }
    }

    /** All elements as longs, e.g. for shape and index inputs. */
    public long[] toLongArray() {
        if (type == DataType.INT64) {
            return ((long[]) data).clone();
        }
        long[] out = new long[size];
        for (int i = 0; i < size; i++) {
            out[i] = getLong(i);
        }
        return out;
    }

    /** Whether {@code other} has this tensor's type, shape and elements (bit for bit, so NaN equals NaN). */
    public boolean contentEquals(Tensor other) {
        if (type != other.type || !Arrays.equals(shape, other.shape)) {
            return false;
        }
        Object q = other.data;
        if (data instanceof float[] a) {
            return Arrays.equals(a, (float[]) q);
        } else if (data instanceof double[] a) {
            return Arrays.equals(a, (double[]) q);
        } else if (data instanceof long[] a) {
            return Arrays.equals(a, (long[]) q);
        } else if (data instanceof int[] a) {
            return Arrays.equals(a, (int[]) q);
        } else if (data instanceof short[] a) {
            return Arrays.equals(a, (short[]) q);
        } else if (data instanceof byte[] a) {
            return Arrays.equals(a, (byte[]) q);
        }
        return Arrays.equals((boolean[]) data, (boolean[]) q);
    }

    /** A hash of type, shape and elements, consistent with {@link #contentEquals}. */
    public int contentHash() {
        int h = type.hashCode() * 31 + Arrays.hashCode(shape);
        if (data instanceof float[] a) {
            return h * 31 + Arrays.hashCode(a);
        } else if (data instanceof double[] a) {
            return h * 31 + Arrays.hashCode(a);
        } else if (data instanceof long[] a) {
            return h * 31 + Arrays.hashCode(a);
        } else if (data instanceof int[] a) {
            return h * 31 + Arrays.hashCode(a);
        } else if (data instanceof short[] a) {
            return h * 31 + Arrays.hashCode(a);
        } else if (data instanceof byte[] a) {
            return h * 31 + Arrays.hashCode(a);
        }
        return h * 31 + Arrays.hashCode((boolean[]) data);
    }

    private Object expect(DataType expected) {
        if (type != expected) {
            throw wrongType(expected.displayName());
        }
        return data;
    }

    private IllegalStateException wrongType(String expected) {
        return new IllegalStateException("tensor is " + type.displayName() + ", not " + expected);
    }

    @Override
    public String toString() {
        return type.displayName() + Arrays.toString(shape);
    }
}
