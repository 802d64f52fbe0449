package io.sparq.converter.finetune;

import io.sparq.converter.finetune.ops.NoGradientDiff;
import io.sparq.format.DataType;
import io.sparq.format.ErrorCode;
import io.sparq.format.Graph;
import io.sparq.format.Node;
import io.sparq.format.SparqException;
import io.sparq.format.Tensor;
import io.sparq.runtime.graph.GraphExecutor;
import io.sparq.format.ValueInfo;
import io.sparq.runtime.ops.NodeContext;
import io.sparq.runtime.ops.OpRegistry;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A {@link Graph} compiled into {@link DiffOp}s for training: forward with a tape, backward from
 * output gradients to the gradients of the trainable weights.
 *
 * <p>Trainable weights are the float32 initializers (not graph inputs) from which a chain of ops
 * with backward rules reaches a loss output. Every other initializer is frozen, with the reason
 * kept in {@link #frozen()}: e.g. the weights of a Conv, which has no backward rule, are frozen
 * and the Conv just runs forward. A node without a backward rule that lies between trainable
 * weights and the loss is an error naming the node, since training would otherwise silently
 * drop those weights' gradients; the caller may then freeze the weights explicitly.
 *
 * <p>The trainable weights live in {@link #parameters()} (copies of the initializers, changed in
 * place by optimizers and constraints); {@link #toGraph()} returns the graph with their values.
 * Ops are compiled with only the frozen initializers as constants, so no op can bake a trainable
 * weight's current value into its compiled form.
 */
public final class TrainingGraph {
    private enum Kind { DIFFERENTIABLE, NO_GRADIENT, FORWARD_ONLY }

    private final Graph graph;
    private final List<Node> order;
    private final List<DiffOp> ops;                       // parallel to order
    private final Map<String, Integer> slots = new HashMap<>();
    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, String> frozen = new LinkedHashMap<>();
    private final Set<String> requiresGrad = new HashSet<>();

    /** Compiles {@code graph} with the standard ops, every graph output feeding the loss. */
    public TrainingGraph(Graph graph) {
        this(graph, DiffRegistry.standard(), TrainingOptions.defaults(),
                graph.outputs().stream().map(ValueInfo::name).toList(), Set.of());
    }

    /**
     * @param lossOutputs graph outputs the loss is computed from
     * @param freeze      initializers to keep fixed even where they could be trained
     */
    public TrainingGraph(Graph graph, DiffRegistry registry, TrainingOptions options,
                         Collection<String> lossOutputs, Set<String> freeze) {
        this.graph = graph;
        Set<String> outputNames = graph.outputs().stream().map(ValueInfo::name).collect(Collectors.toSet());
        for (String o : lossOutputs) {
            if (!outputNames.contains(o)) {
                throw new SparqException(ErrorCode.INVALID_ARGUMENT, "loss output '" + o
                        + "' is not a graph output; outputs are " + outputNames);
            }
        }
        Map<Node, Kind> kinds = classify(graph, registry);
        this.order = GraphExecutor.executionOrder(graph);
        chooseParameters(kinds, new HashSet<>(lossOutputs), freeze);
        Map<String, Tensor> constants = new HashMap<>(graph.initializers());
        constants.keySet().removeAll(parameters.keySet());
        Set<String> visible = new HashSet<>(graph.initializers().keySet());
        graph.inputs().forEach(v -> visible.add(v.name()));
        this.ops = new ArrayList<>(order.size());
        for (Node node : order) {
            visible.addAll(node.outputs());
            NodeContext ctx = new NodeContext(node, graph.onnxOpset(), constants, Set.copyOf(visible));
            DiffOpFactory f = kinds.get(node) == Kind.FORWARD_ONLY ? NoGradientDiff.factory()
                    : registry.lookup(node.domain(), node.opType()).orElseThrow();
            ops.add(f.create(ctx, options));
        }
        graph.initializers().keySet().forEach(this::slot);
        graph.inputs().forEach(v -> slot(v.name()));
        order.forEach(n -> {
            n.inputs().forEach(this::slot);
            n.outputs().forEach(this::slot);
        });
    }

    private int slot(String name) {
        return slots.computeIfAbsent(name, k -> slots.size());
    }

    private static Map<Node, Kind> classify(Graph graph, DiffRegistry registry) {
        Map<Node, Kind> kinds = new HashMap<>();
        List<String> missing = new ArrayList<>();
        for (Node node : graph.nodes()) {
            if (registry.lookup(node.domain(), node.opType()).isPresent()) {
                kinds.put(node, registry.isNoGradient(node.opType()) ? Kind.NO_GRADIENT : Kind.DIFFERENTIABLE);
            } else if (OpRegistry.standard().lookup(node.domain(), node.opType()).isPresent()) {
                kinds.put(node, Kind.FORWARD_ONLY);
            } else {
                missing.add(node.describe());
            }
        }
        if (!missing.isEmpty()) {
            throw new SparqException(ErrorCode.UNSUPPORTED_MODEL, "graph '" + graph.name() + "' uses "
                    + missing.size() + " node(s) with operators sparq cannot run: " + String.join(", ", missing));
        }
        return kinds;
    }

    private void chooseParameters(Map<Node, Kind> kinds, Set<String> lossOutputs, Set<String> freeze) {
        Set<String> reachesLoss = reachingLoss(order, kinds, lossOutputs);
        Set<String> inputNames = graph.inputs().stream().map(ValueInfo::name).collect(Collectors.toSet());
        graph.initializers().forEach((name, t) -> {
            if (t.type() != DataType.FLOAT32 || inputNames.contains(name)) {
                return;
            }
            List<Node> readers = order.stream()
                    .filter(n -> n.inputs().contains(name) && n.outputs().stream().anyMatch(reachesLoss::contains))
                    .toList();
            List<Node> diff = readers.stream().filter(n -> kinds.get(n) == Kind.DIFFERENTIABLE).toList();
            List<Node> forwardOnly = readers.stream().filter(n -> kinds.get(n) == Kind.FORWARD_ONLY).toList();
            if (freeze.contains(name)) {
                frozen.put(name, "frozen on request");
            } else if (!reachesLoss.contains(name) || readers.isEmpty()) {
                frozen.put(name, "does not reach the loss");
            } else if (diff.isEmpty()) {
                frozen.put(name, "read only by " + describe(forwardOnly) + ", which has no backward rule");
            } else if (!forwardOnly.isEmpty()) {
                throw new SparqException(ErrorCode.UNSUPPORTED_MODEL, "weight '" + name + "' reaches the loss through "
                        + describe(diff) + " and through " + describe(forwardOnly)
                        + ", which has no backward rule; freeze it to train the rest");
            } else {
                parameters.put(name, Tensor.ofFloats(t.shape(), t.floats().clone()));
            }
        });
        requiresGrad.addAll(parameters.keySet());
        for (Node n : order) {
            List<String> fromWeights = n.inputs().stream().filter(requiresGrad::contains).toList();
            if (fromWeights.isEmpty()) {
                continue;
            }
            Kind kind = kinds.get(n);
            if (kind == Kind.DIFFERENTIABLE) {
                n.outputs().stream().filter(s -> !s.isEmpty()).forEach(requiresGrad::add);
            } else if (kind == Kind.FORWARD_ONLY && n.outputs().stream().anyMatch(reachesLoss::contains)) {
                throw new SparqException(ErrorCode.UNSUPPORTED_MODEL, "node " + n.describe()
                        + " has no backward rule, but trainable weights reach the loss through it (via "
                        + fromWeights + "); differentiable ops: " + DiffRegistry.standard().differentiableOpTypes()
                        + ". Freeze the weights upstream of it to train the rest");
            }
        }
    }

    /**
     * The values from which the loss can be reached through ops that compute (rather than describe)
     * values, found backwards over {@code order} (topological).
     */
    private static Set<String> reachingLoss(List<Node> order, Map<Node, Kind> kinds, Collection<String> lossOutputs) {
        Set<String> reachesLoss = new HashSet<>(lossOutputs);
        for (int i = order.size() - 1; i >= 0; i--) {
            Node n = order.get(i);
            if (kinds.get(n) != Kind.NO_GRADIENT && n.outputs().stream().anyMatch(reachesLoss::contains)) {
                n.inputs().stream().filter(s -> !s.isEmpty()).forEach(reachesLoss::add);
            }
        }
        return reachesLoss;
    }

    /**
     * The float weights whose gradient towards {@code lossOutputs} would have to pass through a
     * node without a backward rule (e.g. an STFT basis under Pow and Sqrt), each with the reason.
     * Freezing them (the {@code freeze} argument of the constructor) trains the rest of the graph
     * instead of refusing it.
     */
    public static Map<String, String> blockedWeights(Graph graph, DiffRegistry registry, Collection<String> lossOutputs) {
        Map<Node, Kind> kinds = classify(graph, registry);
        List<Node> order = GraphExecutor.executionOrder(graph);
        Set<String> reachesLoss = reachingLoss(order, kinds, lossOutputs);
        Set<String> inputNames = graph.inputs().stream().map(ValueInfo::name).collect(Collectors.toSet());
        Map<String, String> blocked = new LinkedHashMap<>();
        graph.initializers().forEach((name, t) -> {
            if (t.type() != DataType.FLOAT32 || inputNames.contains(name) || !reachesLoss.contains(name)) {
                return;
            }
            boolean differentiableReader = order.stream().anyMatch(n -> n.inputs().contains(name)
                    && kinds.get(n) == Kind.DIFFERENTIABLE && n.outputs().stream().anyMatch(reachesLoss::contains));
            if (!differentiableReader) {
                return;   // frozen anyway, as read only by ops without a backward rule
            }
            Set<String> carries = new HashSet<>(Set.of(name));
            for (Node n : order) {
                if (n.inputs().stream().noneMatch(carries::contains)) {
                    continue;
                }
                if (kinds.get(n) == Kind.DIFFERENTIABLE) {
                    n.outputs().stream().filter(o -> !o.isEmpty()).forEach(carries::add);
                } else if (kinds.get(n) == Kind.FORWARD_ONLY && n.outputs().stream().anyMatch(reachesLoss::contains)) {
                    blocked.put(name, "its gradient would pass through node " + n.describe()
                            + ", which has no backward rule");
                    return;
                }
            }
        });
        return blocked;
    }

    private static String describe(List<Node> nodes) {
        return nodes.stream().map(Node::describe).collect(Collectors.joining(", ", nodes.size() > 1 ? "nodes " : "node ", ""));
    }

    /** The values and per-node records of one forward pass, needed by {@link #backward}. */
    public static final class Tape {
        private final Tensor[] values;
        private final DiffOp.Forward[] records;
        private final Map<String, Tensor> outputs;

        private Tape(Tensor[] values, DiffOp.Forward[] records, Map<String, Tensor> outputs) {
            this.values = values;
            this.records = records;
            this.outputs = outputs;
        }

        /** The graph outputs by name. */
        public Map<String, Tensor> outputs() {
            return outputs;
        }
    }

    /** Runs the graph on {@code feeds} (by graph input name) with the current parameter values. */
    public Tape forward(Map<String, Tensor> feeds) {
        Tensor[] values = new Tensor[slots.size()];
        graph.initializers().forEach((k, v) -> values[slots.get(k)] = parameters.getOrDefault(k, v));
        for (ValueInfo in : graph.inputs()) {
            Tensor t = feeds.get(in.name());
            if (t == null && !graph.initializers().containsKey(in.name())) {
                throw new SparqException(ErrorCode.INVALID_ARGUMENT, "missing input '" + in + "'");
            }
            if (t != null) {
                values[slots.get(in.name())] = t;
            }
        }
        DiffOp.Forward[] records = new DiffOp.Forward[order.size()];
        for (int step = 0; step < order.size(); step++) {
            Node node = order.get(step);
            Tensor[] args = new Tensor[node.inputs().size()];
            for (int i = 0; i < args.length; i++) {
                String in = node.inputs().get(i);
                if (!in.isEmpty()) {
                    args[i] = values[slots.get(in)];
                    if (args[i] == null) {
                        throw new SparqException(ErrorCode.INVALID_ARGUMENT, "node " + node.describe() + " needs '"
                                + in + "', which was not fed");
                    }
                }
            }
            DiffOp.Forward f;
            try {
                f = ops.get(step).forward(args);
            } catch (SparqException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new SparqException(ErrorCode.INTERNAL, "node " + node.describe() + " failed on inputs "
                        + Arrays.toString(args) + ": " + e, e);
            }
            records[step] = f;
            for (int i = 0; i < node.outputs().size(); i++) {
                String out = node.outputs().get(i);
                if (!out.isEmpty()) {
                    values[slots.get(out)] = f.outputs()[i];
                }
            }
        }
        Map<String, Tensor> outputs = new LinkedHashMap<>();
        for (ValueInfo o : graph.outputs()) {
            outputs.put(o.name(), values[slots.get(o.name())]);
        }
        return new Tape(values, records, Collections.unmodifiableMap(outputs));
    }

    /** The graph outputs for {@code feeds}. */
    public Map<String, Tensor> run(Map<String, Tensor> feeds) {
        return forward(feeds).outputs();
    }

    /**
     * Back-propagates {@code outputGrads} (dLoss/dOutput by graph output name; outputs not given
     * do not reach the loss) through {@code tape}.
     *
     * @return dLoss/dWeight for every trainable weight, in {@link #parameters()} order (zeros
     *         where no gradient arrives)
     */
    public Map<String, Tensor> backward(Tape tape, Map<String, Tensor> outputGrads) {
        Tensor[] grads = new Tensor[slots.size()];
        outputGrads.forEach((name, g) -> accumulate(grads, slots.get(name), g, "graph output '" + name + "'", tape));
        for (int step = order.size() - 1; step >= 0; step--) {
            Node node = order.get(step);
            List<String> outs = node.outputs();
            Tensor[] gradOut = new Tensor[tape.records[step].outputs().length];
            boolean any = false;
            for (int i = 0; i < outs.size(); i++) {
                if (!outs.get(i).isEmpty()) {
                    gradOut[i] = grads[slots.get(outs.get(i))];
                    any |= gradOut[i] != null;
                }
            }
            boolean[] needed = new boolean[node.inputs().size()];
            boolean anyNeeded = false;
            for (int i = 0; i < needed.length; i++) {
                needed[i] = requiresGrad.contains(node.inputs().get(i));
                anyNeeded |= needed[i];
            }
            if (!any || !anyNeeded) {
                continue;
            }
            Tensor[] gin = ops.get(step).backward(tape.records[step], gradOut, needed);
            for (int i = 0; i < needed.length; i++) {
                if (needed[i] && gin[i] != null) {
                    accumulate(grads, slots.get(node.inputs().get(i)), gin[i], "node " + node.describe()
                            + " input " + i, tape);
                }
            }
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        parameters.forEach((name, p) -> {
            Tensor g = grads[slots.get(name)];
            out.put(name, g != null ? g : Tensor.zeros(DataType.FLOAT32, p.shape()));
        });
        return out;
    }

    private static void accumulate(Tensor[] grads, Integer slot, Tensor g, String what, Tape tape) {
        Tensor value = slot == null ? null : tape.values[slot];
        if (value == null || g.type() != DataType.FLOAT32 || !Arrays.equals(g.shape(), value.shape())) {
            throw new SparqException(slot == null || value == null ? ErrorCode.INVALID_ARGUMENT : ErrorCode.INTERNAL,
                    "gradient for " + what + " is " + g + ", expected float32 like the value "
                            + (value == null ? "(no such value)" : value));
        }
        Tensor prev = grads[slot];
        if (prev == null) {
            grads[slot] = g;
            return;
        }
        // a fresh array: an earlier gradient may be shared with another op's output gradient
        float[] sum = prev.floats().clone();
        float[] add = g.floats();
        for (int i = 0; i < sum.length; i++) {
            sum[i] += add[i];
        }
        grads[slot] = Tensor.ofFloats(value.shape(), sum);
    }

    /** Trainable weights by name; their arrays are updated in place by training. */
    public Map<String, Tensor> parameters() {
        return Collections.unmodifiableMap(parameters);
    }

    /** Float initializers that are not trained, with the reason for each. */
    public Map<String, String> frozen() {
        return Collections.unmodifiableMap(frozen);
    }

    /** The graph as compiled (with the original weights). */
    public Graph graph() {
        return graph;
    }

    /** The node producing graph value {@code name}, or null for inputs and initializers. */
    public Node producer(String name) {
        return order.stream().filter(n -> n.outputs().contains(name)).findFirst().orElse(null);
    }

    /** The same graph with the trainable initializers replaced by copies of their current values. */
    public Graph toGraph() {
        Map<String, Tensor> inits = new LinkedHashMap<>(graph.initializers());
        parameters.forEach((k, v) -> inits.put(k, Tensor.ofFloats(v.shape(), v.floats().clone())));
        return new Graph(graph.name(), graph.inputs(), graph.outputs(), graph.nodes(), inits, graph.opsets(),
                graph.metadata());
    }
}
