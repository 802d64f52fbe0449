package io.sparq.runtime.kernels.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import static io.sparq.runtime.kernels.simd.Lanes.*;

/**
 * Compressed sparse rows on the Vector API ({@link VectorKernels}; scalar reference:
 * {@code ScalarKernels#csrF32} and {@code #csrInt8}): the inputs of a row's elements gathered by
 * column index, L at a time.
 */
final class CsrVector {
    private CsrVector() {
    }

    static void csrF32(VectorKernels vk, int[] rowPtr, int[] col, float[] values, int m, float[] x, int xOff, int ldx,
                       int row0, int row1, float[] y, int yOff, int ldy, boolean accumulate) {
        VectorSpecies<Float> s = vk.floats();
        float[] lanes = new float[s.length()];
        int l = s.length();
        for (int j = row0; j < row1; j++) {
            int t0 = rowPtr[j];
            int t1 = rowPtr[j + 1];
            int tv = t0 + s.loopBound(t1 - t0);
            for (int i = 0; i < m; i++) {
                int xi = xOff + i * ldx;
                FloatVector acc = FloatVector.zero(s);
                for (int t = t0; t < tv; t += l) {
                    acc = FloatVector.fromArray(s, x, xi, col, t).fma(FloatVector.fromArray(s, values, t), acc);
                }
                float sum = sum(acc, lanes);
                for (int t = tv; t < t1; t++) {
                    sum = Math.fma(x[xi + col[t]], values[t], sum);
                }
                store(y, yOff + i * ldy + j - row0, sum, accumulate);
            }
        }
    }

    static void csrInt8(VectorKernels vk, int[] rowPtr, int[] col, byte[] q, float[] scales, int m, float[] x, int xOff,
                        int ldx, int row0, int row1, float[] y, int yOff, int ldy, boolean accumulate) {
        VectorSpecies<Float> s = vk.floats();
        float[] lanes = new float[s.length()];
        int l = s.length();
        for (int j = row0; j < row1; j++) {
            int t0 = rowPtr[j];
            int t1 = rowPtr[j + 1];
            int tv = t0 + s.loopBound(t1 - t0);
            for (int i = 0; i < m; i++) {
                int xi = xOff + i * ldx;
                FloatVector acc = FloatVector.zero(s);
                for (int t = t0; t < tv; t += l) {
                    acc = FloatVector.fromArray(s, x, xi, col, t).fma(vk.codes(q, t), acc);
                }
                float sum = sum(acc, lanes);
                for (int t = tv; t < t1; t++) {
                    sum = Math.fma(x[xi + col[t]], q[t], sum);
                }
                store(y, yOff + i * ldy + j - row0, sum * scales[j], accumulate);
            }
        }
    }
}
