package io.sparq.converter.export;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.sparq.converter.data.AtomicFiles;
import io.sparq.converter.importer.OnnxTensors;
import io.sparq.format.Attribute;
import io.sparq.format.DataType;
import io.sparq.format.Dim;
import io.sparq.format.ErrorCode;
import io.sparq.format.Graph;
import io.sparq.format.Node;
import io.sparq.format.SparqException;
import io.sparq.format.Tensor;
import io.sparq.format.ValueInfo;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.OperatorSetIdProto;
import onnx.Onnx.StringStringEntryProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.TensorShapeProto;
import onnx.Onnx.TypeProto;
import onnx.Onnx.ValueInfoProto;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes sparq graphs as ONNX models: either the original model with some initializers given new
 * values (e.g. pruned weights; every other byte of the model is kept), or a model built from the
 * graph alone.
 */
public final class OnnxExporter {
    private OnnxExporter() {
    }

    /**
     * Writes {@code originalOnnx} to {@code target} with each initializer whose value in
     * {@code graph} differs from the original's replaced by the graph's. Initializers held in
     * external data files are written inline, so the result stands alone.
     *
     * @throws SparqException {@code INVALID_ARGUMENT} if a changed initializer has another type or
     *         shape than the original, or the graph has initializers the original lacks;
     *         {@code IO_ERROR} / {@code CORRUPT_FILE} if the original cannot be read
     */
    public static void export(Path originalOnnx, Graph graph, Path target) {
        write(target, exported(originalOnnx, graph));
    }

    /** The model {@link #export} writes: the original with the initializers {@code graph} changed. */
    public static ModelProto exported(Path originalOnnx, Graph graph) {
        ModelProto original = read(originalOnnx);
        Path baseDir = originalOnnx.toAbsolutePath().getParent();
        Map<String, Tensor> changed = new HashMap<>();
        for (TensorProto t : original.getGraph().getInitializerList()) {
            Tensor now = graph.initializers().get(t.getName());
            boolean external = t.getDataLocation() == TensorProto.DataLocation.EXTERNAL;
            if (now != null && (external || !sameValues(OnnxTensors.fromProto(t, baseDir), now))) {
                changed.put(t.getName(), now);
            }
        }
        return withInitializers(original, changed);
    }

    /**
     * {@code model} with the data of the named initializers replaced ({@code raw_data}, little
     * endian); names, order, doc strings and everything else stay as they are.
     *
     * @throws SparqException {@code INVALID_ARGUMENT} for a name that is no initializer of the
     *         model's main graph, or a tensor whose type or shape differs from the initializer's
     */
    public static ModelProto withInitializers(ModelProto model, Map<String, Tensor> values) {
        GraphProto.Builder g = model.getGraph().toBuilder();
        Map<String, Tensor> pending = new HashMap<>(values);
        for (int i = 0; i < g.getInitializerCount(); i++) {
            TensorProto old = g.getInitializer(i);
            Tensor t = pending.remove(old.getName());
            if (t == null) {
                continue;
            }
            long[] dims = Arrays.stream(t.shape()).asLongStream().toArray();
            long[] oldDims = old.getDimsList().stream().mapToLong(Long::longValue).toArray();
            if (old.getDataType() != t.type().onnxCode() || !Arrays.equals(dims, oldDims)) {
                throw new SparqException(ErrorCode.INVALID_ARGUMENT, "initializer '" + old.getName() + "' is "
                        + DataType.fromOnnx(old.getDataType()).map(DataType::displayName).orElse("type " + old.getDataType())
                        + Arrays.toString(oldDims) + " in the model, but the new value is " + t.type().displayName()
                        + Arrays.toString(t.shape()));
            }
            g.setInitializer(i, old.toBuilder().clearFloatData().clearInt32Data().clearInt64Data().clearDoubleData()
                    .clearUint64Data().clearStringData().clearExternalData().clearDataLocation()
                    .setRawData(rawData(t)));
        }
        if (!pending.isEmpty()) {
            throw new SparqException(ErrorCode.INVALID_ARGUMENT, "the model has no initializer(s) " + pending.keySet());
        }
        return model.toBuilder().setGraph(g).build();
    }

