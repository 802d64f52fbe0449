package io.sparq.runtime.kernels;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * {@link Strided#copy} against a direct element-by-element evaluation of its definition, on random
 * boxes with permuted, reversed (negative) and broadcast (zero) source strides, written into
 * permuted boxes of larger arrays, for every array type.
 * Tolerance: exact.
 */
class StridedTest {
    @Test
    void copyMatchesDefinitionOnRandomBoxes() {
        Random rnd = new Random(7);
        for (int trial = 0; trial < 2000; trial++) {
            int rank = rnd.nextInt(6);
            int[] shape = new int[rank];
            for (int d = 0; d < rank; d++) {
                shape[d] = rnd.nextInt(10) == 0 ? 1 : 1 + rnd.nextInt(5);
            }
            int[] srcShape = shape.clone();             // the source is a permuted, partly broadcast view
            int[] perm = permutation(rank, rnd);
            int[] srcStrides = new int[rank];
            int srcOffset = 0;
            int[] dense = Strided.contiguousStrides(permute(srcShape, perm));
            for (int k = 0; k < rank; k++) {
                int axisInSource = indexOf(perm, k);
                srcStrides[k] = dense[axisInSource];
                if (rnd.nextInt(4) == 0) {
                    srcStrides[k] = 0;
                } else if (rnd.nextInt(4) == 0) {
                    srcOffset += (shape[k] - 1) * srcStrides[k];
                    srcStrides[k] = -srcStrides[k];
                }
            }
            int srcSize = Math.max(1, Arrays.stream(srcShape).reduce(1, (a, b) -> a * b));
            // the destination is a box inside a larger array (as Concat writes), in permuted order
            int[] padded = shape.clone();
            for (int d = 0; d < rank; d++) {
                padded[d] += rnd.nextInt(3) == 0 ? 1 + rnd.nextInt(2) : 0;
            }
            int[] dstPerm = permutation(rank, rnd);
            int[] dstDense = Strided.contiguousStrides(permute(padded, dstPerm));
            int[] dstStrides = new int[rank];
            for (int k = 0; k < rank; k++) {
                dstStrides[k] = dstDense[indexOf(dstPerm, k)];
            }
            int dstOffset = rank > 0 && padded[0] > shape[0] ? dstStrides[0] : 0;
            int dstSize = Arrays.stream(padded).reduce(1, (a, b) -> a * b);
            for (Class<?> type : new Class<?>[] {float[].class, double[].class, long[].class, int[].class,
                    short[].class, byte[].class, boolean[].class}) {
                Object src = fill(type, srcSize, rnd);
                Object want = java.lang.reflect.Array.newInstance(type.getComponentType(), dstSize);
                Object got = java.lang.reflect.Array.newInstance(type.getComponentType(), dstSize);
                naive(src, srcOffset, srcStrides, want, dstOffset, dstStrides, shape);
                Strided.copy(src, srcOffset, srcStrides, got, dstOffset, dstStrides, shape);
                assertArrayEquals(box(want), box(got), "shape " + Arrays.toString(shape) + " src strides "
                        + Arrays.toString(srcStrides) + " offset " + srcOffset + " dst strides " + Arrays.toString(dstStrides)
                        + " offset " + dstOffset + " " + type.getSimpleName());
            }
        }
    }

    @Test
    void broadcastShapesFollowNumPy() {
        assertArrayEquals(new int[] {2, 3, 4}, Broadcast.shape(new int[] {3, 1}, new int[] {2, 1, 4}));
        assertArrayEquals(new int[] {0, 3}, Broadcast.shape(new int[] {3}, new int[] {0, 1}));
        assertArrayEquals(new int[] {}, Broadcast.shape(new int[] {}, new int[] {}));
        assertNull(Broadcast.shape(new int[] {2, 3}, new int[] {4}));
        assertArrayEquals(new int[] {0, 0, 1, 0}, Strided.broadcastStrides(new int[] {2, 1}, new int[] {5, 3, 2, 4}));
        assertEquals(0, Strided.broadcastStrides(new int[] {1}, new int[] {7})[0]);
    }

    private static void naive(Object src, int srcOffset, int[] srcStrides, Object dst, int dstOffset, int[] dstStrides,
                              int[] shape) {
        int n = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        for (int flat = 0; flat < n; flat++) {
            int rest = flat;
            int si = srcOffset;
            int di = dstOffset;
            for (int d = shape.length - 1; d >= 0; d--) {
                int i = rest % shape[d];
                rest /= shape[d];
                si += i * srcStrides[d];
                di += i * dstStrides[d];
            }
            java.lang.reflect.Array.set(dst, di, java.lang.reflect.Array.get(src, si));
        }
    }

    private static Object fill(Class<?> type, int n, Random rnd) {
        Object a = java.lang.reflect.Array.newInstance(type.getComponentType(), n);
        for (int i = 0; i < n; i++) {
            int v = rnd.nextInt(1000) - 500;
            Object boxed = switch (type.getComponentType().getName()) {
                case "float" -> (float) v;
                case "double" -> (double) v;
                case "long" -> (long) v;
                case "int" -> v;
                case "short" -> (short) v;
                case "byte" -> (byte) v;
                default -> v > 0;
            };
            java.lang.reflect.Array.set(a, i, boxed);
        }
        return a;
    }

    private static Object[] box(Object array) {
        Object[] out = new Object[java.lang.reflect.Array.getLength(array)];
        for (int i = 0; i < out.length; i++) {
            out[i] = java.lang.reflect.Array.get(array, i);
        }
        return out;
    }

    private static int[] permutation(int n, Random rnd) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private static int[] permute(int[] shape, int[] perm) {
        int[] out = new int[shape.length];
        for (int i = 0; i < shape.length; i++) {
            out[i] = shape[perm[i]];
        }
        return out;
    }

    private static int indexOf(int[] a, int v) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == v) {
                return i;
            }
        }
        return -1;
    }
}
