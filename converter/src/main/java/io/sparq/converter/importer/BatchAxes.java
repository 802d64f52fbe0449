package io.sparq.converter.importer;

import io.sparq.format.Attribute;
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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Import normalization, second step: which axis of an input is its batch (and which its
 * sequence), from the ops that read the input or, failing that, from a run of the graph.
 */
final class BatchAxes {
    static final Set<String> RECURRENT = Set.of("LSTM", "GRU", "RNN");

    /** Ops that keep every axis of their first input where it is. */
    private static final Set<String> AXIS_PRESERVING = Set.of("Relu", "Tanh", "Sigmoid", "Cast", "Identity", "Dropout",
            "Neg", "Abs", "Exp", "Log", "Sqrt", "Softmax", "LogSoftmax", "LeakyRelu", "Clip", "Erf", "Gelu", "Elu",
            "Selu", "HardSigmoid", "HardSwish", "Softplus", "Softsign", "Add", "Sub", "Mul", "Div", "Pow", "Max", "Min",
            "PRelu", "BatchNormalization", "InstanceNormalization", "LayerNormalization", "Slice", "Concat");

    private BatchAxes() {
    }

    static Integer namedBatchAxis(ValueInfo v) {
        Integer found = null;
        for (int d = 0; d < v.shape().size(); d++) {
            String s = v.shape().get(d).symbol();
            if (s != null && s.toLowerCase(Locale.ROOT).contains(GraphNormalizer.BATCH)) {
                if (found != null) {
                    return null;
                }
                found = d;
            }
        }
        return found;
    }

    /**
     * The batch and sequence axes of an input ({@code -1} where unknown), from the first op on a
     * path from it that tells: the input's axes are followed through ops that keep or permute
     * them.
     */
    static int[] inferAxes(Graph g, ValueInfo input) {
        Map<String, List<Node>> readers = new HashMap<>();
        for (Node n : g.nodes()) {
            for (String i : n.inputs()) {
                if (!i.isEmpty()) {
                    readers.computeIfAbsent(i, k -> new ArrayList<>()).add(n);
                }
            }
        }
        int rank = input.shape().size();
        int[] identity = new int[rank];
        for (int d = 0; d < rank; d++) {
            identity[d] = d;
        }
        record Reach(String value, int[] axes) {
        }
        List<Reach> queue = new ArrayList<>(List.of(new Reach(input.name(), identity)));
        Set<String> seen = new HashSet<>();
        for (int q = 0; q < queue.size(); q++) {
            Reach r = queue.get(q);
            if (!seen.add(r.value)) {
                continue;
            }
            for (Node n : readers.getOrDefault(r.value, List.of())) {
                int at = n.inputs().indexOf(r.value);
                int[] a = r.axes;
                String op = n.domain().isEmpty() ? n.opType() : "";
                if (RECURRENT.contains(op)) {
                    boolean seqFirst = intAttr(n, "layout", 0) == 0;
                    if (at == 0 && a.length == 3) {
                        return new int[] {a[seqFirst ? 1 : 0], a[seqFirst ? 0 : 1]};
                    }
                    if ((at == 5 || at == 6) && a.length == 3) {
                        return new int[] {a[seqFirst ? 1 : 0], -1};
                    }
                } else if (op.equals("Conv") && at == 0) {
                    return new int[] {a[0], -1};
                } else if (op.equals("Gemm") && at == 0 && a.length == 2) {
                    return new int[] {a[intAttr(n, "transA", 0) == 0 ? 0 : 1], -1};
                } else if (op.equals("MatMul") && at == 0 && a.length == 2) {
                    return new int[] {a[0], -1};
                } else if (op.equals("MatMul") && at == 0 && a.length > 2) {
                    int[] out = a.clone();
                    out[out.length - 1] = -1;
                    queue.add(new Reach(n.outputs().get(0), out));
                } else if (op.equals("Gather") && at == 1 && intAttr(n, "axis", 0) == 0
                        && g.initializers().containsKey(n.inputs().get(0))) {
                    int dataRank = g.initializers().get(n.inputs().get(0)).rank();
                    int[] out = Arrays.copyOf(a, a.length + dataRank - 1);
                    Arrays.fill(out, a.length, out.length, -1);
                    queue.add(new Reach(n.outputs().get(0), out));
                } else if (op.equals("Transpose") && at == 0) {
                    long[] perm = n.attributes().containsKey("perm") ? (long[]) n.attributes().get("perm").value() : null;
                    int[] out = new int[a.length];
                    for (int d = 0; d < a.length; d++) {
                        out[d] = a[perm == null ? a.length - 1 - d : (int) perm[d]];
                    }
                    queue.add(new Reach(n.outputs().get(0), out));
                } else if ((op.equals("Squeeze") || op.equals("Unsqueeze")) && at == 0) {
                    long[] listed = axesOf(g, n);
                    if (listed == null) {
                        continue;
                    }
                    int outRank = op.equals("Squeeze") ? a.length - listed.length : a.length + listed.length;
                    Set<Integer> axes = new HashSet<>();
                    for (long x : listed) {
                        axes.add((int) (x < 0 ? x + (op.equals("Squeeze") ? a.length : outRank) : x));
                    }
                    List<Integer> out = new ArrayList<>();
                    if (op.equals("Squeeze")) {
                        for (int d = 0; d < a.length; d++) {
                            if (!axes.contains(d)) {
                                out.add(a[d]);
                            }
                        }
                    } else {
                        for (int d = 0, j = 0; d < outRank; d++) {
                            out.add(axes.contains(d) ? -1 : a[j++]);
                        }
                    }
                    queue.add(new Reach(n.outputs().get(0), out.stream().mapToInt(Integer::intValue).toArray()));
                } else if (AXIS_PRESERVING.contains(op)) {
                    int otherRank = n.inputs().stream().filter(i -> !i.isEmpty() && g.initializers().containsKey(i))
                            .mapToInt(i -> g.initializers().get(i).rank()).max().orElse(0);
                    int[] out = a;
                    if (otherRank > a.length && ShapeGeneralizer.BROADCASTING.contains(op)) {
                        out = new int[otherRank];
                        Arrays.fill(out, 0, otherRank - a.length, -1);
                        System.arraycopy(a, 0, out, otherRank - a.length, a.length);
                    }
                    queue.add(new Reach(n.outputs().get(0), out));
                }
            }
        }
        return new int[] {-1, -1};
    }

