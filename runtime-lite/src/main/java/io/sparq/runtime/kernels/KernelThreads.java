package io.sparq.runtime.kernels;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A small shared pool that splits large products into row ranges, one per thread. Only work above
 * {@link #MIN_PARALLEL_WORK} is split; a batch-1 step of a small layer runs on the caller alone.
 * Workers are daemon threads blocked on a queue when idle (no spinning); the caller runs chunks
 * itself and waits only for chunks already taken by a worker, so concurrent products never
 * deadlock however busy the pool is. The thread count is the system property {@code sparq.threads}
 * (default: the number of processors) or {@link #setThreads}.
 */
public final class KernelThreads {
    /**
     * Multiply-adds (or weight bytes streamed, for the encoded matrices) below which a product runs
     * on one thread: under about 100 µs of work, handing chunks to other cores costs more than it
     * saves. (Splitting a 90 %-sparse int8 hidden-1024 step, 0.5 MB, measured no faster on 2 cores.)
     */
    public static final long MIN_PARALLEL_WORK = 1L << 20;
    private static final LinkedBlockingQueue<Job> QUEUE = new LinkedBlockingQueue<>();
    private static final AtomicInteger WORKERS = new AtomicInteger();
    private static volatile int threads = initialThreads();

    private KernelThreads() {
    }

    /** A piece of a product: the half-open range {@code [from, to)} of rows (or columns). */
    @FunctionalInterface
    public interface Range {
        void run(int from, int to);
    }

    /** Threads a large product is split across (at least 1). */
    public static int threads() {
        return threads;
    }

    /** Sets the thread count for all later products (1 = run everything on the caller). */
    public static void setThreads(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("thread count " + count + ", expected at least 1");
        }
        threads = count;
    }

    /**
     * Whether a product of {@code n} rows (or columns) and {@code work} multiply-adds or streamed
     * bytes is worth splitting: it is at least {@link #MIN_PARALLEL_WORK}, has two chunks of at least
     * {@code grain} indices, and more than one thread is configured.
     */
    public static boolean worthSplitting(int n, int grain, long work) {
        return threads > 1 && work >= MIN_PARALLEL_WORK && n >= 2 * Math.max(1, grain);
    }

    /**
     * Runs {@code range} over {@code [0, n)} in up to {@link #threads()} chunks of at least
     * {@code grain} indices, the caller taking chunks too; returns when all are done and rethrows the
     * failure of any chunk.
     */
    public static void run(int n, int grain, Range range) {
        int chunks = Math.min(threads, n / Math.max(1, grain));
        if (chunks <= 1) {
            range.run(0, n);
            return;
        }
        startWorkers(chunks - 1);
        Job job = new Job(range, n, chunks, Thread.currentThread());
        for (int c = 1; c < chunks; c++) {
            QUEUE.add(job);
        }
        job.work();
        while (job.pending.get() > 0) {
            LockSupport.park(job);
        }
        if (job.failure != null) {
            if (job.failure instanceof RuntimeException) {
                throw (RuntimeException) job.failure;
            }
            if (job.failure instanceof Error) {
                throw (Error) job.failure;
            }
            throw new IllegalStateException(job.failure);
        }
    }

    private static void startWorkers(int wanted) {
        int have;
        while ((have = WORKERS.get()) < wanted) {
            if (WORKERS.compareAndSet(have, have + 1)) {
                Thread t = new Thread(KernelThreads::serve, "sparq-kernel-" + have);
                t.setDaemon(true);
                t.start();
            }
        }
    }

    private static void serve() {
        while (true) {
            try {
                QUEUE.take().work();
            } catch (InterruptedException e) {
                // a pool thread has nothing to abandon: keep serving
            }
        }
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

    /** One split product: chunks are claimed in order by whichever thread comes first. */
    private static final class Job {
        final Range range;
        final int n;
        final int chunks;
        final Thread owner;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger pending;
        volatile Throwable failure;

        Job(Range range, int n, int chunks, Thread owner) {
            this.range = range;
            this.n = n;
            this.chunks = chunks;
            this.owner = owner;
            this.pending = new AtomicInteger(chunks);
        }

        void work() {
            int c;
            while ((c = next.getAndIncrement()) < chunks) {
                try {
                    range.run((int) ((long) c * n / chunks), (int) ((long) (c + 1) * n / chunks));
                } catch (Throwable t) {
                    failure = t;
                }
                if (pending.decrementAndGet() == 0) {
                    LockSupport.unpark(owner);
                }
            }
        }
    }
}
