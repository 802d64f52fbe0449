package io.sparq.converter.prune;

/**
 * When pruning masks change during training, and how far: {@link SparsitySchedule}s name a
 * sparsity per step, {@link NarangSchedule} a magnitude threshold per step.
 *
 * <p>Steps are the trainer's 0-based optimizer steps. A mask update "at step t" happens in
 * {@code beforeStep(t)}, i.e. before that step's forward pass.
 */
public sealed interface Schedule permits SparsitySchedule, NarangSchedule {
    /**
     * The latest step at or before {@code step} at which masks are recomputed, or -1 if masks have
     * not changed yet. A trainer that skips steps still gets the update that was due.
     */
    long lastUpdateAtOrBefore(long step);

    /** Whether masks are recomputed before {@code step}. */
    default boolean isUpdateStep(long step) {
        return step >= 0 && lastUpdateAtOrBefore(step) == step;
    }

    /** The last step at which masks change; from then on they are fixed. */
    long endStep();

    /** The sparsity each pruned tensor should reach; NaN when the schedule does not fix one (Narang with a given θ). */
    double targetSparsity();

    /** One line for people, e.g. {@code cubic (Zhu & Gupta): s_i 0.0000 -> s_f 0.9000, t0 0, ...}. */
    String describe();

    /** This schedule with another target sparsity, for per-tensor targets. */
    Schedule withTargetSparsity(double sparsity);

    /** Short name as used by the CLI and recipes: cubic, narang, oneshot. */
    String kind();

    /** Throws {@link IllegalArgumentException} unless {@code 0 <= s < 1}. */
    static void checkSparsity(String what, double s) {
        if (!(s >= 0 && s < 1)) {
            throw new IllegalArgumentException(what + " = " + s + ", expected 0 <= " + what + " < 1");
        }
    }
}
