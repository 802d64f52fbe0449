package io.sparq.runtime.api;

import io.sparq.format.Graph;
import io.sparq.format.ValueInfo;
import io.sparq.format.codec.SparqFile;
import io.sparq.format.codec.SparqReader;
import io.sparq.runtime.graph.GraphExecutor;
import io.sparq.runtime.kernels.KernelScope;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A compiled model, ready to run.
 *
 * <p><b>Threading.</b> A model is immutable and thread-safe: load it once and share it between
 * threads. All per-call and per-stream state lives in a {@link Session}, which is not thread-safe:
 * give each thread, and each stream, its own session.
 *
 * <p><b>Options.</b> {@link ModelOptions} set the threads a product may be split across and the
 * kernels, per model; a model loaded without them follows the JVM-wide defaults.
 */
public final class Model {
    private final GraphExecutor executor;
    private final ModelOptions options;
    private final KernelScope scope;

    private Model(GraphExecutor executor, ModelOptions options, KernelScope scope) {
        this.executor = executor;
        this.options = options;
        this.scope = scope;
    }

    /**
     * Loads a {@code .sparq} file (memory-mapped). Weights that ops multiply by (recurrent W and R,
     * constant Gemm and MatMul weights) are used in their stored encoding, read from the mapping;
     * other initializers are decoded when the model is built.
     */
    public static Model load(Path file) {
        return load(file, ModelOptions.defaults());
    }

    /** {@link #load(Path)} with the threads and kernels of {@code options}. */
    public static Model load(Path file, ModelOptions options) {
        return load(SparqReader.read(file), options);
    }

    /**
     * Loads a {@code .sparq} model held in memory, e.g. read from a class-path resource. The array
     * is used in place and must not change afterwards.
     */
    public static Model load(byte[] bytes) {
        return load(bytes, ModelOptions.defaults());
    }

    /** {@link #load(byte[])} with the threads and kernels of {@code options}. */
    public static Model load(byte[] bytes, ModelOptions options) {
        return load(SparqReader.read(bytes), options);
    }

    /** Loads a {@code .sparq} model from a stream (read fully; the stream is not closed). */
    public static Model load(InputStream in) {
        return load(in, ModelOptions.defaults());
    }

    /** {@link #load(InputStream)} with the threads and kernels of {@code options}. */
    public static Model load(InputStream in, ModelOptions options) {
        return load(SparqReader.read(in), options);
    }

    private static Model load(SparqFile file, ModelOptions options) {
        // Every initializer, a subgraph's too, goes to the main graph's executor in its stored form:
        // tensor names are unique across the file, and subgraphs read the main graph's constants
        // by name, so a subgraph finds its own weights there as well.
        return build(options, () -> new GraphExecutor(file.graph(), file.tensors()));
    }

    /** Builds the executor inside the options' scope, so its weight matrices bind the chosen kernels. */
    private static Model build(ModelOptions options, Supplier<GraphExecutor> executor) {
        Objects.requireNonNull(options, "options");
        KernelScope scope = options.scope();
        return new Model(scope.call(executor), options, scope);
    }

    /**
     * Compiles a graph (from the ONNX importer, or {@link SparqFile#denseGraph()}) for execution;
     * its float32 initializers serve as dense weight matrices.
     */
    public static Model fromGraph(Graph graph) {
        return fromGraph(graph, ModelOptions.defaults());
    }

    /** {@link #fromGraph(Graph)} with the threads and kernels of {@code options}. */
    public static Model fromGraph(Graph graph, ModelOptions options) {
        return build(options, () -> new GraphExecutor(graph));
    }

    /** The options this model was loaded with. */
    public ModelOptions options() {
        return options;
    }

    /**
     * A new session; sessions are cheap and not thread-safe. Its {@link Session#step} carries the
     * state pairs {@link Streaming#detect()} finds, detected at the first step.
     */
    public Session newSession() {
        return new Session(executor, scope, Streaming.detect(), false);
    }

    /**
     * A new session that streams as {@code streaming} says.
     *
     * @throws io.sparq.format.SparqException {@code INVALID_ARGUMENT} when the specification does
     *         not fit this model: unknown names, state pairs that disagree in type or shape, or
     *         (when detecting) state inputs and outputs that pair more than one way
     */
    public Session newSession(Streaming streaming) {
        return new Session(executor, scope, Objects.requireNonNull(streaming, "streaming"), true);
    }

    /**
     * The graph that was compiled. For a model loaded from {@code .sparq} its initializer map is
     * empty (the weights stay in the file's encoding); {@link #inputs()} accounts for them.
     */
    public Graph graph() {
        return executor.graph();
    }

    /** The inputs a caller must feed (graph inputs without an initializer default). */
    public List<ValueInfo> inputs() {
        return executor.requiredInputs();
    }

    /** The graph outputs, in order. */
    public List<ValueInfo> outputs() {
        return executor.graph().outputs();
    }
}
