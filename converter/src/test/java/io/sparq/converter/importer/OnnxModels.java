package io.sparq.converter.importer;

import com.google.protobuf.ByteString;
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
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Builders for small ONNX protos in tests, written with the generated protobuf classes. */
final class OnnxModels {
    static final int FLOAT = TensorProto.DataType.FLOAT_VALUE;

    private OnnxModels() {
    }

    /** A tensor value info; each dim is a Long (fixed), a String (symbolic) or null (unknown). */
    static ValueInfoProto tensorInfo(String name, int elemType, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
            if (d instanceof Long v) {
                dim.setDimValue(v);
            } else if (d instanceof String s) {
                dim.setDimParam(s);
            }
            shape.addDim(dim);
        }
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(
                        TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(shape)))
                .build();
    }

    /** A tensor value info with an element type but no shape at all. */
    static ValueInfoProto unshapedInfo(String name, int elemType) {
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(elemType)))
                .build();
    }

    static TensorProto floats(String name, long[] dims, float... values) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(FLOAT);
        for (long d : dims) {
            t.addDims(d);
        }
        for (float v : values) {
            t.addFloatData(v);
        }
        return t.build();
    }

    /** A float tensor whose data lives in an external file. */
    static TensorProto external(String name, long[] dims, String location, Long offset, Long length) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(FLOAT)
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(entry("location", location));
        for (long d : dims) {
            t.addDims(d);
        }
        if (offset != null) {
            t.addExternalData(entry("offset", offset.toString()));
        }
        if (length != null) {
            t.addExternalData(entry("length", length.toString()));
        }
        return t.build();
    }

    static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    static NodeProto node(String name, String opType, List<String> inputs, List<String> outputs,
                          AttributeProto... attributes) {
        return NodeProto.newBuilder().setName(name).setOpType(opType).addAllInput(inputs).addAllOutput(outputs)
                .addAllAttribute(List.of(attributes)).build();
    }

    static AttributeProto tensorAttribute(String name, TensorProto value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.TENSOR).setT(value).build();
    }

    static AttributeProto graphAttribute(String name, GraphProto value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.GRAPH).setG(value).build();
    }

    /** A model of IR version 10 importing ai.onnx opset 22 (what the bundled checker knows). */
    static ModelProto.Builder model(GraphProto graph) {
        return ModelProto.newBuilder().setIrVersion(10).setGraph(graph)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(22));
    }

    /** One Relu node from x to y, float[2]; the smallest valid model. */
    static ModelProto relu() {
        return model(GraphProto.newBuilder().setName("relu")
                .addInput(tensorInfo("x", FLOAT, 2L)).addOutput(tensorInfo("y", FLOAT, 2L))
                .addNode(node("relu", "Relu", List.of("x"), List.of("y"))).build()).build();
    }

    static Path write(Path dir, String fileName, ModelProto model) {
        return write(dir.resolve(fileName), model.toByteArray());
    }

    static Path write(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code padding} zero bytes, then the floats in little-endian order, as ONNX external data. */
    static byte[] littleEndian(int padding, float... values) {
        ByteBuffer b = ByteBuffer.allocate(padding + 4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.position(padding);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    static ByteString bytes(byte[] b) {
        return ByteString.copyFrom(b);
    }
}
