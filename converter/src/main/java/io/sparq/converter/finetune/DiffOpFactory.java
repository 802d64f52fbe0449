package io.sparq.converter.finetune;

import io.sparq.runtime.ops.NodeContext;

/** Builds the {@link DiffOp} of one node, validating its attributes as runtime-lite does. */
@FunctionalInterface
public interface DiffOpFactory {
    DiffOp create(NodeContext node, TrainingOptions options);
}
