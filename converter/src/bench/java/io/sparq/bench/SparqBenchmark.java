package io.sparq.bench;

import io.sparq.converter.export.SyntheticModels.Cell;
import io.sparq.format.Tensor;
import io.sparq.runtime.api.Model;
import io.sparq.runtime.api.Session;
import io.sparq.runtime.kernels.KernelThreads;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * sparq on the benchmark models (batch 1): {@code step} is one streaming timestep (T = 1, the state
 * fed back from the previous step), {@code sequence} a whole T = 100 sequence from a zero state,
 * reported per timestep.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class SparqBenchmark {
    @Param({"lstm-256", "lstm-512", "lstm-1024", "lstm-2048", "gru-1024", "rnn-1024"})
    public String model;

    @Param({"0", "0.5", "0.8", "0.9", "0.95"})
    public double sparsity;

    @Param({"f32", "int8"})
    public String encoding;

    /** Kernel threads: {@code 1}, or {@code all} cores (as OrtBenchmark's intra-op threads). */
    @Param({"1", "all"})
    public String threads;

    private Session session;
    private final Map<String, Tensor> stepFeeds = new HashMap<>();
    private final Map<String, Tensor> sequenceFeeds = new HashMap<>();
    private float[] h;   // (1, 1, hidden): the state carried between steps
    private float[] c;
    private boolean lstm;

    @Setup
    public void setUp() {
        KernelThreads.setThreads(threads.equals("all") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(threads));
        BenchModels.Spec spec = BenchModels.Spec.parse(model);
        lstm = spec.cell() == Cell.LSTM;
        session = Model.load(BenchModels.sparq(spec, sparsity, encoding)).newSession();
        int[] state = {1, 1, spec.hidden()};
        h = new float[spec.hidden()];
        c = new float[spec.hidden()];
        stepFeeds.put("X", BenchModels.input(spec, 1));
        stepFeeds.put("initial_h", Tensor.ofFloats(state, h));
        sequenceFeeds.put("X", BenchModels.input(spec, 100));
        sequenceFeeds.put("initial_h", Tensor.ofFloats(state, new float[spec.hidden()]));
        if (lstm) {
            stepFeeds.put("initial_c", Tensor.ofFloats(state, c));
            sequenceFeeds.put("initial_c", Tensor.ofFloats(state, new float[spec.hidden()]));
        }
    }

    @TearDown
    public void tearDown() {
        session.close();
    }

    @Benchmark
    public Map<String, Tensor> step() {
        Map<String, Tensor> out = session.run(stepFeeds);
        // copied into the fed arrays: a session may reuse its output buffers
        System.arraycopy(out.get("Y_h").floats(), 0, h, 0, h.length);
        if (lstm) {
            System.arraycopy(out.get("Y_c").floats(), 0, c, 0, c.length);
        }
        return out;
    }

    @Benchmark
    @OperationsPerInvocation(100)
    public Map<String, Tensor> sequence() {
        return session.run(sequenceFeeds);
    }
}
