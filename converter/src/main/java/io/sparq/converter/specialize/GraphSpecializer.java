package io.sparq.converter.specialize;

import io.sparq.format.Attribute;
import io.sparq.format.DataType;
import io.sparq.format.Dim;
import io.sparq.format.ErrorCode;
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
import java.util.Set;

/**
 * Specializes a graph to fixed input values and shapes, then folds what became constant: a node
 * whose inputs are all constants becomes an initializer (so {@code Constant} nodes do too), a
 * {@code Shape} or {@code Size} of a value whose shape no longer depends on input values becomes
 * one, and an {@code If} whose condition is constant is replaced by the branch it takes, inlined
 * into the enclosing graph (its nodes and initializers join it; its outputs are bound by
 * {@code Identity} nodes). This repeats until nothing changes, then nodes and initializers no
 * output needs are dropped.
 *
 * <p>The result is a plain graph wherever the control flow depended only on the fixed values and
 * shapes, e.g. a sample-rate switch and the exporter's rank checks: its weights are initializers
 * of the main graph, which pruning, fine-tuning and the encoder work on. It computes what the
 * original computes for every input that matches the specialization, and accepts no other.
 *
 * <p>How shapes are known: the graph is run twice on zeros of the fixed shapes, every symbolic
 * dimension set to a different size in each run (2, 3, 4... and 3, 5, 7...). A {@code Shape} is
 * folded only when its input is <em>shape-static</em> (its shape follows from the input shapes
 * alone: no op between it and the inputs takes a shape, size, index range or axes from a
 * non-constant value, and no unfolded {@code If} lies between) and both runs agree on it, so a
 * dimension that follows a symbolic one is never folded.
 */
public final class GraphSpecializer {
    /** Ops whose results are not a function of their inputs; never folded. */
    private static final Set<String> RANDOM = Set.of("RandomNormal", "RandomUniform", "RandomNormalLike",
            "RandomUniformLike", "Multinomial", "Bernoulli");
    /** Per op, the inputs whose values (not just shapes) decide the output shape. */
    private static final Map<String, int[]> SHAPE_INPUTS = Map.ofEntries(
            Map.entry("Reshape", new int[] {1}), Map.entry("Expand", new int[] {1}), Map.entry("Tile", new int[] {1}),
            Map.entry("ConstantOfShape", new int[] {0}), Map.entry("Range", new int[] {0, 1, 2}),
            Map.entry("Slice", new int[] {1, 2, 3, 4}), Map.entry("Pad", new int[] {1, 3}),
            Map.entry("Squeeze", new int[] {1}), Map.entry("Unsqueeze", new int[] {1}), Map.entry("Split", new int[] {1}),
            Map.entry("Resize", new int[] {1, 2, 3}), Map.entry("Upsample", new int[] {1}),
            Map.entry("OneHot", new int[] {1}), Map.entry("TopK", new int[] {1}), Map.entry("ReduceMean", new int[] {1}),
            Map.entry("ReduceSum", new int[] {1}), Map.entry("ReduceMax", new int[] {1}), Map.entry("ReduceMin", new int[] {1}),
            Map.entry("ReduceProd", new int[] {1}), Map.entry("ReduceL1", new int[] {1}), Map.entry("ReduceL2", new int[] {1}),
            Map.entry("ReduceLogSumExp", new int[] {1}), Map.entry("ReduceSumSquare", new int[] {1}),
            Map.entry("ReduceLogSum", new int[] {1}), Map.entry("CenterCropPad", new int[] {1}));
    /** Ops whose output shape depends on data values whatever their inputs. */
    private static final Set<String> DATA_SHAPED = Set.of("NonZero", "Compress", "Unique", "Loop", "Scan", "If",
            "NonMaxSuppression");
    private static final int MAX_ROUNDS = 64;

    private GraphSpecializer() {
    }

    /** What {@link #specialize} did, for the conversion report. */
    public record Result(Graph graph, int foldedNodes, int inlinedIfs, int remainingIfs) {
    }

    /**
     * @throws SparqException {@code INVALID_ARGUMENT} for an unknown input name, a value that does
     *         not parse as the input's type, or an input whose shape is needed but not known
     */
    public static Result specialize(Graph graph, Specialization spec) {
        Graph g = bind(graph, spec);
        int folded = 0;
        int inlined = 0;
        for (int round = 0; round < MAX_ROUNDS; round++) {
            Fold f = foldOnce(g, traces(g));
            folded += f.folded;
            inlined += f.inlined;
            if (f.folded == 0 && f.inlined == 0) {
                break;
            }
            g = f.graph;
        }
        g = withoutIdentities(withoutDeadCode(g));
        g = withTracedOutputs(g, traces(g));
        int remaining = countIfs(g);
        return new Result(g, folded, inlined, remaining);
    }

