package io.sparq.runtime.graph;

import io.sparq.format.Attribute;
import io.sparq.format.Dim;
import io.sparq.format.ErrorCode;
import io.sparq.format.Graph;
import io.sparq.format.Node;
import io.sparq.format.SparqException;
import io.sparq.format.Tensor;
import io.sparq.format.ValueInfo;
import io.sparq.format.codec.EncodedTensor;
import io.sparq.runtime.ops.Constants;
import io.sparq.runtime.ops.NodeContext;
import io.sparq.runtime.ops.Op;
import io.sparq.runtime.ops.OpFactory;
import io.sparq.runtime.ops.OpRegistry;
import io.sparq.runtime.ops.Subgraph;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Runs a {@link Graph}: compiles every node to an {@link Op} once (reporting all unsupported ops
 * together), orders nodes topologically, then evaluates them per call, dropping each intermediate
 * value after its last use. Immutable after construction and safe to share between threads.
 *
 * <p>Initializers may come dense (in the graph) or in their stored {@code .sparq} encoding. An op
 * may take a constant input as a weight matrix when it is built ({@link NodeContext#constantWeight});
 * a stored initializer is decoded only if some node still reads it as a tensor at run time.
 *
 * <p>Subgraphs (the branches of {@code If}) are compiled with their node, each by an executor of
 * its own that sees the enclosing graphs' initializers as constants. The other values a subgraph
 * reads from enclosing graphs become <em>implicit inputs</em> of its node: they order the node
 * after their producers, stay alive until it has run, and reach the op after its own inputs.
 */
public final class GraphExecutor {
    private final Graph graph;
    private final List<Node> order;          // topological
    private final List<Op> ops;              // parallel to order
    private final boolean[][] compiledIn;    // parallel to order: inputs the op took as weights when built
    private final List<List<String>> implicitIn;  // parallel to order: outer values the node's subgraphs read
    private final Set<String> constantNames; // every initializer, dense or stored
    private final Map<String, Tensor> runtimeConstants = new HashMap<>();   // initializers read at run time
    private final int[][] releaseAfter;      // per step: value slots whose last reader is this step
    private final Map<String, Integer> slots = new HashMap<>();
    private final Set<String> outerNames;

    /** Compiles a top-level graph with the standard operators. */
    public GraphExecutor(Graph graph) {
        this(graph, Map.of());
    }

    /**
     * Compiles a top-level graph with the standard operators; {@code stored} are further
     * initializers of the graph, kept in their stored encoding.
     */
    public GraphExecutor(Graph graph, Map<String, EncodedTensor> stored) {
        this(graph, stored, OpRegistry.standard(), graph.onnxOpset(), Set.of(), null);
    }

    /**
     * Compiles {@code graph}; {@code outerNames} are values a subgraph may read from the graph
     * that encloses it, {@code opset} the ONNX opset version in force.
     */
    public GraphExecutor(Graph graph, OpRegistry registry, int opset, Set<String> outerNames) {
        this(graph, Map.of(), registry, opset, outerNames, null);
    }

    /**
     * @param outerConstants the enclosing graph's constants when {@code graph} is a subgraph, else null
     */
    private GraphExecutor(Graph graph, Map<String, EncodedTensor> stored, OpRegistry registry, int opset,
                          Set<String> outerNames, Constants outerConstants) {
        this.graph = graph;
        this.outerNames = Set.copyOf(outerNames);
        for (String name : stored.keySet()) {
            if (graph.initializers().containsKey(name)) {
                throw new SparqException(ErrorCode.INVALID_MODEL, "graph '" + graph.name() + "' has two initializers named '"
                        + name + "'");
            }
        }
        Set<String> inputNames = new HashSet<>();
        graph.inputs().forEach(v -> inputNames.add(v.name()));
        Constants constants;
        if (outerConstants == null) {
            constants = new Constants(graph.initializers(), stored, inputNames);
        } else {
            Set<String> local = new HashSet<>(inputNames);
            graph.nodes().forEach(n -> local.addAll(n.outputs()));
            constants = outerConstants.nested(graph.initializers(), local);
        }
        this.constantNames = Set.copyOf(constants.names());
        List<OpFactory> factories = resolveAll(graph, registry);
        Map<Node, List<String>> implicit = implicitInputs(graph, constants::contains);
        this.order = topologicalOrder(graph, constantNames, this.outerNames, implicit);
        this.ops = new ArrayList<>(order.size());
        this.compiledIn = new boolean[order.size()][];
        this.implicitIn = order.stream().map(implicit::get).toList();
        Map<Node, OpFactory> byNode = new HashMap<>();
        for (int i = 0; i < graph.nodes().size(); i++) {
            byNode.put(graph.nodes().get(i), factories.get(i));
        }
        Set<String> visible = new HashSet<>(this.outerNames);
        visible.addAll(constantNames);
        visible.addAll(inputNames);
        Set<String> seenBySubgraphs = new HashSet<>(visible);    // a subgraph may read any value of this graph
        graph.nodes().forEach(n -> seenBySubgraphs.addAll(n.outputs()));
        Subgraph.Compiler subgraphs = (sub, attribute) -> new Branch(new GraphExecutor(sub, Map.of(), registry, opset,
                seenBySubgraphs, constants));
        for (int step = 0; step < order.size(); step++) {
            Node node = order.get(step);
            visible.addAll(node.outputs());
            NodeContext ctx = new NodeContext(node, opset, constants, visible, implicitIn.get(step), subgraphs);
            ops.add(byNode.get(node).create(ctx));
            compiledIn[step] = new boolean[node.inputs().size()];
            for (int i = 0; i < compiledIn[step].length; i++) {
                String in = node.inputs().get(i);
                compiledIn[step][i] = ctx.compiledIn(i);
                if (!in.isEmpty() && !ctx.compiledIn(i) && constants.contains(in)) {
                    runtimeConstants.put(in, constants.tensor(in));
                }
            }
        }
        graph.outputs().stream().filter(v -> constants.contains(v.name()))
                .forEach(v -> runtimeConstants.put(v.name(), constants.tensor(v.name())));
        this.releaseAfter = planReleases();
    }

    public Graph graph() {
        return graph;
    }

    /** The graph inputs a caller must feed: those without an initializer as default. */
    public List<ValueInfo> requiredInputs() {
        return graph.inputs().stream().filter(v -> !constantNames.contains(v.name())).toList();
    }

    /** Nodes in execution order. */
    public List<Node> order() {
        return order;
    }

    private static List<OpFactory> resolveAll(Graph graph, OpRegistry registry) {
        List<OpFactory> found = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (Node node : graph.nodes()) {
            var f = registry.lookup(node.domain(), node.opType());
            if (f.isPresent()) {
                found.add(f.get());
            } else {
                missing.add(node.describe());
                found.add(null);
            }
        }
        if (!missing.isEmpty()) {
            throw new SparqException(ErrorCode.UNSUPPORTED_MODEL, "graph '" + graph.name() + "' uses "
                    + missing.size() + " node(s) with operators sparq does not support: "
                    + String.join(", ", missing) + ". Supported operators: " + registry.opTypes());
        }
        return found;
    }

    /**
     * Per node, the values its subgraphs (at any depth) read from this graph or an enclosing one
     * without defining them, except constants, which subgraphs read themselves.
     */
    private static Map<Node, List<String>> implicitInputs(Graph graph, Predicate<String> constants) {
        Map<Node, List<String>> implicit = new HashMap<>();
        for (Node node : graph.nodes()) {
            Set<String> reads = new LinkedHashSet<>();
            for (Attribute a : node.attributes().values()) {
                if (a.kind() == Attribute.Kind.GRAPH) {
                    outerReads((Graph) a.value(), reads);
                }
            }
            reads.removeIf(constants);
            implicit.put(node, List.copyOf(reads));
        }
        return implicit;
    }

    /** Adds to {@code reads} the names {@code graph} (with its subgraphs) reads but does not define. */
    private static void outerReads(Graph graph, Set<String> reads) {
        Set<String> defined = new HashSet<>(graph.initializers().keySet());
        graph.inputs().forEach(v -> defined.add(v.name()));
        graph.nodes().forEach(n -> defined.addAll(n.outputs()));
        Set<String> inner = new LinkedHashSet<>();
        for (Node node : graph.nodes()) {
            inner.addAll(node.inputs());
            for (Attribute a : node.attributes().values()) {
                if (a.kind() == Attribute.Kind.GRAPH) {
                    outerReads((Graph) a.value(), inner);
                }
            }
        }
        graph.outputs().forEach(v -> inner.add(v.name()));
        inner.stream().filter(n -> !n.isEmpty() && !defined.contains(n)).forEach(reads::add);
    }

    /**
     * The order the nodes of a top-level {@code graph} run in, as an executor of it runs them: the
     * one plan training walks forwards and then backwards. Checks what the executor checks (every
     * value defined once, every read provided, no cycle).
     */
    public static List<Node> executionOrder(Graph graph) {
        Set<String> constantNames = graph.initializers().keySet();
        return topologicalOrder(graph, constantNames, Set.of(), implicitInputs(graph, constantNames::contains));
    }

    private static List<Node> topologicalOrder(Graph graph, Set<String> constantNames, Set<String> outerNames,
                                               Map<Node, List<String>> implicit) {
        Map<String, Node> producer = new HashMap<>();
        Set<String> sources = new HashSet<>(outerNames);
        sources.addAll(constantNames);
        for (ValueInfo in : graph.inputs()) {
            sources.add(in.name());
        }
        for (Node node : graph.nodes()) {
            for (String out : node.outputs()) {
                if (out.isEmpty()) {
                    continue;
                }
                Node prev = producer.put(out, node);
                if (prev != null || constantNames.contains(out)
                        || graph.inputs().stream().anyMatch(v -> v.name().equals(out))) {
                    throw new SparqException(ErrorCode.INVALID_MODEL, "value '" + out + "' is produced by node "
                            + node.describe() + " but is already defined"
                            + (prev != null ? " by node " + prev.describe() : " as a graph input or initializer"));
                }
            }
        }
        Map<Node, Integer> pending = new LinkedHashMap<>();
        Map<String, List<Node>> readers = new HashMap<>();
        for (Node node : graph.nodes()) {
            int waits = 0;
            Set<String> reads = new HashSet<>(node.inputs());
            reads.addAll(implicit.get(node));
            for (String in : reads) {
                if (in.isEmpty() || sources.contains(in)) {
                    continue;
                }
                if (!producer.containsKey(in)) {
                    throw new SparqException(ErrorCode.INVALID_MODEL, "node " + node.describe() + " reads '" + in
                            + "'" + (node.inputs().contains(in) ? "" : " in a subgraph")
                            + ", which no node, graph input or initializer provides");
                }
                waits++;
                readers.computeIfAbsent(in, k -> new ArrayList<>()).add(node);
            }
            pending.put(node, waits);
        }
        ArrayDeque<Node> ready = new ArrayDeque<>();
        pending.forEach((n, w) -> {
            if (w == 0) {
                ready.add(n);
            }
        });
        List<Node> order = new ArrayList<>(graph.nodes().size());
        while (!ready.isEmpty()) {
            Node n = ready.poll();
            order.add(n);
            for (String out : n.outputs()) {
                for (Node r : readers.getOrDefault(out, List.of())) {
                    if (pending.merge(r, -1, Integer::sum) == 0) {
                        ready.add(r);
                    }
                }
            }
        }
        if (order.size() != graph.nodes().size()) {
            List<String> stuck = graph.nodes().stream().filter(n -> !order.contains(n)).map(Node::describe).toList();
            throw new SparqException(ErrorCode.INVALID_MODEL, "graph '" + graph.name()
                    + "' has a cycle through nodes " + stuck);
        }
        return order;
    }

    private int slot(String name) {
        return slots.computeIfAbsent(name, k -> slots.size());
    }

    private int[][] planReleases() {
        runtimeConstants.keySet().forEach(this::slot);
        graph.inputs().forEach(v -> slot(v.name()));
        Map<String, Integer> lastUse = new HashMap<>();
        for (int step = 0; step < order.size(); step++) {
            Node n = order.get(step);
            for (int i = 0; i < n.inputs().size(); i++) {
                String in = n.inputs().get(i);
                if (!in.isEmpty() && !compiledIn[step][i]) {
                    slot(in);
                    lastUse.put(in, step);
                }
            }
            for (String in : implicitIn.get(step)) {
                slot(in);
                lastUse.put(in, step);
            }
            n.outputs().stream().filter(o -> !o.isEmpty()).forEach(this::slot);
        }
        Set<String> keep = new HashSet<>(constantNames);
        graph.outputs().forEach(v -> keep.add(v.name()));
        List<List<Integer>> perStep = new ArrayList<>();
        for (int i = 0; i < order.size(); i++) {
            perStep.add(new ArrayList<>());
        }
        lastUse.forEach((name, step) -> {
            if (!keep.contains(name)) {
                perStep.get(step).add(slots.get(name));
            }
        });
        int[][] out = new int[order.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = perStep.get(i).stream().mapToInt(Integer::intValue).toArray();
        }
        return out;
    }

    /** Runs a top-level graph: validates {@code feeds} against the declared inputs first. */
    public Map<String, Tensor> run(Map<String, Tensor> feeds) {
        InputValidator.validate(graph, constantNames, feeds);
        return execute(feeds, name -> null);
    }

    /**
     * Runs with {@code feeds} for graph inputs and {@code outer} resolving names of an enclosing
     * graph; no input validation (subgraph bodies are fed by their parent op).
     */
    public Map<String, Tensor> execute(Map<String, Tensor> feeds, Function<String, Tensor> outer) {
        Tensor[] values = new Tensor[slots.size()];
        runtimeConstants.forEach((k, v) -> values[slots.get(k)] = v);
        feeds.forEach((k, v) -> {
            Integer s = slots.get(k);
            if (s != null) {
                values[s] = v;
            }
        });
        for (int step = 0; step < order.size(); step++) {
            Node node = order.get(step);
            List<String> inNames = node.inputs();
            List<String> implicit = implicitIn.get(step);
            Tensor[] args = new Tensor[inNames.size() + implicit.size()];
            for (int i = 0; i < args.length; i++) {
                String in = i < inNames.size() ? inNames.get(i) : implicit.get(i - inNames.size());
                if (in.isEmpty() || (i < inNames.size() && compiledIn[step][i])) {
                    continue;
                }
                Tensor t = values[slots.get(in)];
                if (t == null) {
                    t = outer.apply(in);
                }
                if (t == null) {
                    throw new SparqException(ErrorCode.INVALID_ARGUMENT, "node " + node.describe()
                            + " needs '" + in + "', which was not fed");
                }
                args[i] = t;
            }
            Tensor[] results = runNode(node, ops.get(step), args);
            List<String> outNames = node.outputs();
            for (int i = 0; i < outNames.size(); i++) {
                if (!outNames.get(i).isEmpty()) {
                    if (i >= results.length || results[i] == null) {
                        throw new SparqException(ErrorCode.INTERNAL, "node " + node.describe()
                                + " did not produce output " + i + " ('" + outNames.get(i) + "')");
                    }
                    values[slots.get(outNames.get(i))] = results[i];
                }
            }
            for (int s : releaseAfter[step]) {
                values[s] = null;
            }
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (ValueInfo o : graph.outputs()) {
            Integer s = slots.get(o.name());
            Tensor t = s == null ? null : values[s];
            if (t == null) {
                t = outer.apply(o.name());
            }
            if (t == null) {
                throw new SparqException(ErrorCode.INVALID_MODEL, "graph output '" + o.name() + "' is never computed");
            }
            out.put(o.name(), t);
        }
        return out;
    }

    /** A subgraph as its op sees it. */
    private record Branch(GraphExecutor executor) implements Subgraph {
        @Override
        public List<String> outputNames() {
            return executor.graph.outputs().stream().map(ValueInfo::name).toList();
        }

        @Override
        public Tensor[] run(Function<String, Tensor> outer) {
            Map<String, Tensor> out = executor.execute(Map.of(), outer);
            return out.values().toArray(new Tensor[0]);
        }
    }

    private static Tensor[] runNode(Node node, Op op, Tensor[] args) {
        try {
            return op.run(args);
        } catch (SparqException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new SparqException(ErrorCode.INTERNAL, "node " + node.describe() + " failed on inputs "
                    + Arrays.toString(args) + ": " + e, e);
        }
    }

    /** Checks fed tensors against the graph's declared inputs. */
    static final class InputValidator {
        private InputValidator() {
        }

        static void validate(Graph graph, Set<String> constantNames, Map<String, Tensor> feeds) {
            Map<String, ValueInfo> declared = new LinkedHashMap<>();
            graph.inputs().forEach(v -> declared.put(v.name(), v));
            for (String name : feeds.keySet()) {
                if (!declared.containsKey(name)) {
                    throw new SparqException(ErrorCode.INVALID_ARGUMENT, "Unknown input name '" + name
                            + "', expected one of " + declared.keySet());
                }
            }
            Map<String, Integer> symbols = new HashMap<>();
            for (ValueInfo info : declared.values()) {
                Tensor t = feeds.get(info.name());
                if (t == null) {
                    if (!constantNames.contains(info.name())) {
                        throw new SparqException(ErrorCode.INVALID_ARGUMENT, "missing input '" + info.name()
                                + "' (" + describe(info) + ")");
                    }
                    continue;
                }
                if (info.type() != null && t.type() != info.type()) {
                    throw new SparqException(ErrorCode.INVALID_ARGUMENT, "input '" + info.name() + "' is "
                            + t.type().displayName() + ", expected " + describe(info));
                }
                if (info.shape() == null) {
                    continue;
                }
                if (t.rank() != info.shape().size()) {
                    throw new SparqException(ErrorCode.INVALID_ARGUMENT, "input '" + info.name() + "' has shape "
                            + Arrays.toString(t.shape()) + ", expected " + describe(info));
                }
                for (int d = 0; d < t.rank(); d++) {
                    Dim dim = info.shape().get(d);
                    if (dim.isFixed() && dim.value() != t.dim(d)) {
                        throw new SparqException(ErrorCode.INVALID_ARGUMENT, "input '" + info.name()
                                + "' has shape " + Arrays.toString(t.shape()) + ", expected " + describe(info)
                                + " (dimension " + d + " must be " + dim.value() + ")");
                    }
                    if (dim.symbol() != null) {
                        Integer seen = symbols.putIfAbsent(dim.symbol(), t.dim(d));
                        if (seen != null && seen != t.dim(d)) {
                            throw new SparqException(ErrorCode.INVALID_ARGUMENT, "input '" + info.name()
                                    + "' has " + dim.symbol() + " = " + t.dim(d) + " in dimension " + d
                                    + ", but another input set " + dim.symbol() + " = " + seen);
                        }
                    }
                }
            }
        }

        static String describe(ValueInfo info) {
            return (info.type() == null ? "?" : info.type().displayName())
                    + (info.shape() == null ? "[any shape]" : info.shape().toString());
        }
    }
}
