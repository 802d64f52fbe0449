package io.sparq.runtime.kernels;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * {@link Broadcast} against the definition: every output element must read the operand elements
 * found by aligning shapes from the right and using index 0 on size-1 axes.
 */
class BroadcastTest {
    private static final int[][][] PAIRS = {
            {{2, 3, 4}, {3, 1}}, {{3, 1}, {1, 4}}, {{4}, {2, 3, 4}}, {{}, {2, 2}}, {{2, 3}, {}},
            {{2, 1, 3, 1}, {5, 1, 4}}, {{1, 1}, {1}}, {{6}, {6}}, {{0, 3}, {3}}, {{2, 3, 2}, {1, 3, 1}},
            {{3, 1, 2}, {3, 1, 2}}, {{1, 4, 1}, {2, 1, 5}},
    };

    @Test
    void visitsEveryElementWithTheRightOperands() {
        for (int[][] p : PAIRS) {
            int[] a = p[0];
            int[] b = p[1];
            Broadcast plan = Broadcast.of(a, b);
            int[] out = plan.shape();
            int size = size(out);
            int[] gotA = new int[size];
            int[] gotB = new int[size];
            int[] visits = new int[size];
            plan.forEachRow((ai, as, bi, bs, oi, n) -> {
                for (int k = 0; k < n; k++) {
                    gotA[oi + k] = ai + k * as;
                    gotB[oi + k] = bi + k * bs;
                    visits[oi + k]++;
                }
            });
            String what = Arrays.toString(a) + " with " + Arrays.toString(b);
            for (int i = 0; i < size; i++) {
                assertEquals(1, visits[i], what + ": visits of " + i);
                assertEquals(sourceIndex(i, out, a), gotA[i], what + ": A index for output " + i);
                assertEquals(sourceIndex(i, out, b), gotB[i], what + ": B index for output " + i);
            }
        }
    }

    @Test
    void resultShapes() {
        assertArrayEquals(new int[] {2, 3, 4}, Broadcast.shape(new int[] {2, 3, 4}, new int[] {3, 1}));
        assertArrayEquals(new int[] {0, 3}, Broadcast.shape(new int[] {0, 3}, new int[] {1}));
        assertArrayEquals(new int[] {}, Broadcast.shape(new int[] {}, new int[] {}));
        assertNull(Broadcast.shape(new int[] {2, 3}, new int[] {2}));
        assertNull(Broadcast.of(new int[] {0}, new int[] {2}));
    }

    /** The flat index in an operand of shape {@code s} that output element {@code i} of shape {@code out} reads. */
    private static int sourceIndex(int i, int[] out, int[] s) {
        int index = 0;
        int stride = 1;
        for (int d = out.length - 1, sd = s.length - 1; d >= 0; d--, sd--) {
            int coord = i % out[d];
            i /= out[d];
            if (sd >= 0) {
                index += (s[sd] == 1 ? 0 : coord) * stride;
                stride *= s[sd];
            }
        }
        return index;
    }

    private static int size(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }
}
