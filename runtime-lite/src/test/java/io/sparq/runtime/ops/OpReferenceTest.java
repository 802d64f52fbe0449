package io.sparq.runtime.ops;

import io.sparq.format.DataType;
import io.sparq.format.Tensor;
import io.sparq.runtime.api.Model;
import io.sparq.runtime.api.Session;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs each single-node case of {@code src/test/resources/ops/*.txt} (outputs computed by ONNX
 * Runtime 1.30, or by onnx.reference where ONNX Runtime has no kernel; see make_reference.py) and
 * compares. Tolerance for floating-point outputs: |actual - expected| <= 1e-5 + 1e-5·|expected|
 * (NaN must match NaN); integer outputs must match exactly; shapes and types must match.
 */
class OpReferenceTest {
    private static final double ABS_TOL = 1e-5;
    private static final double REL_TOL = 1e-5;
    private static final List<String> FILES = List.of("elementwise", "linear", "nn");

    @TestFactory
    Stream<DynamicTest> elementwise() throws IOException {
        return tests("elementwise");
    }

    @TestFactory
    Stream<DynamicTest> linear() throws IOException {
        return tests("linear");
    }

    @TestFactory
    Stream<DynamicTest> nn() throws IOException {
        return tests("nn");
    }

    /** Guards against an operator silently losing its reference coverage when the files are regenerated. */
    @Test
    void everyOperatorHasReferenceCases() throws IOException {
        Set<String> covered = new TreeSet<>();
        for (String f : FILES) {
            ReferenceCase.load("/ops/" + f + ".txt").forEach(c -> covered.add(c.op));
        }
        Set<String> ours = new TreeSet<>(List.of("Add", "Sub", "Mul", "Div", "Pow", "Relu", "Sigmoid", "Tanh",
                "LeakyRelu", "Elu", "Exp", "Log", "Sqrt", "Neg", "Abs", "Erf", "Clip", "HardSigmoid", "Softplus",
                "Softsign", "Gelu", "Gemm", "MatMul", "Softmax", "LogSoftmax", "Conv", "Pad", "ReduceMean",
                "ReduceSum", "ReduceMax"));
        assertTrue(OpRegistry.standard().opTypes().containsAll(ours), "not all registered: " + ours);
        ours.removeAll(covered);
        assertTrue(ours.isEmpty(), "operators without reference cases: " + ours);
    }

    private static Stream<DynamicTest> tests(String file) throws IOException {
        List<ReferenceCase> cases = ReferenceCase.load("/ops/" + file + ".txt");
        assertTrue(cases.size() > 10, file + " has only " + cases.size() + " cases");
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.name + " (" + c.op + "-" + c.opset + ")", () -> run(c)));
    }

    private static void run(ReferenceCase c) {
        Tensor actual;
        try (Session s = Model.fromGraph(c.graph()).newSession()) {
            actual = s.run(c.feeds).get("output");
        }
        Tensor expected = c.expected;
        assertEquals(expected.type(), actual.type(), "element type");
        assertArrayEquals(expected.shape(), actual.shape(), "shape");
        if (expected.type().isFloatingPoint()) {
            for (int i = 0; i < expected.size(); i++) {
                double e = expected.getDouble(i);
                double a = actual.getDouble(i);
                boolean ok = Double.isNaN(e) ? Double.isNaN(a) : e == a || Math.abs(a - e) <= ABS_TOL + REL_TOL * Math.abs(e);
                if (!ok) {
                    fail("element " + i + ": expected " + e + " (" + c.reference + "), got " + a + "\nexpected "
                            + render(expected) + "\nactual   " + render(actual));
                }
            }
        } else {
            assertArrayEquals(expected.toLongArray(), actual.toLongArray(), "values");
        }
    }

    private static String render(Tensor t) {
        return t.type() == DataType.FLOAT32 ? Arrays.toString(t.floats()) : Arrays.toString(t.toLongArray());
    }
}
