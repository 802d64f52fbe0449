package io.sparq.runtime.api;

import io.sparq.format.Tensor;
import io.sparq.runtime.graph.GraphExecutor;
import io.sparq.runtime.kernels.KernelScope;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One caller's handle for running a {@link Model}: whole calls with {@link #run}, or a stream of
 * frames with {@link #step}, the session carrying a recurrent model's state from each step to the
 * next.
 *
 * <p><b>Threading.</b> A session is not thread-safe: it holds one stream's state, so use one
 * session per stream and per thread (the {@link Model} is shared). Sessions are cheap: they hold
 * no weights. Two sessions of one model never affect each other. {@link #close()} is idempotent;
 * using a closed session throws {@link IllegalStateException}.
 */
public final class Session implements AutoCloseable {
    private final GraphExecutor executor;
    private final KernelScope scope;          // the model's threads and kernels, installed for each call
    private final Streaming streaming;
    private StreamPlan plan;                  // resolved at the first step when not given up front
    private Map<String, Tensor> state;        // null: the next step starts the stream
    private boolean closed;

    Session(GraphExecutor executor, KernelScope scope, Streaming streaming, boolean resolveNow) {
        this.executor = executor;
        this.scope = scope;
        this.streaming = streaming;
        if (resolveNow) {
            this.plan = new StreamPlan(streaming, executor.graph(), executor.requiredInputs());
        }
    }

    /**
     * Runs the model once; state inputs are fed like any other and a stream in progress is not
     * touched.
     *
     * @param inputs tensors keyed by graph input name
     * @return outputs keyed by graph output name, in the graph's output order
     * @throws io.sparq.format.SparqException {@code INVALID_ARGUMENT} for an unknown or missing
     *         input name, or a tensor of the wrong type or shape
     */
    public Map<String, Tensor> run(Map<String, Tensor> inputs) {
        requireOpen();
        return scope.call(() -> executor.run(inputs));
    }

    /**
     * Runs one step of the stream: feeds {@code frame}, the fixed inputs of the session's
     * {@link Streaming} and the current state, then keeps the state outputs for the next step. The
     * first step after creation or {@link #reset()} starts from the initial state. When a step
     * fails the state is unchanged.
     *
     * @param frame the per-frame inputs (not the state or fixed ones), keyed by graph input name
     * @return every graph output, the state outputs included, in the graph's output order
     * @throws io.sparq.format.SparqException {@code INVALID_ARGUMENT} when {@code frame} names a
     *         state or fixed input, misses a per-frame input, or a tensor has the wrong type or
     *         shape; also when the state pairs could not be detected (see {@link Streaming})
     */
    public Map<String, Tensor> step(Map<String, Tensor> frame) {
        requireOpen();
        return scope.call(() -> advance(frame));
    }

    private Map<String, Tensor> advance(Map<String, Tensor> frame) {
        StreamPlan p = plan();
        Map<String, Tensor> current = state;
        if (current == null) {
            current = p.start(p.feeds(frame, Map.of()));
        }
        Map<String, Tensor> out = executor.run(p.feeds(frame, current));
        Map<String, Tensor> next = new LinkedHashMap<>();
        for (StateBinding b : p.bindings()) {
            next.put(b.input(), out.get(b.output()));
        }
        state = next;
        return out;
    }

    /** {@link #step(Map)} for a model with exactly one per-frame input. */
    public Map<String, Tensor> step(Tensor frame) {
        requireOpen();
        return step(Map.of(plan().onlyFrameInput(), frame));
    }

    /** Ends the stream: the next {@link #step} starts again from the initial state. */
    public void reset() {
        requireOpen();
        state = null;
    }

    /** The state pairs this session carries (detected at the first call when not declared). */
    public List<StateBinding> stateBindings() {
        requireOpen();
        return plan().bindings();
    }

    private StreamPlan plan() {
        if (plan == null) {
            plan = new StreamPlan(streaming, executor.graph(), executor.requiredInputs());
        }
        return plan;
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("session is closed");
        }
    }

    @Override
    public void close() {
        closed = true;
        state = null;
    }
}
