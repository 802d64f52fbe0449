package io.sparq.converter.prune;

import java.util.Locale;

/**
 * Threshold-ramp pruning of Narang et al. (2017, "Exploring Sparsity in Recurrent Neural
 * Networks"): a magnitude threshold ε grows linearly with slope θ from {@code start}, with the
 * steeper slope θ·φ from {@code ramp}, and stops growing at {@code end}. At start, every
 * {@code frequency} steps after it and at end, weights (or blocks) whose magnitude is below ε are
 * added to the mask; masks only grow. (The paper updates only at multiples of freq before
 * end_itr; sparq also updates at end so that ε(end) is applied.)
 *
 * <pre>
 *   ε(t) = 0                                  t ≤ start
 *   ε(t) = θ (t − start)                      start ≤ t &lt; ramp
 *   ε(t) = θ (ramp − start) + θ φ (t − ramp)  ramp ≤ t &lt; end
 *   ε(t) = ε(end)                             t ≥ end
 * </pre>
 *
 * θ is either given ({@code theta}) or derived per tensor at {@code start} so that ε(end) equals
 * the magnitude quantile of that tensor's weights at {@code targetSparsity} (see
 * {@link #thetaFor}); exactly one of {@code theta} and {@code targetSparsity} is a number, the
 * other NaN.
 *
 * @param start          start_itr: first mask update (ε is still 0 there)
 * @param ramp           ramp_itr: where the slope becomes θ·φ, in [start, end]
 * @param end            end_itr: last mask update, &gt; start
 * @param theta          θ, the threshold's increase per step (≥ 0), or NaN to derive it
 * @param phi            φ, the ramp's slope as a multiple of θ (&gt; 0); the paper uses 1.5
 * @param frequency      steps between mask updates (≥ 1)
 * @param targetSparsity the sparsity θ is derived for, or NaN when θ is given
 */
public record NarangSchedule(long start, long ramp, long end, double theta, double phi, long frequency,
                             double targetSparsity) implements Schedule {
    /** The slope multiplier after ramp_itr that Narang et al. use (their φ = 1.5 θ). */
    public static final double DEFAULT_PHI = 1.5;

    public NarangSchedule {
        if (start < 0 || !(start <= ramp && ramp <= end && start < end)) {
            throw new IllegalArgumentException("start = " + start + ", ramp = " + ramp + ", end = " + end
                    + ": expected 0 <= start <= ramp <= end and start < end");
        }
        if (!(phi > 0) || Double.isInfinite(phi) || frequency < 1) {
            throw new IllegalArgumentException("phi = " + phi + ", frequency = " + frequency
                    + ": expected phi > 0 and frequency >= 1");
        }
        if (Double.isNaN(theta) == Double.isNaN(targetSparsity)) {
            throw new IllegalArgumentException("give either theta or a target sparsity to derive it from, not "
                    + (Double.isNaN(theta) ? "neither" : "both"));
        }
        if (!Double.isNaN(theta) && !(theta >= 0 && theta < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("theta = " + theta + ", expected a finite theta >= 0");
        }
        if (!Double.isNaN(targetSparsity)) {
            Schedule.checkSparsity("targetSparsity", targetSparsity);
        }
    }

    /** A schedule with a given θ. */
    public static NarangSchedule withTheta(long start, long ramp, long end, double theta, double phi, long frequency) {
        return new NarangSchedule(start, ramp, end, theta, phi, frequency, Double.NaN);
    }

    /** A schedule whose θ is derived per tensor for {@code sparsity}. */
    public static NarangSchedule forSparsity(long start, long ramp, long end, double sparsity, double phi, long frequency) {
        return new NarangSchedule(start, ramp, end, Double.NaN, phi, frequency, sparsity);
    }

    /** Whether θ is still to be derived from the weights. */
    public boolean derivesTheta() {
        return Double.isNaN(theta);
    }

    /** ε at {@code step}; needs a θ. */
    public double thresholdAt(long step) {
        if (derivesTheta()) {
            throw new IllegalStateException("θ is derived from the weights at step " + start + "; call resolveTheta first");
        }
        return theta * rampLength(Math.max(start, Math.min(step, end)));
    }

    /** ε(step) / ε(end), which does not depend on θ: how far along the ramp the threshold is. */
    public double rampFraction(long step) {
        return rampLength(Math.max(start, Math.min(step, end))) / rampLength(end);
    }

    /** ε(end) / θ: the threshold the ramp reaches per unit of θ. */
    public double endThresholdPerTheta() {
        return rampLength(end);
    }

    private double rampLength(long t) {
        return t < ramp ? t - start : (ramp - start) + phi * (t - ramp);
    }

    /** θ such that ε(end) = {@code quantile}, the magnitude below which the target share of weights lies. */
    public double thetaFor(double quantile) {
        return quantile / endThresholdPerTheta();
    }

    /** This schedule with θ fixed to {@code thetaFor(quantile)}. */
    public NarangSchedule resolveTheta(double quantile) {
        double t = thetaFor(quantile);
        // θ·(ramp length) may round above the quantile and prune one unit (or a run of ties) too many
        while (t > 0 && t * endThresholdPerTheta() > quantile) {
            t = Math.nextDown(t);
        }
        return new NarangSchedule(start, ramp, end, t, phi, frequency, Double.NaN);
    }

    @Override
    public long lastUpdateAtOrBefore(long step) {
        if (step < start) {
            return -1;
        }
        return step >= end ? end : start + (step - start) / frequency * frequency;
    }

    @Override
    public long endStep() {
        return end;
    }

    /** With a given θ the per-tensor target cannot change: only 0 (leave the tensor dense) is accepted. */
    @Override
    public NarangSchedule withTargetSparsity(double sparsity) {
        if (!derivesTheta()) {
            throw new IllegalArgumentException("a per-tensor sparsity target (" + sparsity
                    + ") needs θ derived from the target; omit theta");
        }
        return forSparsity(start, ramp, end, sparsity, phi, frequency);
    }

    @Override
    public String kind() {
        return "narang";
    }

    @Override
    public String describe() {
        return String.format(Locale.ROOT, "narang (threshold ramp): start_itr %d, ramp_itr %d, end_itr %d, freq %d, \u03c6 %.4f, \u03b8 %s",
                start, ramp, end, frequency, phi, derivesTheta() ? String.format(Locale.ROOT, "per tensor for sparsity %.4f",
                        targetSparsity()) : String.format(Locale.ROOT, "%.4e", theta));
    }
}
