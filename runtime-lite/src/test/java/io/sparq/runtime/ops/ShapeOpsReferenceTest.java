package io.sparq.runtime.ops;

import io.sparq.format.Tensor;
import io.sparq.runtime.api.Model;
import io.sparq.runtime.api.Session;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs every case of {@code shapeops/reference.txt} (one-node models whose outputs ONNX Runtime,
 * or the ONNX reference evaluator where ONNX Runtime has no kernel, computed) and requires
 * identical outputs: tolerance 0, since these operators move or convert values without arithmetic
 * (Range accumulates in the input type exactly as ONNX Runtime does).
 */
class ShapeOpsReferenceTest {
    private static final List<ReferenceCases.Case> CASES = ReferenceCases.load("/shapeops/reference.txt");

    @TestFactory
    Stream<DynamicTest> matchesReference() {
        return CASES.stream().map(c -> DynamicTest.dynamicTest(c.toString(), () -> {
            Map<String, Tensor> actual;
            try (Session s = Model.fromGraph(c.graph()).newSession()) {
                actual = s.run(c.feeds());
            }
            assertEquals(c.expected().keySet(), actual.keySet(), c.name());
            c.expected().forEach((name, want) ->
                    assertNull(ReferenceCases.difference(want, actual.get(name)), c.name() + " output " + name));
        }));
    }

    @Test
    void referenceCoversEveryOperatorAndVersion() {
        Set<String> ops = CASES.stream().map(ReferenceCases.Case::op).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(List.of("Cast", "Concat", "Constant", "ConstantOfShape", "Equal", "Expand",
                "Flatten", "Gather", "Identity", "Not", "Range", "Reshape", "Shape", "Size", "Slice", "Split",
                "Squeeze", "Transpose", "Unsqueeze", "Where")), ops);
        // the attribute-to-input switches each need cases on both sides
        assertTrue(has("Slice", 9) && has("Slice", 10), "Slice before and from opset 10");
        for (String op : List.of("Squeeze", "Unsqueeze", "Split")) {
            assertTrue(CASES.stream().anyMatch(c -> c.op().equals(op) && c.opset() < 13)
                    && CASES.stream().anyMatch(c -> c.op().equals(op) && c.opset() >= 13), op + " before and from 13");
        }
        assertTrue(has("Split", 18) && has("Shape", 15), "Split-18 num_outputs and Shape-15 start/end");
        List<String> types = List.of("float32", "float64", "float16", "int8", "uint8", "int16", "int32", "int64", "bool");
        for (String from : types) {
            for (String to : types) {
                assertTrue(CASES.stream().anyMatch(c -> c.name().equals("cast_" + from + "_to_" + to)),
                        "Cast " + from + " to " + to);
            }
        }
    }

    private static boolean has(String op, int opset) {
        return CASES.stream().anyMatch(c -> c.op().equals(op) && c.opset() == opset);
    }
}
