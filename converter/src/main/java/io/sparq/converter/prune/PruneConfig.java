package io.sparq.converter.prune;

import io.sparq.format.ErrorCode;
import io.sparq.format.SparqException;

import java.util.List;

/**
 * Everything that decides how a model is pruned: the schedule (whose target sparsity is the
 * default for every prunable tensor), the mask granularity, whether embeddings are pruned, and
 * per-tensor overrides (later rules win).
 *
 * @param schedule          timing and default target
 * @param blockSize         1 for unstructured masks, or B ∈ {4, 8, 16} for 1×B blocks along the last axis
 * @param includeEmbeddings also prune float {@code Gather} tables (embeddings)
 * @param targets           per-glob sparsity overrides, in order
 */
public record PruneConfig(Schedule schedule, int blockSize, boolean includeEmbeddings, List<TargetRule> targets) {
    public PruneConfig {
        if (schedule == null) {
            throw new SparqException(ErrorCode.INVALID_ARGUMENT, "no pruning schedule given");
        }
        if (blockSize != 1 && blockSize != 4 && blockSize != 8 && blockSize != 16) {
            throw new SparqException(ErrorCode.INVALID_ARGUMENT, "block size " + blockSize + " not supported, expected 1, 4, 8 or 16");
        }
        targets = List.copyOf(targets);
    }

    /** Unstructured masks, no embeddings, no overrides. */
    public static PruneConfig of(Schedule schedule) {
        return new PruneConfig(schedule, 1, false, List.of());
    }

    public PruneConfig withBlockSize(int b) {
        return new PruneConfig(schedule, b, includeEmbeddings, targets);
    }

    public PruneConfig withEmbeddings(boolean include) {
        return new PruneConfig(schedule, blockSize, include, targets);
    }

    public PruneConfig withTargets(List<TargetRule> rules) {
        return new PruneConfig(schedule, blockSize, includeEmbeddings, rules);
    }
}
