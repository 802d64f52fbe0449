package io.sparq.testmodels;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.sparq.format.Tensor;

import onnx.Onnx.ModelProto;
import onnx.Onnx.OperatorSetIdProto;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** ONNX Runtime for Java as the tests' reference: sessions on one thread, sparq tensors in and out. */
final class OnnxRuntimeBridge {
    static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    private OnnxRuntimeBridge() {
    }

    /**
     * IR version and ai.onnx opset up to which files are run as they are. ONNX Runtime for Java 1.23
     * reads IR 11 and opset 23 at most, so a newer file (onnx 1.23 writes IR 14, opset 28) is run as
     * a copy declaring these; that is the same model when the newer opsets changed none of its
     * operators, as for the one such test file (make_exports.py makes its reference outputs so).
     */
    static final int ORT_MAX_IR_VERSION = 10;
    static final int ORT_MAX_OPSET = 22;

    /** A session on {@code onnx} with one intra-op thread. */
    static OrtSession session(Path onnx) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            byte[] older = asOlderVersion(onnx);
            return older == null ? ENV.createSession(onnx.toString(), options) : ENV.createSession(older, options);
        }
    }

    /** The model saved with {@link #ORT_MAX_IR_VERSION} and opsets up to {@link #ORT_MAX_OPSET}; null if it is not newer. */
    private static byte[] asOlderVersion(Path onnx) {
        ModelProto model;
        try {
            model = ModelProto.parseFrom(Files.readAllBytes(onnx));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + onnx, e);
        }
        if (model.getIrVersion() <= ORT_MAX_IR_VERSION) {
            return null;
        }
        ModelProto.Builder older = model.toBuilder().setIrVersion(ORT_MAX_IR_VERSION);
        for (OperatorSetIdProto.Builder opset : older.getOpsetImportBuilderList()) {
            if (opset.getDomain().isEmpty() || opset.getDomain().equals("ai.onnx")) {
                opset.setVersion(Math.min(opset.getVersion(), ORT_MAX_OPSET));
            }
        }
        return older.build().toByteArray();   // from bytes, so external data could not be found: these files have none
    }

    /** One run: float32 / int64 inputs in, every output back as a sparq tensor. */
    static Map<String, Tensor> run(OrtSession session, Map<String, Tensor> inputs) throws OrtException {
        Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
                feeds.put(e.getKey(), toOrt(e.getValue()));
            }
            Map<String, Tensor> outputs = new LinkedHashMap<>();
            try (OrtSession.Result result = session.run(feeds)) {
                for (Map.Entry<String, OnnxValue> e : result) {
                    outputs.put(e.getKey(), fromOrt((OnnxTensor) e.getValue()));
                }
            }
            return outputs;
        } finally {
            feeds.values().forEach(OnnxTensor::close);
        }
    }

    private static OnnxTensor toOrt(Tensor t) throws OrtException {
        long[] shape = Arrays.stream(t.shape()).asLongStream().toArray();
        switch (t.type()) {
            case FLOAT32: return OnnxTensor.createTensor(ENV, FloatBuffer.wrap(t.floats()), shape);
            case INT64: return OnnxTensor.createTensor(ENV, LongBuffer.wrap(t.longs()), shape);
            default: throw new AssertionError("test inputs are float32 or int64, got " + t);
        }
    }

    private static Tensor fromOrt(OnnxTensor value) {
        TensorInfo info = value.getInfo();
        int[] shape = Arrays.stream(info.getShape()).mapToInt(Math::toIntExact).toArray();
        switch (info.type) {
            case FLOAT: {
                FloatBuffer b = value.getFloatBuffer();
                float[] data = new float[b.remaining()];
                b.get(data);
                return Tensor.ofFloats(shape, data);
            }
            case INT64: {
                LongBuffer b = value.getLongBuffer();
                long[] data = new long[b.remaining()];
                b.get(data);
                return Tensor.ofLongs(shape, data);
            }
            default: throw new AssertionError("unexpected ONNX Runtime output type " + info);
        }
    }
}
