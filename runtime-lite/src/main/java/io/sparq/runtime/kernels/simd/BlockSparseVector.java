package io.sparq.runtime.kernels.simd;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import static io.sparq.runtime.kernels.simd.Lanes.*;

/**
 * 1×B block-sparse rows on the Vector API ({@link VectorKernels}; scalar reference:
 * {@code ScalarKernels#blockSparseF32} and {@code #blockSparseInt8}): a block is B consecutive
 * inputs times B weights, added into one accumulator per output, whose lanes are summed in a fixed
 * order at the end of the row.
 */
final class BlockSparseVector {
    private BlockSparseVector() {
    }

    // One loop per block size and value type, written out: the Vector API compiles to SIMD only
    // where the species is a compile-time constant, and a shared loop taking the species as an
    // argument is compiled on its own (and too big to inline) before its callers are.

    static void blockSparseF32(VectorKernels vk, int blockSize, int[] rowPtr, int[] blockCol, float[] values, int cols,
                               int m, float[] x, int xOff, int ldx, int row0, int row1, float[] y, int yOff, int ldy,
                               boolean accumulate) {
        switch (blockSize) {
            case 4: blockF32x4(vk, rowPtr, blockCol, values, cols, m, x, xOff, ldx, row0, row1, y, yOff, ldy,
                    accumulate); break;
            case 8: blockF32x8(vk, rowPtr, blockCol, values, cols, m, x, xOff, ldx, row0, row1, y, yOff, ldy,
                    accumulate); break;
            default: blockF32x16(vk, rowPtr, blockCol, values, cols, m, x, xOff, ldx, row0, row1, y, yOff, ldy,
                    accumulate);
        }
    }

    static void blockSparseInt8(VectorKernels vk, int blockSize, int[] rowPtr, int[] blockCol, byte[] q, float[] scales,
                                int cols, int m, float[] x, int xOff, int ldx, int row0, int row1, float[] y, int yOff,
                                int ldy, boolean accumulate) {
        switch (blockSize) {
            case 4: blockInt8x4(vk, rowPtr, blockCol, q, scales, cols, m, x, xOff, ldx, row0, row1, y, yOff, ldy,
                    accumulate); break;
            case 8: blockInt8x8(vk, rowPtr, blockCol, q, scales, cols, m, x, xOff, ldx, row0, row1, y, yOff, ldy,
                    accumulate); break;
            default: blockInt8x16(vk, rowPtr, blockCol, q, scales, cols, m, x, xOff, ldx, row0, row1, y, yOff, ldy,
                    accumulate);
        }
    }

    private static void blockF32x4(VectorKernels vk, int[] rowPtr, int[] blockCol, float[] values, int cols, int m,
                                   float[] x, int xOff, int ldx, int row0, int row1, float[] y, int yOff, int ldy,
                                   boolean accumulate) {
        VectorSpecies<Float> s = VectorKernels.F128;
        float[] lanes = new float[s.length()];
        int l = s.length();
        for (int j = row0; j < row1; j++) {
            int t0 = rowPtr[j];
            int t1 = rowPtr[j + 1];
            for (int i = 0; i < m; i++) {
                int xi = xOff + i * ldx;
                FloatVector acc = FloatVector.zero(s);
                float rest = 0;
                for (int t = t0; t < t1; t++) {
                    int c0 = blockCol[t];
                    int v0 = t * 4;
                    if (c0 + 4 <= cols) {
                        for (int e = 0; e < 4; e += l) {
                            acc = FloatVector.fromArray(s, x, xi + c0 + e).fma(FloatVector.fromArray(s, values,
                                    v0 + e), acc);
                        }
                    } else {
                        for (int c = c0; c < cols; c++) {
                            rest = Math.fma(x[xi + c], values[v0 + c - c0], rest);
                        }
                    }
                }
                store(y, yOff + i * ldy + j - row0, sum(acc, lanes) + rest, accumulate);
            }
        }
    }

