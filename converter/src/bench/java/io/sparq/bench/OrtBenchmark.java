package io.sparq.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.sparq.converter.export.SyntheticModels.Cell;
import io.sparq.format.Tensor;
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

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * ONNX Runtime for Java on the dense ONNX benchmark models, measured as {@link SparqBenchmark}
 * measures sparq ({@code step}: T = 1 with the state fed back; {@code sequence}: T = 100, per
 * timestep). Its dense kernels do the same work whatever the share of zeros, so it runs the
 * unpruned model; {@code threads} is the intra-op thread count ({@code all} = every core).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class OrtBenchmark {
    @Param({"lstm-256", "lstm-512", "lstm-1024", "lstm-2048", "gru-1024", "rnn-1024"})
    public String model;

    @Param({"1", "all"})
    public String threads;

    /** {@code fp32}: the dense model; {@code int8}: ONNX Runtime's {@code quantize_dynamic} of it. */
    @Param({"fp32", "int8"})
    public String weights;

    private OrtEnvironment env;
    private OrtSession session;
    private final Map<String, OnnxTensor> stepFeeds = new HashMap<>();
    private final Map<String, OnnxTensor> sequenceFeeds = new HashMap<>();
    private final List<OnnxTensor> created = new ArrayList<>();
    private OrtSession.Result previous;     // owns the state tensors fed to the next step
    private boolean lstm;

    @Setup
    public void setUp() throws OrtException {
        BenchModels.Spec spec = BenchModels.Spec.parse(model);
        lstm = spec.cell() == Cell.LSTM;
        env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(BenchModels.threads(threads));
        options.setInterOpNumThreads(1);
        Path file = weights.equals("int8") ? BenchModels.ortInt8(spec) : BenchModels.onnx(spec, 0);
        session = env.createSession(file.toString(), options);
        Tensor zeros = Tensor.ofFloats(new int[] {1, 1, spec.hidden()}, new float[spec.hidden()]);
        stepFeeds.put("X", tensor(BenchModels.input(spec, 1)));
        stepFeeds.put("initial_h", tensor(zeros));
        sequenceFeeds.put("X", tensor(BenchModels.input(spec, 100)));
        sequenceFeeds.put("initial_h", tensor(zeros));
        if (lstm) {
            stepFeeds.put("initial_c", tensor(zeros));
            sequenceFeeds.put("initial_c", tensor(zeros));
        }
    }

    private OnnxTensor tensor(Tensor t) throws OrtException {
        OnnxTensor o = OnnxTensor.createTensor(env, FloatBuffer.wrap(t.floats()),
                Arrays.stream(t.shape()).asLongStream().toArray());
        created.add(o);
        return o;
    }

    @TearDown
    public void tearDown() throws OrtException {
        if (previous != null) {
            previous.close();
        }
        created.forEach(OnnxTensor::close);
        session.close();
    }

    @Benchmark
    public OrtSession.Result step() throws OrtException {
        OrtSession.Result out = session.run(stepFeeds);
        stepFeeds.put("initial_h", (OnnxTensor) out.get("Y_h").orElseThrow());
        if (lstm) {
            stepFeeds.put("initial_c", (OnnxTensor) out.get("Y_c").orElseThrow());
        }
        if (previous != null) {
            previous.close();
        }
        previous = out;
        return out;
    }

    @Benchmark
    @OperationsPerInvocation(100)
    public void sequence() throws OrtException {
        session.run(sequenceFeeds).close();
    }
}
