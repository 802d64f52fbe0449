package io.sparq.runtime.api;

import io.sparq.runtime.kernels.KernelPool;
import io.sparq.runtime.kernels.KernelScope;
import io.sparq.runtime.kernels.Vectorization;

import java.util.Objects;

/**
 * How one {@link Model} runs: the threads a product may be split across and the kernels it uses,
 * as ONNX Runtime's {@code SessionOptions} set them per session. Unset values follow the JVM-wide
 * defaults (system properties {@code sparq.threads} and {@code sparq.kernels}), so two models in
 * one application can run with different settings. Immutable: each {@code with} returns a copy.
 *
 * <pre>{@code
 * Model model = Model.load(path, ModelOptions.defaults().withThreads(1));
 * }</pre>
 */
public final class ModelOptions {
    /** Which kernels a model runs on. */
    public enum Kernels {
        /** The JVM-wide choice: SIMD when the Vector API module is enabled, or {@code sparq.kernels}. */
        DEFAULT,
        /** Plain Java loops: the reference every SIMD kernel is tested against. */
        SCALAR,
        /** The Vector API kernels at this CPU's widest vector (scalar when the module is not enabled). */
        VECTOR
    }

    private static final ModelOptions DEFAULTS = new ModelOptions(0, Kernels.DEFAULT);
    private final int threads;                // 0: the JVM-wide count
    private final Kernels kernels;

    private ModelOptions(int threads, Kernels kernels) {
        this.threads = threads;
        this.kernels = kernels;
    }

    /** The JVM-wide defaults for both settings. */
    public static ModelOptions defaults() {
        return DEFAULTS;
    }

    /**
     * Threads a large product may be split across, the calling thread included (1: every product
     * runs on the caller). Products too small to gain from a split run on the caller anyway.
     *
     * @throws IllegalArgumentException when {@code threads < 1}
     */
    public ModelOptions withThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads = " + threads + ", expected at least 1");
        }
        return new ModelOptions(threads, kernels);
    }

    /** The kernels the model runs on. */
    public ModelOptions withKernels(Kernels kernels) {
        return new ModelOptions(threads, Objects.requireNonNull(kernels, "kernels"));
    }

    /** The thread count asked for, or 0 for the JVM-wide one. */
    public int threads() {
        return threads;
    }

    /** The kernels asked for. */
    public Kernels kernels() {
        return kernels;
    }

    /** The scope a model with these options is built and run in. */
    KernelScope scope() {
        io.sparq.runtime.kernels.Kernels chosen = switch (kernels) {
            case DEFAULT -> null;
            case SCALAR -> Vectorization.named("scalar");
            case VECTOR -> Vectorization.named("vector");
        };
        return KernelScope.of(chosen, threads == 0 ? null : KernelPool.shared(threads));
    }

    @Override
    public String toString() {
        return "ModelOptions[threads=" + (threads == 0 ? "default" : threads) + ", kernels=" + kernels + "]";
    }
}
