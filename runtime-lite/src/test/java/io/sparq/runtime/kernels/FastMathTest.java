package io.sparq.runtime.kernels;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The exp-based tanh rounds to the same float as {@code (float) Math.tanh}, checked on every 997th float. */
class FastMathTest {
    @Test
    void tanhRoundsLikeMathTanh() {
        for (int bits = 1; bits < 0x7f800000; bits += 997) {
            float x = Float.intBitsToFloat(bits);
            assertEquals((float) Math.tanh(x), FastMath.tanh(x), () -> "tanh(" + x + ")");
            assertEquals((float) Math.tanh(-x), FastMath.tanh(-x), () -> "tanh(" + -x + ")");
        }
        assertEquals(0f, FastMath.tanh(0f));
        assertEquals(1f, FastMath.tanh(Float.POSITIVE_INFINITY));
        assertEquals(-1f, FastMath.tanh(Float.NEGATIVE_INFINITY));
        assertEquals(Float.NaN, FastMath.tanh(Float.NaN));
    }
}
