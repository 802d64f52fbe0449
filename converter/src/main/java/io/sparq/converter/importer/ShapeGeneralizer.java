package io.sparq.converter.importer;

import io.sparq.converter.specialize.GraphSpecializer;
import io.sparq.converter.specialize.Specialization;
import io.sparq.format.Dim;
import io.sparq.format.Graph;
import io.sparq.format.Node;
import io.sparq.format.SparqException;
import io.sparq.format.Tensor;
import io.sparq.format.ValueInfo;
import io.sparq.runtime.graph.GraphExecutor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Import normalization, third step: static batch and sequence sizes made symbolic, with the
 * constants the exported sizes were baked into rebuilt, checked by running the graph.
 */
final class ShapeGeneralizer {
    /** Element-wise ops that broadcast their operands, so a constant may shrink to size 1 along an axis. */
    static final Set<String> BROADCASTING = Set.of("Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Where",
            "Expand");

    private ShapeGeneralizer() {
    }

    /** The graph with symbols renamed in every input and output shape and the given input dims replaced. */
    static Graph withSymbols(Graph g, Map<String, String> symbols, Map<String, Map<Integer, String>> dims) {
        List<ValueInfo> inputs = new ArrayList<>();
        for (ValueInfo v : g.inputs()) {
            inputs.add(renamed(v, symbols, dims.getOrDefault(v.name(), Map.of())));
        }
        List<ValueInfo> outputs = g.outputs().stream().map(v -> renamed(v, symbols, Map.of())).toList();
        return new Graph(g.name(), inputs, outputs, g.nodes(), g.initializers(), g.opsets(), g.metadata());
    }

    static ValueInfo renamed(ValueInfo v, Map<String, String> symbols, Map<Integer, String> dims) {
        if (v.shape() == null) {
            return v;
        }
        List<Dim> shape = new ArrayList<>();
        for (int d = 0; d < v.shape().size(); d++) {
            Dim dim = v.shape().get(d);
            String s = dims.get(d);
            shape.add(s != null ? Dim.symbol(s) : dim.symbol() != null && symbols.containsKey(dim.symbol())
                    ? Dim.symbol(symbols.get(dim.symbol())) : dim);
        }
        return new ValueInfo(v.name(), v.type(), shape);
    }

    /**
     * The graph with the given static input dimensions made symbolic and the constants that were
     * shaped by them rebuilt, or null when the result does not run at other sizes, or computes
     * something else at the exported size, or leaves an output dimension that followed one of them
     * fixed.
     */
    static Graph tryGeneralize(Graph g, Map<String, Map<Integer, String>> dims) {
        if (dims.isEmpty()) {
            return null;
        }
        Map<String, Integer> exported = new LinkedHashMap<>();   // symbol -> exported size
        dims.forEach((name, axes) -> axes.forEach((axis, symbol) ->
                exported.putIfAbsent(symbol, GraphNormalizer.input(g, name).shape().get(axis).value())));
        Map<String, Tensor> feeds = randomFeeds(g);
        if (feeds == null) {
            return null;
        }
        Map<String, Tensor> trace;
        try {
            trace = runAll(g, feeds);
        } catch (SparqException e) {
            return null;
        }
        Graph rebuilt = rebuildConstants(g, trace, new HashSet<>(exported.values()));
        Graph candidate = withSymbols(rebuilt, Map.of(), dims);
        Graph general;
        try {
            general = GraphSpecializer.specialize(candidate, Specialization.none()).graph();
            Map<String, Tensor> before = new GraphExecutor(g).run(feeds);
            Map<String, Tensor> after = new GraphExecutor(general).run(feeds);
            for (ValueInfo o : g.outputs()) {
                if (!close(before.get(o.name()), after.get(o.name()))) {
                    return null;
                }
            }
        } catch (SparqException e) {
            return null;
        }
        // an output with an axis of an exported size must have an axis that follows that size now
        for (int i = 0; i < g.outputs().size(); i++) {
            ValueInfo was = g.outputs().get(i);
            ValueInfo now = general.outputs().get(i);
            if (was.shape() == null || now.shape() == null) {
                continue;
            }
            for (Map.Entry<String, Integer> e : exported.entrySet()) {
                boolean had = was.shape().stream().anyMatch(d -> d.isFixed() && d.value() == e.getValue());
                boolean follows = now.shape().stream().anyMatch(d -> e.getKey().equals(d.symbol()));
                if (had && e.getValue() > 1 && !follows) {
                    return null;
                }
            }
        }
        return general;
    }

