package io.sparq.converter.prune;

import io.sparq.format.ErrorCode;
import io.sparq.format.SparqException;

import java.util.Locale;

/**
 * The schedule settings as a user states them (CLI flags or recipe keys), turned into a
 * {@link Schedule} in one place so both read the same way.
 *
 * <ul>
 *   <li>cubic: s_f = {@code sparsity}, s_i = {@code initialSparsity}, t0 = {@code begin},
 *       n = {@code steps / frequency}, Δt = {@code frequency}; {@code steps} must be a multiple of {@code frequency}</li>
 *   <li>narang: start_itr = {@code begin}, end_itr = {@code begin + steps}, ramp_itr = {@code ramp}
 *       (default begin + steps / 2), freq = {@code frequency}, φ = {@code phi}; θ = {@code theta}, or
 *       derived per tensor from {@code sparsity} when theta is null</li>
 *   <li>oneshot: prune to {@code sparsity} at step {@code begin}</li>
 * </ul>
 *
 * @param kind            cubic, narang or oneshot
 * @param sparsity        final sparsity, null only for narang with a theta
 * @param initialSparsity s_i of cubic
 * @param begin           first step that prunes
 * @param steps           length of the ramp in steps (cubic, narang); null for oneshot
 * @param frequency       steps between mask updates
 * @param ramp            narang ramp_itr as an absolute step, or null for the default
 * @param theta           narang θ, or null to derive it
 * @param phi             narang slope multiplier after ramp_itr
 */
public record ScheduleParams(String kind, Double sparsity, double initialSparsity, long begin, Long steps, long frequency,
                             Long ramp, Double theta, double phi) {
    public static final long DEFAULT_FREQUENCY = 100;

    /** Builds the schedule, or throws INVALID_ARGUMENT naming the setting that is wrong. */
    public Schedule toSchedule() {
        try {
            return switch (kind.toLowerCase(Locale.ROOT)) {
                case "cubic" -> {
                    long n = requireSteps();
                    if (n % frequency != 0) {
                        throw new IllegalArgumentException("steps = " + n + " must be a multiple of frequency = " + frequency);
                    }
                    yield new CubicSchedule(initialSparsity, requireSparsity(), begin, Math.toIntExact(n / frequency), frequency);
                }
                case "narang" -> {
                    long end = begin + requireSteps();
                    long rampAt = ramp != null ? ramp : begin + requireSteps() / 2;
                    double p = phi;
                    if (theta != null) {
                        if (sparsity != null) {
                            throw new IllegalArgumentException("give theta or sparsity for narang, not both"
                                    + " (sparsity derives θ per tensor)");
                        }
                        yield NarangSchedule.withTheta(begin, rampAt, end, theta, p, frequency);
                    }
                    yield NarangSchedule.forSparsity(begin, rampAt, end, requireSparsity(), p, frequency);
                }
                case "oneshot" -> new OneShotSchedule(requireSparsity(), begin);
                default -> throw new IllegalArgumentException("schedule '" + kind + "' unknown, expected cubic, narang or oneshot");
            };
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new SparqException(ErrorCode.INVALID_ARGUMENT, kind + " schedule: " + e.getMessage(), e);
        }
    }

    private double requireSparsity() {
        if (sparsity == null) {
            throw new IllegalArgumentException("sparsity is required");
        }
        return sparsity;
    }

    private long requireSteps() {
        if (steps == null || steps < 1) {
            throw new IllegalArgumentException("steps (length of the pruning ramp) is required and must be >= 1, got " + steps);
        }
        if (frequency < 1) {
            throw new IllegalArgumentException("frequency = " + frequency + ", expected >= 1");
        }
        return steps;
    }
}
