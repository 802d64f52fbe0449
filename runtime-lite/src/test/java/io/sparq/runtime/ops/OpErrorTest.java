package io.sparq.runtime.ops;

import io.sparq.format.Attribute;
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
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Shape, type and attribute errors of the elementwise, linear and NN operators: the error code,
 * and a message that names the node and the offending shapes or values.
 */
class OpErrorTest {

    @Test
    void matMulInnerDimensions() {
        expectRunError(ErrorCode.INVALID_ARGUMENT,
                "node 'n' (MatMul): A has shape [2, 3] and B [4, 5]; inner dimensions 3 and 4 differ",
                node("MatMul", 13), floats(2, 3), floats(4, 5));
    }

    @Test
    void matMulBatchDimensions() {
        expectRunError(ErrorCode.INVALID_ARGUMENT, "node 'n' (MatMul): A has shape [2, 3, 4] and B [3, 4, 5];"
                + " batch dimensions [2] and [3] do not broadcast", node("MatMul", 13), floats(2, 3, 4), floats(3, 4, 5));
    }

    @Test
    void matMulScalar() {
        expectRunError(ErrorCode.INVALID_ARGUMENT,
                "node 'n' (MatMul): A has shape [] and B [3]; MatMul needs inputs of rank 1 or more",
                node("MatMul", 13), floats(), floats(3));
    }

    @Test
    void addShapesThatDoNotBroadcast() {
        expectRunError(ErrorCode.INVALID_ARGUMENT, "node 'n' (Add): A has shape [2, 3] and B [2], which do not"
                + " broadcast (aligned from the last axis, sizes must be equal or 1)", node("Add", 14), floats(2, 3), floats(2));
    }

    @Test
    void mulElementTypesDiffer() {
        expectRunError(ErrorCode.INVALID_ARGUMENT, "node 'n' (Mul): A is float32[2] and B is int64[2]; element types"
                + " must match", node("Mul", 14), floats(2), Tensor.ofLongs(new int[] {2}, 1, 2));
    }

    @Test
    void integerDivisionByZero() {
        expectRunError(ErrorCode.INVALID_ARGUMENT, "node 'n' (Div): integer division by zero", node("Div", 14),
                Tensor.ofLongs(new int[] {2}, 4, 5), Tensor.ofLongs(new int[] {2}, 2, 0));
    }

    @Test
    void activationOnIntegers() {
        expectRunError(ErrorCode.INVALID_ARGUMENT,
                "node 'n' (Sigmoid): input 0 is int64[1], expected element type [float32, float64]",
                node("Sigmoid", 13), Tensor.ofLongs(new int[] {1}, 1));
    }

    @Test
    void clipBoundMustBeScalarOfInputType() {
        expectRunError(ErrorCode.INVALID_ARGUMENT,
                "node 'n' (Clip): min is float32[2], expected a float32 scalar like the input",
                node("Clip", 13), floats(3), floats(2));
    }

    @Test
    void gemmInnerDimensionsNameTransposeFlags() {
        expectRunError(ErrorCode.INVALID_ARGUMENT, "node 'n' (Gemm): A has shape [3, 2] (transA=1) and B [3, 4]"
                + " (transB=1); inner dimensions 3 and 4 differ",
                node("Gemm", 13, Attribute.of("transA", 1L), Attribute.of("transB", 1L)), floats(3, 2), floats(3, 4));
    }

    @Test
    void gemmBiasThatDoesNotBroadcast() {
        expectRunError(ErrorCode.INVALID_ARGUMENT, "node 'n' (Gemm): C has shape [3], which does not broadcast to"
                + " [M, N] = [2, 4]", node("Gemm", 13), floats(2, 3), floats(3, 4), floats(3));
    }

    @Test
    void gemmBiasRequiredBeforeOpset11() {
        expectCompileError(ErrorCode.INVALID_MODEL, "node 'n' (Gemm): expects 3 inputs, has 2", node("Gemm", 9), 2);
    }

    @Test
    void softmaxAxisOutOfRange() {
        expectRunError(ErrorCode.INVALID_ARGUMENT,
                "node 'n' (Softmax): axis 2 is out of range for an input of rank 2 (allowed -2 to 1)",
                node("Softmax", 13, Attribute.of("axis", 2L)), floats(2, 3));
    }

    @Test
    void convChannelMismatch() {
        expectRunError(ErrorCode.INVALID_ARGUMENT, "node 'n' (Conv): X has shape [1, 4, 8] and W [6, 3, 3] with"
                + " group = 2; expected X channels = W.shape[1] * group and W.shape[0] divisible by group",
                node("Conv", 11, Attribute.of("group", 2L)), floats(1, 4, 8), floats(6, 3, 3));
    }

