package io.sparq.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Single-thread read bandwidth for the roofline column: one pass summing a 256 MiB int array
 * (much larger than any cache; C2 vectorizes the int sum). Bandwidth = {@link #BYTES} / score.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class MemoryBandwidthBenchmark {
    static final long BYTES = 256L << 20;

    private int[] data;

    @Setup
    public void setUp() {
        data = new int[(int) (BYTES / 4)];
        for (int i = 0; i < data.length; i++) {
            data[i] = i;
        }
    }

    @Benchmark
    public int readAll() {
        int sum = 0;
        for (int v : data) {
            sum += v;
        }
        return sum;
    }
}
