package io.sparq.converter.importer;

import io.sparq.converter.specialize.GraphSpecializer;
import io.sparq.format.Dim;
import io.sparq.format.ErrorCode;
import io.sparq.format.Graph;
import io.sparq.format.SparqException;
import io.sparq.format.ValueInfo;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
 *
 * <p>The steps live in {@link ConstantFolder}, {@link BatchAxes} and {@link ShapeGeneralizer}.
 */
public final class GraphNormalizer {
    /** The symbolic name every input's batch axis gets. */
    public static final String BATCH = "batch";

    /** The symbolic name a generalized static sequence axis gets. */
    public static final String SEQ = "seq";

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
        ConstantFolder.Folded f = ConstantFolder.foldConstants(graph);
        ConstantFolder.Shared s = ConstantFolder.shareConstants(f.graph());
        Graph g = GraphSpecializer.withoutDeadCode(s.graph());
        Map<String, String> renamed = new LinkedHashMap<>();
        g = ConstantFolder.nameAfterSources(g, graph.initializers(), f.sources(), s.alias(), renamed);
        // zeros are a recurrent op's default initial state: a zero constant would fix the batch size
        g = ShapeGeneralizer.rebuildConstants(g, Map.of(), Set.of());
        List<String> notes = new ArrayList<>();
        Axes axes = nameAxes(g, batchAxes, notes);
        // generalizing may have made equal Reshape targets
        ConstantFolder.Shared again = ConstantFolder.shareConstants(axes.graph);
        return new Result(GraphSpecializer.withoutDeadCode(again.graph()), f.count(), s.count(), renamed, axes.batch, notes);
    }

    static void checkGivenAxes(Graph graph, Map<String, Integer> given) {
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

    record Axes(Graph graph, Map<String, Integer> batch) {
    }

    private static Axes nameAxes(Graph g, Map<String, Integer> given, List<String> notes) {
        Map<String, Integer> batch = new LinkedHashMap<>();
        Map<String, Integer> seq = new LinkedHashMap<>();
        for (ValueInfo v : g.requiredInputs()) {
            if (v.shape() == null) {
                continue;
            }
            int[] inferred = BatchAxes.inferAxes(g, v);
            if (inferred[0] < 0 && !given.containsKey(v.name()) && BatchAxes.namedBatchAxis(v) == null) {
                inferred[0] = BatchAxes.independentAxis(g, v);
            }
            Integer b = given.containsKey(v.name()) ? given.get(v.name()) : BatchAxes.namedBatchAxis(v);
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
        Graph renamed = symbols.isEmpty() ? g : ShapeGeneralizer.withSymbols(g, symbols, Map.of());
        if (staticBatch.isEmpty() && seq.isEmpty()) {
            return new Axes(renamed, batch);
        }
        Map<String, Map<Integer, String>> generalize = new LinkedHashMap<>();
        staticBatch.forEach((name, axis) -> generalize.computeIfAbsent(name, k -> new LinkedHashMap<>()).put(axis, BATCH));
        seq.forEach((name, axis) -> generalize.computeIfAbsent(name, k -> new LinkedHashMap<>()).put(axis, SEQ));
        Graph general = ShapeGeneralizer.tryGeneralize(renamed, generalize);
        if (general == null && !seq.isEmpty()) {
            general = ShapeGeneralizer.tryGeneralize(renamed, withoutSymbol(generalize, SEQ));
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

    static Map<String, Map<Integer, String>> withoutSymbol(Map<String, Map<Integer, String>> m, String symbol) {
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

    static String describeFixed(Graph g, Map<String, Integer> axes) {
        List<String> parts = new ArrayList<>();
        axes.forEach((name, axis) -> parts.add(input(g, name).shape().get(axis) + " (axis " + axis + " of '" + name + "')"));
        return String.join(", ", parts);
    }

    static String describeGeneral(Graph before, Graph after) {
        List<String> parts = new ArrayList<>();
        for (ValueInfo v : after.requiredInputs()) {
            ValueInfo old = input(before, v.name());
            if (old != null && !String.valueOf(old.shape()).equals(String.valueOf(v.shape()))) {
                parts.add(v.name() + " " + old.shape() + " -> " + v.shape());
            }
        }
        return String.join(", ", parts);
    }

    static ValueInfo input(Graph g, String name) {
        return g.inputs().stream().filter(v -> v.name().equals(name)).findFirst().orElse(null);
    }

    static Set<String> names(List<ValueInfo> values) {
        Set<String> out = new HashSet<>();
        values.forEach(v -> out.add(v.name()));
        return out;
    }
}
