package io.sparq.runtime.ops;

import io.sparq.format.Tensor;

/**
 * One node compiled for execution: attributes parsed and validated once, then run many times.
 * Implementations keep no mutable state, so one compiled model can serve many threads.
 */
@FunctionalInterface
public interface Op {
    /**
     * Computes the node's outputs.
     *
     * @param inputs one entry per node input, {@code null} where an optional input is omitted,
     *               then one per {@linkplain NodeContext#implicitInputs() implicit input} of a node
     *               with subgraphs
     * @return one entry per node output ({@code null} allowed for an omitted optional output)
     */
    Tensor[] run(Tensor[] inputs);
}
