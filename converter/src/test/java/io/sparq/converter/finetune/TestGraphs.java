package io.sparq.converter.finetune;

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
import java.util.SplittableRandom;

/** A small builder for graphs in tests. */
final class TestGraphs {
    private final List<ValueInfo> inputs = new ArrayList<>();
    private final List<ValueInfo> outputs = new ArrayList<>();
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, Tensor> inits = new LinkedHashMap<>();
    private final SplittableRandom rnd;
    private int opset = 17;

    TestGraphs(long seed) {
        rnd = new SplittableRandom(seed);
    }

    /** Each dim is an Integer (fixed) or a String (symbolic). */
    TestGraphs input(String name, DataType type, Object... dims) {
        inputs.add(new ValueInfo(name, type, dims(dims)));
        return this;
    }

    TestGraphs output(String name, Object... dims) {
        outputs.add(new ValueInfo(name, DataType.FLOAT32, dims(dims)));
        return this;
    }

    private static List<Dim> dims(Object[] dims) {
        return Arrays.stream(dims).map(d -> d instanceof Integer i ? Dim.of(i) : Dim.symbol((String) d)).toList();
    }

    /** A weight with entries uniform in ±scale. */
    TestGraphs weight(String name, double scale, int... shape) {
        float[] v = new float[Tensor.sizeOf(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextDouble(-scale, scale);
        }
        inits.put(name, Tensor.ofFloats(shape, v));
        return this;
    }

    TestGraphs constant(String name, Tensor t) {
        inits.put(name, t);
        return this;
    }

    TestGraphs node(String opType, String inputs, String outputs, Attribute... attrs) {
        Map<String, Attribute> a = new LinkedHashMap<>();
        for (Attribute at : attrs) {
            a.put(at.name(), at);
        }
        nodes.add(new Node(opType.toLowerCase() + "_" + nodes.size(), opType, "", List.of(inputs.split(",", -1)),
                List.of(outputs.split(",", -1)), a));
        return this;
    }

    TestGraphs opset(int v) {
        opset = v;
        return this;
    }

    Graph build() {
        return new Graph("test", inputs, outputs, nodes, inits, Map.of("", opset), Map.of());
    }

    /** Gather (embedding) → Gemm (Linear) → LogSoftmax over tokens [batch]. */
    static Graph embeddingClassifier(long seed) {
        return new TestGraphs(seed)
                .input("tokens", DataType.INT64, "batch")
                .weight("emb", 1, 7, 6).weight("w", 0.5, 5, 6).weight("b", 0.1, 5)
                .node("Gather", "emb,tokens", "e")
                .node("Gemm", "e,w,b", "logits", Attribute.of("transB", 1L))
                .node("LogSoftmax", "logits", "log_probs", Attribute.of("axis", -1L))
                .output("log_probs", "batch", 5)
                .build();
    }

    /** x [batch, 3, 4] → MatMul + Add → Tanh → Transpose → Flatten → Gemm → Softmax. */
    static Graph projectionTanh(long seed) {
        return new TestGraphs(seed)
                .input("x", DataType.FLOAT32, "batch", 3, 4)
                .weight("w1", 0.6, 4, 6).weight("b1", 0.2, 6).weight("w2", 0.4, 18, 5).weight("b2", 0.1, 1, 5)
                .node("MatMul", "x,w1", "h")
                .node("Add", "h,b1", "hb")
                .node("Tanh", "hb", "t")
                .node("Transpose", "t", "tt", Attribute.of("perm", new long[] {0, 2, 1}))
                .node("Flatten", "tt", "f")
                .node("Gemm", "f,w2,b2", "z")
                .node("Softmax", "z", "probs", Attribute.of("axis", 1L))
                .output("probs", "batch", 5)
                .build();
    }

    /**
     * A model with glue: x [batch, 2, 6] → Conv → Tanh → Slice →
     * Mul by a weight → Sub → Div → Sigmoid; Shape/Gather/Concat/Reshape build the flatten shape at run time;
     * Split → LeakyRelu on one half, Squeeze/Unsqueeze on the other, Concat, MatMul head.
     */
    static Graph glue(long seed) {
        return new TestGraphs(seed)
                .input("x", DataType.FLOAT32, "batch", 2, 6)
                .weight("cw", 0.5, 4, 2, 3).weight("cb", 0.1, 4)
                .weight("scale", 1, 4, 1).weight("shift", 0.3, 5).weight("div", 0.2, 1)
                .weight("head", 0.5, 10, 3)
                .constant("starts", Tensor.ofLongs(new int[] {1}, 1))
                .constant("ends", Tensor.ofLongs(new int[] {1}, 6))
                .constant("axes", Tensor.ofLongs(new int[] {1}, 2))
                .constant("zero", Tensor.ofLongs(new int[] {1}, 0))
                .constant("ten", Tensor.ofLongs(new int[] {1}, 10))
                .constant("minus1", Tensor.ofLongs(new int[] {1}, -1))
                .constant("one", Tensor.ofFloats(new int[0], 1.5f))
                .constant("split", Tensor.ofLongs(new int[] {2}, 2, 2))
                .constant("ax1", Tensor.ofLongs(new int[] {1}, 1))
                .node("Conv", "x,cw,cb", "c", Attribute.of("pads", new long[] {1, 1}))
                .node("Tanh", "c", "r")
                .node("Slice", "r,starts,ends,axes", "s")
                .node("Mul", "s,scale", "m")
                .node("Sub", "m,shift", "d")
                .node("Add", "div,one", "den")
                .node("Div", "d,den", "q")
                .node("Sigmoid", "q", "g")
                .node("Split", "g,split", "g1,g2", Attribute.of("axis", 1L))
                .node("LeakyRelu", "g1", "l1", Attribute.of("alpha", 0.2f))
                .node("Unsqueeze", "g2,ax1", "u")
                .node("Squeeze", "u,ax1", "g2b")
                .node("Concat", "l1,g2b", "cat", Attribute.of("axis", 1L))
                .node("Shape", "cat", "shape")
                .node("Gather", "shape,zero", "n")
                .node("Concat", "n,minus1", "flat", Attribute.of("axis", 0L))
                .node("Reshape", "cat,flat", "v")
                .node("Slice", "v,zero,ten,minus1", "v2")     // the first 10 of 20 features
                .node("MatMul", "v2,head", "y")
                .output("y", "batch", 3)
                .build();
    }
}
