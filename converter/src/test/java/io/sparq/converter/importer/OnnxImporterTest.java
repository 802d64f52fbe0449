package io.sparq.converter.importer;

import com.google.protobuf.ByteString;
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
import onnx.Onnx.OperatorSetIdProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.TypeProto;
import onnx.Onnx.ValueInfoProto;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.onnx.OpSchemaRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static io.sparq.converter.importer.OnnxModels.FLOAT;
import static io.sparq.converter.importer.OnnxModels.entry;
import static io.sparq.converter.importer.OnnxModels.external;
import static io.sparq.converter.importer.OnnxModels.floats;
import static io.sparq.converter.importer.OnnxModels.graphAttribute;
import static io.sparq.converter.importer.OnnxModels.littleEndian;
import static io.sparq.converter.importer.OnnxModels.model;
import static io.sparq.converter.importer.OnnxModels.node;
import static io.sparq.converter.importer.OnnxModels.tensorAttribute;
import static io.sparq.converter.importer.OnnxModels.tensorInfo;
import static io.sparq.converter.importer.OnnxModels.write;
import static io.sparq.converter.importer.OnnxTensorsTest.assertFails;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Imports models built with the generated ONNX protobuf classes and checks every field and refusal. */
class OnnxImporterTest {
    @TempDir
    Path dir;

