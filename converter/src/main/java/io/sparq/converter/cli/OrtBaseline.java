package io.sparq.converter.cli;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.sparq.format.DataType;
import io.sparq.format.ErrorCode;
import io.sparq.format.SparqException;
import io.sparq.format.Tensor;

import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ONNX Runtime for Java as the baseline of {@code sparq bench --compare}: the original model run
 * on the same inputs, with the same thread count, in the same process. ONNX Runtime is not a
 * dependency of the command-line jar, and loading this class needs it (its exception handlers name
 * ONNX Runtime's classes): the bench command checks that ONNX Runtime is on the class path first.
 */
final class OrtBaseline implements AutoCloseable {
    private final OrtEnvironment env;
    private final OrtSession session;
    private final Map<String, OnnxTensor> feeds = new LinkedHashMap<>();

    /** A session on {@code onnxFile} with {@code threads} intra-op threads, fed {@code inputs}. */
    OrtBaseline(Path onnxFile, int threads, Map<String, Tensor> inputs) {
        env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            session = env.createSession(onnxFile.toString(), options);
        } catch (OrtException e) {
            throw new SparqException(ErrorCode.INVALID_MODEL, "ONNX Runtime cannot load " + onnxFile + ": " + e.getMessage(), e);
        }
        try {
            for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
                if (!session.getInputNames().contains(e.getKey())) {
                    throw new SparqException(ErrorCode.INVALID_ARGUMENT, "--compare model " + onnxFile + " has no input '"
                            + e.getKey() + "', its inputs are " + session.getInputNames());
                }
                feeds.put(e.getKey(), toOrt(e.getKey(), e.getValue()));
            }
        } catch (OrtException e) {
            close();
            throw new SparqException(ErrorCode.INVALID_ARGUMENT, "ONNX Runtime refuses the inputs: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** One run; the outputs as sparq tensors (float outputs only; others are skipped). */
    Map<String, Tensor> run() {
        try (OrtSession.Result result = session.run(feeds)) {
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (Map.Entry<String, OnnxValue> e : result) {
                if (e.getValue() instanceof OnnxTensor t && t.getInfo().type == OnnxJavaType.FLOAT) {
                    int[] shape = Arrays.stream(t.getInfo().getShape()).mapToInt(Math::toIntExact).toArray();
                    FloatBuffer b = t.getFloatBuffer();
                    float[] v = new float[b.remaining()];
                    b.get(v);
                    out.put(e.getKey(), Tensor.ofFloats(shape, v));
                }
            }
            return out;
        } catch (OrtException e) {
            throw new SparqException(ErrorCode.INVALID_ARGUMENT, "ONNX Runtime failed to run the --compare model: "
                    + e.getMessage(), e);
        }
    }

    private OnnxTensor toOrt(String name, Tensor t) throws OrtException {
        long[] shape = Arrays.stream(t.shape()).asLongStream().toArray();
        return switch (t.type()) {
            case FLOAT32 -> OnnxTensor.createTensor(env, FloatBuffer.wrap(t.floats()), shape);
            case FLOAT64 -> OnnxTensor.createTensor(env, DoubleBuffer.wrap(t.doubles()), shape);
            case INT64 -> OnnxTensor.createTensor(env, LongBuffer.wrap(t.longs()), shape);
            case INT32 -> OnnxTensor.createTensor(env, IntBuffer.wrap(t.ints()), shape);
            case BOOL -> OnnxTensor.createTensor(env, ByteBuffer.wrap(t.bytes()), shape, OnnxJavaType.BOOL);
            default -> throw new SparqException(ErrorCode.INVALID_ARGUMENT, "input '" + name + "' is " + t.type().displayName()
                    + "; --compare passes float32, float64, int64, int32 and bool inputs to ONNX Runtime");
        };
    }

    @Override
    public void close() {
        List<AutoCloseable> open = new ArrayList<>(feeds.values());
        feeds.clear();
        for (AutoCloseable c : open) {
            try {
                c.close();
            } catch (Exception ignored) {
                // native buffers of a finished benchmark; nothing to recover
            }
        }
        if (session != null) {
            try {
                session.close();
            } catch (OrtException ignored) {
                // as above
            }
        }
    }
}
