package io.sparq.bench;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.sparq.runtime.api.Model;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Time from a model file to a model ready to run: {@code Model.load} of the .sparq, ORT session creation of the dense .onnx. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class LoadBenchmark {
    @Param({"lstm-256", "lstm-512", "lstm-1024", "lstm-2048", "gru-1024", "rnn-1024"})
    public String model;

    @Param({"0", "0.9"})
    public double sparsity;

    @Param({"f32", "int8"})
    public String encoding;

    private Path sparq;
    private Path onnx;
    private OrtEnvironment env;

    @Setup
    public void setUp() {
        BenchModels.Spec spec = BenchModels.Spec.parse(model);
        sparq = BenchModels.sparq(spec, sparsity, encoding);
        onnx = BenchModels.onnx(spec, sparsity);
        env = OrtEnvironment.getEnvironment();
    }

    @Benchmark
    public Model sparqLoad() {
        return Model.load(sparq);
    }

    @Benchmark
    public void ortLoad() throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            env.createSession(onnx.toString(), options).close();
        }
    }
}
