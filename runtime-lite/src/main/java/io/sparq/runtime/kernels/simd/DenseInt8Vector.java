package io.sparq.runtime.kernels.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import static io.sparq.runtime.kernels.simd.Lanes.*;

/**
 * Dense int8 codes with per-row or per-group scales on the Vector API ({@link VectorKernels};
 * scalar reference: {@code ScalarKernels#denseInt8}): codes widened to float in registers, one FMA
 * with the float activations, each group's sum scaled, then the groups added.
 */
final class DenseInt8Vector {
    private DenseInt8Vector() {
    }

    static void denseInt8(VectorKernels vk, byte[] q, float[] scales, int group, int cols, int m, float[] x, int xOff,
                          int ldx, int row0, int row1, float[] y, int yOff, int ldy, boolean accumulate) {
        int groups = (cols + group - 1) / group;
        int j = row0;
        for (; j + 4 <= row1; j += 4) {
            for (int i = 0; i < m; i++) {
                int8RowsX4(vk, q, scales, group, groups, cols, x, xOff + i * ldx, j, y, yOff + i * ldy + j - row0,
                        accumulate);
            }
        }
        for (; j < row1; j++) {
            for (int i = 0; i < m; i++) {
                int8Row(vk, q, scales, group, groups, cols, x, xOff + i * ldx, j, y, yOff + i * ldy + j - row0,
                        accumulate);
            }
        }
    }

    private static void int8Row(VectorKernels vk, byte[] q, float[] scales, int group, int groups, int cols, float[] x,
                                int xi, int j, float[] y, int yi, boolean accumulate) {
        VectorSpecies<Float> s = vk.floats();
        int l = s.length();
        int q0 = j * cols;
        int sc = j * groups;
        FloatVector t0 = FloatVector.zero(s);
        float r0 = 0;
        for (int g = 0; g < groups; g++) {
            int p0 = g * group;
            int p1 = Math.min(cols, p0 + group);
            int pv = p0 + s.loopBound(p1 - p0);
            FloatVector g0 = FloatVector.zero(s);
            for (int p = p0; p < pv; p += l) {
                g0 = FloatVector.fromArray(s, x, xi + p).fma(vk.codes(q, q0 + p), g0);
            }
            t0 = g0.fma(FloatVector.broadcast(s, scales[sc + g]), t0);
            if (pv < p1) {
                r0 += codeTail(q, q0, x, xi, pv, p1) * scales[sc + g];
            }
        }
        store(y, yi, sum(t0) + r0, accumulate);
    }

    /** Four rows at once: the same operations per row as {@link #int8Row}, interleaved. */
    private static void int8RowsX4(VectorKernels vk, byte[] q, float[] scales, int group, int groups, int cols,
                                   float[] x, int xi, int j, float[] y, int yi, boolean accumulate) {
        VectorSpecies<Float> s = vk.floats();
        int l = s.length();
        int q0 = j * cols;
        int q1 = q0 + cols;
        int q2 = q1 + cols;
        int q3 = q2 + cols;
        int sc0 = j * groups;
        FloatVector t0 = FloatVector.zero(s);
        FloatVector t1 = t0;
        FloatVector t2 = t0;
        FloatVector t3 = t0;
        float r0 = 0;
        float r1 = 0;
        float r2 = 0;
        float r3 = 0;
        for (int g = 0; g < groups; g++) {
            int p0 = g * group;
            int p1 = Math.min(cols, p0 + group);
            int pv = p0 + s.loopBound(p1 - p0);
            FloatVector g0 = FloatVector.zero(s);
            FloatVector g1 = g0;
            FloatVector g2 = g0;
            FloatVector g3 = g0;
            for (int p = p0; p < pv; p += l) {
                FloatVector xv = FloatVector.fromArray(s, x, xi + p);
                g0 = xv.fma(vk.codes(q, q0 + p), g0);
                g1 = xv.fma(vk.codes(q, q1 + p), g1);
                g2 = xv.fma(vk.codes(q, q2 + p), g2);
                g3 = xv.fma(vk.codes(q, q3 + p), g3);
            }
            float s0 = scales[sc0 + g];
            float s1 = scales[sc0 + groups + g];
            float s2 = scales[sc0 + 2 * groups + g];
            float s3 = scales[sc0 + 3 * groups + g];
            t0 = g0.fma(FloatVector.broadcast(s, s0), t0);
            t1 = g1.fma(FloatVector.broadcast(s, s1), t1);
            t2 = g2.fma(FloatVector.broadcast(s, s2), t2);
            t3 = g3.fma(FloatVector.broadcast(s, s3), t3);
            if (pv < p1) {
                r0 += codeTail(q, q0, x, xi, pv, p1) * s0;
                r1 += codeTail(q, q1, x, xi, pv, p1) * s1;
                r2 += codeTail(q, q2, x, xi, pv, p1) * s2;
                r3 += codeTail(q, q3, x, xi, pv, p1) * s3;
            }
        }
        store(y, yi, sum(t0) + r0, accumulate);
        store(y, yi + 1, sum(t1) + r1, accumulate);
        store(y, yi + 2, sum(t2) + r2, accumulate);
        store(y, yi + 3, sum(t3) + r3, accumulate);
    }

    private static float codeTail(byte[] q, int q0, float[] x, int xi, int p0, int p1) {
        float sum = 0;
        for (int p = p0; p < p1; p++) {
            sum = Math.fma(x[xi + p], q[q0 + p], sum);
        }
        return sum;
    }
}
