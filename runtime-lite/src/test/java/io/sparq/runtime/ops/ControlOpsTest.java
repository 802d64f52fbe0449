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

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code If}: the taken branch runs, reading graph inputs, initializers and node outputs of the
 * enclosing graphs (also from a nested If); wiring errors fail at compile time and bad conditions
 * at run time, naming the node. Numbers against ONNX Runtime: the converter's {@code IfImportTest}.
 */
class ControlOpsTest {
    private static final Tensor X = Tensor.ofFloats(new int[] {2}, 1.5f, -2f);

    /** A branch without inputs whose nodes compute its one output {@code out}. */
    private static Graph branch(String out, Node... nodes) {
        return new Graph("", List.of(), List.of(new ValueInfo(out, null, null)), List.of(nodes), Map.of(), Map.of(), Map.of());
    }

    private static Node node(String name, String op, List<String> in, List<String> out, Attribute... attrs) {
        Map<String, Attribute> map = new java.util.LinkedHashMap<>();
        for (Attribute a : attrs) {
            map.put(a.name(), a);
        }
        return new Node(name, op, "", in, out, map);
    }

    /**
     * y = If(cond) then (x + w) * doubled else Neg(x), where w is an initializer of the main graph
     * and doubled a node output of it; the then-branch computes its product in a nested If.
     */
    private static Graph model(Graph thenBranch, Graph elseBranch) {
        Node doubled = node("double", "Add", List.of("x", "x"), List.of("doubled"));
        Node ifNode = node("if", "If", List.of("cond"), List.of("y"),
                Attribute.of("then_branch", thenBranch), Attribute.of("else_branch", elseBranch));
        return new Graph("g", List.of(new ValueInfo("cond", DataType.BOOL, null), new ValueInfo("x", DataType.FLOAT32, null)),
                List.of(new ValueInfo("y", null, null)), List.of(ifNode, doubled),
                Map.of("w", Tensor.ofFloats(new int[] {2}, 0.5f, 4f)), Map.of("", 16), Map.of());
    }

    private static Graph nestedThen() {
        Graph inner = branch("prod", node("mul", "Mul", List.of("sum", "doubled"), List.of("prod")));
        Graph never = branch("zero", node("sub", "Sub", List.of("sum", "sum"), List.of("zero")));
        return branch("t_out",
                node("add", "Add", List.of("x", "w"), List.of("sum")),
                node("inner", "If", List.of("inner_cond"), List.of("t_out"),
                        Attribute.of("then_branch", inner), Attribute.of("else_branch", never)),
                node("c", "Constant", List.of(), List.of("inner_cond"),
                        Attribute.of("value", Tensor.ofBools(new int[] {}, true))));
    }

    private static Graph negElse() {
        return branch("e_out", node("neg", "Neg", List.of("x"), List.of("e_out")));
    }

    private static Tensor run(Graph g, Tensor cond, Tensor x) {
        try (Session s = Model.fromGraph(g).newSession()) {
            return s.run(Map.of("cond", cond, "x", x)).get("y");
        }
    }

    @Test
    void runsTheTakenBranchWithOuterScopeValues() {
        Graph g = model(nestedThen(), negElse());
        // (x + w) * 2x = (2, 2) * (3, -4)
        assertArrayEquals(new float[] {6f, -8f}, run(g, Tensor.ofBools(new int[] {}, true), X).floats());
        assertArrayEquals(new float[] {-1.5f, 2f}, run(g, Tensor.ofBools(new int[] {1}, false), X).floats());
    }

    @Test
    void branchOutputCountMustMatchTheNode() {
        Graph two = new Graph("", List.of(), List.of(new ValueInfo("a", null, null), new ValueInfo("b", null, null)),
                List.of(node("n1", "Neg", List.of("x"), List.of("a")), node("n2", "Abs", List.of("x"), List.of("b"))),
                Map.of(), Map.of(), Map.of());
        SparqException e = assertThrows(SparqException.class, () -> Model.fromGraph(model(nestedThen(), two)));
        assertEquals(ErrorCode.INVALID_MODEL, e.code());
        assertTrue(e.getMessage().contains("'if' (If)") && e.getMessage().contains("else_branch has 2 output(s)")
                && e.getMessage().contains("expected 1"), e.getMessage());
    }

    @Test
    void aMissingBranchIsNamed() {
        Node ifNode = node("if", "If", List.of("cond"), List.of("y"), Attribute.of("then_branch", negElse()));
        Graph g = new Graph("g", List.of(new ValueInfo("cond", DataType.BOOL, null), new ValueInfo("x", DataType.FLOAT32, null)),
                List.of(new ValueInfo("y", null, null)), List.of(ifNode), Map.of(), Map.of("", 16), Map.of());
        SparqException e = assertThrows(SparqException.class, () -> Model.fromGraph(g));
        assertEquals(ErrorCode.INVALID_MODEL, e.code());
        assertTrue(e.getMessage().contains("'if' (If)") && e.getMessage().contains("else_branch"), e.getMessage());
    }

    @Test
    void anUnsupportedNodeInEitherBranchRefusesTheModel() {
        Graph odd = branch("e_out", node("strange", "NoSuchOp", List.of("x"), List.of("e_out")));
        SparqException e = assertThrows(SparqException.class, () -> Model.fromGraph(model(nestedThen(), odd)));
        assertEquals(ErrorCode.UNSUPPORTED_MODEL, e.code());
        assertTrue(e.getMessage().contains("'strange' (NoSuchOp)"), e.getMessage());
    }

    @Test
    void aBranchReadingAnUndefinedValueIsRefused() {
        Graph bad = branch("e_out", node("neg", "Neg", List.of("nowhere"), List.of("e_out")));
        SparqException e = assertThrows(SparqException.class, () -> Model.fromGraph(model(nestedThen(), bad)));
        assertEquals(ErrorCode.INVALID_MODEL, e.code());
        assertTrue(e.getMessage().contains("'nowhere'") && e.getMessage().contains("in a subgraph"), e.getMessage());
    }

    @Test
    void theConditionMustBeOneBool() {
        Graph g = model(nestedThen(), negElse());
        SparqException e = assertThrows(SparqException.class,
                () -> run(g, Tensor.ofBools(new int[] {2}, true, false), X));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage().contains("'if' (If)") && e.getMessage().contains("single element"), e.getMessage());
        Graph untyped = new Graph("g", List.of(new ValueInfo("cond", null, null), new ValueInfo("x", DataType.FLOAT32, null)),
                g.outputs(), g.nodes(), g.initializers(), g.opsets(), Map.of());
        e = assertThrows(SparqException.class, () -> run(untyped, Tensor.ofFloats(new int[] {}, 1f), X));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage().contains("'if' (If)") && e.getMessage().contains("expected element type [bool]"),
                e.getMessage());
    }
}