    /** The axes of a Squeeze or Unsqueeze: its attribute (opset < 13) or its constant second input; null if unknown. */
    static long[] axesOf(Graph g, Node n) {
        Attribute a = n.attributes().get("axes");
        if (a != null) {
            return (long[]) a.value();
        }
        if (n.inputs().size() > 1 && g.initializers().containsKey(n.inputs().get(1))) {
            return g.initializers().get(n.inputs().get(1)).toLongArray();
        }
        return null;
    }

    /**
     * The batch axis found by running the graph, for inputs no op tells about: the one axis along
     * which samples are independent (changing sample 0 changes sample 0 of an output and nothing
     * else of any output). -1 when no axis or several behave so, or the graph cannot be run.
     */
    static int independentAxis(Graph g, ValueInfo input) {
        Map<String, Tensor> feeds = ShapeGeneralizer.randomFeeds(g);
        if (feeds == null || !(feeds.get(input.name()).data() instanceof float[])) {
            return -1;
        }
        int found = -1;
        try {
            GraphExecutor executor = new GraphExecutor(g);
            Map<String, Tensor> base = executor.run(feeds);
            Tensor x = feeds.get(input.name());
            for (int axis = 0; axis < x.rank(); axis++) {
                if (x.dim(axis) < 2) {
                    continue;
                }
                Tensor changed = Tensor.of(x.type(), x.shape(), ((float[]) x.data()).clone());
                float[] c = (float[]) changed.data();
                int outer = Tensor.sizeOf(Arrays.copyOf(x.shape(), axis));
                int inner = Tensor.sizeOf(Arrays.copyOfRange(x.shape(), axis + 1, x.rank()));
                for (int o = 0; o < outer; o++) {
                    for (int i = 0; i < inner; i++) {
                        c[o * x.dim(axis) * inner + i] += 1f;
                    }
                }
                Map<String, Tensor> other = new LinkedHashMap<>(feeds);
                other.put(input.name(), changed);
                Map<String, Tensor> result = executor.run(other);
                boolean independent = true;
                boolean any = false;
                for (ValueInfo o : g.outputs()) {
                    int b = onlyFirstChanged(base.get(o.name()), result.get(o.name()), x.dim(axis));
                    independent &= b != -2;
                    any |= b >= 0;
                }
                if (independent && any) {
                    if (found >= 0) {
                        return -1;
                    }
                    found = axis;
                }
            }
        } catch (SparqException e) {
            return -1;
        }
        return found;
    }

    /**
     * The axis of size {@code n} along which only slice 0 differs between two outputs; -1 when
     * nothing differs, -2 when the difference is not confined so.
     */
    static int onlyFirstChanged(Tensor a, Tensor b, int n) {
        if (a == null || b == null || !Arrays.equals(a.shape(), b.shape())) {
            return -2;
        }
        boolean differs = false;
        for (int i = 0; i < a.size() && !differs; i++) {
            differs = a.getDouble(i) != b.getDouble(i);
        }
        if (!differs) {
            return -1;
        }
        for (int axis = 0; axis < a.rank(); axis++) {
            if (a.dim(axis) != n) {
                continue;
            }
            int inner = Tensor.sizeOf(Arrays.copyOfRange(a.shape(), axis + 1, a.rank()));
            boolean confined = true;
            for (int i = 0; i < a.size() && confined; i++) {
                boolean first = (i / inner) % n == 0;
                confined = first || a.getDouble(i) == b.getDouble(i);
            }
            if (confined) {
                return axis;
            }
        }
        return -2;
    }

    static int intAttr(Node n, String name, int fallback) {
        Attribute a = n.attributes().get(name);
        return a == null ? fallback : (int) ((Number) a.value()).longValue();
    }
}
