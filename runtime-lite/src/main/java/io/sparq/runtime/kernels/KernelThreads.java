package io.sparq.runtime.kernels;

/**
 * Splits large products into row ranges across the current {@link KernelPool}: the pool of the
 * calling thread's {@link KernelScope} (a model's own thread count), else the JVM-wide pool of
 * {@code sparq.threads} threads (default: the number of processors) or {@link #setThreads}. Only
 * work above {@link #MIN_PARALLEL_WORK} is split.
 */
public final class KernelThreads {
    /**
     * Multiply-adds (or weight bytes streamed times inputs, for the encoded matrices) below which a
     * product runs on one thread: about 15 µs of work. A call whose products were split wakes the
     * workers at its start, and waking a parked worker costs the caller a few microseconds, so
     * splitting the quick start's 10 µs input projection (about 150 K) made a 24-step call 7 %
     * slower; the 1024-wide steps (LSTM about 470 K, GRU's one product of its three gate blocks
     * about 370 K) split.
     */
    public static final long MIN_PARALLEL_WORK = 1L << 18;
    private static volatile KernelPool defaultPool = KernelPool.shared(initialThreads());

    private KernelThreads() {
    }

    /** A piece of a product: the half-open range {@code [from, to)} of rows (or columns). */
    @FunctionalInterface
    public interface Range {
        void run(int from, int to);
    }

    /** Threads a large product is split across (at least 1) on the calling thread. */
    public static int threads() {
        return pool().threads();
    }

    /** Sets the JVM-wide thread count for all later products outside a {@link KernelScope} (1 = run everything on the caller). */
    public static void setThreads(int count) {
        defaultPool = KernelPool.shared(count);
    }

    /**
     * Whether a product of {@code n} rows (or columns) and {@code work} multiply-adds or streamed
     * bytes is worth splitting: it is at least {@link #MIN_PARALLEL_WORK}, has two chunks of at least
     * {@code grain} indices, and more than one thread is configured.
     */
    public static boolean worthSplitting(int n, int grain, long work) {
        return work >= MIN_PARALLEL_WORK && n >= 2 * Math.max(1, grain) && threads() > 1;
    }

    /**
     * Runs {@code range} over {@code [0, n)} in chunks of at least {@code grain} indices across the
     * current pool's threads, the caller taking chunks too; returns when all are done and rethrows
     * the failure of any chunk.
     */
    public static void run(int n, int grain, Range range) {
        pool().run(n, grain, range);
    }

    /** The JVM-wide pool (for scopes that did not choose one). */
    static KernelPool defaultPool() {
        return defaultPool;
    }

    private static KernelPool pool() {
        KernelPool scoped = KernelScope.currentPool();
        return scoped != null ? scoped : defaultPool;
    }

    private static int initialThreads() {
        String p = System.getProperty("sparq.threads");
        if (p == null) {
            return Runtime.getRuntime().availableProcessors();
        }
        try {
            int n = Integer.parseInt(p.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("sparq.threads=" + p + ", expected a positive integer");
    }
}
