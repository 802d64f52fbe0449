package io.sparq.converter.prune;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The schedules against their papers' formulas, with values worked out by hand (tolerance 1e-12). */
class ScheduleTest {
    private static final double EPS = 1e-12;

    @Test
    void cubicFollowsZhuAndGupta() {
        CubicSchedule s = new CubicSchedule(0, 0.9, 0, 10, 100);
        // s_t = 0.9 + (0 - 0.9)(1 - t/1000)^3
        assertEquals(0.0, s.sparsityAt(0), EPS);
        assertEquals(0.9 - 0.9 * 0.729, s.sparsityAt(100), EPS);
        assertEquals(0.9 - 0.9 * 0.125, s.sparsityAt(500), EPS);
        assertEquals(0.9 - 0.9 * 0.001, s.sparsityAt(900), EPS);
        assertEquals(0.9, s.sparsityAt(1000), EPS);
        assertEquals(0.9, s.sparsityAt(50_000), EPS);
        assertEquals(1000, s.endStep());
    }

    @Test
    void cubicHoldsInitialSparsityBeforeBeginAndUpdatesEveryDeltaT() {
        CubicSchedule s = new CubicSchedule(0.2, 0.8, 300, 4, 50);
        assertEquals(0.2, s.sparsityAt(0), EPS);
        assertEquals(0.2, s.sparsityAt(300), EPS);
        // t = 400: 0.8 + (0.2 - 0.8)(1 - 100/200)^3 = 0.8 - 0.6/8
        assertEquals(0.8 - 0.6 / 8, s.sparsityAt(400), EPS);
        assertEquals(-1, s.lastUpdateAtOrBefore(299));
        assertEquals(300, s.lastUpdateAtOrBefore(300));
        assertEquals(350, s.lastUpdateAtOrBefore(399));
        assertEquals(500, s.lastUpdateAtOrBefore(10_000));
        for (long t = 0; t < 600; t++) {
            boolean expected = t >= 300 && t <= 500 && (t - 300) % 50 == 0;
            assertEquals(expected, s.isUpdateStep(t), "step " + t);
        }
    }

    @Test
    void cubicPerTensorTargetKeepsTiming() {
        CubicSchedule s = new CubicSchedule(0.3, 0.9, 10, 5, 20).withTargetSparsity(0.5);
        assertEquals(new CubicSchedule(0.3, 0.5, 10, 5, 20), s);
        assertEquals(new CubicSchedule(0.2, 0.2, 10, 5, 20), new CubicSchedule(0.3, 0.9, 10, 5, 20).withTargetSparsity(0.2));
    }

    @Test
    void cubicRejectsBadParameters() {
        assertThrows(IllegalArgumentException.class, () -> new CubicSchedule(0, 1.0, 0, 10, 100));
        assertThrows(IllegalArgumentException.class, () -> new CubicSchedule(0.5, 0.4, 0, 10, 100));
        assertThrows(IllegalArgumentException.class, () -> new CubicSchedule(0, 0.9, -1, 10, 100));
        assertThrows(IllegalArgumentException.class, () -> new CubicSchedule(0, 0.9, 0, 0, 100));
        assertThrows(IllegalArgumentException.class, () -> new CubicSchedule(0, 0.9, 0, 10, 0));
    }

    @Test
    void narangThresholdRampsWithThetaThenThetaPhi() {
        NarangSchedule s = NarangSchedule.withTheta(100, 300, 600, 0.01, 1.5, 150);
        assertEquals(0.0, s.thresholdAt(0), EPS);
        assertEquals(0.0, s.thresholdAt(100), EPS);
        assertEquals(1.0, s.thresholdAt(200), EPS);                   // 0.01 · 100
        assertEquals(2.0, s.thresholdAt(300), EPS);                   // 0.01 · 200
        assertEquals(2.0 + 0.015 * 100, s.thresholdAt(400), EPS);     // + θφ · 100
        assertEquals(2.0 + 0.015 * 300, s.thresholdAt(600), EPS);
        assertEquals(6.5, s.thresholdAt(10_000), EPS);
        assertEquals(2.0 / 6.5, s.rampFraction(300), EPS);
        // updates at start, every freq steps after it, and at end
        assertEquals(-1, s.lastUpdateAtOrBefore(99));
        assertEquals(100, s.lastUpdateAtOrBefore(249));
        assertEquals(550, s.lastUpdateAtOrBefore(599));
        assertEquals(600, s.lastUpdateAtOrBefore(600));
        assertEquals(600, s.lastUpdateAtOrBefore(99_999));
        assertTrue(s.isUpdateStep(400));
        assertFalse(s.isUpdateStep(401));
        assertEquals(600, s.endStep());
    }

    @Test
    void derivedThetaMatchesNarangsHeuristicForPhiOneAndAHalf() {
        // Narang et al. §3: θ = 2·q·freq / (2·(ramp_itr − start_itr) + 3·(end_itr − ramp_itr)),
        // with their ε divided by freq; sparq's θ is per step, i.e. theirs / freq.
        long start = 1000;
        long ramp = 7000;
        long end = 12000;
        long freq = 50;
        double q = 0.0731;
        NarangSchedule s = NarangSchedule.forSparsity(start, ramp, end, 0.9, NarangSchedule.DEFAULT_PHI, freq);
        double paperTheta = 2 * q * freq / (2.0 * (ramp - start) + 3.0 * (end - ramp));
        assertEquals(paperTheta / freq, s.thetaFor(q), 1e-15);
        NarangSchedule resolved = s.resolveTheta(q);
        assertFalse(resolved.derivesTheta());
        assertTrue(resolved.thresholdAt(end) <= q);
        assertEquals(q, resolved.thresholdAt(end), 1e-15);
    }

    @Test
    void narangNeedsExactlyOneOfThetaAndSparsity() {
        assertThrows(IllegalArgumentException.class, () -> new NarangSchedule(0, 5, 10, Double.NaN, 1.5, 1, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new NarangSchedule(0, 5, 10, 0.1, 1.5, 1, 0.9));
        assertThrows(IllegalArgumentException.class, () -> NarangSchedule.withTheta(0, 11, 10, 0.1, 1.5, 1));
        assertThrows(IllegalArgumentException.class, () -> NarangSchedule.withTheta(10, 10, 10, 0.1, 1.5, 1));
        assertThrows(IllegalArgumentException.class, () -> NarangSchedule.withTheta(0, 5, 10, 0.1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> NarangSchedule.withTheta(0, 5, 10, 0.1, 1.5, 1).withTargetSparsity(0.8));
        assertThrows(IllegalStateException.class, () -> NarangSchedule.forSparsity(0, 5, 10, 0.8, 1.5, 1).thresholdAt(3));
    }

    @Test
    void oneShotPrunesOnceAtItsStep() {
        OneShotSchedule s = new OneShotSchedule(0.75, 20);
        assertEquals(0.0, s.sparsityAt(19), EPS);
        assertEquals(0.75, s.sparsityAt(20), EPS);
        assertEquals(0.75, s.sparsityAt(1_000_000), EPS);
        assertEquals(-1, s.lastUpdateAtOrBefore(19));
        assertEquals(20, s.lastUpdateAtOrBefore(5000));
        assertTrue(s.isUpdateStep(20));
        assertFalse(s.isUpdateStep(21));
    }
}