    // ---- binding the specialization ----

    private static Graph bind(Graph graph, Specialization spec) {
        Map<String, ValueInfo> declared = new LinkedHashMap<>();
        graph.inputs().forEach(v -> declared.put(v.name(), v));
        for (String name : concat(spec.values().keySet(), spec.shapes().keySet())) {
            if (!declared.containsKey(name)) {
                throw new SparqException(ErrorCode.INVALID_ARGUMENT, "cannot specialize input '" + name
                        + "': the graph has no such input; inputs are " + declared.keySet());
            }
        }
        Map<String, Tensor> inits = new LinkedHashMap<>(graph.initializers());
        List<ValueInfo> inputs = new ArrayList<>();
        for (ValueInfo v : graph.inputs()) {
            String text = spec.values().get(v.name());
            List<String> dims = spec.shapes().get(v.name());
            if (text != null) {
                inits.put(v.name(), parseValue(v, text));
            } else if (dims != null) {
                if (v.shape() != null && v.shape().size() != dims.size()) {
                    throw new SparqException(ErrorCode.INVALID_ARGUMENT, "input shape " + v.name() + "=" + dims
                            + " has rank " + dims.size() + ", but the graph declares " + v);
                }
                List<Dim> shape = new ArrayList<>();
                for (String d : dims) {
                    shape.add(d.chars().allMatch(Character::isDigit) ? Dim.of(Integer.parseInt(d)) : Dim.symbol(d));
                }
                inputs.add(new ValueInfo(v.name(), v.type(), shape));
            } else {
                inputs.add(v);
            }
        }
        return new Graph(graph.name(), inputs, graph.outputs(), graph.nodes(), inits, graph.opsets(), graph.metadata());
    }

