package io.sparq.runtime.ops;

import io.sparq.format.Graph;
import io.sparq.format.Tensor;

import java.util.List;
import java.util.function.Function;

/**
 * A graph-valued attribute (an {@code If} branch) compiled by the graph executor, which an op
 * runs with the values it reads from the enclosing graphs.
 */
public interface Subgraph {
    /** The subgraph's output names, in order. */
    List<String> outputNames();

    /**
     * Runs the subgraph.
     *
     * @param outer resolves a value of an enclosing graph by name (null when there is none)
     * @return one tensor per output, in {@link #outputNames()} order
     */
    Tensor[] run(Function<String, Tensor> outer);

    /** Compiles the subgraphs of one node; supplied to {@link NodeContext} by the graph executor. */
    @FunctionalInterface
    interface Compiler {
        Subgraph compile(Graph graph, String attributeName);
    }
}
