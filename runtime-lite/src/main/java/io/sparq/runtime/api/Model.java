package io.sparq.runtime.api;

import io.sparq.format.Graph;
import io.sparq.format.ValueInfo;
import io.sparq.format.codec.SparqReader;
import io.sparq.runtime.graph.GraphExecutor;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * A compiled model, ready to run. Models are immutable and thread-safe: share one between threads
 * and give each thread its own {@link Session}.
 */
public final class Model {
    private final GraphExecutor executor;

    private Model(GraphExecutor executor) {
        this.executor = executor;
    }

    /** Loads a {@code .sparq} file (memory-mapped; tensor data is not copied until decoded). */
    public static Model load(Path file) {
        return fromGraph(SparqReader.read(file).denseGraph());
    }

    /** Loads a {@code .sparq} model held in memory, e.g. read from a class-path resource. */
    public static Model load(byte[] bytes) {
        return fromGraph(SparqReader.read(bytes).denseGraph());
    }

    /** Loads a {@code .sparq} model from a stream (read fully; the stream is not closed). */
    public static Model load(InputStream in) {
        return fromGraph(SparqReader.read(in).denseGraph());
    }

    /** Compiles a graph (from the ONNX importer or a {@code .sparq} file) for execution. */
    public static Model fromGraph(Graph graph) {
        return new Model(new GraphExecutor(graph));
    }

    /** A new session; sessions are cheap and not thread-safe. */
    public Session newSession() {
        return new Session(executor);
    }

    public Graph graph() {
        return executor.graph();
    }

    /** The inputs a caller must feed (graph inputs without an initializer default). */
    public List<ValueInfo> inputs() {
        return executor.graph().requiredInputs();
    }

    public List<ValueInfo> outputs() {
        return executor.graph().outputs();
    }
}
