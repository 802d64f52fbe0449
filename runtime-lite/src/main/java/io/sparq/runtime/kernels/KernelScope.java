package io.sparq.runtime.kernels;

import java.util.function.Supplier;

/**
 * The kernels and thread pool one model runs with, installed on the calling thread for the
 * duration of a call: {@link Vectorization#kernels()} and {@link KernelThreads} answer from the
 * innermost scope, else from the JVM-wide defaults ({@code sparq.kernels}, {@code sparq.threads}).
 * A model binds its weight matrices to the scope's kernels when it is built inside it, and its
 * sessions run inside it, so two models in one JVM can run with different settings.
 */
public final class KernelScope {
    private static final ThreadLocal<KernelScope> CURRENT = new ThreadLocal<>();
    private final Kernels kernels;            // null: the JVM-wide choice
    private final KernelPool pool;            // null: the JVM-wide pool
    volatile boolean splits;                  // a product of a call in this scope was split across threads

    private KernelScope(Kernels kernels, KernelPool pool) {
        this.kernels = kernels;
        this.pool = pool;
    }

    /** A scope with these kernels and pool; either may be null for the JVM-wide default. */
    public static KernelScope of(Kernels kernels, KernelPool pool) {
        return new KernelScope(kernels, pool);
    }

    /** Runs {@code body} with this scope installed on the calling thread (restoring the previous one after). */
    public <T> T call(Supplier<T> body) {
        KernelScope previous = CURRENT.get();
        CURRENT.set(this);
        if (splits) {
            (pool != null ? pool : KernelThreads.defaultPool()).wake();
        }
        try {
            return body.get();
        } finally {
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        }
    }

    /** The innermost scope on this thread, or null. */
    static KernelScope current() {
        return CURRENT.get();
    }

    /**
     * Runs {@code work} on this thread with {@code scope} (possibly null) installed, as a pool worker
     * does for a product its caller started inside that scope.
     */
    static void runIn(KernelScope scope, Runnable work) {
        if (scope == null) {
            work.run();
            return;
        }
        CURRENT.set(scope);
        try {
            work.run();
        } finally {
            CURRENT.remove();
        }
    }

    /** The kernels of the innermost scope on this thread, or null when none chose them. */
    static Kernels currentKernels() {
        KernelScope s = CURRENT.get();
        return s == null ? null : s.kernels;
    }

    /** The pool of the innermost scope on this thread, or null when none chose it. */
    static KernelPool currentPool() {
        KernelScope s = CURRENT.get();
        return s == null ? null : s.pool;
    }
}
