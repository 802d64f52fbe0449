package io.sparq.runtime.kernels;

import io.sparq.runtime.kernels.simd.VectorKernels;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gates' sigmoid and tanh ({@link FastMath#sigmoid}, {@link FastMath#tanhf}): every vector
 * width gives the scalar bits, on every 257th float and on random arguments, at every offset and
 * tail length; and both stay within their stated error of the double-precision functions
 * (sigmoid 3 ulp, tanh 2e-7 absolute).
 */
class GateFunctionsTest {
    private static float[] arguments() {
        Random rnd = new Random(9);
        float[] v = new float[40_000 + (1 << 23) / 257 * 2];
        int k = 0;
        for (int i = 0; i < 40_000; i++) {
            v[k++] = (float) (rnd.nextGaussian() * (i % 3 == 0 ? 0.05 : i % 3 == 1 ? 3 : 30));
        }
        for (int bits = 0; bits < 0x7f800000 && k + 1 < v.length; bits += 257 * 256) {
            v[k++] = Float.intBitsToFloat(bits);
            v[k++] = -Float.intBitsToFloat(bits);
        }
        float[] specials = {0f, -0f, Float.MIN_VALUE, 1e-30f, 0.0625f, -0.0625f, 9f, -9f, 87f, -87f, 88f, -89f, 100f,
                Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        System.arraycopy(specials, 0, v, 0, specials.length);
        return java.util.Arrays.copyOf(v, k);
    }

    @Test
    void everyBackendGivesTheScalarBits() {
        float[] x = arguments();
        Kernels scalar = new ScalarKernels();
        for (Kernels kernels : List.of(VectorKernels.forBits(128), VectorKernels.forBits(256), VectorKernels.forBits(512))) {
            for (int off : new int[] {0, 3}) {
                int n = x.length - off - 5;
                float[] want = x.clone();
                float[] got = x.clone();
                scalar.sigmoid(want, off, n);
                kernels.sigmoid(got, off, n);
                assertBits(want, got, "sigmoid on " + kernels);
                want = x.clone();
                got = x.clone();
                scalar.tanh(want, off, n);
                kernels.tanh(got, off, n);
                assertBits(want, got, "tanh on " + kernels);
            }
        }
    }

    private static void assertBits(float[] want, float[] got, String what) {
        for (int i = 0; i < want.length; i++) {
            if (Float.floatToIntBits(want[i]) != Float.floatToIntBits(got[i])) {
                assertEquals(want[i], got[i], what + " element " + i);
            }
        }
    }

    @Test
    void withinTheStatedError() {
        for (float x : arguments()) {
            double sigmoid = 1 / (1 + Math.exp(-(double) x));
            float s = FastMath.sigmoid(x);
            if (sigmoid > 1e-37) {   // below, the clamp of exp's argument flushes to about 1.6e-38
                assertTrue(Math.abs(s - sigmoid) <= 3 * Math.ulp((float) sigmoid), "sigmoid(" + x + ") = " + s + ", expected " + sigmoid);
            }
            double tanh = Math.tanh(x);
            float t = FastMath.tanhf(x);
            assertTrue(Math.abs(t - tanh) <= 2e-7, "tanh(" + x + ") = " + t + ", expected " + tanh);
            assertTrue(Math.abs(t) <= 1f && Math.signum(t) == Math.signum(x) || t == 0 && Math.abs(x) < 1e-30, "tanh(" + x + ") = " + t);
        }
    }
}
