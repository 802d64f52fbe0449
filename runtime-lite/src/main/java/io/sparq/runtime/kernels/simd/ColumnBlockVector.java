package io.sparq.runtime.kernels.simd;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * B×1 column blocks on the Vector API ({@link VectorKernels}; scalar reference:
 * {@code ScalarKernels#columnBlockF32} and {@code #columnBlockInt8}): each block is one broadcast
 * input times L weights added into an accumulator of L rows, so no lanes are summed and every
 * output is one FMA chain in block order, the scalar reference's bits on every width.
 */
final class ColumnBlockVector {
    /** Per-thread hand-over of up to eight finished slices of 16 rows to {@link #flush}. */
    private static final ThreadLocal<float[]> SUMS = ThreadLocal.withInitial(() -> new float[8 * 16]);

    private ColumnBlockVector() {
    }

    // A group of B rows is B / L slices of L rows (L = lanes of floats16(); B a multiple of L, smaller
    // blocks run the scalar reference, which gives the same bits). A slice keeps one accumulator per
    // input in a register: each block is one broadcast input times L weights added into it, so no
    // lanes are ever summed across. The weight loads are written out in each loop rather than called:
    // C2 does not inline a helper that it already compiled large on its own, and a vector crossing a
    // call is boxed (measured 100× slower on the f32 kernel after the int8 one had run).

    static void columnBlockF32(VectorKernels vk, int blockSize, int[] groupPtr, int[] col, float[] values, int m,
                               float[] x, int xOff, int ldx, int row0, int row1, float[] y, int yOff, int ldy,
                               boolean accumulate) {
        VectorSpecies<Float> s = vk.floats16();
        int l = s.length();
        if (blockSize % l != 0) {
            VectorKernels.SCALAR.columnBlockF32(blockSize, groupPtr, col, values, m, x, xOff, ldx, row0, row1, y,
                    yOff, ldy, accumulate);
            return;
        }
        float[] sums = SUMS.get();
        for (int r = firstSlice(blockSize, l, row0); r < row1; r += l) {
            int g = r / blockSize;
            int v = r - g * blockSize;   // offset of the slice's rows in each block
            int t0 = groupPtr[g];
            int t1 = groupPtr[g + 1];
            int i = 0;
            for (; i + 2 <= m; i += 2) {
                int x0 = xOff + i * ldx;
                int x1 = x0 + ldx;
                FloatVector a0 = FloatVector.zero(s);
                FloatVector a1 = a0;
                for (int t = t0; t < t1; t++) {
                    FloatVector w = FloatVector.fromArray(s, values, t * blockSize + v);
                    int c = col[t];
                    a0 = FloatVector.broadcast(s, x[x0 + c]).fma(w, a0);
                    a1 = FloatVector.broadcast(s, x[x1 + c]).fma(w, a1);
                }
                a0.intoArray(sums, 0);
                a1.intoArray(sums, l);
                flush(vk, sums, 0, 2, y, yOff + i * ldy, ldy, r, row0, row1, accumulate);
            }
            if (i < m) {
                int xi = xOff + i * ldx;
                FloatVector a = FloatVector.zero(s);
                for (int t = t0; t < t1; t++) {
                    a = FloatVector.broadcast(s, x[xi + col[t]]).fma(FloatVector.fromArray(s, values,
                            t * blockSize + v), a);
                }
                a.intoArray(sums, 0);
                flush(vk, sums, 0, 1, y, yOff + i * ldy, ldy, r, row0, row1, accumulate);
            }
        }
    }

    static void columnBlockInt8(VectorKernels vk, int blockSize, int[] groupPtr, int[] col, byte[] q, float[] scales,
                                int cols, int m, float[] x, int xOff, int ldx, int row0, int row1, float[] y, int yOff,
                                int ldy, boolean accumulate) {
        int l = vk.floats16().length();
        if (blockSize % l != 0) {
            VectorKernels.SCALAR.columnBlockInt8(blockSize, groupPtr, col, q, scales, cols, m, x, xOff, ldx, row0,
                    row1, y, yOff, ldy, accumulate);
            return;
        }
        float[] sums = SUMS.get();
        // each slice (or pair of slices) in its own small method: C2 compiles those whole, with every
        // vector operation intrinsified, where one large method had parts fall back to Java code
        for (int r = firstSlice(blockSize, l, row0); r < row1; r += l) {
            if (m == 1 && r + l < row1) {
                int8Pair(vk, sums, blockSize, groupPtr, col, q, scales, x, xOff, r, r + l, row0, row1, y, yOff, accumulate);
                r += l;
            } else {
                int8Slice(vk, sums, blockSize, groupPtr, col, q, scales, m, x, xOff, ldx, r, row0, row1, y, yOff, ldy,
                        accumulate);
            }
        }
    }

    /** One input, slices {@code r} and {@code r2}: two independent FMA chains, to overlap their latencies. */
    private static void int8Pair(VectorKernels vk, float[] sums, int blockSize, int[] groupPtr, int[] col, byte[] q, float[] scales,
                                 float[] x, int xOff, int r, int r2, int row0, int row1, float[] y, int yOff,
                                 boolean accumulate) {
        VectorSpecies<Float> s = vk.floats16();
        VectorSpecies<Byte> bs = vk.bytes16();
        int g = r / blockSize;
        int v = r - g * blockSize;
        int t0 = groupPtr[g];
        int t1 = groupPtr[g + 1];
        int g2 = r2 / blockSize;
        int v2 = r2 - g2 * blockSize;
        int u0 = groupPtr[g2];
        int u1 = groupPtr[g2 + 1];
        FloatVector a = FloatVector.zero(s);
        FloatVector a2 = a;
        int n = Math.min(t1 - t0, u1 - u0);
        for (int k = 0; k < n; k++) {
            int t = t0 + k;
            int u = u0 + k;
            FloatVector w = (FloatVector) ByteVector.fromArray(bs, q,
                    t * blockSize + v).convertShape(VectorOperators.B2F, s, 0);
            FloatVector w2 = (FloatVector) ByteVector.fromArray(bs, q,
                    u * blockSize + v2).convertShape(VectorOperators.B2F, s, 0);
            a = FloatVector.broadcast(s, x[xOff + col[t]]).fma(w, a);
            a2 = FloatVector.broadcast(s, x[xOff + col[u]]).fma(w2, a2);
        }
        for (int t = t0 + n; t < t1; t++) {
            FloatVector w = (FloatVector) ByteVector.fromArray(bs, q,
                    t * blockSize + v).convertShape(VectorOperators.B2F, s, 0);
            a = FloatVector.broadcast(s, x[xOff + col[t]]).fma(w, a);
        }
        for (int u = u0 + n; u < u1; u++) {
            FloatVector w2 = (FloatVector) ByteVector.fromArray(bs, q,
                    u * blockSize + v2).convertShape(VectorOperators.B2F, s, 0);
            a2 = FloatVector.broadcast(s, x[xOff + col[u]]).fma(w2, a2);
        }
        a.mul(FloatVector.fromArray(s, scales, r)).intoArray(sums, 0);
        a2.mul(FloatVector.fromArray(s, scales, r2)).intoArray(sums, s.length());
        flush(vk, sums, 0, 1, y, yOff, 0, r, row0, row1, accumulate);
        flush(vk, sums, s.length(), 1, y, yOff, 0, r2, row0, row1, accumulate);
    }

    /**
     * Eight inputs from {@code x[xOff]} ({@code ldx} apart) of slice {@code r}, blocks {@code [t0, t1)}:
     * its own small method, as {@link #int8Pair}, so that C2 compiles it whole with every vector
     * operation intrinsified, and {@link #int8Slice} stays small enough to inline.
     */
    private static void int8Eight(VectorKernels vk, float[] sums, int blockSize, int[] col, byte[] q, int t0, int t1, int v,
                                  float[] x, int xOff, int ldx, int r, int row0, int row1, float[] y, int yOff, int ldy,
                                  float[] scales, boolean accumulate) {
        VectorSpecies<Float> s = vk.floats16();
        int l = s.length();
        VectorSpecies<Byte> bs = vk.bytes16();
        FloatVector scale = FloatVector.fromArray(s, scales, r);
        int x0 = xOff;
        int x1 = x0 + ldx;
        int x2 = x1 + ldx;
        int x3 = x2 + ldx;
        int x4 = x3 + ldx;
        int x5 = x4 + ldx;
        int x6 = x5 + ldx;
        int x7 = x6 + ldx;
        FloatVector a0 = FloatVector.zero(s);
        FloatVector a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (int t = t0; t < t1; t++) {
            FloatVector w = (FloatVector) ByteVector.fromArray(bs, q,
                    t * blockSize + v).convertShape(VectorOperators.B2F, s, 0);
            int c = col[t];
            a0 = FloatVector.broadcast(s, x[x0 + c]).fma(w, a0);
            a1 = FloatVector.broadcast(s, x[x1 + c]).fma(w, a1);
            a2 = FloatVector.broadcast(s, x[x2 + c]).fma(w, a2);
            a3 = FloatVector.broadcast(s, x[x3 + c]).fma(w, a3);
            a4 = FloatVector.broadcast(s, x[x4 + c]).fma(w, a4);
            a5 = FloatVector.broadcast(s, x[x5 + c]).fma(w, a5);
            a6 = FloatVector.broadcast(s, x[x6 + c]).fma(w, a6);
            a7 = FloatVector.broadcast(s, x[x7 + c]).fma(w, a7);
        }
        int yi = yOff;
        a0.mul(scale).intoArray(sums, 0);
        a1.mul(scale).intoArray(sums, l);
        a2.mul(scale).intoArray(sums, 2 * l);
        a3.mul(scale).intoArray(sums, 3 * l);
        a4.mul(scale).intoArray(sums, 4 * l);
        a5.mul(scale).intoArray(sums, 5 * l);
        a6.mul(scale).intoArray(sums, 6 * l);
        a7.mul(scale).intoArray(sums, 7 * l);
        flush(vk, sums, 0, 8, y, yi, ldy, r, row0, row1, accumulate);
    }

    /**
     * Slice {@code r} for {@code m} inputs: eight (then four) per pass share each block's int8-to-float
     * conversion, each input's element broadcast from its own row, so batches and sequences need no
     * transposed copy of the inputs and every result is stored as one vector of L rows. (A panel
     * kernel with the inputs along the lanes, transposing 16 inputs and scattering 16 × 16 sums per
     * group, measured about 18 % slower on the quick start at batch 64.)
     */
    private static void int8Slice(VectorKernels vk, float[] sums, int blockSize, int[] groupPtr, int[] col, byte[] q, float[] scales,
                                  int m, float[] x, int xOff, int ldx, int r, int row0, int row1, float[] y, int yOff,
                                  int ldy, boolean accumulate) {
        VectorSpecies<Float> s = vk.floats16();
        int l = s.length();
        VectorSpecies<Byte> bs = vk.bytes16();
        int g = r / blockSize;
        int v = r - g * blockSize;
        int t0 = groupPtr[g];
        int t1 = groupPtr[g + 1];
        FloatVector scale = FloatVector.fromArray(s, scales, r);
        int i = 0;
        for (; i + 8 <= m; i += 8) {
            int8Eight(vk, sums, blockSize, col, q, t0, t1, v, x, xOff + i * ldx, ldx, r, row0, row1, y, yOff + i * ldy, ldy,
                    scales, accumulate);
        }
        for (; i + 4 <= m; i += 4) {
            int x0 = xOff + i * ldx;
            int x1 = x0 + ldx;
            int x2 = x1 + ldx;
            int x3 = x2 + ldx;
            FloatVector a0 = FloatVector.zero(s);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            for (int t = t0; t < t1; t++) {
                FloatVector w = (FloatVector) ByteVector.fromArray(bs, q,
                        t * blockSize + v).convertShape(VectorOperators.B2F, s, 0);
                int c = col[t];
                a0 = FloatVector.broadcast(s, x[x0 + c]).fma(w, a0);
                a1 = FloatVector.broadcast(s, x[x1 + c]).fma(w, a1);
                a2 = FloatVector.broadcast(s, x[x2 + c]).fma(w, a2);
                a3 = FloatVector.broadcast(s, x[x3 + c]).fma(w, a3);
            }
            int yi = yOff + i * ldy;
            a0.mul(scale).intoArray(sums, 0);
            a1.mul(scale).intoArray(sums, l);
            a2.mul(scale).intoArray(sums, 2 * l);
            a3.mul(scale).intoArray(sums, 3 * l);
            flush(vk, sums, 0, 4, y, yi, ldy, r, row0, row1, accumulate);
        }
        for (; i < m; i++) {
            int xi = xOff + i * ldx;
            FloatVector a = FloatVector.zero(s);
            for (int t = t0; t < t1; t++) {
                FloatVector w = (FloatVector) ByteVector.fromArray(bs, q,
                        t * blockSize + v).convertShape(VectorOperators.B2F, s, 0);
                a = FloatVector.broadcast(s, x[xi + col[t]]).fma(w, a);
            }
            a.mul(scale).intoArray(sums, 0);
            flush(vk, sums, 0, 1, y, yOff + i * ldy, ldy, r, row0, row1, accumulate);
        }
    }

    /** The first row of the first L-row slice of a B-row group that holds a row of {@code [row0, …)}. */
    private static int firstSlice(int blockSize, int l, int row0) {
        int first = row0 / blockSize * blockSize;
        return first + (row0 - first) / l * l;
    }

    /**
     * Stores (or adds) {@code count} finished slices, rows {@code r … r+L-1} of outputs {@code k <
     * count} from {@code sums[from + k·L …]}, into Y (output k's row j at {@code yRow + k·ldy + j -
     * row0}), keeping only rows in {@code [row0, row1)}. The kernels hand their accumulators over
     * through {@code sums}, not as vector arguments: C2 boxes a vector that crosses a call it does
     * not inline, and when a per-vector store helper was not inlined it boxed the accumulators at
     * every block of the loops (17 MiB per call of the quick start at batch 64, a third of its time).
     */
    private static void flush(VectorKernels vk, float[] sums, int from, int count, float[] y, int yRow, int ldy,
                              int r, int row0, int row1, boolean accumulate) {
        VectorSpecies<Float> s = vk.floats16();
        int l = s.length();
        int at = yRow + r - row0;
        if (r >= row0 && r + l <= row1) {
            for (int k = 0; k < count; k++) {
                FloatVector v = FloatVector.fromArray(s, sums, from + k * l);
                int o = at + k * ldy;
                (accumulate ? FloatVector.fromArray(s, y, o).add(v) : v).intoArray(y, o);
            }
            return;
        }
        for (int k = 0; k < count; k++) {   // a slice that sticks out of the range: row by row
            for (int j = Math.max(0, row0 - r); j < l && r + j < row1; j++) {
                int o = at + k * ldy + j;
                float v = sums[from + k * l + j];
                y[o] = accumulate ? y[o] + v : v;
            }
        }
    }
}
