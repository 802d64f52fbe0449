package io.sparq.runtime.ops;

import io.sparq.format.Attribute;
import io.sparq.format.DataType;
import io.sparq.format.ErrorCode;
import io.sparq.format.Graph;
import io.sparq.format.Node;
import io.sparq.format.SparqException;
import io.sparq.format.Tensor;
import io.sparq.format.ValueInfo;
import io.sparq.runtime.api.Model;
import io.sparq.runtime.api.Session;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad attributes fail when the model is compiled (INVALID_MODEL / UNSUPPORTED_MODEL), bad tensors
 * when it runs (INVALID_ARGUMENT), each with a message naming the node and the offending values;
 * view operators share their input's data.
 */
class ShapeOpsErrorTest {
    private static final float[] SIX = {0, 1, 2, 3, 4, 5};

    /** A one-node graph over inputs i0, i1, ... and outputs o0, o1, ... */
    private static final class NodeRun {
        final String op;
        final int opset;
        final Map<String, Attribute> attrs = new LinkedHashMap<>();
        final List<Tensor> inputs = new ArrayList<>();
        int outputs = 1;

        NodeRun(String op, int opset) {
            this.op = op;
            this.opset = opset;
        }

        NodeRun attr(Attribute a) {
            attrs.put(a.name(), a);
            return this;
        }

        NodeRun in(Tensor t) {
            inputs.add(t);
            return this;
        }

        NodeRun outs(int n) {
            outputs = n;
            return this;
        }

        Model compile() {
            List<String> in = new ArrayList<>();
            List<ValueInfo> infos = new ArrayList<>();
            for (int i = 0; i < inputs.size(); i++) {
                in.add("i" + i);
                infos.add(new ValueInfo("i" + i, inputs.get(i).type(), null));
            }
            List<String> out = new ArrayList<>();
            for (int i = 0; i < outputs; i++) {
                out.add("o" + i);
            }
            Node node = new Node("n", op, "", in, out, attrs);
            return Model.fromGraph(new Graph("g", infos, out.stream().map(o -> new ValueInfo(o, null, null)).toList(),
                    List.of(node), Map.of(), Map.of("", opset), Map.of()));
        }

        Map<String, Tensor> run() {
            Map<String, Tensor> feeds = new LinkedHashMap<>();
            for (int i = 0; i < inputs.size(); i++) {
                feeds.put("i" + i, inputs.get(i));
            }
            try (Session s = compile().newSession()) {
                return s.run(feeds);
            }
        }

        /** Compiles and runs, expecting a failure with {@code code} and {@code message} in its text. */
        void fails(ErrorCode code, String message) {
            SparqException e = assertThrows(SparqException.class, this::run);
            assertEquals(code, e.code(), e.getMessage());
            assertTrue(e.getMessage().contains(message), "message was: " + e.getMessage());
            assertTrue(e.getMessage().startsWith("node 'n' (" + op + "): "), "message was: " + e.getMessage());
        }
    }

    private static Tensor f23() {
        return Tensor.ofFloats(new int[] {2, 3}, SIX.clone());
    }

    private static Tensor longs(long... v) {
        return Tensor.ofLongs(new int[] {v.length}, v);
    }

    @Test
    void reshapeMessages() {
        SparqException e = assertThrows(SparqException.class,
                () -> new NodeRun("Reshape", 13).in(f23()).in(longs(4, -1)).run());
        assertEquals("node 'n' (Reshape): cannot reshape [2, 3] (6 elements) to [4, -1]", e.getMessage());
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        new NodeRun("Reshape", 13).in(f23()).in(longs(-1, -1)).fails(ErrorCode.INVALID_ARGUMENT,
                "shape [-1, -1] has more than one -1");
        new NodeRun("Reshape", 13).in(f23()).in(longs(6, 1, 0)).fails(ErrorCode.INVALID_ARGUMENT,
                "copies dimension 2 (0) from input [2, 3], which has rank 2");
        new NodeRun("Reshape", 13).in(f23()).in(longs(3, -2)).fails(ErrorCode.INVALID_ARGUMENT,
                "has invalid dimension -2");
        new NodeRun("Reshape", 13).in(f23()).in(Tensor.ofInts(new int[] {1}, 6)).fails(ErrorCode.INVALID_ARGUMENT,
                "input 1 (shape) is int32[1], expected a 1-D int64 tensor");
        new NodeRun("Reshape", 14).attr(Attribute.of("allowzero", 1L)).in(f23()).in(longs(0, -1))
                .fails(ErrorCode.INVALID_ARGUMENT, "cannot reshape [2, 3] (6 elements) to [0, -1]");
    }

