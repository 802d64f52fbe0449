package io.sparq.format.codec;

import io.sparq.format.Attribute;
import io.sparq.format.DataType;
import io.sparq.format.Dim;
import io.sparq.format.Graph;
import io.sparq.format.Node;
import io.sparq.format.Tensor;
import io.sparq.format.ValueInfo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Graph builders and exact (bitwise) comparisons for codec tests. */
final class Graphs {
    private Graphs() {
    }

    /** A graph with no nodes whose outputs are its initializers, in map order. */
    static Graph ofTensors(Map<String, Tensor> tensors) {
        List<ValueInfo> outputs = new ArrayList<>();
        tensors.forEach((name, t) -> outputs.add(new ValueInfo(name, t.type(), dims(t.shape()))));
        return new Graph("tensors", List.of(), outputs, List.of(), tensors, Map.of("", 17), Map.of());
    }

    static List<Dim> dims(int... shape) {
        return Arrays.stream(shape).mapToObj(Dim::of).toList();
    }

    static Node node(String name, String op, List<String> inputs, List<String> outputs, Attribute... attributes) {
        Map<String, Attribute> attrs = new LinkedHashMap<>();
        for (Attribute a : attributes) {
            attrs.put(a.name(), a);
        }
        return new Node(name, op, "", inputs, outputs, attrs);
    }

    /** The same graph with every initializer map (of subgraphs too) empty, as {@link SparqFile#graph()} returns it. */
    static Graph withoutInitializers(Graph g) {
        List<Node> nodes = new ArrayList<>();
        for (Node n : g.nodes()) {
            Map<String, Attribute> attrs = new LinkedHashMap<>();
            n.attributes().forEach((k, a) -> attrs.put(k, a.kind() == Attribute.Kind.GRAPH
                    ? Attribute.of(k, withoutInitializers((Graph) a.value())) : a));
            nodes.add(new Node(n.name(), n.opType(), n.domain(), n.inputs(), n.outputs(), attrs));
        }
        return new Graph(g.name(), g.inputs(), g.outputs(), nodes, Map.of(), g.opsets(), g.metadata());
    }

    static void assertTensorEquals(Tensor expected, Tensor actual, String what) {
        assertEquals(expected.type(), actual.type(), what + " dtype");
        assertEquals(Arrays.toString(expected.shape()), Arrays.toString(actual.shape()), what + " shape");
        Object e = expected.data();
        Object a = actual.data();
        if (e instanceof float[]) {
            float[] ef = (float[]) e;
            float[] af = (float[]) a;
            for (int i = 0; i < ef.length; i++) {
                if (Float.floatToRawIntBits(ef[i]) != Float.floatToRawIntBits(af[i])) {
                    fail(what + " element " + i + ": expected " + ef[i] + " got " + af[i]);
                }
            }
        } else if (e instanceof double[]) {
            double[] ed = (double[]) e;
            double[] ad = (double[]) a;
            for (int i = 0; i < ed.length; i++) {
                assertEquals(Double.doubleToRawLongBits(ed[i]), Double.doubleToRawLongBits(ad[i]), what + " element " + i);
            }
        } else {
            assertTrue(java.util.Objects.deepEquals(e, a), what + " data");
        }
    }

    static void assertGraphEquals(Graph expected, Graph actual) {
        assertGraphEquals(expected, actual, "graph '" + expected.name() + "'");
    }

    private static void assertGraphEquals(Graph e, Graph a, String where) {
        assertEquals(e.name(), a.name(), where + " name");
        assertEquals(e.inputs(), a.inputs(), where + " inputs");
        assertEquals(e.outputs(), a.outputs(), where + " outputs");
        assertEquals(List.copyOf(e.opsets().entrySet()), List.copyOf(a.opsets().entrySet()), where + " opsets");
        assertEquals(List.copyOf(e.metadata().entrySet()), List.copyOf(a.metadata().entrySet()), where + " metadata");
        assertEquals(List.copyOf(e.initializers().keySet()), List.copyOf(a.initializers().keySet()), where + " initializer names");
        e.initializers().forEach((k, t) -> assertTensorEquals(t, a.initializers().get(k), where + " initializer " + k));
        assertEquals(e.nodes().size(), a.nodes().size(), where + " node count");
        for (int i = 0; i < e.nodes().size(); i++) {
            Node en = e.nodes().get(i);
            Node an = a.nodes().get(i);
            String nw = where + " node " + en.describe();
            assertEquals(List.of(en.name(), en.opType(), en.domain()), List.of(an.name(), an.opType(), an.domain()), nw);
            assertEquals(en.inputs(), an.inputs(), nw + " inputs");
            assertEquals(en.outputs(), an.outputs(), nw + " outputs");
            assertEquals(List.copyOf(en.attributes().keySet()), List.copyOf(an.attributes().keySet()), nw + " attribute names");
            for (Attribute ea : en.attributes().values()) {
                Attribute aa = an.attributes().get(ea.name());
                String aw = nw + " attribute " + ea.name();
                assertEquals(ea.kind(), aa.kind(), aw + " kind");
                switch (ea.kind()) {
                    case TENSOR: assertTensorEquals((Tensor) ea.value(), (Tensor) aa.value(), aw); break;
                    case GRAPH: assertGraphEquals((Graph) ea.value(), (Graph) aa.value(), aw); break;
                    case FLOAT: assertEquals(Float.floatToRawIntBits((Float) ea.value()), Float.floatToRawIntBits((Float) aa.value()), aw); break;
                    case FLOATS:
                        float[] ef = (float[]) ea.value();
                        float[] af = (float[]) aa.value();
                        assertEquals(ef.length, af.length, aw);
                        for (int j = 0; j < ef.length; j++) {
                            assertEquals(Float.floatToRawIntBits(ef[j]), Float.floatToRawIntBits(af[j]), aw + "[" + j + "]");
                        }
                        break;
                    default: assertTrue(java.util.Objects.deepEquals(ea.value(), aa.value()), aw + ": " + ea.value() + " vs " + aa.value());
                }
            }
        }
    }

    /** Random float32 tensor with the given shape and fraction of non-zeros; magnitudes vary per tensor. */
    static Tensor randomTensor(java.util.Random rnd, int[] shape, double density) {
        int n = Tensor.sizeOf(shape);
        float[] x = new float[n];
        double magnitude = Math.pow(10, rnd.nextInt(7) - 3);
        for (int i = 0; i < n; i++) {
            if (rnd.nextDouble() < density) {
                x[i] = (float) (rnd.nextGaussian() * magnitude);
            }
        }
        return Tensor.of(DataType.FLOAT32, shape, x);
    }
}