    /**
     * x[batch, 4] and w[4, 2] (w also an initializer) -> MatMul (unnamed) -> Add with a Constant
     * (unnamed) -> If(flag) whose branches read y from the outer graph; plus a custom-domain node
     * carrying one attribute of every kind.
     */
    private static ModelProto richModel() {
        GraphProto thenBranch = GraphProto.newBuilder().setName("then")
                .addOutput(tensorInfo("t_out", FLOAT, "batch", 2L))
                .addNode(node("then_identity", "Identity", List.of("y"), List.of("t_out"))).build();
        GraphProto elseBranch = GraphProto.newBuilder().setName("else")
                .addOutput(tensorInfo("e_out", FLOAT, "batch", 2L))
                .addNode(node("", "Neg", List.of("y"), List.of("e_out"))).build();
        GraphProto body = GraphProto.newBuilder().setName("body")
                .addInput(tensorInfo("b_in", FLOAT)).addOutput(OnnxModels.unshapedInfo("b_out", FLOAT))
                .addNode(node("body_neg", "Neg", List.of("b_in"), List.of("b_out"))).build();
        GraphProto graph = GraphProto.newBuilder().setName("rich")
                .addInput(tensorInfo("x", FLOAT, "batch", 4L))
                .addInput(tensorInfo("w", FLOAT, 4L, 2L))
                .addInput(tensorInfo("flag", TensorProto.DataType.BOOL_VALUE))
                .addInput(tensorInfo("u", FLOAT, (Object) null))
                .addInitializer(floats("w", new long[] {4, 2}, 1, 2, 3, 4, 5, 6, 7, 8))
                .addInitializer(floats("unused_initializer", new long[] {1}, 9))
                .addNode(node("", "MatMul", List.of("x", "w"), List.of("mm")))
                .addNode(node("", "Constant", List.of(), List.of("c"),
                        tensorAttribute("value", floats("", new long[] {2}, 0.5f, -0.5f))))
                .addNode(node("add", "Add", List.of("mm", "c"), List.of("y")))
                .addNode(node("choose", "If", List.of("flag"), List.of("z"),
                        graphAttribute("then_branch", thenBranch), graphAttribute("else_branch", elseBranch)))
                .addNode(node("custom", "Everything", List.of("u"), List.of("v"),
                        AttributeProto.newBuilder().setName("f").setType(AttributeProto.AttributeType.FLOAT).setF(0.25f).build(),
                        AttributeProto.newBuilder().setName("i").setType(AttributeProto.AttributeType.INT).setI(-3).build(),
                        AttributeProto.newBuilder().setName("s").setType(AttributeProto.AttributeType.STRING)
                                .setS(ByteString.copyFromUtf8("forward")).build(),
                        tensorAttribute("t", floats("", new long[] {1, 1}, 4)),
                        graphAttribute("g", body),
                        AttributeProto.newBuilder().setName("fs").setType(AttributeProto.AttributeType.FLOATS)
                                .addFloats(1.5f).addFloats(-2).build(),
                        AttributeProto.newBuilder().setName("is").setType(AttributeProto.AttributeType.INTS)
                                .addInts(1).addInts(Long.MAX_VALUE).build(),
                        AttributeProto.newBuilder().setName("ss").setType(AttributeProto.AttributeType.STRINGS)
                                .addStrings(ByteString.copyFromUtf8("a"))
                                .addStrings(ByteString.copyFromUtf8("β")).build()))
                .addOutput(tensorInfo("z", FLOAT, "batch", 2L))
                .addOutput(tensorInfo("v", FLOAT, "n"))
                .build();
        ModelProto.Builder m = model(graph).setProducerName("sparq-test").setProducerVersion("1.0").setModelVersion(3)
                .addMetadataProps(entry("author", "someone"));
        m.getGraphBuilder().getNodeBuilder(4).setDomain("com.example");
        return m.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("com.example").setVersion(1)).build();
    }

    @Test
    void importsInputsInitializersNodesAttributesAndMetadata() {
        Graph g = OnnxImporter.load(write(dir, "rich.onnx", richModel()));
        assertEquals("rich", g.name());
        assertEquals(List.of(
                new ValueInfo("x", DataType.FLOAT32, List.of(Dim.symbol("batch"), Dim.of(4))),
                new ValueInfo("w", DataType.FLOAT32, List.of(Dim.of(4), Dim.of(2))),
                new ValueInfo("flag", DataType.BOOL, List.of()),
                new ValueInfo("u", DataType.FLOAT32, List.of(Dim.unknown()))), g.inputs());
        assertEquals(List.of("x", "flag", "u"), g.requiredInputs().stream().map(ValueInfo::name).toList(),
                "w has an initializer, so it is an optional input");
        assertEquals(List.of(new ValueInfo("z", DataType.FLOAT32, List.of(Dim.symbol("batch"), Dim.of(2))),
                new ValueInfo("v", DataType.FLOAT32, List.of(Dim.symbol("n")))), g.outputs());
        assertEquals(List.of("w", "unused_initializer"), List.copyOf(g.initializers().keySet()));
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, g.initializers().get("w").floats());
        assertArrayEquals(new int[] {4, 2}, g.initializers().get("w").shape());

        assertEquals(List.of("MatMul_0", "Constant_1", "add", "choose", "custom"),
                g.nodes().stream().map(Node::name).toList());
        Node constant = g.nodes().get(1);
        assertEquals("Constant", constant.opType());
        assertArrayEquals(new float[] {0.5f, -0.5f}, ((Tensor) constant.attributes().get("value").value()).floats());
        assertEquals(List.of("mm", "c"), g.nodes().get(2).inputs());
        assertEquals("", g.nodes().get(2).domain());

        Node custom = g.nodes().get(4);
        assertEquals("com.example", custom.domain());
        Map<String, Attribute> a = custom.attributes();
        assertEquals(List.of("f", "i", "s", "t", "g", "fs", "is", "ss"), List.copyOf(a.keySet()));
        assertEquals(Attribute.Kind.FLOAT, a.get("f").kind());
        assertEquals(0.25f, a.get("f").value());
        assertEquals(-3L, a.get("i").value());
        assertEquals("forward", a.get("s").value());
        assertArrayEquals(new float[] {4}, ((Tensor) a.get("t").value()).floats());
        assertArrayEquals(new int[] {1, 1}, ((Tensor) a.get("t").value()).shape());
        Graph body = (Graph) a.get("g").value();
        assertEquals("body", body.name());
        assertEquals("body_neg", body.nodes().get(0).name());
        assertEquals(List.of(new ValueInfo("b_in", DataType.FLOAT32, List.of())), body.inputs());
        assertEquals(List.of(new ValueInfo("b_out", DataType.FLOAT32, null)), body.outputs(), "no shape at all");
        assertArrayEquals(new float[] {1.5f, -2}, (float[]) a.get("fs").value());
        assertArrayEquals(new long[] {1, Long.MAX_VALUE}, (long[]) a.get("is").value());
        assertEquals(List.of("a", "β"), a.get("ss").value());

        Map<String, Attribute> branches = g.nodes().get(3).attributes();
        Graph thenBranch = (Graph) branches.get("then_branch").value();
        Graph elseBranch = (Graph) branches.get("else_branch").value();
        assertEquals("then", thenBranch.name());
        assertEquals("else", elseBranch.name());
        assertEquals("Neg_0", elseBranch.nodes().get(0).name());
        assertEquals(List.of("y"), elseBranch.nodes().get(0).inputs());
        assertEquals(0, elseBranch.onnxOpset(), "subgraphs inherit the outer opsets");

        assertEquals(Map.of("", 22, "com.example", 1), g.opsets());
        assertEquals(22, g.onnxOpset());
        assertEquals(Map.of("author", "someone", "onnx.ir_version", "10", "onnx.producer_name", "sparq-test",
                "onnx.producer_version", "1.0", "onnx.model_version", "3"), g.metadata());
    }

    @Test
    void checkSupportedListsEveryUnsupportedNodeAtOnceIncludingSubgraphs() {
        Graph g = OnnxImporter.load(write(dir, "rich.onnx", richModel()));
        OpRegistry registry = new OpRegistry();
        for (String op : List.of("MatMul", "Add", "Constant", "If", "Identity")) {
            registry.register(op, node -> inputs -> inputs);
        }
        SparqException e = assertFails(ErrorCode.UNSUPPORTED_MODEL, () -> OnnxImporter.checkSupported(g, registry));
        assertTrue(e.getMessage().contains("has 3 node(s) with operators sparq does not support: "
                + "'Neg_0' (Neg) in else_branch of 'choose' (If), "
                + "'custom' (com.example.Everything), "
                + "'body_neg' (Neg) in g of 'custom' (com.example.Everything)."), e.getMessage());
        assertFalse(e.getMessage().contains("'then_identity'"), e.getMessage());

        registry.register("Neg", node -> inputs -> inputs);
        e = assertFails(ErrorCode.UNSUPPORTED_MODEL, () -> OnnxImporter.checkSupported(g, registry));
        assertTrue(e.getMessage().contains("has 1 node(s)"), e.getMessage());
        // no registry will ever run a made-up operator of a custom domain
        assertTrue(assertFails(ErrorCode.UNSUPPORTED_MODEL, () -> OnnxImporter.checkSupported(g))
                .getMessage().contains("'custom' (com.example.Everything)"));
    }

    @Test
    void readsExternalDataRelativeToTheModelFolder() {
        ModelProto m = OnnxModels.relu().toBuilder().setGraph(OnnxModels.relu().getGraph().toBuilder()
                .addInitializer(external("w", new long[] {2, 3}, "weights/w.bin", 16L, 24L))
                .addInitializer(external("b", new long[] {2}, "weights/w.bin", 40L, null))).build();
        write(dir.resolve("m/weights/w.bin"), littleEndian(16, 1, 2, 3, 4, 5, 6, -7, 8));
        Graph g = OnnxImporter.load(write(dir.resolve("m"), "model.onnx", m));
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, g.initializers().get("w").floats());
        assertArrayEquals(new int[] {2, 3}, g.initializers().get("w").shape());
        assertArrayEquals(new float[] {-7, 8}, g.initializers().get("b").floats());
    }

    @Test
    void refusesExternalDataOutsideTheModelFolderOrPastItsEnd() {
        write(dir.resolve("secret.bin"), littleEndian(0, 1, 2));
        write(dir.resolve("m/w.bin"), littleEndian(0, 1, 2));
        for (TensorProto bad : List.of(external("w", new long[] {2}, "../secret.bin", null, null),
                external("w", new long[] {2}, dir.resolve("secret.bin").toString(), null, null),
                external("w", new long[] {2}, "w.bin", 4L, 8L))) {
            ModelProto m = OnnxModels.relu().toBuilder()
                    .setGraph(OnnxModels.relu().getGraph().toBuilder().addInitializer(bad)).build();
            Path file = write(dir.resolve("m"), "model.onnx", m);
            SparqException e = assertFails(ErrorCode.INVALID_MODEL, () -> OnnxImporter.load(file));
            assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
            assertTrue(e.getMessage().contains(bad.getExternalData(0).getValue()), e.getMessage());
        }
    }

    @Test
    void truncatedFilesAreCorruptAndNeverCrash() {
        ModelProto model = richModel();
        byte[] whole = model.toByteArray();
        Path half = write(dir.resolve("half.onnx"), Arrays.copyOf(whole, whole.length / 2));
        SparqException e = assertFails(ErrorCode.CORRUPT_FILE, () -> OnnxImporter.load(half));
        assertTrue(e.getMessage().startsWith(half + ": not a valid ONNX model file"), e.getMessage());
        // protobuf writes fields in number order: ir_version, producers (1-5), graph (7), opset_import (8), metadata (14)
        int throughGraph = model.toBuilder().clearOpsetImport().clearMetadataProps().build().getSerializedSize();
        for (int length = 0; length < whole.length; length++) {
            Path cut = write(dir.resolve("cut.onnx"), Arrays.copyOf(whole, length));
            if (length <= throughGraph) {
                SparqException err = assertFailsWithOneOf(() -> OnnxImporter.load(cut),
                        ErrorCode.CORRUPT_FILE, ErrorCode.INVALID_MODEL);
                assertTrue(err.getMessage().startsWith(cut.toString()), err.getMessage());
            } else {
                // a cut between trailing opset/metadata entries can leave a valid model; it must never crash
                try {
                    assertEquals(5, OnnxImporter.load(cut).nodes().size());
                } catch (SparqException err) {
                    assertTrue(err.code() == ErrorCode.CORRUPT_FILE || err.code() == ErrorCode.INVALID_MODEL, err::getMessage);
                }
            }
        }
    }

    @Test
    void nonOnnxFilesAreCorrupt() throws IOException {
        Path text = Files.writeString(dir.resolve("readme.onnx"), "hello, this is not a model\n");
        assertTrue(assertFails(ErrorCode.CORRUPT_FILE, () -> OnnxImporter.load(text)).getMessage().startsWith(text + ": "));
        Path png = write(dir.resolve("image.onnx"), new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13});
        assertFails(ErrorCode.CORRUPT_FILE, () -> OnnxImporter.load(png));
        Path empty = write(dir.resolve("empty.onnx"), new byte[0]);
        assertTrue(assertFails(ErrorCode.CORRUPT_FILE, () -> OnnxImporter.load(empty)).getMessage().contains("empty"));
        // a TensorProto parses as a ModelProto of unknown fields
        Path tensor = write(dir.resolve("tensor.onnx"), floats("t", new long[] {2}, 1, 2).toByteArray());
        assertFails(ErrorCode.CORRUPT_FILE, () -> OnnxImporter.load(tensor));
        assertFails(ErrorCode.IO_ERROR, () -> OnnxImporter.load(dir.resolve("missing.onnx")));
    }

    @Test
    void readsModelsWhosePathIsNotAscii() {
        Graph g = OnnxImporter.load(write(dir.resolve("modèle_ü"), "réseau.onnx", OnnxModels.relu()));
        assertEquals("relu", g.nodes().get(0).name());
    }

    @Test
    void refusesValuesThatAreNotDenseTensors() {
        ValueInfoProto sequence = ValueInfoProto.newBuilder().setName("seq").setType(TypeProto.newBuilder()
                .setSequenceType(TypeProto.Sequence.newBuilder().setElemType(
                        TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(FLOAT))))).build();
        ModelProto m = model(GraphProto.newBuilder().setName("seq_len").addInput(sequence)
                .addOutput(tensorInfo("n", TensorProto.DataType.INT64_VALUE))
                .addNode(node("len", "SequenceLength", List.of("seq"), List.of("n"))).build()).build();
        SparqException e = assertFails(ErrorCode.UNSUPPORTED_MODEL, () -> OnnxImporter.load(write(dir, "seq.onnx", m)));
        assertTrue(e.getMessage().contains("graph 'seq_len' input 'seq' is a sequence"), e.getMessage());
    }

    @Test
    void checkerFailuresAreInvalidModelsWithTheCheckersMessage() {
        ModelProto dangling = OnnxModels.relu().toBuilder().setGraph(OnnxModels.relu().getGraph().toBuilder()
                .setNode(0, node("relu", "Relu", List.of("nowhere"), List.of("y")))).build();
        Path file = write(dir, "dangling.onnx", dangling);
        SparqException e = assertFails(ErrorCode.INVALID_MODEL, () -> OnnxImporter.load(file));
        assertTrue(e.getMessage().startsWith(file + ": ONNX checker: "), e.getMessage());
        assertTrue(e.getMessage().contains("'nowhere'"), e.getMessage());

        ModelProto unknownOp = OnnxModels.relu().toBuilder().setGraph(OnnxModels.relu().getGraph().toBuilder()
                .setNode(0, node("f", "Frobnicate", List.of("x"), List.of("y")))).build();
        SparqException op = assertFails(ErrorCode.INVALID_MODEL, () -> OnnxImporter.load(write(dir, "op.onnx", unknownOp)));
        assertTrue(op.getMessage().contains("ONNX checker: No Op registered for Frobnicate"), op.getMessage());
    }

    @Test
    void refusesVersionsOutsideWhatSparqKnows() {
        for (long opset : new long[] {6, OnnxChecker.MAX_OPSET + 1}) {
            ModelProto m = OnnxModels.relu().toBuilder().setOpsetImport(0,
                    OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset)).build();
            SparqException e = assertFails(ErrorCode.UNSUPPORTED_MODEL, () -> OnnxImporter.load(write(dir, "m.onnx", m)));
            assertTrue(e.getMessage().contains("opset " + opset + " is outside 7 .. 28"), e.getMessage());
        }
        ModelProto ir15 = OnnxModels.relu().toBuilder().setIrVersion(OnnxChecker.MAX_IR_VERSION + 1).build();
        assertTrue(assertFails(ErrorCode.UNSUPPORTED_MODEL, () -> OnnxImporter.load(write(dir, "ir.onnx", ir15)))
                .getMessage().contains("ir_version 15 is newer than 14 (onnx 1.23)"));
        assertEquals(7, OnnxImporter.load(write(dir, "op7.onnx", OnnxModels.relu().toBuilder().setIrVersion(3)
                .setOpsetImport(0, OperatorSetIdProto.newBuilder().setDomain("").setVersion(7)).build())).onnxOpset());
    }

    /** As onnx 1.23's {@code onnx.helper.make_model} saves a model: IR 14, ai.onnx opset 28. */
    private static ModelProto newest(ModelProto m) {
        return m.toBuilder().setIrVersion(OnnxChecker.MAX_IR_VERSION)
                .setOpsetImport(0, OperatorSetIdProto.newBuilder().setDomain("").setVersion(OnnxChecker.MAX_OPSET)).build();
    }

    @Test
    void readsModelsNewerThanTheCheckerAndSaysTheCheckerSawAnOlderCopy() {
        Graph g = OnnxImporter.load(write(dir, "ir14.onnx", newest(OnnxModels.relu())));
        assertEquals(OnnxChecker.MAX_OPSET, g.onnxOpset());
        assertEquals("14", g.metadata().get("onnx.ir_version"));
        assertEquals("IR 14 / opset 28 is newer than the bundled ONNX checker (1.17) knows: it checked the model as"
                + " IR 10 / opset 22, sparq's own validation covers the rest", g.metadata().get(OnnxImporter.CHECKER_NOTE_KEY));
        assertFalse(OnnxImporter.load(write(dir, "ir10.onnx", OnnxModels.relu())).metadata()
                .containsKey(OnnxImporter.CHECKER_NOTE_KEY));
    }

    @Test
    void theCheckerStillChecksNewerModels() {
        ModelProto dangling = newest(OnnxModels.relu().toBuilder().setGraph(OnnxModels.relu().getGraph().toBuilder()
                .setNode(0, node("relu", "Relu", List.of("nowhere"), List.of("y")))).build());
        Path file = write(dir, "dangling.onnx", dangling);
        SparqException e = assertFails(ErrorCode.INVALID_MODEL, () -> OnnxImporter.load(file));
        assertTrue(e.getMessage().startsWith(file + ": ONNX checker: "), e.getMessage());
        assertTrue(e.getMessage().contains("'nowhere'"), e.getMessage());

        ModelProto unknownOp = newest(OnnxModels.relu().toBuilder().setGraph(OnnxModels.relu().getGraph().toBuilder()
                .setNode(0, node("f", "Frobnicate", List.of("x"), List.of("y")))).build());
        SparqException op = assertFails(ErrorCode.INVALID_MODEL, () -> OnnxImporter.load(write(dir, "op.onnx", unknownOp)));
        assertTrue(op.getMessage().contains("ONNX checker: No Op registered for Frobnicate"), op.getMessage());
    }

    @Test
    void newerModelsReadExternalDataRelativeToTheModelFolderWhereverTheyAreLoadedFrom() {
        ModelProto m = newest(OnnxModels.relu().toBuilder().setGraph(OnnxModels.relu().getGraph().toBuilder()
                .addInitializer(external("w", new long[] {2, 3}, "weights/w.bin", 16L, 24L))).build());
        write(dir.resolve("m/weights/w.bin"), littleEndian(16, 1, 2, 3, 4, 5, 6, -7, 8));
        Graph g = OnnxImporter.load(write(dir.resolve("m"), "model.onnx", m));
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, g.initializers().get("w").floats());

        ModelProto missing = newest(OnnxModels.relu().toBuilder().setGraph(OnnxModels.relu().getGraph().toBuilder()
                .addInitializer(external("w", new long[] {2}, "absent.bin", null, null))).build());
        SparqException e = assertFails(ErrorCode.INVALID_MODEL, () -> OnnxImporter.load(write(dir.resolve("m"), "missing.onnx", missing)));
        assertTrue(e.getMessage().contains("ONNX checker: ") && e.getMessage().contains("absent.bin"), e.getMessage());
    }

    @Test
    void versionLimitsMatchTheBundledChecker() {
        OnnxChecker.check(write(dir, "relu.onnx", OnnxModels.relu()));   // loads the natives
        var range = OpSchemaRegistry.DomainToVersionRange.Instance().Map();
        assertEquals(OnnxChecker.CHECKER_OPSET, range.second(new BytePointer("")));
        assertEquals(OnnxChecker.CHECKER_IR_VERSION, org.bytedeco.onnx.global.onnx.IR_VERSION);
    }

    @Test
    void unsupportedElementTypesNameTheTensorAndTheFile() {
        TensorProto bf16 = TensorProto.newBuilder().setName("w_bf16").setDataType(TensorProto.DataType.BFLOAT16_VALUE)
                .addDims(1).addInt32Data(0x3F80).build();
        ModelProto m = OnnxModels.relu().toBuilder()
                .setGraph(OnnxModels.relu().getGraph().toBuilder().addInitializer(bf16)).build();
        Path file = write(dir, "bf16.onnx", m);
        SparqException e = assertFails(ErrorCode.UNSUPPORTED_MODEL, () -> OnnxImporter.load(file));
        assertTrue(e.getMessage().startsWith(file + ": tensor 'w_bf16' has element type bfloat16"), e.getMessage());
    }

    private static SparqException assertFailsWithOneOf(Executable action, ErrorCode... allowed) {
        SparqException e = assertThrows(SparqException.class, action);
        assertTrue(Arrays.asList(allowed).contains(e.code()), e.code() + ": " + e.getMessage());
        return e;
    }

    /** The checker bounds only ai.onnx's opset; another domain's version did not fit the IR's int. */
    @Test
    void refusesAnOpsetVersionBeyondInt() {
        ModelProto m = OnnxModels.relu().toBuilder().addOpsetImport(
                OperatorSetIdProto.newBuilder().setDomain("com.example").setVersion(1L << 40)).build();
        SparqException e = assertFails(ErrorCode.UNSUPPORTED_MODEL, () -> OnnxImporter.load(write(dir, "m.onnx", m)));
        assertTrue(e.getMessage().contains("'com.example'") && e.getMessage().contains(Long.toString(1L << 40)),
                e.getMessage());
    }
}