    private static void blockF32x8(VectorKernels vk, int[] rowPtr, int[] blockCol, float[] values, int cols, int m,
                                   float[] x, int xOff, int ldx, int row0, int row1, float[] y, int yOff, int ldy,
                                   boolean accumulate) {
        VectorSpecies<Float> s = vk.floats8();
        float[] lanes = new float[s.length()];
        int l = s.length();
        for (int j = row0; j < row1; j++) {
            int t0 = rowPtr[j];
            int t1 = rowPtr[j + 1];
            for (int i = 0; i < m; i++) {
                int xi = xOff + i * ldx;
                FloatVector acc = FloatVector.zero(s);
                float rest = 0;
                for (int t = t0; t < t1; t++) {
                    int c0 = blockCol[t];
                    int v0 = t * 8;
                    if (c0 + 8 <= cols) {
                        for (int e = 0; e < 8; e += l) {
                            acc = FloatVector.fromArray(s, x, xi + c0 + e).fma(FloatVector.fromArray(s, values,
                                    v0 + e), acc);
                        }
                    } else {
                        for (int c = c0; c < cols; c++) {
                            rest = Math.fma(x[xi + c], values[v0 + c - c0], rest);
                        }
                    }
                }
                store(y, yOff + i * ldy + j - row0, sum(acc, lanes) + rest, accumulate);
            }
        }
    }

    private static void blockF32x16(VectorKernels vk, int[] rowPtr, int[] blockCol, float[] values, int cols, int m,
                                    float[] x, int xOff, int ldx, int row0, int row1, float[] y, int yOff, int ldy,
                                    boolean accumulate) {
        VectorSpecies<Float> s = vk.floats16();
        float[] lanes = new float[s.length()];
        int l = s.length();
        for (int j = row0; j < row1; j++) {
            int t0 = rowPtr[j];
            int t1 = rowPtr[j + 1];
            for (int i = 0; i < m; i++) {
                int xi = xOff + i * ldx;
                FloatVector acc = FloatVector.zero(s);
                float rest = 0;
                for (int t = t0; t < t1; t++) {
                    int c0 = blockCol[t];
                    int v0 = t * 16;
                    if (c0 + 16 <= cols) {
                        for (int e = 0; e < 16; e += l) {
                            acc = FloatVector.fromArray(s, x, xi + c0 + e).fma(FloatVector.fromArray(s, values,
                                    v0 + e), acc);
                        }
                    } else {
                        for (int c = c0; c < cols; c++) {
                            rest = Math.fma(x[xi + c], values[v0 + c - c0], rest);
                        }
                    }
                }
                store(y, yOff + i * ldy + j - row0, sum(acc, lanes) + rest, accumulate);
            }
        }
    }

    private static void blockInt8x4(VectorKernels vk, int[] rowPtr, int[] blockCol, byte[] q, float[] scales, int cols,
                                    int m, float[] x, int xOff, int ldx, int row0, int row1, float[] y, int yOff,
                                    int ldy, boolean accumulate) {
        VectorSpecies<Float> s = VectorKernels.F128;
        float[] lanes = new float[s.length()];
        VectorSpecies<Byte> bs = VectorKernels.B64;
        int l = s.length();
        for (int j = row0; j < row1; j++) {
            int t0 = rowPtr[j];
            int t1 = rowPtr[j + 1];
            for (int i = 0; i < m; i++) {
                int xi = xOff + i * ldx;
                FloatVector acc = FloatVector.zero(s);
                float rest = 0;
                for (int t = t0; t < t1; t++) {
                    int c0 = blockCol[t];
                    int v0 = t * 4;
                    if (c0 + 4 <= cols) {
                        for (int e = 0; e < 4; e += l) {
                            FloatVector w = (FloatVector) ByteVector.fromArray(bs, q,
                                    v0 + e).convertShape(VectorOperators.B2F, s, 0);
                            acc = FloatVector.fromArray(s, x, xi + c0 + e).fma(w, acc);
                        }
                    } else {
                        for (int c = c0; c < cols; c++) {
                            rest = Math.fma(x[xi + c], q[v0 + c - c0], rest);
                        }
                    }
                }
                store(y, yOff + i * ldy + j - row0, (sum(acc, lanes) + rest) * scales[j], accumulate);
            }
        }
    }

    private static void blockInt8x8(VectorKernels vk, int[] rowPtr, int[] blockCol, byte[] q, float[] scales, int cols,
                                    int m, float[] x, int xOff, int ldx, int row0, int row1, float[] y, int yOff,
                                    int ldy, boolean accumulate) {
        VectorSpecies<Float> s = vk.floats8();
        float[] lanes = new float[s.length()];
        VectorSpecies<Byte> bs = vk.bytes8();
        int l = s.length();
        for (int j = row0; j < row1; j++) {
            int t0 = rowPtr[j];
            int t1 = rowPtr[j + 1];
            for (int i = 0; i < m; i++) {
                int xi = xOff + i * ldx;
                FloatVector acc = FloatVector.zero(s);
                float rest = 0;
                for (int t = t0; t < t1; t++) {
                    int c0 = blockCol[t];
                    int v0 = t * 8;
                    if (c0 + 8 <= cols) {
                        for (int e = 0; e < 8; e += l) {
                            FloatVector w = (FloatVector) ByteVector.fromArray(bs, q,
                                    v0 + e).convertShape(VectorOperators.B2F, s, 0);
                            acc = FloatVector.fromArray(s, x, xi + c0 + e).fma(w, acc);
                        }
                    } else {
                        for (int c = c0; c < cols; c++) {
                            rest = Math.fma(x[xi + c], q[v0 + c - c0], rest);
                        }
                    }
                }
                store(y, yOff + i * ldy + j - row0, (sum(acc, lanes) + rest) * scales[j], accumulate);
            }
        }
    }

