package io.sparq.converter.importer;

import io.sparq.converter.ProgressSink;
import com.google.protobuf.CodedInputStream;
import io.sparq.format.Attribute;
import io.sparq.format.DataType;
import io.sparq.format.Dim;
import io.sparq.format.ErrorCode;
import io.sparq.format.Graph;
import io.sparq.format.Node;
import io.sparq.format.SparqException;
import io.sparq.format.Tensor;
import io.sparq.format.ValueInfo;
import io.sparq.runtime.ops.OpRegistry;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.OperatorSetIdProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.TensorShapeProto;
import onnx.Onnx.TypeProto;
import onnx.Onnx.ValueInfoProto;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads ONNX models into the sparq graph IR, after the official ONNX checker has accepted them.
 *
 * <p>Importing and running are separate decisions: {@link #load} reads any valid model (so a
 * model can be inspected), {@link #checkSupported} says whether runtime-lite can run it.
 */
public final class OnnxImporter {
    /** Oldest ai.onnx opset accepted: LSTM, GRU and RNN took their current form in opset 7. */
    static final int MIN_OPSET = 7;
    /**
     * Metadata key of the line saying that the ONNX checker checked a copy of the model declaring
     * older versions (the model is newer than the bundled checker knows); absent otherwise.
     */
    public static final String CHECKER_NOTE_KEY = "sparq.import.checker";

    private OnnxImporter() {
    }

    /**
     * Reads, checks and converts an ONNX model file. External data is read from the file's folder.
     *
     * <p>Constant nodes stay nodes. Nodes without a name are named {@code <opType>_<index>} (index
     * in their graph). {@link Graph#metadata()} holds the model's {@code metadata_props} plus
     * {@code onnx.ir_version}, and {@code onnx.producer_name}, {@code onnx.producer_version},
     * {@code onnx.domain}, {@code onnx.model_version} when the model sets them, and
     * {@link #CHECKER_NOTE_KEY} when the checker checked it as an older-version copy.
     *
     * @throws SparqException every message starts with the file name: {@code IO_ERROR} if the file
     *         cannot be read, {@code CORRUPT_FILE} if it is not an ONNX protobuf (e.g. truncated),
     *         {@code INVALID_MODEL} if the ONNX checker rejects it, {@code UNSUPPORTED_MODEL} for an
     *         IR version or ai.onnx opset outside what sparq knows (IR up to 14, opsets 7 .. 28), tensor
     *         element types or value kinds sparq has no representation for; {@code INTERNAL} if the
     *         checker's native library cannot be loaded
     */
    public static Graph load(Path onnxFile) {
        return load(onnxFile, ProgressSink.NONE);
    }

    /** As {@link #load(Path)}, telling {@code progress} as each of its four phases ends (read, parse, check, convert). */
    public static Graph load(Path onnxFile, ProgressSink progress) {
        byte[] bytes = OnnxTensors.readFile(onnxFile);
        progress.update(1, 4);
        ModelProto model = parse(bytes, onnxFile);
        progress.update(2, 4);
        try {
            checkVersions(model);
            String checkerNote = OnnxChecker.check(onnxFile, model);
            progress.update(3, 4);
            Graph graph = convert(model, onnxFile.toAbsolutePath().getParent(), checkerNote);
            progress.update(4, 4);
            return graph;
        } catch (SparqException e) {
            throw new SparqException(e.code(), onnxFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * Verifies that runtime-lite has an operator for every node of {@code graph}, including the
     * nodes of subgraphs (If/Loop bodies), so a model is refused before any work starts.
     *
     * @throws SparqException {@code UNSUPPORTED_MODEL} listing every unsupported node at once
     */
    public static void checkSupported(Graph graph) {
        checkSupported(graph, OpRegistry.standard());
    }

    static void checkSupported(Graph graph, OpRegistry registry) {
        List<String> missing = new ArrayList<>();
        collectUnsupported(graph, "", registry, missing);
        if (!missing.isEmpty()) {
            throw new SparqException(ErrorCode.UNSUPPORTED_MODEL, "graph '" + graph.name() + "' has " + missing.size()
                    + " node(s) with operators sparq does not support: " + String.join(", ", missing)
                    + ". Supported operators: " + registry.opTypes());
        }
    }

    private static void collectUnsupported(Graph graph, String where, OpRegistry registry, List<String> missing) {
        for (Node node : graph.nodes()) {
            if (registry.lookup(node.domain(), node.opType()).isEmpty()) {
                missing.add(node.describe() + where);
            }
            for (Attribute a : node.attributes().values()) {
                if (a.kind() == Attribute.Kind.GRAPH) {
                    collectUnsupported((Graph) a.value(), " in " + a.name() + " of " + node.describe() + where,
                            registry, missing);
                }
            }
        }
    }

    private static ModelProto parse(byte[] bytes, Path file) {
        ModelProto model;
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            in.enableAliasing(true);            // raw_data then shares the file's bytes instead of copying them
            model = ModelProto.parseFrom(in);
        } catch (IOException e) {               // InvalidProtocolBufferException: nothing else reads a byte array
            throw new SparqException(ErrorCode.CORRUPT_FILE, file + ": not a valid ONNX model file (truncated or"
                    + " not ONNX protobuf): " + e.getMessage(), e);
        }
        // protobuf reads many non-ONNX byte strings as a message of unknown fields
        if (!model.hasIrVersion() || !model.hasGraph()) {
            throw new SparqException(ErrorCode.CORRUPT_FILE, file + ": not an ONNX model: "
                    + (bytes.length == 0 ? "the file is empty" : "it has no " + (model.hasIrVersion() ? "graph" : "ir_version")));
        }
        return model;
    }

    private static void checkVersions(ModelProto model) {
        if (model.getIrVersion() > OnnxChecker.MAX_IR_VERSION) {
            throw new SparqException(ErrorCode.UNSUPPORTED_MODEL, "ir_version " + model.getIrVersion()
                    + " is newer than " + OnnxChecker.MAX_IR_VERSION + " (onnx 1.23), the newest sparq reads; a model of"
                    + " opset <= " + OnnxChecker.MAX_OPSET + " can be saved with ir_version " + OnnxChecker.MAX_IR_VERSION);
        }
        for (OperatorSetIdProto opset : model.getOpsetImportList()) {
            long v = opset.getVersion();
            if (isAiOnnx(opset.getDomain()) && (v < MIN_OPSET || v > OnnxChecker.MAX_OPSET)) {
                throw new SparqException(ErrorCode.UNSUPPORTED_MODEL, "ai.onnx opset " + v + " is outside "
                        + MIN_OPSET + " .. " + OnnxChecker.MAX_OPSET + ", the opsets sparq supports; convert it with"
                        + " onnx.version_converter.convert_version(model, " + OnnxChecker.MAX_OPSET + ")");
            }
        }
    }

    /** Whether {@code domain} names the default operator set ({@code ""} or {@code "ai.onnx"}). */
    static boolean isAiOnnx(String domain) {
        return domain.isEmpty() || domain.equals("ai.onnx");
    }

    /** The model's ai.onnx opset version, 0 if it imports none. */
    static long aiOnnxOpset(ModelProto model) {
        return model.getOpsetImportList().stream().filter(o -> isAiOnnx(o.getDomain()))
                .mapToLong(OperatorSetIdProto::getVersion).max().orElse(0);
    }

    private static Graph convert(ModelProto model, Path baseDir, String checkerNote) {
        Map<String, Integer> opsets = new LinkedHashMap<>();
        for (OperatorSetIdProto opset : model.getOpsetImportList()) {
            // the checker knows no bounds for other domains' versions; the graph IR keeps them as int
            if (opset.getVersion() < 0 || opset.getVersion() > Integer.MAX_VALUE) {
                throw new SparqException(ErrorCode.UNSUPPORTED_MODEL, "opset_import of domain '" + opset.getDomain()
                        + "' has version " + opset.getVersion() + ", expected 0.." + Integer.MAX_VALUE);
            }
            if (opsets.put(opset.getDomain(), (int) opset.getVersion()) != null) {
                throw new SparqException(ErrorCode.INVALID_MODEL, "opset_import lists domain '" + opset.getDomain()
                        + "' more than once");
            }
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        model.getMetadataPropsList().forEach(p -> metadata.put(p.getKey(), p.getValue()));
        metadata.put("onnx.ir_version", Long.toString(model.getIrVersion()));
        if (model.hasProducerName()) {
            metadata.put("onnx.producer_name", model.getProducerName());
        }
        if (model.hasProducerVersion()) {
            metadata.put("onnx.producer_version", model.getProducerVersion());
        }
        if (model.hasDomain()) {
            metadata.put("onnx.domain", model.getDomain());
        }
        if (model.hasModelVersion()) {
            metadata.put("onnx.model_version", Long.toString(model.getModelVersion()));
        }
        if (checkerNote != null) {
            metadata.put(CHECKER_NOTE_KEY, checkerNote);
        }
        return graph(model.getGraph(), baseDir, opsets, metadata);
    }

    private static Graph graph(GraphProto g, Path baseDir, Map<String, Integer> opsets, Map<String, String> metadata) {
        String name = g.getName();
        if (g.getSparseInitializerCount() > 0) {
            throw new SparqException(ErrorCode.UNSUPPORTED_MODEL, "graph '" + name + "' has "
                    + g.getSparseInitializerCount() + " sparse initializer(s), which sparq does not import;"
                    + " store them as dense initializers");
        }
        Map<String, Tensor> initializers = new LinkedHashMap<>();
        for (TensorProto t : g.getInitializerList()) {
            if (initializers.put(t.getName(), OnnxTensors.fromProto(t, baseDir)) != null) {
                throw new SparqException(ErrorCode.INVALID_MODEL, "graph '" + name + "' has two initializers named '"
                        + t.getName() + "'");
            }
        }
        List<ValueInfo> inputs = g.getInputList().stream().map(v -> valueInfo(v, "input", name)).toList();
        List<ValueInfo> outputs = g.getOutputList().stream().map(v -> valueInfo(v, "output", name)).toList();
        Set<String> usedNames = new HashSet<>();
        g.getNodeList().forEach(n -> usedNames.add(n.getName()));
        List<Node> nodes = new ArrayList<>(g.getNodeCount());
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto n = g.getNode(i);
            String nodeName = n.getName();
            if (nodeName.isEmpty()) {
                nodeName = n.getOpType() + "_" + i;
                while (!usedNames.add(nodeName)) {
                    nodeName += "_";
                }
            }
            nodes.add(node(n, nodeName, baseDir));
        }
        return new Graph(name, inputs, outputs, nodes, initializers, opsets, metadata);
    }

    private static Node node(NodeProto n, String name, Path baseDir) {
        // messages name the node as Node.describe() will, before the node can be built
        String described = new Node(name, n.getOpType(), n.getDomain(), List.of(), List.of(), Map.of()).describe();
        Map<String, Attribute> attributes = new LinkedHashMap<>();
        for (AttributeProto a : n.getAttributeList()) {
            attributes.put(a.getName(), attribute(a, described, baseDir));
        }
        return new Node(name, n.getOpType(), n.getDomain(), n.getInputList(), n.getOutputList(), attributes);
    }

    private static Attribute attribute(AttributeProto a, String node, Path baseDir) {
        String name = a.getName();
        return switch (a.getType()) {
            case FLOAT -> Attribute.of(name, a.getF());
            case INT -> Attribute.of(name, a.getI());
            case STRING -> Attribute.of(name, a.getS().toStringUtf8());
            case TENSOR -> Attribute.of(name, OnnxTensors.fromProto(a.getT(), baseDir,
                    "tensor of attribute '" + name + "' of node " + node));
            case GRAPH -> Attribute.of(name, graph(a.getG(), baseDir, Map.of(), Map.of()));
            case FLOATS -> {
                float[] v = new float[a.getFloatsCount()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = a.getFloats(i);
                }
                yield Attribute.of(name, v);
            }
            case INTS -> Attribute.of(name, a.getIntsList().stream().mapToLong(Long::longValue).toArray());
            case STRINGS -> Attribute.of(name, a.getStringsList().stream().map(s -> s.toStringUtf8()).toList());
            case UNDEFINED -> throw new SparqException(ErrorCode.INVALID_MODEL, "attribute '" + name + "' of node "
                    + node + " has no type");
            default -> throw new SparqException(ErrorCode.UNSUPPORTED_MODEL, "attribute '" + name + "' of node "
                    + node + " is of kind " + a.getType() + ", which sparq does not import");
        };
    }

    private static ValueInfo valueInfo(ValueInfoProto v, String role, String graphName) {
        String what = "graph '" + graphName + "' " + role + " '" + v.getName() + "'";
        TypeProto type = v.getType();
        if (type.getValueCase() == TypeProto.ValueCase.VALUE_NOT_SET) {
            return new ValueInfo(v.getName(), null, null);
        }
        if (type.getValueCase() != TypeProto.ValueCase.TENSOR_TYPE) {
            throw new SparqException(ErrorCode.UNSUPPORTED_MODEL, what + " is a " + type.getValueCase().name()
                    .toLowerCase(java.util.Locale.ROOT).replace("_type", "") + "; sparq supports dense tensors only");
        }
        TypeProto.Tensor tensor = type.getTensorType();
        int code = tensor.getElemType();
        DataType elementType = code == TensorProto.DataType.UNDEFINED_VALUE ? null
                : DataType.fromOnnx(code).orElseThrow(() -> new SparqException(ErrorCode.UNSUPPORTED_MODEL,
                        what + " has element type " + OnnxTensors.onnxTypeName(code) + ", which sparq does not support"));
        if (!tensor.hasShape()) {
            return new ValueInfo(v.getName(), elementType, null);
        }
        List<Dim> shape = new ArrayList<>();
        for (TensorShapeProto.Dimension d : tensor.getShape().getDimList()) {
            shape.add(dim(d, what));
        }
        return new ValueInfo(v.getName(), elementType, shape);
    }

    private static Dim dim(TensorShapeProto.Dimension d, String what) {
        if (d.hasDimValue()) {
            long v = d.getDimValue();
            if (v > Integer.MAX_VALUE) {
                throw new SparqException(ErrorCode.UNSUPPORTED_MODEL, what + " has dimension " + v
                        + ", more than sparq tensors hold");
            }
            // some exporters write -1 for "unknown"; ONNX means the same by leaving the field unset
            return v < 0 ? Dim.unknown() : Dim.of((int) v);
        }
        return d.hasDimParam() && !d.getDimParam().isEmpty() ? Dim.symbol(d.getDimParam()) : Dim.unknown();
    }
}
