package io.sparq.runtime.kernels.simd;

import io.sparq.runtime.kernels.FastMath;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The gate non-linearities on the Vector API ({@link VectorKernels}; scalar reference:
 * {@link FastMath#sigmoid} and {@link FastMath#tanhf}): the same float algorithm operation for
 * operation, so the bits equal the scalar ones.
 */
final class GateVector {
    private GateVector() {
    }

    static void sigmoid(VectorKernels vk, float[] v, int off, int n) {
        gate(vk, v, off, n, false);
        for (int i = off + vk.floats().loopBound(n); i < off + n; i++) {
            v[i] = FastMath.sigmoid(v[i]);
        }
    }

    static void tanh(VectorKernels vk, float[] v, int off, int n) {
        gate(vk, v, off, n, true);
        for (int i = off + vk.floats().loopBound(n); i < off + n; i++) {
            v[i] = FastMath.tanhf(v[i]);
        }
    }

    /**
     * Sigmoid or tanh of the whole vectors of {@code v[off .. off+n)}. exp is written out here, not
     * called: a helper taking and returning vectors was compiled apart and ran its conversions in
     * Java code.
     */
    private static void gate(VectorKernels vk, float[] v, int off, int n, boolean tanh) {
        VectorSpecies<Float> s = vk.floats();
        FloatVector one = FloatVector.broadcast(s, 1f);
        FloatVector round = FloatVector.broadcast(s, FastMath.ROUND);
        int roundBits = Float.floatToRawIntBits(FastMath.ROUND);
        int end = off + s.loopBound(n);
        for (int i = off; i < end; i += s.length()) {
            FloatVector x = FloatVector.fromArray(s, v, i);
            FloatVector a = x.abs();
            // e = exp(z) as FastMath.exp: z = 2|x| for tanh, -x for sigmoid
            FloatVector z = (tanh ? a.add(a) : x.neg()).max(FastMath.EXP_LO).min(FastMath.EXP_HI);
            FloatVector t = z.mul(FastMath.LOG2E).add(round);   // ROUND + n exactly
            FloatVector k = t.sub(round);
            FloatVector r = k.fma(FloatVector.broadcast(s, -FastMath.LN2_HI), z);
            r = k.fma(FloatVector.broadcast(s, -FastMath.LN2_LO), r);
            FloatVector p = FloatVector.broadcast(s, FastMath.C7).fma(r, FloatVector.broadcast(s, FastMath.C6));
            p = p.fma(r, FloatVector.broadcast(s, FastMath.C5));
            p = p.fma(r, FloatVector.broadcast(s, FastMath.C4));
            p = p.fma(r, FloatVector.broadcast(s, FastMath.C3));
            p = p.fma(r, FloatVector.broadcast(s, FastMath.C2));
            p = p.fma(r, one);
            p = p.fma(r, one);
            // 2^n from its bits: n = bits(t) - bits(ROUND), exponent field n + 127
            FloatVector pow2 = t.reinterpretAsInts().add(127 - roundBits).lanewise(VectorOperators.LSHL, 23)
                    .reinterpretAsFloats();
            FloatVector e = p.mul(pow2);
            if (tanh) {
                FloatVector big = one.sub(FloatVector.broadcast(s, 2f).div(e.add(one)));
                FloatVector x2 = x.mul(x);
                FloatVector small = x2.fma(FloatVector.broadcast(s, FastMath.T5), FloatVector.broadcast(s, FastMath.T3))
                        .mul(x2).fma(x, x);
                FloatVector y = big.blend(one, a.compare(VectorOperators.GT, FastMath.TANH_ONE));
                y = y.blend(y.neg(), x.compare(VectorOperators.LT, 0f));
                y.blend(small, a.compare(VectorOperators.LT, FastMath.TANH_SMALL)).intoArray(v, i);
            } else {
                one.div(one.add(e)).intoArray(v, i);
            }
        }
    }
}