    static boolean close(Tensor a, Tensor b) {
        if (a == null || b == null || a.type() != b.type() || !Arrays.equals(a.shape(), b.shape())) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            double x = a.getDouble(i);
            double y = b.getDouble(i);
            if (Math.abs(x - y) > 1e-5 + 1e-5 * Math.abs(x) && !(Double.isNaN(x) && Double.isNaN(y))) {
                return false;
            }
        }
        return true;
    }

    /** Inputs of the declared shapes: small random floats, zero indices; null if a shape is incomplete. */
    static Map<String, Tensor> randomFeeds(Graph g) {
        Random random = new Random(7);
        Map<String, Tensor> feeds = new LinkedHashMap<>();
        for (ValueInfo v : g.requiredInputs()) {
            if (v.shape() == null || v.type() == null || v.shape().stream().anyMatch(d -> !d.isFixed())) {
                return null;
            }
            int[] shape = v.shape().stream().mapToInt(Dim::value).toArray();
            Tensor t = Tensor.zeros(v.type(), shape);
            if (t.data() instanceof float[] f) {
                for (int i = 0; i < f.length; i++) {
                    f[i] = (float) random.nextGaussian();
                }
            }
            feeds.put(v.name(), t);
        }
        return feeds;
    }

    /** Every value of one run. */
    static Map<String, Tensor> runAll(Graph g, Map<String, Tensor> feeds) {
        Set<String> names = new LinkedHashSet<>();
        g.nodes().forEach(n -> n.outputs().stream().filter(o -> !o.isEmpty()).forEach(names::add));
        names.addAll(GraphNormalizer.names(g.outputs()));
        List<ValueInfo> outputs = names.stream().map(n -> new ValueInfo(n, null, null)).toList();
        return new GraphExecutor(new Graph(g.name(), g.inputs(), outputs, g.nodes(), g.initializers(), g.opsets(),
                g.metadata())).run(feeds);
    }

    /**
     * Constants that hold an exported size: a recurrent op's all-zero initial state is dropped
     * (zeros are the default), a Reshape target's entry equal to the size of the data's own
     * dimension at that place becomes 0 (copy that dimension), and a constant whose slices along
     * an axis of such a size are all equal, read only by broadcasting ops, keeps one slice.
     */
    static Graph rebuildConstants(Graph g, Map<String, Tensor> trace, Set<Integer> sizes) {
        Map<String, Tensor> inits = new LinkedHashMap<>(g.initializers());
        Map<String, List<Node>> readers = new HashMap<>();
        g.nodes().forEach(n -> n.inputs().forEach(i -> readers.computeIfAbsent(i, k -> new ArrayList<>()).add(n)));
        Set<String> inputNames = GraphNormalizer.names(g.inputs());
        Map<String, String> rebuilt = new LinkedHashMap<>();   // new Reshape target -> the one it replaces
        List<Node> nodes = new ArrayList<>();
        for (Node n : g.nodes()) {
            List<String> ins = new ArrayList<>(n.inputs());
            String op = n.domain().isEmpty() ? n.opType() : "";
            if (BatchAxes.RECURRENT.contains(op)) {
                for (int i = 5; i < Math.min(ins.size(), op.equals("LSTM") ? 7 : 6); i++) {
                    Tensor t = ins.get(i).isEmpty() || inputNames.contains(ins.get(i)) ? null : inits.get(ins.get(i));
                    if (t != null && t.type().isFloatingPoint() && allZero(t)) {
                        ins.set(i, "");
                    }
                }
            } else if (op.equals("Reshape") && !sizes.isEmpty() && ins.size() > 1 && inits.containsKey(ins.get(1))
                    && BatchAxes.intAttr(n, "allowzero", 0) == 0 && trace.containsKey(ins.get(0))) {
                long[] target = inits.get(ins.get(1)).toLongArray();
                int[] data = trace.get(ins.get(0)).shape();
                long[] general = target.clone();
                for (int d = 0; d < general.length && d < data.length; d++) {
                    // copying the data's own dimension is right at the exported size, and stays right at any
                    // other: either that dimension follows the generalized one, or it is fixed
                    if (general[d] > 0 && sizes.contains((int) general[d]) && data[d] == general[d]) {
                        general[d] = 0;
                    }
                }
                if (!Arrays.equals(general, target)) {
                    String name = uniqueName(ins.get(1) + "_any_batch", inits, trace);
                    inits.put(name, Tensor.ofLongs(new int[] {general.length}, general));
                    rebuilt.put(name, ins.get(1));
                    ins.set(1, name);
                }
            }
            nodes.add(ins.equals(n.inputs()) ? n : new Node(n.name(), n.opType(), n.domain(), ins, n.outputs(), n.attributes()));
        }
        for (Map.Entry<String, Tensor> e : g.initializers().entrySet()) {
            List<Node> rs = readers.getOrDefault(e.getKey(), List.of());
            if (sizes.isEmpty() || inputNames.contains(e.getKey()) || rs.isEmpty()
                    || !rs.stream().allMatch(r -> r.domain().isEmpty() && BROADCASTING.contains(r.opType()))) {
                continue;
            }
            Tensor t = e.getValue();
            for (int axis = 0; axis < t.rank(); axis++) {
                if (t.dim(axis) > 1 && sizes.contains(t.dim(axis)) && slicesEqual(t, axis)) {
                    t = firstSlice(t, axis);
                }
            }
            if (t != e.getValue()) {
                inits.put(e.getKey(), t);
            }
        }
        // a rebuilt Reshape target takes the original's name where nothing reads the original any more
        Set<String> read = new HashSet<>();
        nodes.forEach(n -> read.addAll(n.inputs()));
        Map<String, String> back = new HashMap<>();
        rebuilt.forEach((made, from) -> {
            if (!read.contains(from) && !back.containsValue(from)) {
                back.put(made, from);
            }
        });
        if (!back.isEmpty()) {
            back.forEach((made, from) -> inits.put(from, inits.remove(made)));
            nodes.replaceAll(n -> new Node(n.name(), n.opType(), n.domain(),
                    n.inputs().stream().map(i -> back.getOrDefault(i, i)).toList(), n.outputs(), n.attributes()));
        }
        Graph out = new Graph(g.name(), g.inputs(), g.outputs(), nodes, inits, g.opsets(), g.metadata());
        return GraphSpecializer.withoutDeadCode(out);
    }

    static String uniqueName(String base, Map<String, Tensor> inits, Map<String, Tensor> values) {
        String name = base;
        while (inits.containsKey(name) || values.containsKey(name)) {
            name += "_";
        }
        return name;
    }

    static boolean allZero(Tensor t) {
        for (int i = 0; i < t.size(); i++) {
            if (t.getDouble(i) != 0) {
                return false;
            }
        }
        return true;
    }

    static boolean slicesEqual(Tensor t, int axis) {
        int[] s = t.shape();
        int outer = Tensor.sizeOf(Arrays.copyOf(s, axis));
        int inner = Tensor.sizeOf(Arrays.copyOfRange(s, axis + 1, s.length));
        for (int o = 0; o < outer; o++) {
            for (int j = 1; j < s[axis]; j++) {
                for (int i = 0; i < inner; i++) {
                    if (Double.compare(t.getDouble((o * s[axis] + j) * inner + i), t.getDouble(o * s[axis] * inner + i)) != 0) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    static Tensor firstSlice(Tensor t, int axis) {
        int[] s = t.shape();
        int outer = Tensor.sizeOf(Arrays.copyOf(s, axis));
        int inner = Tensor.sizeOf(Arrays.copyOfRange(s, axis + 1, s.length));
        int[] shape = s.clone();
        shape[axis] = 1;
        Object out = Tensor.newArray(t.type(), outer * inner);
        for (int o = 0; o < outer; o++) {
            System.arraycopy(t.data(), o * s[axis] * inner, out, o * inner, inner);
        }
        return Tensor.of(t.type(), shape, out);
    }
}
