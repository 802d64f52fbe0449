package io.sparq.runtime.kernels;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The row-splitting pool: coverage, failure propagation, thresholds. */
class KernelThreadsTest {
    @Test
    void everyIndexRunsExactlyOnce() throws InterruptedException {
        int before = KernelThreads.threads();
        try {
            KernelThreads.setThreads(3);
            AtomicIntegerArray hits = new AtomicIntegerArray(1000);
            // two callers at once share the pool
            Thread other = new Thread(() -> KernelThreads.run(1000, 7, (a, b) -> {
                for (int i = a; i < b; i++) {
                    hits.incrementAndGet(i);
                }
            }));
            other.start();
            KernelThreads.run(1000, 7, (a, b) -> {
                for (int i = a; i < b; i++) {
                    hits.incrementAndGet(i);
                }
            });
            other.join();
            for (int i = 0; i < 1000; i++) {
                assertEquals(2, hits.get(i), "index " + i);
            }
        } finally {
            KernelThreads.setThreads(before);
        }
    }

    @Test
    void failureOfAChunkReachesTheCaller() {
        int before = KernelThreads.threads();
        try {
            KernelThreads.setThreads(2);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> KernelThreads.run(100, 1, (a, b) -> {
                if (a > 0) {
                    throw new IllegalStateException("chunk " + a);
                }
            }));
            assertTrue(e.getMessage().startsWith("chunk "), e.getMessage());
        } finally {
            KernelThreads.setThreads(before);
        }
    }

    @Test
    void smallWorkIsNotSplit() {
        int before = KernelThreads.threads();
        try {
            KernelThreads.setThreads(2);
            assertFalse(KernelThreads.worthSplitting(1000, 16, KernelThreads.MIN_PARALLEL_WORK - 1));
            assertFalse(KernelThreads.worthSplitting(31, 16, Long.MAX_VALUE));
            assertTrue(KernelThreads.worthSplitting(32, 16, KernelThreads.MIN_PARALLEL_WORK));
            KernelThreads.setThreads(1);
            assertFalse(KernelThreads.worthSplitting(1000, 16, Long.MAX_VALUE));
            assertThrows(IllegalArgumentException.class, () -> KernelThreads.setThreads(0));
        } finally {
            KernelThreads.setThreads(before);
        }
    }

    @Test
    void aProductNestedInAChunkRunsOnItsCaller() {
        int before = KernelThreads.threads();
        try {
            KernelThreads.setThreads(2);
            AtomicIntegerArray hits = new AtomicIntegerArray(400);
            KernelThreads.run(4, 1, (a, b) -> {
                for (int outer = a; outer < b; outer++) {
                    int base = outer * 100;
                    KernelThreads.run(100, 1, (c, d) -> {
                        for (int i = c; i < d; i++) {
                            hits.incrementAndGet(base + i);
                        }
                    });
                }
            });
            for (int i = 0; i < 400; i++) {
                assertEquals(1, hits.get(i), "index " + i);
            }
        } finally {
            KernelThreads.setThreads(before);
        }
    }

    @Test
    void aScopeChoosesThePool() {
        int jvmWide = KernelThreads.threads();
        KernelScope three = KernelScope.of(null, KernelPool.shared(3));
        assertEquals(3, three.call(KernelThreads::threads));
        assertEquals(1, KernelScope.of(null, KernelPool.shared(1)).call(
                () -> three.call(KernelThreads::threads) == 3 ? KernelThreads.threads() : -1), "nested scopes restore the outer one");
        assertEquals(jvmWide, KernelThreads.threads());
        assertThrows(IllegalArgumentException.class, () -> KernelPool.shared(0));
    }
}