    /**
     * Builds an ONNX model from a graph: nodes, attributes (subgraphs included), initializers as
     * {@code raw_data}, declared inputs and outputs, opsets. The importer's {@code onnx.*} metadata
     * entries become the model fields they came from; the IR version defaults to the one that
     * goes with the ai.onnx opset (8 up to opset 18, 9 for 19–20, 10 from 21).
     */
    public static ModelProto toModelProto(Graph graph) {
        Map<String, String> meta = graph.metadata();
        int opset = graph.onnxOpset();
        long defaultIr = opset <= 18 ? 8 : opset <= 20 ? 9 : 10;
        ModelProto.Builder m = ModelProto.newBuilder()
                .setIrVersion(Long.parseLong(meta.getOrDefault("onnx.ir_version", Long.toString(defaultIr))))
                .setProducerName(meta.getOrDefault("onnx.producer_name", "sparq"))
                .setGraph(graphProto(graph));
        if (meta.containsKey("onnx.producer_version")) {
            m.setProducerVersion(meta.get("onnx.producer_version"));
        }
        if (meta.containsKey("onnx.domain")) {
            m.setDomain(meta.get("onnx.domain"));
        }
        if (meta.containsKey("onnx.model_version")) {
            m.setModelVersion(Long.parseLong(meta.get("onnx.model_version")));
        }
        meta.forEach((k, v) -> {
            if (!k.startsWith("onnx.")) {
                m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v));
            }
        });
        graph.opsets().forEach((domain, version) ->
                m.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(domain).setVersion(version)));
        return m.build();
    }

    /** Writes a model file; the file appears whole or not at all. */
    public static void write(Path target, ModelProto model) {
        try (AtomicFiles.Staged staged = stage(target, model)) {
            staged.commit();
        }
    }

    /** Writes a model file beside {@code target}, to replace it on {@link AtomicFiles.Staged#commit}. */
    public static AtomicFiles.Staged stage(Path target, ModelProto model) {
        if (model.getSerializedSize() < 0) {     // protobuf reports an overflowed size as negative
            throw new SparqException(ErrorCode.INVALID_ARGUMENT, target + ": the model is larger than the 2 GiB an"
                    + " ONNX file can hold without external data");
        }
        return AtomicFiles.stage(target, model::writeTo);
    }

    /** One tensor as a {@code TensorProto} with {@code raw_data}. */
    public static TensorProto toProto(String name, Tensor t) {
        TensorProto.Builder p = TensorProto.newBuilder().setName(name).setDataType(t.type().onnxCode());
        for (int d : t.shape()) {
            p.addDims(d);
        }
        return p.setRawData(rawData(t)).build();
    }

    private static ModelProto read(Path file) {
        try {
            return ModelProto.parseFrom(Files.readAllBytes(file));
        } catch (InvalidProtocolBufferException e) {
            throw new SparqException(ErrorCode.CORRUPT_FILE, file + ": not a valid ONNX model file: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new SparqException(ErrorCode.IO_ERROR, "cannot read " + file + ": " + e, e);
        }
    }

    private static boolean sameValues(Tensor a, Tensor b) {
        return a.type() == b.type() && Arrays.equals(a.shape(), b.shape()) && Objects.deepEquals(a.data(), b.data());
    }

    private static ByteString rawData(Tensor t) {
        ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(t.size(), t.type().byteSize())).order(ByteOrder.LITTLE_ENDIAN);
        switch (t.type()) {
            case FLOAT32 -> b.asFloatBuffer().put(t.floats());
            case FLOAT64 -> b.asDoubleBuffer().put(t.doubles());
            case INT64 -> b.asLongBuffer().put(t.longs());
            case INT32 -> b.asIntBuffer().put(t.ints());
            case FLOAT16, INT16, UINT16 -> b.asShortBuffer().put(t.shorts());
            case INT8, UINT8 -> b.put(t.bytes());
            case BOOL -> {
                for (boolean v : t.bools()) {
                    b.put((byte) (v ? 1 : 0));
                }
            }
        }
        return ByteString.copyFrom(b.array());
    }

    private static GraphProto graphProto(Graph graph) {
        GraphProto.Builder g = GraphProto.newBuilder().setName(graph.name());
        graph.inputs().forEach(v -> g.addInput(valueInfo(v)));
        graph.outputs().forEach(v -> g.addOutput(valueInfo(v)));
        graph.initializers().forEach((name, t) -> g.addInitializer(toProto(name, t)));
        for (Node n : graph.nodes()) {
            NodeProto.Builder p = NodeProto.newBuilder().setName(n.name()).setOpType(n.opType())
                    .addAllInput(n.inputs()).addAllOutput(n.outputs());
            if (!n.domain().isEmpty()) {
                p.setDomain(n.domain());
            }
            n.attributes().values().forEach(a -> p.addAttribute(attribute(a)));
            g.addNode(p);
        }
        return g.build();
    }

    private static ValueInfoProto valueInfo(ValueInfo v) {
        ValueInfoProto.Builder p = ValueInfoProto.newBuilder().setName(v.name());
        if (v.type() == null && v.shape() == null) {
            return p.build();
        }
        TypeProto.Tensor.Builder tensor = TypeProto.Tensor.newBuilder()
                .setElemType(v.type() == null ? TensorProto.DataType.UNDEFINED_VALUE : v.type().onnxCode());
        if (v.shape() != null) {
            TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
            for (Dim d : v.shape()) {
                TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
                if (d.isFixed()) {
                    dim.setDimValue(d.value());
                } else if (d.symbol() != null) {
                    dim.setDimParam(d.symbol());
                }
                shape.addDim(dim);
            }
            tensor.setShape(shape);
        }
        return p.setType(TypeProto.newBuilder().setTensorType(tensor)).build();
    }

    private static AttributeProto attribute(Attribute a) {
        AttributeProto.Builder p = AttributeProto.newBuilder().setName(a.name());
        switch (a.kind()) {
            case FLOAT -> p.setType(AttributeProto.AttributeType.FLOAT).setF((Float) a.value());
            case INT -> p.setType(AttributeProto.AttributeType.INT).setI((Long) a.value());
            case STRING -> p.setType(AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8((String) a.value()));
            case TENSOR -> p.setType(AttributeProto.AttributeType.TENSOR).setT(toProto("", (Tensor) a.value()));
            case GRAPH -> p.setType(AttributeProto.AttributeType.GRAPH).setG(graphProto((Graph) a.value()));
            case FLOATS -> {
                p.setType(AttributeProto.AttributeType.FLOATS);
                for (float f : (float[]) a.value()) {
                    p.addFloats(f);
                }
            }
            case INTS -> {
                p.setType(AttributeProto.AttributeType.INTS);
                for (long i : (long[]) a.value()) {
                    p.addInts(i);
                }
            }
            case STRINGS -> {
                p.setType(AttributeProto.AttributeType.STRINGS);
                @SuppressWarnings("unchecked")
                List<String> strings = (List<String>) a.value();
                strings.forEach(s -> p.addStrings(ByteString.copyFromUtf8(s)));
            }
        }
        return p.build();
    }
}