    private static List<String> concat(Set<String> a, Set<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** A scalar (or, for a declared 1-D input, comma-separated values) of the input's declared type. */
    private static Tensor parseValue(ValueInfo v, String text) {
        String[] parts = text.split(",", -1);
        boolean vector = v.shape() != null && v.shape().size() == 1;
        if (v.shape() != null && v.shape().size() > 1 || (!vector && parts.length != 1)) {
            throw new SparqException(ErrorCode.INVALID_ARGUMENT, "input value " + v.name() + "=" + text
                    + ": only scalar and 1-D inputs can be given a value; the graph declares " + v);
        }
        int[] shape = vector ? new int[] {parts.length} : new int[0];
        DataType type = v.type() == null ? DataType.FLOAT32 : v.type();
        try {
            return switch (type) {
                case INT64 -> Tensor.ofLongs(shape, Arrays.stream(parts).mapToLong(s -> Long.parseLong(s.trim())).toArray());
                case INT32 -> Tensor.ofInts(shape, Arrays.stream(parts).mapToInt(s -> Integer.parseInt(s.trim())).toArray());
                case FLOAT32 -> {
                    float[] f = new float[parts.length];
                    for (int i = 0; i < f.length; i++) {
                        f[i] = Float.parseFloat(parts[i].trim());
                    }
                    yield Tensor.ofFloats(shape, f);
                }
                case BOOL -> {
                    boolean[] f = new boolean[parts.length];
                    for (int i = 0; i < f.length; i++) {
                        f[i] = switch (parts[i].trim()) {
                            case "true", "1" -> true;
                            case "false", "0" -> false;
                            default -> throw new NumberFormatException(parts[i]);
                        };
                    }
                    yield Tensor.ofBools(shape, f);
                }
                default -> throw new SparqException(ErrorCode.INVALID_ARGUMENT, "input value " + v.name() + "=" + text
                        + ": inputs of type " + type.displayName() + " cannot be given a value; int64, int32, float32"
                        + " and bool can");
            };
        } catch (NumberFormatException e) {
            throw new SparqException(ErrorCode.INVALID_ARGUMENT, "input value " + v.name() + "=" + text
                    + " is not a " + type.displayName() + " value" + (vector ? " list" : ""), e);
        }
    }

    // ---- tracing ----

    /** Every main-graph value of one run on zeros, with the size each symbolic dimension had. */
    private record Trace(Map<String, Tensor> values, Map<String, Integer> symbols, List<Node> order) {
    }

    private static List<Trace> traces(Graph g) {
        return List.of(trace(g, 0), trace(g, 1), trace(g, 2));
    }

    /** Run 0 sets every symbolic dimension to 1, run 1 to 2, 3, 4..., run 2 to 3, 5, 7... */
    private static Trace trace(Graph g, int run) {
        Map<String, Integer> symbols = new LinkedHashMap<>();
        Map<String, Tensor> feeds = new LinkedHashMap<>();
        for (ValueInfo v : g.requiredInputs()) {
            if (v.shape() == null || v.type() == null || v.shape().stream().anyMatch(d -> !d.isFixed() && d.symbol() == null)) {
                throw new SparqException(ErrorCode.INVALID_ARGUMENT, "cannot specialize: input " + v
                        + " has no complete declared shape and type; give its shape (e.g. " + v.name() + "=batch,576)");
            }
            int[] shape = new int[v.shape().size()];
            for (int d = 0; d < shape.length; d++) {
                Dim dim = v.shape().get(d);
                if (dim.isFixed()) {
                    shape[d] = dim.value();
                } else {
                    int index = symbols.containsKey(dim.symbol()) ? -1 : symbols.size();
                    symbols.computeIfAbsent(dim.symbol(), k -> run == 0 ? 1 : run == 1 ? 2 + index : 3 + 2 * index);
                    shape[d] = symbols.get(dim.symbol());
                }
            }
            feeds.put(v.name(), Tensor.zeros(v.type(), shape));
        }
        Set<String> names = new LinkedHashSet<>();
        g.nodes().forEach(n -> n.outputs().stream().filter(o -> !o.isEmpty()).forEach(names::add));
        g.outputs().forEach(o -> names.add(o.name()));
        List<ValueInfo> outputs = names.stream().map(n -> new ValueInfo(n, null, null)).toList();
        Graph all = new Graph(g.name(), g.inputs(), outputs, g.nodes(), g.initializers(), g.opsets(), g.metadata());
        try {
            GraphExecutor executor = new GraphExecutor(all);
            return new Trace(executor.run(feeds), symbols, executor.order());
        } catch (SparqException e) {
            throw new SparqException(e.code(), "cannot specialize: running the graph on zeros of shapes " + shapes(feeds)
                    + " failed: " + e.getMessage(), e);
        }
    }

    private static String shapes(Map<String, Tensor> feeds) {
        StringBuilder b = new StringBuilder();
        feeds.forEach((k, v) -> b.append(b.length() > 0 ? ", " : "").append(k).append(Arrays.toString(v.shape())));
        return b.toString();
    }

    // ---- folding ----

    private record Fold(Graph graph, int folded, int inlined) {
    }

    private static Fold foldOnce(Graph g, List<Trace> traces) {
        Map<String, Tensor> inits = new LinkedHashMap<>(g.initializers());
        // values whose shapes follow from the input shapes alone
        Set<String> staticShape = new HashSet<>(inits.keySet());
        g.inputs().forEach(v -> staticShape.add(v.name()));
        // values computed from constants and such shapes only: functions of the input shapes
        Set<String> ofShapes = new HashSet<>(inits.keySet());
        Set<String> nodeNames = new HashSet<>();
        g.nodes().forEach(n -> nodeNames.add(n.name()));
        Map<Node, List<Node>> replacement = new HashMap<>();
        int folded = 0;
        int inlined = 0;
        for (Node n : traces.get(0).order()) {
            List<String> ins = n.inputs().stream().filter(s -> !s.isEmpty()).toList();
            boolean hasSubgraph = n.attributes().values().stream().anyMatch(at -> at.kind() == Attribute.Kind.GRAPH);
            boolean shapeOp = (n.opType().equals("Shape") || n.opType().equals("Size")) && n.domain().isEmpty();
            boolean fromShapes = shapeOp ? staticShape.contains(n.inputs().get(0))
                    : !hasSubgraph && !RANDOM.contains(n.opType()) && ins.stream().allMatch(ofShapes::contains);
            if (n.opType().equals("If") && n.domain().isEmpty() && inits.containsKey(n.inputs().get(0))) {
                replacement.put(n, inline(n, inits, nodeNames));
                inlined++;
                continue;
            }
            if (fromShapes && sameInAll(n.outputs(), traces)) {
                n.outputs().stream().filter(o -> !o.isEmpty()).forEach(o -> inits.put(o, traces.get(0).values().get(o)));
                replacement.put(n, List.of());
                folded++;
            }
            if (fromShapes) {
                ofShapes.addAll(n.outputs());
            }
            if (inits.keySet().containsAll(n.outputs().stream().filter(o -> !o.isEmpty()).toList())
                    || (!hasSubgraph && !DATA_SHAPED.contains(n.opType()) && ins.stream().allMatch(staticShape::contains)
                    && shapeInputsConstant(n, inits))) {
                staticShape.addAll(n.outputs());
            }
        }
        if (folded == 0 && inlined == 0) {
            return new Fold(g, 0, 0);
        }
        List<Node> nodes = new ArrayList<>();
        for (Node n : g.nodes()) {
            nodes.addAll(replacement.getOrDefault(n, List.of(n)));
        }
        Graph out = new Graph(g.name(), g.inputs(), g.outputs(), nodes, inits, g.opsets(), g.metadata());
        return new Fold(out, folded, inlined);
    }

    private static boolean shapeInputsConstant(Node n, Map<String, Tensor> inits) {
        int[] positions = SHAPE_INPUTS.getOrDefault(n.opType(), new int[0]);
        for (int p : positions) {
            if (p < n.inputs().size() && !n.inputs().get(p).isEmpty() && !inits.containsKey(n.inputs().get(p))) {
                return false;
            }
        }
        return true;
    }

    private static boolean sameInAll(List<String> outputs, List<Trace> traces) {
        for (String o : outputs) {
            if (o.isEmpty()) {
                continue;
            }
            Tensor x = traces.get(0).values().get(o);
            for (Trace t : traces) {
                Tensor y = t.values().get(o);
                if (x == null || y == null || !x.contentEquals(y)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The nodes that replace {@code node}: the taken branch's nodes, then one Identity per output. */
    private static List<Node> inline(Node node, Map<String, Tensor> inits, Set<String> nodeNames) {
        boolean cond = inits.get(node.inputs().get(0)).getDouble(0) != 0;
        String which = cond ? "then_branch" : "else_branch";
        Attribute attr = node.attributes().get(which);
        if (attr == null || attr.kind() != Attribute.Kind.GRAPH) {
            throw new SparqException(ErrorCode.INVALID_MODEL, "node " + node.describe() + " has no graph attribute " + which);
        }
        Graph branch = (Graph) attr.value();
        if (!branch.inputs().isEmpty()) {
            throw new SparqException(ErrorCode.INVALID_MODEL, "node " + node.describe() + ": " + which
                    + " declares inputs " + branch.inputs() + "; an If branch takes none");
        }
        branch.initializers().forEach((k, v) -> {
            if (inits.putIfAbsent(k, v) != null) {
                throw new SparqException(ErrorCode.UNSUPPORTED_MODEL, "cannot inline " + which + " of node "
                        + node.describe() + ": its initializer '" + k + "' shadows a value of the enclosing graph");
            }
        });
        List<Node> out = new ArrayList<>();
        for (Node n : branch.nodes()) {
            String name = n.name();
            while (!nodeNames.add(name)) {
                name = node.name() + "/" + name;
            }
            out.add(name.equals(n.name()) ? n : new Node(name, n.opType(), n.domain(), n.inputs(), n.outputs(), n.attributes()));
        }
        for (int i = 0; i < node.outputs().size(); i++) {
            String target = node.outputs().get(i);
            if (target.isEmpty()) {
                continue;
            }
            String name = node.name() + "/" + which + "/output_" + i;
            while (!nodeNames.add(name)) {
                name += "_";
            }
            out.add(new Node(name, "Identity", "", List.of(branch.outputs().get(i).name()), List.of(target), Map.of()));
        }
        return out;
    }

    // ---- clean-up ----

    /** {@code g} without the nodes and initializers that no graph output needs. */
    public static Graph withoutDeadCode(Graph g) {
        Set<String> live = new HashSet<>();
        g.outputs().forEach(o -> live.add(o.name()));
        List<Node> kept = new ArrayList<>();
        List<Node> nodes = g.nodes();
        boolean changed = true;
        Set<Node> keep = new HashSet<>();
        while (changed) {
            changed = false;
            for (int i = nodes.size() - 1; i >= 0; i--) {
                Node n = nodes.get(i);
                if (!keep.contains(n) && n.outputs().stream().anyMatch(live::contains)) {
                    keep.add(n);
                    live.addAll(n.inputs());
                    for (Attribute at : n.attributes().values()) {
                        if (at.kind() == Attribute.Kind.GRAPH) {
                            reads((Graph) at.value(), live);
                        }
                    }
                    changed = true;
                }
            }
        }
        nodes.stream().filter(keep::contains).forEach(kept::add);
        Map<String, Tensor> inits = new LinkedHashMap<>();
        Set<String> inputNames = new HashSet<>();
        g.inputs().forEach(v -> inputNames.add(v.name()));
        g.initializers().forEach((k, v) -> {
            if (live.contains(k) || inputNames.contains(k)) {
                inits.put(k, v);
            }
        });
        return new Graph(g.name(), g.inputs(), g.outputs(), kept, inits, g.opsets(), g.metadata());
    }

    /**
     * Drops the Identity nodes that inlining left (and the exporter's own) between two computed
     * values: readers of the copy read the original. Skipped while subgraphs remain, whose reads
     * would need renaming too; an Identity that defines a graph output stays.
     */
    private static Graph withoutIdentities(Graph g) {
        if (countIfs(g) > 0 || g.nodes().stream().anyMatch(n -> n.attributes().values().stream()
                .anyMatch(a -> a.kind() == Attribute.Kind.GRAPH))) {
            return g;
        }
        Set<String> outputs = new HashSet<>();
        g.outputs().forEach(o -> outputs.add(o.name()));
        Map<String, String> alias = new HashMap<>();
        for (Node n : g.nodes()) {
            if (n.opType().equals("Identity") && n.domain().isEmpty() && !outputs.contains(n.outputs().get(0))) {
                alias.put(n.outputs().get(0), n.inputs().get(0));
            }
        }
        List<Node> nodes = new ArrayList<>();
        for (Node n : g.nodes()) {
            if (alias.containsKey(n.outputs().isEmpty() ? "" : n.outputs().get(0)) && n.opType().equals("Identity")) {
                continue;
            }
            List<String> ins = n.inputs().stream().map(in -> resolve(alias, in)).toList();
            nodes.add(new Node(n.name(), n.opType(), n.domain(), ins, n.outputs(), n.attributes()));
        }
        return new Graph(g.name(), g.inputs(), g.outputs(), nodes, g.initializers(), g.opsets(), g.metadata());
    }

    private static String resolve(Map<String, String> alias, String name) {
        String s = name;
        while (alias.containsKey(s)) {
            s = alias.get(s);
        }
        return s;
    }

    /** Every name {@code graph} and its subgraphs read. */
    public static void reads(Graph graph, Set<String> into) {
        for (Node n : graph.nodes()) {
            into.addAll(n.inputs());
            for (Attribute at : n.attributes().values()) {
                if (at.kind() == Attribute.Kind.GRAPH) {
                    reads((Graph) at.value(), into);
                }
            }
        }
        graph.outputs().forEach(o -> into.add(o.name()));
    }

    /** Outputs declared with the traced types and shapes; a size that followed a symbol gets its name. */
    private static Graph withTracedOutputs(Graph g, List<Trace> traces) {
        List<ValueInfo> outputs = new ArrayList<>();
        Trace first = traces.get(0);
        for (ValueInfo o : g.outputs()) {
            Tensor x = first.values().get(o.name());
            if (x == null || traces.stream().anyMatch(t -> t.values().get(o.name()) == null
                    || t.values().get(o.name()).rank() != x.rank())) {
                outputs.add(o);
                continue;
            }
            List<Dim> shape = new ArrayList<>();
            for (int d = 0; d < x.rank(); d++) {
                int axis = d;
                boolean fixed = traces.stream().allMatch(t -> t.values().get(o.name()).dim(axis) == x.dim(axis));
                String symbol = first.symbols().keySet().stream().filter(s -> traces.stream()
                        .allMatch(t -> t.values().get(o.name()).dim(axis) == t.symbols().get(s))).findFirst().orElse(null);
                shape.add(fixed ? Dim.of(x.dim(d)) : symbol != null ? Dim.symbol(symbol) : Dim.unknown());
            }
            outputs.add(new ValueInfo(o.name(), x.type(), shape));
        }
        return new Graph(g.name(), g.inputs(), outputs, g.nodes(), g.initializers(), g.opsets(), g.metadata());
    }

    private static int countIfs(Graph g) {
        int count = 0;
        for (Node n : g.nodes()) {
            if (n.opType().equals("If")) {
                count++;
            }
            for (Attribute at : n.attributes().values()) {
                if (at.kind() == Attribute.Kind.GRAPH) {
                    count += countIfs((Graph) at.value());
                }
            }
        }
        return count;
    }
}
