package io.sparq.converter.prune;

import io.sparq.format.Attribute;
import io.sparq.format.DataType;
import io.sparq.format.ErrorCode;
import io.sparq.format.Graph;
import io.sparq.format.Node;
import io.sparq.format.SparqException;
import io.sparq.format.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which initializers of a graph are pruned, and to what sparsity.
 *
 * <p>Prunable: the float32 {@code W} and {@code R} initializers of LSTM, GRU and RNN (inputs 1
 * and 2), the {@code B} initializer of Gemm, a 2-D float32 initializer multiplied by MatMul and,
 * only when asked, the float32 table of a Gather (an embedding). Never biases, LSTM peepholes
 * (input 7), initial states, normalisation parameters, convolution kernels or anything else: they
 * are few parameters and pruning them costs accuracy for no speed.
 */
public final class PruneTargets {
    /**
     * A prunable tensor: its name, shape and why it qualifies (e.g. {@code LSTM W}, first user node);
     * {@code outputRows} when its leading axes are the outputs of the product (LSTM W, Gemm B with
     * transB, W·x) rather than its last axis (x·W, Gemm B without transB, embeddings).
     */
    public record Candidate(String name, int[] shape, String role, String node, boolean outputRows) {
        public Candidate(String name, int[] shape, String role, String node) {
            this(name, shape, role, node, true);
        }
    }

    /** A tensor to prune and its final sparsity (NaN for a Narang schedule with a given θ); {@code outputRows} as for {@link Candidate}. */
    public record Target(String name, int[] shape, String role, double sparsity, boolean outputRows) {
        public Target(String name, int[] shape, String role, double sparsity) {
            this(name, shape, role, sparsity, true);
        }
    }

    private PruneTargets() {
    }

    /** Every prunable initializer in node order, each once. */
    public static List<Candidate> candidates(Graph graph, boolean includeEmbeddings) {
        Map<String, Candidate> found = new LinkedHashMap<>();
        for (Node node : graph.nodes()) {
            if (!node.domain().isEmpty() && !node.domain().equals("ai.onnx")) {
                continue;
            }
            switch (node.opType()) {
                case "LSTM", "GRU", "RNN" -> {
                    add(found, graph, node, 1, node.opType() + " W", 3, true);
                    add(found, graph, node, 2, node.opType() + " R", 3, true);
                }
                case "Gemm" -> add(found, graph, node, 1, "Gemm B", 2, transB(node));
                case "MatMul" -> {
                    // x · W is how exporters write a linear layer; W · x (weight first) is rarer but the same matrix
                    add(found, graph, node, 1, "MatMul weight", 2, false);
                    add(found, graph, node, 0, "MatMul weight", 2, true);
                }
                case "Gather" -> {
                    if (includeEmbeddings) {
                        add(found, graph, node, 0, "embedding", 2, false);
                    }
                }
                default -> {
                }
            }
        }
        return List.copyOf(found.values());
    }

    /**
     * Where weights hide in branches of {@code If} nodes (Silero VAD as published), how to bring
     * them out: fixing the input that decides the {@code If} folds the taken branch into the graph.
     */
    private static String branchHint(Graph graph, boolean includeEmbeddings) {
        List<String> ifs = new ArrayList<>();
        int inBranches = 0;
        for (Node node : graph.nodes()) {
            if (!node.opType().equals("If")) {
                continue;
            }
            ifs.add(node.name());
            for (Attribute a : node.attributes().values()) {
                if (a.kind() == Attribute.Kind.GRAPH) {
                    inBranches += candidates((Graph) a.value(), includeEmbeddings).size();
                }
            }
        }
        if (ifs.isEmpty()) {
            return "";
        }
        return "; " + (inBranches > 0 ? inBranches + " sit" : "weights may sit") + " inside the branches of If node(s) "
                + ifs + ": fix the input that decides them so the branch taken is folded in, e.g."
                + " --input-value sr=16000 for Silero VAD (docs/silero.md)";
    }

    private static boolean transB(Node node) {
        Attribute a = node.attributes().get("transB");
        return a != null && a.value() instanceof Long v && v != 0;
    }

    private static void add(Map<String, Candidate> found, Graph graph, Node node, int input, String role, int rank,
                            boolean outputRows) {
        if (node.inputs().size() <= input) {
            return;
        }
        String name = node.inputs().get(input);
        Tensor t = graph.initializers().get(name);
        if (t != null && t.type() == DataType.FLOAT32 && t.rank() == rank && t.size() > 0 && !found.containsKey(name)) {
            found.put(name, new Candidate(name, t.shape(), role, node.name(), outputRows));
        }
    }

    /**
     * The tensors {@code config} prunes, with their final sparsity: the schedule's target unless a
     * rule matches; tensors whose target is 0 are left out.
     *
     * @throws SparqException INVALID_ARGUMENT if the graph has no prunable tensor or a rule matches none
     */
    public static List<Target> resolve(Graph graph, PruneConfig config) {
        List<Candidate> candidates = candidates(graph, config.includeEmbeddings());
        if (candidates.isEmpty()) {
            throw new SparqException(ErrorCode.INVALID_ARGUMENT, "the model has no prunable weights"
                    + " (LSTM/GRU/RNN W and R, Gemm B, MatMul weight initializers"
                    + (config.includeEmbeddings() ? ", embeddings" : "") + ")" + branchHint(graph, config.includeEmbeddings()));
        }
        for (TargetRule rule : config.targets()) {
            if (candidates.stream().noneMatch(c -> rule.matches(c.name()))) {
                boolean embeddingsLeftOut = !config.includeEmbeddings()
                        && candidates(graph, true).stream().anyMatch(c -> rule.matches(c.name()));
                throw new SparqException(ErrorCode.INVALID_ARGUMENT, "target '" + rule.glob()
                        + "' matches no prunable tensor"
                        + (embeddingsLeftOut ? " (it matches an embedding; embeddings are pruned only on request)" : "")
                        + "; prunable tensors: " + candidates.stream().map(Candidate::name).toList());
            }
        }
        double defaultSparsity = config.schedule().targetSparsity();
        List<Target> targets = new ArrayList<>();
        for (Candidate c : candidates) {
            double sparsity = defaultSparsity;
            for (TargetRule rule : config.targets()) {
                if (rule.matches(c.name())) {
                    if (Double.isNaN(defaultSparsity) && rule.sparsity() != 0) {
                        throw new SparqException(ErrorCode.INVALID_ARGUMENT, "target '" + rule
                                + "': with a given θ the threshold alone decides sparsity; only 0 (leave dense) is allowed,"
                                + " or omit θ to derive it per tensor from the target");
                    }
                    sparsity = rule.sparsity();
                }
            }
            if (sparsity != 0) {
                targets.add(new Target(c.name(), c.shape(), c.role(), sparsity, c.outputRows()));
            }
        }
        return targets;
    }
}