    private static void blockInt8x16(VectorKernels vk, int[] rowPtr, int[] blockCol, byte[] q, float[] scales, int cols,
                                     int m, float[] x, int xOff, int ldx, int row0, int row1, float[] y, int yOff,
                                     int ldy, boolean accumulate) {
        VectorSpecies<Float> s = vk.floats16();
        float[] lanes = new float[s.length()];
        VectorSpecies<Byte> bs = vk.bytes16();
        int l = s.length();
        for (int j = row0; j < row1; j++) {
            int t0 = rowPtr[j];
            int t1 = rowPtr[j + 1];
            int i = 0;
            // four inputs per pass share each block's int8-to-float conversion (batches, sequences);
            // every output is still one FMA chain in block order, so the bits match the one-input loop
            for (; i + 4 <= m; i += 4) {
                int x0 = xOff + i * ldx;
                int x1 = x0 + ldx;
                int x2 = x1 + ldx;
                int x3 = x2 + ldx;
                FloatVector a0 = FloatVector.zero(s);
                FloatVector a1 = a0;
                FloatVector a2 = a0;
                FloatVector a3 = a0;
                float r0 = 0;
                float r1 = 0;
                float r2 = 0;
                float r3 = 0;
                for (int t = t0; t < t1; t++) {
                    int c0 = blockCol[t];
                    int v0 = t * 16;
                    if (c0 + 16 <= cols) {
                        for (int e = 0; e < 16; e += l) {
                            FloatVector w = (FloatVector) ByteVector.fromArray(bs, q,
                                    v0 + e).convertShape(VectorOperators.B2F, s, 0);
                            int c = c0 + e;
                            a0 = FloatVector.fromArray(s, x, x0 + c).fma(w, a0);
                            a1 = FloatVector.fromArray(s, x, x1 + c).fma(w, a1);
                            a2 = FloatVector.fromArray(s, x, x2 + c).fma(w, a2);
                            a3 = FloatVector.fromArray(s, x, x3 + c).fma(w, a3);
                        }
                    } else {
                        for (int c = c0; c < cols; c++) {
                            float w = q[v0 + c - c0];
                            r0 = Math.fma(x[x0 + c], w, r0);
                            r1 = Math.fma(x[x1 + c], w, r1);
                            r2 = Math.fma(x[x2 + c], w, r2);
                            r3 = Math.fma(x[x3 + c], w, r3);
                        }
                    }
                }
                int yi = yOff + i * ldy + j - row0;
                store(y, yi, (sum(a0, lanes) + r0) * scales[j], accumulate);
                store(y, yi + ldy, (sum(a1, lanes) + r1) * scales[j], accumulate);
                store(y, yi + 2 * ldy, (sum(a2, lanes) + r2) * scales[j], accumulate);
                store(y, yi + 3 * ldy, (sum(a3, lanes) + r3) * scales[j], accumulate);
            }
            for (; i < m; i++) {
                int xi = xOff + i * ldx;
                FloatVector acc = FloatVector.zero(s);
                float rest = 0;
                for (int t = t0; t < t1; t++) {
                    int c0 = blockCol[t];
                    int v0 = t * 16;
                    if (c0 + 16 <= cols) {
                        for (int e = 0; e < 16; e += l) {
                            FloatVector w = (FloatVector) ByteVector.fromArray(bs, q,
                                    v0 + e).convertShape(VectorOperators.B2F, s, 0);
                            acc = FloatVector.fromArray(s, x, xi + c0 + e).fma(w, acc);
                        }
                    } else {
                        for (int c = c0; c < cols; c++) {
                            rest = Math.fma(x[xi + c], q[v0 + c - c0], rest);
                        }
                    }
                }
                store(y, yOff + i * ldy + j - row0, (sum(acc, lanes) + rest) * scales[j], accumulate);
            }
        }
    }
}
