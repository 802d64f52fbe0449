package io.sparq.runtime.api;

import io.sparq.format.Tensor;
import io.sparq.runtime.graph.GraphExecutor;

import java.util.Map;

/**
 * One caller's handle for running a {@link Model}. Not thread-safe: use one session per thread.
 * {@link #close()} is idempotent; using a closed session throws {@link IllegalStateException}.
 */
public final class Session implements AutoCloseable {
    private final GraphExecutor executor;
    private boolean closed;

    Session(GraphExecutor executor) {
        this.executor = executor;
    }

    /**
     * Runs the model once.
     *
     * @param inputs tensors keyed by graph input name
     * @return outputs keyed by graph output name, in the graph's output order
     * @throws io.sparq.format.SparqException {@code INVALID_ARGUMENT} for an unknown or missing
     *         input name, or a tensor of the wrong type or shape
     */
    public Map<String, Tensor> run(Map<String, Tensor> inputs) {
        if (closed) {
            throw new IllegalStateException("session is closed");
        }
        return executor.run(inputs);
    }

    @Override
    public void close() {
        closed = true;
    }
}
