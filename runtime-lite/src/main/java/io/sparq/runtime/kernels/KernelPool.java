package io.sparq.runtime.kernels;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Threads that split one product into row ranges: the caller and {@code threads − 1} daemon
 * workers. A worker that finishes a chunk spins for {@link #SPIN_NANOS} before it parks, so the
 * products of one graph run (a few microseconds apart) reach a running worker instead of waking a
 * parked one, which costs tens of microseconds and made a second thread slower than one on
 * short products; a call whose products were split starts by waking the workers ({@link #wake}).
 * Each thread takes its own share of a product's chunks first, the same rows every time, so the
 * weights it multiplies stay in its core's L2 cache (chunks claimed first-come ran no faster on two
 * cores than on one). The caller always takes chunks itself and, when the pool is already serving
 * another product (a second caller, or a product nested in a chunk), runs its whole product alone:
 * a product never waits for another one, so nothing can deadlock and a busy pool costs no more
 * than one thread.
 *
 * <p>Pools are shared per thread count ({@link #shared}), so models that ask for the same count use
 * the same workers and no pool ever needs closing.
 */
public final class KernelPool {
    /**
     * How long an idle worker keeps spinning for the next product before it parks: longer than the
     * gap between the products of one run, shorter than a user's pause between runs.
     */
    static final long SPIN_NANOS = 50_000;
    private static final int CHUNKS_PER_THREAD = 4;
    private static final ConcurrentHashMap<Integer, KernelPool> SHARED = new ConcurrentHashMap<>();

    private final int threads;
    private final Worker[] workers;
    private final AtomicBoolean busy = new AtomicBoolean();
    private volatile Job job;                 // the product being served, written before generation
    private volatile long generation;         // bumped once per product handed to the workers

    private KernelPool(int threads) {
        this.threads = threads;
        this.workers = new Worker[threads - 1];
    }

    /** The pool of {@code threads} threads (the caller counts as one), created on first use. */
    public static KernelPool shared(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("thread count " + threads + ", expected at least 1");
        }
        return SHARED.computeIfAbsent(threads, KernelPool::new);
    }

    /** Threads a product may be split across, the caller included. */
    public int threads() {
        return threads;
    }

    /**
     * Runs {@code range} over {@code [0, n)} in up to four chunks per thread of at least
     * {@code grain} indices, the caller taking chunks too; returns when all are done and rethrows
     * the failure of any chunk.
     */
    void run(int n, int grain, KernelThreads.Range range) {
        // a few chunks per thread, claimed in turn: while a parked worker wakes up (tens of µs) the
        // caller goes on with the next chunks instead of waiting for a fixed half
        int chunks = Math.min(CHUNKS_PER_THREAD * threads, n / Math.max(1, grain));
        if (chunks <= 1 || threads == 1 || !busy.compareAndSet(false, true)) {
            range.run(0, n);
            return;
        }
        Job j = new Job(range, n, chunks, threads, Thread.currentThread());
        if (j.scope != null) {
            j.scope.splits = true;
        }
        try {
            startWorkers();
            job = j;
            generation++;                     // only the caller holding busy writes it
            for (Worker w : workers) {
                if (w.sleeping) {
                    LockSupport.unpark(w);
                }
            }
            j.work(0);
            j.await();
        } finally {
            job = null;
            busy.set(false);
        }
        j.rethrow();
    }

    /**
     * Unparks the workers that are parked, so they spin by the time a product arrives: a call whose
     * products were split last time starts with this, so its first product does not find the
     * workers asleep (waking one takes tens of microseconds, longer than a split step product).
     */
    void wake() {
        for (Worker w : workers) {
            if (w != null && w.sleeping) {
                LockSupport.unpark(w);
            }
        }
    }

    private void startWorkers() {
        for (int i = 0; i < workers.length; i++) {
            if (workers[i] == null) {
                Worker w = new Worker(i);
                workers[i] = w;
                w.start();
            }
        }
    }

    /** One daemon thread of the pool: spins briefly for the next product, then parks. */
    private final class Worker extends Thread {
        final int index;
        volatile boolean sleeping;

        Worker(int index) {
            super("sparq-kernel-" + threads + "-" + index);
            this.index = index;
            setDaemon(true);
        }

        @Override
        public void run() {
            long seen = generation;
            while (true) {
                long g;
                long spinFrom = System.nanoTime();
                while ((g = generation) == seen) {
                    if (System.nanoTime() - spinFrom < SPIN_NANOS) {
                        Thread.onSpinWait();
                        continue;
                    }
                    sleeping = true;
                    if (generation == seen) {     // re-read after announcing: the caller reads sleeping after writing generation
                        LockSupport.park(this);
                    }
                    sleeping = false;
                    spinFrom = System.nanoTime();
                }
                seen = g;
                Job j = job;
                if (j != null) {
                    KernelScope.runIn(j.scope, () -> j.work(index + 1));   // in the caller's kernel scope
                }
            }
        }
    }

    /**
     * One split product. Thread {@code t} of {@code T} first takes the chunks of its own share
     * ({@code [t·chunks/T, (t+1)·chunks/T)}), so from call to call each core multiplies the same rows
     * and finds their weights in its own L2 cache; then it takes what is left of the others' shares,
     * so a late worker never holds the caller up for more than the chunk it is running.
     */
    private static final class Job {
        final KernelThreads.Range range;
        final int n;
        final int chunks;
        final int threads;
        final Thread owner;
        final KernelScope scope;
        final AtomicIntegerArray taken;
        final AtomicInteger pending;
        volatile Throwable failure;

        Job(KernelThreads.Range range, int n, int chunks, int threads, Thread owner) {
            this.range = range;
            this.n = n;
            this.chunks = chunks;
            this.threads = threads;
            this.owner = owner;
            this.scope = KernelScope.current();
            this.taken = new AtomicIntegerArray(chunks);
            this.pending = new AtomicInteger(chunks);
        }

        /** Runs the chunks thread {@code self} can claim: its own share first, then the rest. */
        void work(int self) {
            int first = (int) ((long) self * chunks / threads);
            for (int k = 0; k < chunks; k++) {
                int c = (first + k) % chunks;
                if (taken.get(c) != 0 || !taken.compareAndSet(c, 0, 1)) {
                    continue;
                }
                try {
                    range.run((int) ((long) c * n / chunks), (int) ((long) (c + 1) * n / chunks));
                } catch (Throwable t) {
                    failure = t;
                }
                if (pending.decrementAndGet() == 0 && Thread.currentThread() != owner) {
                    LockSupport.unpark(owner);
                }
            }
        }

        /** Waits for chunks other threads took: spins first (they end about when the caller's did), then parks. */
        void await() {
            long spinFrom = System.nanoTime();
            while (pending.get() > 0) {
                if (System.nanoTime() - spinFrom < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(this, 20_000);
                }
            }
        }

        void rethrow() {
            Throwable t = failure;
            if (t == null) {
                return;
            }
            if (t instanceof RuntimeException) {
                throw (RuntimeException) t;
            }
            if (t instanceof Error) {
                throw (Error) t;
            }
            throw new IllegalStateException(t);
        }
    }
}