    @Test
    void convInputSmallerThanKernel() {
        expectRunError(ErrorCode.INVALID_ARGUMENT, "node 'n' (Conv): X has shape [1, 1, 4] and W [1, 1, 3];"
                + " spatial axis 0 of size 4 (with padding) is smaller than the dilated kernel of size 5",
                node("Conv", 11, Attribute.of("dilations", new long[] {2})), floats(1, 1, 4), floats(1, 1, 3));
    }

    @Test
    void convBiasLength() {
        expectRunError(ErrorCode.INVALID_ARGUMENT, "node 'n' (Conv): B has shape [3], expected [2]",
                node("Conv", 11), floats(1, 1, 4), floats(2, 1, 3), floats(3));
    }

    @Test
    void conv3dIsUnsupported() {
        expectCompileError(ErrorCode.UNSUPPORTED_MODEL, "node 'n' (Conv): 3-D convolution; sparq runs 1-D and 2-D Conv",
                node("Conv", 11, Attribute.of("kernel_shape", new long[] {1, 1, 1})), 2);
    }

    @Test
    void convGroupMustBePositive() {
        expectCompileError(ErrorCode.INVALID_MODEL, "node 'n' (Conv): attribute group = 0, expected a positive count",
                node("Conv", 11, Attribute.of("group", 0L)), 2);
    }

    @Test
    void padsLengthMustMatchRank() {
        expectRunError(ErrorCode.INVALID_ARGUMENT, "node 'n' (Pad): pads has 2 values, expected 4 (begin and end for"
                + " each of 2 axes) for data of shape [2, 3]", node("Pad", 13), floats(2, 3),
                Tensor.ofLongs(new int[] {2}, 1, 1));
    }

    @Test
    void reflectPadMustBeSmallerThanAxis() {
        expectRunError(ErrorCode.INVALID_ARGUMENT, "node 'n' (Pad): reflect padding of axis 0 by (3, 0) needs pads"
                + " below the axis size 3", node("Pad", 13, Attribute.of("mode", "reflect")), floats(3),
                Tensor.ofLongs(new int[] {2}, 3, 0));
    }

    @Test
    void wrapModeNeedsOpset19() {
        expectCompileError(ErrorCode.INVALID_MODEL, "node 'n' (Pad): attribute mode = 'wrap', expected one of"
                + " [constant, reflect, edge]", node("Pad", 18, Attribute.of("mode", "wrap")), 2);
    }

    @Test
    void reduceAxisTwice() {
        expectRunError(ErrorCode.INVALID_ARGUMENT, "node 'n' (ReduceMean): axes [1, -1] name axis 1 twice",
                node("ReduceMean", 13, Attribute.of("axes", new long[] {1, -1})), floats(2, 3));
    }

    @Test
    void reduceAxesAttributeAfterItBecameAnInput() {
        expectCompileError(ErrorCode.INVALID_MODEL, "node 'n' (ReduceMean): axes is an input from opset 18, not an"
                + " attribute", node("ReduceMean", 18, Attribute.of("axes", new long[] {1})), 1);
    }

    // ---- helpers ----

    private record OneNode(String op, int opset, Attribute[] attrs) {
    }

    private static OneNode node(String op, int opset, Attribute... attrs) {
        return new OneNode(op, opset, attrs);
    }

    private static Tensor floats(int... shape) {
        return Tensor.zeros(io.sparq.format.DataType.FLOAT32, shape);
    }

    /** A graph with one node named 'n' reading inputs in0..in{count-1}, each of any type and shape. */
    private static Graph graph(OneNode n, int inputs) {
        List<String> names = new ArrayList<>();
        List<ValueInfo> infos = new ArrayList<>();
        for (int i = 0; i < inputs; i++) {
            names.add("in" + i);
            infos.add(new ValueInfo("in" + i, null, null));
        }
        Map<String, Attribute> attrs = new LinkedHashMap<>();
        for (Attribute a : n.attrs) {
            attrs.put(a.name(), a);
        }
        Node node = new Node("n", n.op, "", names, List.of("out"), attrs);
        return new Graph("g", infos, List.of(new ValueInfo("out", null, null)), List.of(node), Map.of(),
                Map.of("", n.opset), Map.of());
    }

    private static void expectRunError(ErrorCode code, String message, OneNode n, Tensor... inputs) {
        Model model = Model.fromGraph(graph(n, inputs.length));
        Map<String, Tensor> feeds = new LinkedHashMap<>();
        for (int i = 0; i < inputs.length; i++) {
            feeds.put("in" + i, inputs[i]);
        }
        try (Session s = model.newSession()) {
            SparqException e = assertThrows(SparqException.class, () -> s.run(feeds));
            assertEquals(message, e.getMessage());
            assertEquals(code, e.code());
        }
    }

    private static void expectCompileError(ErrorCode code, String message, OneNode n, int inputs) {
        SparqException e = assertThrows(SparqException.class, () -> Model.fromGraph(graph(n, inputs)));
        assertEquals(message, e.getMessage());
        assertEquals(code, e.code());
    }
}
