package io.sparq.converter.prune;

/** A schedule that names the sparsity every pruned tensor must have after each mask update. */
public sealed interface SparsitySchedule extends Schedule permits CubicSchedule, OneShotSchedule {
    /** The fraction of a tensor's weights that is zero from {@code step} on (until the next update). */
    double sparsityAt(long step);

    @Override
    SparsitySchedule withTargetSparsity(double sparsity);
}
