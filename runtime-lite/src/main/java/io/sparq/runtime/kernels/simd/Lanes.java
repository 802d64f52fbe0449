package io.sparq.runtime.kernels.simd;

import jdk.incubator.vector.FloatVector;


/**
 * Helpers the vector kernels share: lane sums in a fixed order, and the scalar stores.
 */
final class Lanes {
    private Lanes() {
    }

    /**
     * The lanes' sum, added in lane order (lanes read with constant indices, so each read compiles
     * to one extract). {@code reduceLanes(ADD)} leaves the order open and JDK 25's C2 reassociates it,
     * so results changed in their last bits once the JIT compiled a kernel and a run did not repeat
     * itself within one JVM.
     */
    static float sum(FloatVector v) {
        float s = v.lane(0) + v.lane(1) + v.lane(2) + v.lane(3);
        if (v.length() == 4) {
            return s;
        }
        s = s + v.lane(4) + v.lane(5) + v.lane(6) + v.lane(7);
        if (v.length() == 8) {
            return s;
        }
        return s + v.lane(8) + v.lane(9) + v.lane(10) + v.lane(11)
                + v.lane(12) + v.lane(13) + v.lane(14) + v.lane(15);
    }

    /**
     * {@link #sum(FloatVector)} through a store to {@code lanes} (at least {@code v.length()} long):
     * the same additions in the same order, so the same result, but cheaper where a sum ends every
     * few FMAs, as in a sparse row with one or two blocks (about 11 % of a small LSTM's step).
     */
    static float sum(FloatVector v, float[] lanes) {
        v.intoArray(lanes, 0);
        float s = lanes[0];
        for (int k = 1; k < v.length(); k++) {
            s += lanes[k];
        }
        return s;
    }

    static float combine(float alpha, float sum, float beta, float old) {
        return beta == 0 ? alpha * sum : alpha * sum + beta * old;
    }


    static void store(float[] y, int at, float s, boolean accumulate) {
        y[at] = accumulate ? y[at] + s : s;
    }
}
