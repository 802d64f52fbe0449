package io.sparq.converter.finetune.recurrent;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The exp-based tanh rounds to the same float as {@code (float) Math.tanh}, which runtime-lite uses. */
class CellActivationTest {
    @Test
    void tanhRoundsLikeMathTanh() {
        for (int bits = 1; bits < 0x7f800000; bits += 997) {
            float x = Float.intBitsToFloat(bits);
            assertEquals((float) Math.tanh(x), CellActivation.tanh(x), () -> "tanh(" + x + ")");
            assertEquals((float) Math.tanh(-x), CellActivation.tanh(-x), () -> "tanh(" + -x + ")");
        }
        assertEquals(1f, CellActivation.tanh(Float.POSITIVE_INFINITY));
        assertEquals(-1f, CellActivation.tanh(Float.NEGATIVE_INFINITY));
    }
}