    @Test
    void gatherMessages() {
        Tensor emb = Tensor.ofFloats(new int[] {3, 2}, SIX.clone());
        new NodeRun("Gather", 13).in(emb).in(longs(0, 3)).fails(ErrorCode.INVALID_ARGUMENT,
                "index 3 (element 1 of indices int64[2]) is out of range for axis 0 of data float32[3, 2] (allowed -3 to 2)");
        new NodeRun("Gather", 13).in(emb).in(longs(-4)).fails(ErrorCode.INVALID_ARGUMENT, "index -4");
        new NodeRun("Gather", 13).in(emb).in(Tensor.ofFloats(new int[] {1}, 0f)).fails(ErrorCode.INVALID_ARGUMENT,
                "input 1 is float32[1], expected element type [int64, int32]");
        new NodeRun("Gather", 13).attr(Attribute.of("axis", 2L)).in(emb).in(longs(0)).fails(ErrorCode.INVALID_ARGUMENT,
                "axis value 2 is out of range for rank 2 (allowed -2 to 1)");
    }

    @Test
    void squeezeAndUnsqueezeMessages() {
        new NodeRun("Squeeze", 13).in(f23()).in(longs(1)).fails(ErrorCode.INVALID_ARGUMENT,
                "cannot squeeze axis 1 of input [2, 3]: its size is 3, not 1");
        new NodeRun("Squeeze", 13).attr(Attribute.of("axes", new long[] {0})).in(f23()).fails(ErrorCode.INVALID_MODEL,
                "axes is an input from opset 13, not an attribute (the model imports opset 13)");
        new NodeRun("Squeeze", 11).in(f23()).in(longs(0)).fails(ErrorCode.INVALID_MODEL, "expects 1 inputs, has 2");
        new NodeRun("Unsqueeze", 11).in(f23()).fails(ErrorCode.INVALID_MODEL, "attribute axes is required");
        new NodeRun("Unsqueeze", 13).in(f23()).fails(ErrorCode.INVALID_MODEL, "expects 2 inputs, has 1");
        new NodeRun("Unsqueeze", 13).in(f23()).in(longs(0, -4)).fails(ErrorCode.INVALID_ARGUMENT,
                "axes [0, -4] name output axis 0 twice");
        new NodeRun("Unsqueeze", 13).in(f23()).in(longs(4)).fails(ErrorCode.INVALID_ARGUMENT,
                "axes value 4 is out of range for rank 3");
    }

    @Test
    void concatSplitSliceMessages() {
        new NodeRun("Concat", 13).in(f23()).in(f23()).fails(ErrorCode.INVALID_MODEL, "attribute axis is required");
        new NodeRun("Concat", 13).attr(Attribute.of("axis", 0L)).in(f23()).in(Tensor.ofFloats(new int[] {1, 2}, 0, 0))
                .fails(ErrorCode.INVALID_ARGUMENT, "input 1 float32[1, 2] does not match input 0 float32[2, 3] outside axis 0");
        new NodeRun("Concat", 13).attr(Attribute.of("axis", 0L)).in(f23()).in(Tensor.zeros(DataType.INT64, new int[] {1, 3}))
                .fails(ErrorCode.INVALID_ARGUMENT, "all inputs must have the same element type");

        new NodeRun("Split", 13).attr(Attribute.of("axis", 1L)).in(f23()).outs(2).fails(ErrorCode.INVALID_ARGUMENT,
                "cannot split axis 1 of input float32[2, 3] (size 3) evenly into 2 outputs");
        new NodeRun("Split", 13).attr(Attribute.of("axis", 1L)).in(f23()).in(longs(1, 1)).outs(2)
                .fails(ErrorCode.INVALID_ARGUMENT, "split sizes [1, 1] do not divide axis 1 of input float32[2, 3] (size 3) into 2 parts");
        new NodeRun("Split", 18).attr(Attribute.of("num_outputs", 3L)).in(f23()).outs(2)
                .fails(ErrorCode.INVALID_MODEL, "num_outputs = 3, but the node has 2 outputs");
        new NodeRun("Split", 18).attr(Attribute.of("num_outputs", 3L)).in(Tensor.ofFloats(new int[] {4}, 0, 1, 2, 3)).outs(3)
                .fails(ErrorCode.INVALID_ARGUMENT, "cannot split axis 0 of input float32[4] (size 4) into 3 chunks of 2");
        new NodeRun("Split", 11).attr(Attribute.of("split", new long[] {1, 1, 1})).in(f23()).outs(2)
                .fails(ErrorCode.INVALID_MODEL, "split [1, 1, 1] has 3 entries for 2 outputs");

        new NodeRun("Slice", 13).in(f23()).in(longs(0)).in(longs(2)).in(longs(1)).in(longs(0))
                .fails(ErrorCode.INVALID_ARGUMENT, "steps [0] contain 0");
        new NodeRun("Slice", 13).in(f23()).in(longs(0, 0)).in(longs(1, 1)).in(longs(1, -1))
                .fails(ErrorCode.INVALID_ARGUMENT, "axes [1, -1] name axis 1 twice");
        new NodeRun("Slice", 13).in(f23()).in(longs(0, 0)).in(longs(1))
                .fails(ErrorCode.INVALID_ARGUMENT, "starts, ends, axes and steps must have the same length");
        new NodeRun("Slice", 9).attr(Attribute.of("starts", new long[] {0})).in(f23())
                .fails(ErrorCode.INVALID_MODEL, "attributes starts and ends are required before opset 10");
    }

