package io.sparq.converter.export;

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
import java.util.Random;

/**
 * Single-layer recurrent models with seeded random weights, magnitude-pruned in 1×B blocks, for
 * benchmarks and export tests. Export them with {@link OnnxExporter#toModelProto(Graph)}.
 */
public final class SyntheticModels {
    /** The recurrent operator of a model, with its number of gates. */
    public enum Cell {
        LSTM(4), GRU(3), RNN(1);

        private final int gates;

        Cell(int gates) {
            this.gates = gates;
        }

        public int gates() {
            return gates;
        }
    }

    private SyntheticModels() {
    }

    /**
     * One forward layer: inputs {@code X float32[T, batch, inputSize]}, {@code initial_h} (and
     * {@code initial_c} for LSTM) {@code float32[1, batch, hidden]}; outputs {@code Y}, {@code Y_h}
     * (and {@code Y_c}), so a caller can stream by feeding {@code Y_h}/{@code Y_c} back with
     * {@code T = 1}. Weights are uniform in ±1/√hidden (PyTorch's initialization); {@code W} and
     * {@code R} are then pruned by {@link #pruneBlocks} to {@code sparsity}. GRU uses
     * {@code linear_before_reset = 1}, as PyTorch exports it.
     */
    public static Graph recurrent(Cell cell, int inputSize, int hidden, double sparsity, int blockSize, int opset,
                                  long seed) {
        Random random = new Random(seed);
        float bound = (float) (1 / Math.sqrt(hidden));
        int gates = cell.gates() * hidden;
        Map<String, Tensor> init = new LinkedHashMap<>();
        init.put("W", pruneBlocks(uniform(random, new int[] {1, gates, inputSize}, bound), sparsity, blockSize));
        init.put("R", pruneBlocks(uniform(random, new int[] {1, gates, hidden}, bound), sparsity, blockSize));
        init.put("B", uniform(random, new int[] {1, 2 * gates}, bound));
        List<Dim> state = List.of(Dim.of(1), Dim.symbol("batch"), Dim.of(hidden));
        List<ValueInfo> inputs = new ArrayList<>();
        inputs.add(new ValueInfo("X", DataType.FLOAT32, List.of(Dim.symbol("T"), Dim.symbol("batch"), Dim.of(inputSize))));
        inputs.add(new ValueInfo("initial_h", DataType.FLOAT32, state));
        List<String> nodeInputs = new ArrayList<>(List.of("X", "W", "R", "B", "", "initial_h"));
        List<ValueInfo> outputs = new ArrayList<>();
        outputs.add(new ValueInfo("Y", DataType.FLOAT32,
                List.of(Dim.symbol("T"), Dim.of(1), Dim.symbol("batch"), Dim.of(hidden))));
        outputs.add(new ValueInfo("Y_h", DataType.FLOAT32, state));
        if (cell == Cell.LSTM) {
            inputs.add(new ValueInfo("initial_c", DataType.FLOAT32, state));
            nodeInputs.add("initial_c");
            outputs.add(new ValueInfo("Y_c", DataType.FLOAT32, state));
        }
        Map<String, Attribute> attributes = new LinkedHashMap<>();
        attributes.put("hidden_size", Attribute.of("hidden_size", (long) hidden));
        if (cell == Cell.GRU) {
            attributes.put("linear_before_reset", Attribute.of("linear_before_reset", 1L));
        }
        Node node = new Node(cell.name().toLowerCase(java.util.Locale.ROOT), cell.name(), "", nodeInputs,
                outputs.stream().map(ValueInfo::name).toList(), attributes);
        return new Graph(cell.name().toLowerCase(java.util.Locale.ROOT) + "_" + hidden, inputs, outputs, List.of(node),
                init, Map.of("", opset), Map.of());
    }

    /** A tensor of values uniform in [-bound, bound). */
    public static Tensor uniform(Random random, int[] shape, float bound) {
        float[] v = new float[Tensor.sizeOf(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (2 * random.nextFloat() - 1) * bound;
        }
        return Tensor.ofFloats(shape, v);
    }

    /**
     * A copy of {@code t} (float32) with the 1×{@code blockSize} blocks along the last axis of
     * smallest L1 norm set to zero, {@code round(sparsity × blocks)} of them, over the whole
     * tensor; {@code blockSize} 1 prunes single values. A partial block at a row's end counts as
     * one block.
     */
    public static Tensor pruneBlocks(Tensor t, double sparsity, int blockSize) {
        if (sparsity < 0 || sparsity > 1 || blockSize < 1) {
            throw new IllegalArgumentException("sparsity " + sparsity + " outside [0, 1] or block size " + blockSize + " < 1");
        }
        float[] v = t.floats().clone();
        int cols = t.dim(t.rank() - 1);
        int rows = cols == 0 ? 0 : v.length / cols;
        int perRow = (cols + blockSize - 1) / blockSize;
        int blocks = rows * perRow;
        double[] norm = new double[blocks];
        for (int b = 0; b < blocks; b++) {
            for (int i = blockStart(b, perRow, cols, blockSize); i < blockEnd(b, perRow, cols, blockSize); i++) {
                norm[b] += Math.abs(v[i]);
            }
        }
        int prune = (int) Math.round(sparsity * blocks);
        if (prune == 0) {
            return Tensor.ofFloats(t.shape(), v);
        }
        double[] sorted = norm.clone();
        Arrays.sort(sorted);
        double threshold = sorted[prune - 1];
        long below = Arrays.stream(sorted, 0, prune).filter(n -> n < threshold).count();
        long tiesToPrune = prune - below;   // blocks whose norm equals the threshold, pruned in order
        for (int b = 0; b < blocks; b++) {
            if (norm[b] < threshold || (norm[b] == threshold && tiesToPrune-- > 0)) {
                Arrays.fill(v, blockStart(b, perRow, cols, blockSize), blockEnd(b, perRow, cols, blockSize), 0f);
            }
        }
        return Tensor.ofFloats(t.shape(), v);
    }

    private static int blockStart(int b, int perRow, int cols, int blockSize) {
        return (b / perRow) * cols + (b % perRow) * blockSize;
    }

    private static int blockEnd(int b, int perRow, int cols, int blockSize) {
        return (b / perRow) * cols + Math.min(cols, (b % perRow + 1) * blockSize);
    }
}
