package io.sparq.converter.importer;

import io.sparq.converter.specialize.GraphSpecializer;
import io.sparq.format.Attribute;
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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Import normalization, first step: constant subgraphs folded into initializers, repeated
 * constants stored once, folded weights named after the parameters they were made of.
 */
final class ConstantFolder {
    /** Folding stops at constants larger than this many elements (unless no larger than their inputs). */
    private static final long MAX_FOLDED_ELEMENTS = 1L << 22;

    private static final Set<String> RANDOM = Set.of("RandomNormal", "RandomUniform", "RandomNormalLike",
            "RandomUniformLike", "Multinomial", "Bernoulli");

    private ConstantFolder() {
    }

    record Folded(Graph graph, int count, Map<String, Set<String>> sources) {
    }

    static Folded foldConstants(Graph g) {
        Set<String> inputNames = GraphNormalizer.names(g.inputs());
        Set<String> outputNames = GraphNormalizer.names(g.outputs());
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

    static boolean isFoldable(Node n, Set<String> constants, Set<String> graphOutputs) {
        if (!(n.domain().isEmpty() || n.domain().equals("ai.onnx")) || RANDOM.contains(n.opType())
                || n.attributes().values().stream().anyMatch(a -> a.kind() == Attribute.Kind.GRAPH)
                || n.outputs().stream().anyMatch(graphOutputs::contains)
                || OpRegistry.standard().lookup(n.domain(), n.opType()).isEmpty()) {
            return false;
        }
        return n.inputs().stream().allMatch(i -> i.isEmpty() || constants.contains(i));
    }

    record Shared(Graph graph, int count, Map<String, String> alias) {
    }

    static Shared shareConstants(Graph g) {
        Set<String> fixed = GraphNormalizer.names(g.inputs());
        fixed.addAll(GraphNormalizer.names(g.outputs()));
        g.nodes().forEach(n -> n.attributes().values().stream().filter(a -> a.kind() == Attribute.Kind.GRAPH)
                .forEach(a -> GraphSpecializer.reads((Graph) a.value(), fixed)));
        Map<String, List<String>> byContent = new HashMap<>();
        Map<String, String> alias = new HashMap<>();
        for (Map.Entry<String, Tensor> e : g.initializers().entrySet()) {
            if (fixed.contains(e.getKey())) {
                continue;
            }
            Tensor t = e.getValue();
            String key = t.type() + Arrays.toString(t.shape()) + "#" + t.contentHash();
            List<String> same = byContent.computeIfAbsent(key, k -> new ArrayList<>());
            String first = same.stream().filter(other -> g.initializers().get(other).contentEquals(t)).findFirst().orElse(null);
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

    /**
     * Folded floating-point constants made from the same parameter(s) take their name(s), e.g.
     * {@code rnn.weight_hh_l0}, or {@code rnn.weight_hh_l0+rnn.weight_hh_l0_reverse} for the two
     * directions of a bidirectional layer, where no value of the graph has that name any more.
     */
    static Graph nameAfterSources(Graph g, Map<String, Tensor> original, Map<String, Set<String>> sources,
                                          Map<String, String> alias, Map<String, String> renamed) {
        Set<String> taken = new HashSet<>(g.initializers().keySet());
        taken.addAll(GraphNormalizer.names(g.inputs()));
        taken.addAll(GraphNormalizer.names(g.outputs()));
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
    static boolean isParameterName(String name) {
        return !name.matches("(val|_val|_v|tmp|Constant|const|onnx::|_onnx|initializer)[_:]?\\d*.*")
                && !name.matches(".*[_:]\\d+") && name.matches("[A-Za-z_][\\w.]*");
    }
}