    @Test
    void otherOperatorMessages() {
        new NodeRun("Transpose", 13).attr(Attribute.of("perm", new long[] {0, 0})).in(f23())
                .fails(ErrorCode.INVALID_MODEL, "perm [0, 0] is not a permutation of 0..1");
        new NodeRun("Transpose", 13).attr(Attribute.of("perm", new long[] {0})).in(f23())
                .fails(ErrorCode.INVALID_ARGUMENT, "perm [0] has 1 entries, but the input float32[2, 3] has rank 2");
        new NodeRun("Expand", 13).in(f23()).in(longs(2, 4)).fails(ErrorCode.INVALID_ARGUMENT,
                "cannot broadcast input float32[2, 3] to shape [2, 4]");
        new NodeRun("Flatten", 13).attr(Attribute.of("axis", 3L)).in(f23()).fails(ErrorCode.INVALID_ARGUMENT,
                "axis 3 is out of range for input [2, 3] (allowed -2 to 2)");
        new NodeRun("Shape", 13).attr(Attribute.of("start", 1L)).in(f23()).fails(ErrorCode.INVALID_MODEL,
                "attributes start and end need opset 15, the model imports opset 13");
        new NodeRun("Cast", 13).attr(Attribute.of("to", 8L)).in(f23()).fails(ErrorCode.UNSUPPORTED_MODEL,
                "cast to ONNX data type 8 is not supported");
        new NodeRun("Cast", 13).in(f23()).fails(ErrorCode.INVALID_MODEL, "attribute to is required");
        new NodeRun("Constant", 13).attr(Attribute.of("value_int", 1L)).attr(Attribute.of("value_float", 1f))
                .fails(ErrorCode.INVALID_MODEL, "needs exactly one of value, value_float, value_floats, value_int, "
                        + "value_ints; has [value_float, value_int]");
        new NodeRun("Constant", 13).attr(Attribute.of("value_string", "x")).fails(ErrorCode.UNSUPPORTED_MODEL,
                "attribute value_string is not supported");
        new NodeRun("ConstantOfShape", 13).attr(Attribute.of("value", longs(1, 2))).in(longs(2))
                .fails(ErrorCode.INVALID_MODEL, "attribute value must hold exactly one element, got int64[2]");
        new NodeRun("ConstantOfShape", 13).in(longs(2, -1)).fails(ErrorCode.INVALID_ARGUMENT,
                "shape [2, -1] has invalid dimension -1");
        new NodeRun("Equal", 13).in(f23()).in(longs(1)).fails(ErrorCode.INVALID_ARGUMENT,
                "inputs are float32[2, 3] and int64[1]; they must have the same element type");
        new NodeRun("Equal", 13).in(f23()).in(Tensor.ofFloats(new int[] {2}, 0, 1)).fails(ErrorCode.INVALID_ARGUMENT,
                "cannot broadcast float32[2, 3] and float32[2] to one shape");
        new NodeRun("Not", 13).in(f23()).fails(ErrorCode.INVALID_ARGUMENT, "input 0 is float32[2, 3], expected element type [bool]");
        new NodeRun("Where", 16).in(f23()).in(f23()).in(f23()).fails(ErrorCode.INVALID_ARGUMENT,
                "input 0 is float32[2, 3], expected element type [bool]");
        new NodeRun("Range", 11).in(Tensor.scalar(0L)).in(Tensor.scalar(5L)).in(Tensor.scalar(0L))
                .fails(ErrorCode.INVALID_ARGUMENT, "delta must not be 0");
        new NodeRun("Range", 11).in(Tensor.scalar(0L)).in(Tensor.scalar(5f)).in(Tensor.scalar(1L))
                .fails(ErrorCode.INVALID_ARGUMENT, "limit is float32[], expected a scalar of the start's type int64");
    }

    @Test
    void viewOperatorsShareData() {
        Tensor x = Tensor.ofFloats(new int[] {1, 2, 3}, SIX.clone());
        assertSame(x.data(), new NodeRun("Reshape", 13).in(x).in(longs(3, 2)).run().get("o0").data());
        assertSame(x.data(), new NodeRun("Squeeze", 13).in(x).run().get("o0").data());
        assertSame(x.data(), new NodeRun("Unsqueeze", 13).in(x).in(longs(0)).run().get("o0").data());
        assertSame(x.data(), new NodeRun("Flatten", 13).in(x).run().get("o0").data());
        assertSame(x, new NodeRun("Identity", 13).in(x).run().get("o0"));
    }
}
