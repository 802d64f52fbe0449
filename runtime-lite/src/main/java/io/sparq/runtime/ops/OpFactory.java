package io.sparq.runtime.ops;

/** Builds the executable {@link Op} for one node, validating its attributes. */
@FunctionalInterface
public interface OpFactory {
    Op create(NodeContext node);
}
