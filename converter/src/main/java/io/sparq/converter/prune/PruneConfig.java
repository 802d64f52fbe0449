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
 * @param rowBlocks         blocks lie along each weight's output axis (--block-axis output): B×1, B
 *                          consecutive rows of one column, where the rows are the outputs (recurrent W
 *                          and R, Gemm B with transB), stored as {@code column_block_sparse}; 1×B where
 *                          the last axis is the output (x·W), which the runtime runs as column blocks
 *                          of the transposed matrix. Both run without sums across vector lanes.
 */
public record PruneConfig(Schedule schedule, int blockSize, boolean includeEmbeddings, List<TargetRule> targets,
                          boolean rowBlocks) {
    /** Blocks along the last axis ({@code rowBlocks = false}). */
    public PruneConfig(Schedule schedule, int blockSize, boolean includeEmbeddings, List<TargetRule> targets) {
        this(schedule, blockSize, includeEmbeddings, targets, false);
    }

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
        return new PruneConfig(schedule, b, includeEmbeddings, targets, rowBlocks);
    }

    /** Blocks of B rows × 1 column (true) or 1 row × B columns (false). */
    public PruneConfig withRowBlocks(boolean rows) {
        return new PruneConfig(schedule, blockSize, includeEmbeddings, targets, rows);
    }

    public PruneConfig withEmbeddings(boolean include) {
        return new PruneConfig(schedule, blockSize, include, targets, rowBlocks);
    }

    public PruneConfig withTargets(List<TargetRule> rules) {
        return new PruneConfig(schedule, blockSize, includeEmbeddings, rules, rowBlocks);
    }
}
