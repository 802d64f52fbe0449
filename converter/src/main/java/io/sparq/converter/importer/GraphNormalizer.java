package io.sparq.converter.importer;

import io.sparq.converter.specialize.GraphSpecializer;
import io.sparq.converter.specialize.Specialization;
import io.sparq.format.Attribute;
import io.sparq.format.Dim;
import io.sparq.format.ErrorCode;
import io.sparq.format.Graph;
import io.sparq.format.Node;
import io.sparq.format.SparqException;
import io.sparq.format.Tensor;
import io.sparq.format.ValueInfo;
import io.sparq.runtime.graph.GraphExecutor;
import io.sparq.runtime.ops.OpRegistry;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * Brings an imported graph into the one form the converter's stages work on, whichever exporter
 * wrote it:
 *
 * <ol>
 *   <li><b>Constants folded</b>: every node whose inputs are all constants becomes an initializer
 *       (torch's dynamo exporter feeds each LSTM/GRU weight through a Slice/Concat/Unsqueeze gate
 *       reorder of the module's parameter, and nn.RNN's unrolled graph transposes its weights), so
 *       each weight that reaches a recurrent, Gemm/MatMul, Conv or Gather op is one initializer in
 *       the op's own layout. A folded weight made from one parameter takes that parameter's name
 *       (e.g. {@code rnn.weight_hh_l0}).</li>
 *   <li><b>Identical constants stored once</b>: readers of a copy read the first.</li>
 *   <li><b>Batch and sequence axes named</b>: every input's batch axis becomes the symbolic
 *       dimension {@code batch} (named so by the exporter, given by the caller, or inferred from
 *       what consumes the input: a recurrent op's {@code X} and its {@code layout}, Gemm/MatMul
 *       rows, Gather indices, Conv's N). A static batch or sequence dimension is generalized when
 *       the graph then still runs at other sizes and computes the same at the exported size;
 *       constants shaped by the exported batch (zero initial states, Reshape targets, rows
 *       broadcast over the batch) are rebuilt for any batch.</li>
 * </ol>
 */
public final class GraphNormalizer {
    /** The symbolic name every input's batch axis gets. */
    public static final String BATCH = "batch";
    /** The symbolic name a generalized static sequence axis gets. */
    public static final String SEQ = "seq";

    /** Folding stops at constants larger than this many elements (unless no larger than their inputs). */
    private static final long MAX_FOLDED_ELEMENTS = 1L << 22;
    private static final Set<String> RANDOM = Set.of("RandomNormal", "RandomUniform", "RandomNormalLike",
            "RandomUniformLike", "Multinomial", "Bernoulli");
    private static final Set<String> RECURRENT = Set.of("LSTM", "GRU", "RNN");
    /** Ops that keep every axis of their first input where it is. */
    private static final Set<String> AXIS_PRESERVING = Set.of("Relu", "Tanh", "Sigmoid", "Cast", "Identity", "Dropout",
            "Neg", "Abs", "Exp", "Log", "Sqrt", "Softmax", "LogSoftmax", "LeakyRelu", "Clip", "Erf", "Gelu", "Elu",
            "Selu", "HardSigmoid", "HardSwish", "Softplus", "Softsign", "Add", "Sub", "Mul", "Div", "Pow", "Max", "Min",
            "PRelu", "BatchNormalization", "InstanceNormalization", "LayerNormalization", "Slice", "Concat");
    /** Element-wise ops that broadcast their operands, so a constant may shrink to size 1 along an axis. */
    private static final Set<String> BROADCASTING = Set.of("Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Where",
            "Expand");

    private GraphNormalizer() {
    }

    /**
     * What {@link #normalize} did.
     *
     * @param folded        nodes replaced by initializers
     * @param shared        initializers dropped as copies of another
     * @param renamed       folded weights named after their source parameter, new name by old
     * @param batchAxes     per required input, the axis that is now named {@code batch} (inputs
     *                      without one are missing)
     * @param notes         one line per thing a user should know (a dimension generalized, one that
     *                      could not be)
     */
    public record Result(Graph graph, int folded, int shared, Map<String, String> renamed,
                         Map<String, Integer> batchAxes, List<String> notes) {
    }

    /**
     * @param batchAxes batch axis by input name, for inputs whose batch axis the graph does not
     *                  tell (given with {@code --batch-axis NAME=AXIS}); may be empty
     * @throws SparqException {@code INVALID_ARGUMENT} for a given axis of an unknown input or out of
     *         its range
     */
    public static Result normalize(Graph graph, Map<String, Integer> batchAxes) {
        checkGivenAxes(graph, batchAxes);
        Folded f = foldConstants(graph);
        Shared s = shareConstants(f.graph);
        Graph g = GraphSpecializer.withoutDeadCode(s.graph);
        Map<String, String> renamed = new LinkedHashMap<>();
        g = nameAfterSources(g, graph.initializers(), f.sources, s.alias, renamed);
        // zeros are a recurrent op's default initial state: a zero constant would fix the batch size
        g = rebuildConstants(g, Map.of(), Set.of());
        List<String> notes = new ArrayList<>();
        Axes axes = nameAxes(g, batchAxes, notes);
        // generalizing may have made equal Reshape targets
        Shared again = shareConstants(axes.graph);
        return new Result(GraphSpecializer.withoutDeadCode(again.graph), f.count, s.count, renamed, axes.batch, notes);
    }

    private static void checkGivenAxes(Graph graph, Map<String, Integer> given) {
        Map<String, ValueInfo> inputs = new LinkedHashMap<>();
        graph.requiredInputs().forEach(v -> inputs.put(v.name(), v));
        given.forEach((name, axis) -> {
            ValueInfo v = inputs.get(name);
            if (v == null) {
                throw new SparqException(ErrorCode.INVALID_ARGUMENT, "--batch-axis " + name + "=" + axis
                        + ": the model has no input '" + name + "'; its inputs are " + inputs.keySet());
            }
            if (axis < 0 || (v.shape() != null && axis >= v.shape().size())) {
                throw new SparqException(ErrorCode.INVALID_ARGUMENT, "--batch-axis " + name + "=" + axis
                        + ": expected an axis in 0.." + (v.shape() == null ? "rank-1" : v.shape().size() - 1)
                        + " of " + v);
            }
        });
    }

    // ---- constant folding ----

    private record Folded(Graph graph, int count, Map<String, Set<String>> sources) {
    }

    private static Folded foldConstants(Graph g) {
        Set<String> inputNames = names(g.inputs());
        Set<String> outputNames = names(g.outputs());
        Map<String, Tensor> constants = new LinkedHashMap<>();
        g.initializers().forEach((k, v) -> {
            if (!inputNames.contains(k)) {
                constants.put(k, v);
            }
        });
        // which original initializers each constant was computed from
        Map<String, Set<String>> sources = new HashMap<>();
        constants.keySet().forEach(k -> sources.put(k, Set.of(k)));
        Set<String> known = new HashSet<>(constants.keySet());
        List<Node> foldable = new ArrayList<>();
        for (Node n : g.nodes()) {
            if (isFoldable(n, known, outputNames)) {
                foldable.add(n);
                Set<String> from = new TreeSet<>();
                n.inputs().stream().filter(i -> !i.isEmpty()).forEach(i -> from.addAll(sources.get(i)));
                for (String o : n.outputs()) {
                    if (!o.isEmpty()) {
                        known.add(o);
                        sources.put(o, from);
                    }
                }
            }
        }
        if (foldable.isEmpty()) {
            return new Folded(g, 0, sources);
        }
        List<ValueInfo> wanted = new ArrayList<>();
        foldable.forEach(n -> n.outputs().stream().filter(o -> !o.isEmpty()).forEach(o -> wanted.add(new ValueInfo(o, null, null))));
        Map<String, Tensor> values;
        try {
            values = new GraphExecutor(new Graph(g.name(), List.of(), wanted, foldable, constants, g.opsets(), g.metadata()))
                    .run(Map.of());
        } catch (SparqException e) {
            throw new SparqException(e.code(), "folding the model's constant nodes failed: " + e.getMessage(), e);
        }
        Map<String, Tensor> inits = new LinkedHashMap<>(g.initializers());
        Set<Node> folded = new HashSet<>();
        for (Node n : foldable) {
            long in = 0;
            for (String i : n.inputs()) {
                Tensor t = i.isEmpty() ? null : inits.get(i);
                if (!i.isEmpty() && t == null) {
                    in = -1;       // an input that stayed a node: so does this one
                    break;
                }
                in += t == null ? 0 : t.size();
            }
            long out = n.outputs().stream().filter(o -> !o.isEmpty()).mapToLong(o -> values.get(o).size()).sum();
            if (in < 0 || out > Math.max(in, MAX_FOLDED_ELEMENTS)) {
                continue;
            }
            n.outputs().stream().filter(o -> !o.isEmpty()).forEach(o -> inits.put(o, values.get(o)));
            folded.add(n);
        }
        List<Node> nodes = g.nodes().stream().filter(n -> !folded.contains(n)).toList();
        return new Folded(new Graph(g.name(), g.inputs(), g.outputs(), nodes, inits, g.opsets(), g.metadata()),
                folded.size(), sources);
    }

    private static boolean isFoldable(Node n, Set<String> constants, Set<String> graphOutputs) {
        if (!(n.domain().isEmpty() || n.domain().equals("ai.onnx")) || RANDOM.contains(n.opType())
                || n.attributes().values().stream().anyMatch(a -> a.kind() == Attribute.Kind.GRAPH)
                || n.outputs().stream().anyMatch(graphOutputs::contains)
                || OpRegistry.standard().lookup(n.domain(), n.opType()).isEmpty()) {
            return false;
        }
        return n.inputs().stream().allMatch(i -> i.isEmpty() || constants.contains(i));
    }

    // ---- one copy of each constant ----

    private record Shared(Graph graph, int count, Map<String, String> alias) {
    }

    private static Shared shareConstants(Graph g) {
        Set<String> fixed = names(g.inputs());
        fixed.addAll(names(g.outputs()));
        g.nodes().forEach(n -> n.attributes().values().stream().filter(a -> a.kind() == Attribute.Kind.GRAPH)
                .forEach(a -> readsOf((Graph) a.value(), fixed)));
        Map<String, List<String>> byContent = new HashMap<>();
        Map<String, String> alias = new HashMap<>();
        for (Map.Entry<String, Tensor> e : g.initializers().entrySet()) {
            if (fixed.contains(e.getKey())) {
                continue;
            }
            Tensor t = e.getValue();
            String key = t.type() + Arrays.toString(t.shape()) + "#" + contentHash(t);
            List<String> same = byContent.computeIfAbsent(key, k -> new ArrayList<>());
            String first = same.stream().filter(other -> contentEquals(g.initializers().get(other), t)).findFirst().orElse(null);
            if (first != null) {
                alias.put(e.getKey(), first);
            } else {
                same.add(e.getKey());
            }
        }
        if (alias.isEmpty()) {
            return new Shared(g, 0, alias);
        }
        List<Node> nodes = g.nodes().stream().map(n -> new Node(n.name(), n.opType(), n.domain(),
                n.inputs().stream().map(i -> alias.getOrDefault(i, i)).toList(), n.outputs(), n.attributes())).toList();
        Map<String, Tensor> inits = new LinkedHashMap<>(g.initializers());
        alias.keySet().forEach(inits::remove);
        return new Shared(new Graph(g.name(), g.inputs(), g.outputs(), nodes, inits, g.opsets(), g.metadata()),
                alias.size(), alias);
    }

    private static int contentHash(Tensor t) {
        Object d = t.data();
        if (d instanceof float[] a) {
            return Arrays.hashCode(a);
        } else if (d instanceof long[] a) {
            return Arrays.hashCode(a);
        } else if (d instanceof int[] a) {
            return Arrays.hashCode(a);
        } else if (d instanceof double[] a) {
            return Arrays.hashCode(a);
        } else if (d instanceof byte[] a) {
            return Arrays.hashCode(a);
        } else if (d instanceof short[] a) {
            return Arrays.hashCode(a);
        } else if (d instanceof boolean[] a) {
            return Arrays.hashCode(a);
        }
        return System.identityHashCode(d);   // an unknown kind of array is never shared
    }

    private static boolean contentEquals(Tensor a, Tensor b) {
        if (a.type() != b.type() || !Arrays.equals(a.shape(), b.shape())) {
            return false;
        }
        Object p = a.data();
        Object q = b.data();
        if (p instanceof float[] x) {
            return Arrays.equals(x, (float[]) q);
        } else if (p instanceof long[] x) {
            return Arrays.equals(x, (long[]) q);
        } else if (p instanceof int[] x) {
            return Arrays.equals(x, (int[]) q);
        } else if (p instanceof double[] x) {
            return Arrays.equals(x, (double[]) q);
        } else if (p instanceof byte[] x) {
            return Arrays.equals(x, (byte[]) q);
        } else if (p instanceof short[] x) {
            return Arrays.equals(x, (short[]) q);
        } else if (p instanceof boolean[] x) {
            return Arrays.equals(x, (boolean[]) q);
        }
        return false;
    }

    // ---- names ----

    /**
     * Folded floating-point constants made from the same parameter(s) take their name(s), e.g.
     * {@code rnn.weight_hh_l0}, or {@code rnn.weight_hh_l0+rnn.weight_hh_l0_reverse} for the two
     * directions of a bidirectional layer, where no value of the graph has that name any more.
     */
    private static Graph nameAfterSources(Graph g, Map<String, Tensor> original, Map<String, Set<String>> sources,
                                          Map<String, String> alias, Map<String, String> renamed) {
        Set<String> taken = new HashSet<>(g.initializers().keySet());
        taken.addAll(names(g.inputs()));
        taken.addAll(names(g.outputs()));
        g.nodes().forEach(n -> taken.addAll(n.outputs()));
        Map<String, String> rename = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : g.initializers().entrySet()) {
            String name = e.getKey();
            Set<String> from = sources.get(name);
            if (original.containsKey(name) || from == null || !e.getValue().type().isFloatingPoint()) {
                continue;
            }
            // the floating-point constants it was made of: the parameters, not index constants
            List<String> params = from.stream().filter(s -> original.get(s).type().isFloatingPoint()).toList();
            boolean named = params.stream().allMatch(s -> isParameterName(s) && !taken.contains(s) && !alias.containsKey(s));
            if (params.isEmpty() || params.size() > 2 || !named) {
                continue;
            }
            String wanted = String.join("+", params);
            if (!taken.contains(wanted) && !rename.containsValue(wanted)) {
                rename.put(name, wanted);
            }
        }
        if (rename.isEmpty()) {
            return g;
        }
        renamed.putAll(rename);
        Map<String, Tensor> inits = new LinkedHashMap<>();
        g.initializers().forEach((k, v) -> inits.put(rename.getOrDefault(k, k), v));
        List<Node> nodes = g.nodes().stream().map(n -> new Node(n.name(), n.opType(), n.domain(),
                n.inputs().stream().map(i -> rename.getOrDefault(i, i)).toList(), n.outputs(), n.attributes())).toList();
        return new Graph(g.name(), g.inputs(), g.outputs(), nodes, inits, g.opsets(), g.metadata());
    }

    /** A name a person gave (a module's parameter), not one an exporter made up. */
    private static boolean isParameterName(String name) {
        return !name.matches("(val|_val|_v|tmp|Constant|const|onnx::|_onnx|initializer)[_:]?\\d*.*")
                && !name.matches(".*[_:]\\d+") && name.matches("[A-Za-z_][\\w.]*");
    }

    // ---- batch and sequence axes ----

    private record Axes(Graph graph, Map<String, Integer> batch) {
    }

    private static Axes nameAxes(Graph g, Map<String, Integer> given, List<String> notes) {
        Map<String, Integer> batch = new LinkedHashMap<>();
        Map<String, Integer> seq = new LinkedHashMap<>();
        for (ValueInfo v : g.requiredInputs()) {
            if (v.shape() == null) {
                continue;
            }
            int[] inferred = inferAxes(g, v);
            if (inferred[0] < 0 && !given.containsKey(v.name()) && namedBatchAxis(v) == null) {
                inferred[0] = independentAxis(g, v);
            }
            Integer b = given.containsKey(v.name()) ? given.get(v.name()) : namedBatchAxis(v);
            if (b == null && inferred[0] >= 0) {
                b = inferred[0];
            }
            if (b != null) {
                batch.put(v.name(), b);
            }
            if (inferred[1] >= 0 && v.shape().get(inferred[1]).isFixed() && (b == null || inferred[1] != b)) {
                seq.put(v.name(), inferred[1]);
            }
        }
        // symbols renamed to "batch" across inputs and outputs
        Map<String, String> symbols = new HashMap<>();
        Map<String, Integer> staticBatch = new LinkedHashMap<>();
        batch.forEach((name, axis) -> {
            Dim d = input(g, name).shape().get(axis);
            if (d.isFixed()) {
                staticBatch.put(name, axis);
            } else if (d.symbol() != null && !d.symbol().equals(BATCH)) {
                symbols.put(d.symbol(), BATCH);
            }
        });
        Graph renamed = symbols.isEmpty() ? g : withSymbols(g, symbols, Map.of());
        if (staticBatch.isEmpty() && seq.isEmpty()) {
            return new Axes(renamed, batch);
        }
        Map<String, Map<Integer, String>> generalize = new LinkedHashMap<>();
        staticBatch.forEach((name, axis) -> generalize.computeIfAbsent(name, k -> new LinkedHashMap<>()).put(axis, BATCH));
        seq.forEach((name, axis) -> generalize.computeIfAbsent(name, k -> new LinkedHashMap<>()).put(axis, SEQ));
        Graph general = tryGeneralize(renamed, generalize);
        if (general == null && !seq.isEmpty()) {
            general = tryGeneralize(renamed, withoutSymbol(generalize, SEQ));
            if (general != null) {
                notes.add("the sequence length stays fixed at " + describeFixed(renamed, seq)
                        + ": the graph does not run at other lengths (an unrolled recurrence)");
            }
        }
        if (general == null) {
            notes.add("the batch size stays fixed at " + describeFixed(renamed, staticBatch.isEmpty() ? seq : staticBatch)
                    + ": the graph does not run correctly at other sizes");
            return new Axes(renamed, batch);
        }
        notes.add("generalized static dimensions: " + describeGeneral(renamed, general));
        return new Axes(general, batch);
    }

    private static Map<String, Map<Integer, String>> withoutSymbol(Map<String, Map<Integer, String>> m, String symbol) {
        Map<String, Map<Integer, String>> out = new LinkedHashMap<>();
        m.forEach((k, v) -> {
            Map<Integer, String> kept = new LinkedHashMap<>(v);
            kept.values().removeIf(symbol::equals);
            if (!kept.isEmpty()) {
                out.put(k, kept);
            }
        });
        return out;
    }

    private static String describeFixed(Graph g, Map<String, Integer> axes) {
        List<String> parts = new ArrayList<>();
        axes.forEach((name, axis) -> parts.add(input(g, name).shape().get(axis) + " (axis " + axis + " of '" + name + "')"));
        return String.join(", ", parts);
    }

    private static String describeGeneral(Graph before, Graph after) {
        List<String> parts = new ArrayList<>();
        for (ValueInfo v : after.requiredInputs()) {
            ValueInfo old = input(before, v.name());
            if (old != null && !String.valueOf(old.shape()).equals(String.valueOf(v.shape()))) {
                parts.add(v.name() + " " + old.shape() + " -> " + v.shape());
            }
        }
        return String.join(", ", parts);
    }

    private static ValueInfo input(Graph g, String name) {
        return g.inputs().stream().filter(v -> v.name().equals(name)).findFirst().orElse(null);
    }

    private static Integer namedBatchAxis(ValueInfo v) {
        Integer found = null;
        for (int d = 0; d < v.shape().size(); d++) {
            String s = v.shape().get(d).symbol();
            if (s != null && s.toLowerCase(Locale.ROOT).contains(BATCH)) {
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
                    if (otherRank > a.length && BROADCASTING.contains(op)) {
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
    private static long[] axesOf(Graph g, Node n) {
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
        Map<String, Tensor> feeds = randomFeeds(g);
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
    private static int onlyFirstChanged(Tensor a, Tensor b, int n) {
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

    private static int intAttr(Node n, String name, int fallback) {
        Attribute a = n.attributes().get(name);
        return a == null ? fallback : (int) ((Number) a.value()).longValue();
    }

    /** The graph with symbols renamed in every input and output shape and the given input dims replaced. */
    private static Graph withSymbols(Graph g, Map<String, String> symbols, Map<String, Map<Integer, String>> dims) {
        List<ValueInfo> inputs = new ArrayList<>();
        for (ValueInfo v : g.inputs()) {
            inputs.add(renamed(v, symbols, dims.getOrDefault(v.name(), Map.of())));
        }
        List<ValueInfo> outputs = g.outputs().stream().map(v -> renamed(v, symbols, Map.of())).toList();
        return new Graph(g.name(), inputs, outputs, g.nodes(), g.initializers(), g.opsets(), g.metadata());
    }

    private static ValueInfo renamed(ValueInfo v, Map<String, String> symbols, Map<Integer, String> dims) {
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

    // ---- generalizing static dimensions ----

    /**
     * The graph with the given static input dimensions made symbolic and the constants that were
     * shaped by them rebuilt, or null when the result does not run at other sizes, or computes
     * something else at the exported size, or leaves an output dimension that followed one of them
     * fixed.
     */
    private static Graph tryGeneralize(Graph g, Map<String, Map<Integer, String>> dims) {
        if (dims.isEmpty()) {
            return null;
        }
        Map<String, Integer> exported = new LinkedHashMap<>();   // symbol -> exported size
        dims.forEach((name, axes) -> axes.forEach((axis, symbol) ->
                exported.putIfAbsent(symbol, input(g, name).shape().get(axis).value())));
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

    private static boolean close(Tensor a, Tensor b) {
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
    private static Map<String, Tensor> randomFeeds(Graph g) {
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
    private static Map<String, Tensor> runAll(Graph g, Map<String, Tensor> feeds) {
        Set<String> names = new LinkedHashSet<>();
        g.nodes().forEach(n -> n.outputs().stream().filter(o -> !o.isEmpty()).forEach(names::add));
        names.addAll(names(g.outputs()));
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
    private static Graph rebuildConstants(Graph g, Map<String, Tensor> trace, Set<Integer> sizes) {
        Map<String, Tensor> inits = new LinkedHashMap<>(g.initializers());
        Map<String, List<Node>> readers = new HashMap<>();
        g.nodes().forEach(n -> n.inputs().forEach(i -> readers.computeIfAbsent(i, k -> new ArrayList<>()).add(n)));
        Set<String> inputNames = names(g.inputs());
        Map<String, String> rebuilt = new LinkedHashMap<>();   // new Reshape target -> the one it replaces
        List<Node> nodes = new ArrayList<>();
        for (Node n : g.nodes()) {
            List<String> ins = new ArrayList<>(n.inputs());
            String op = n.domain().isEmpty() ? n.opType() : "";
            if (RECURRENT.contains(op)) {
                for (int i = 5; i < Math.min(ins.size(), op.equals("LSTM") ? 7 : 6); i++) {
                    Tensor t = ins.get(i).isEmpty() || inputNames.contains(ins.get(i)) ? null : inits.get(ins.get(i));
                    if (t != null && t.type().isFloatingPoint() && allZero(t)) {
                        ins.set(i, "");
                    }
                }
            } else if (op.equals("Reshape") && !sizes.isEmpty() && ins.size() > 1 && inits.containsKey(ins.get(1))
                    && intAttr(n, "allowzero", 0) == 0 && trace.containsKey(ins.get(0))) {
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

    private static String uniqueName(String base, Map<String, Tensor> inits, Map<String, Tensor> values) {
        String name = base;
        while (inits.containsKey(name) || values.containsKey(name)) {
            name += "_";
        }
        return name;
    }

    private static boolean allZero(Tensor t) {
        for (int i = 0; i < t.size(); i++) {
            if (t.getDouble(i) != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean slicesEqual(Tensor t, int axis) {
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

    private static Tensor firstSlice(Tensor t, int axis) {
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

    // ---- helpers ----

    private static Set<String> names(List<ValueInfo> values) {
        Set<String> out = new HashSet<>();
        values.forEach(v -> out.add(v.name()));
        return out;
    }

    private static void readsOf(Graph graph, Set<String> into) {
        for (Node n : graph.nodes()) {
            into.addAll(n.inputs());
            n.attributes().values().stream().filter(a -> a.kind() == Attribute.Kind.GRAPH)
                    .forEach(a -> readsOf((Graph) a.value(), into));
        }
    }
}
