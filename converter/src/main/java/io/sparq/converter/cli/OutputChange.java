package io.sparq.converter.cli;

import io.sparq.converter.Formats;
import io.sparq.format.DataType;
import io.sparq.format.Tensor;
import io.sparq.format.ValueInfo;
import io.sparq.runtime.api.Model;
import io.sparq.runtime.api.Session;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * How far a converted model's outputs moved from the dense model's on the same inputs: what a
 * conversion cost, measured where no task data says it (one-shot pruning has no {@code --data}).
 */
final class OutputChange {
    /** A relative error above this means the model computes something else: convert warns. */
    static final double WARN_ABOVE = 0.1;
    /** Size of every symbolic dimension of generated inputs: 16 sequences of 16 steps for {@code [batch, time, f]}. */
    static final int GENERATED_DIM = 16;

    /**
     * One output's change.
     *
     * @param relativeError max|a-b| / max|a| over the output (a = the dense model's)
     * @param sameTop       share of rows whose largest element (top class) is the same, NaN when the
     *                      output has no class axis (last axis of size 1, or rank 1)
     */
    record Output(String name, double relativeError, double sameTop) {
    }

    private final List<Output> outputs;
    private final String on;

    private OutputChange(List<Output> outputs, String on) {
        this.outputs = List.copyOf(outputs);
        this.on = on;
    }

    List<Output> outputs() {
        return outputs;
    }

    /** What the inputs were, e.g. {@code 16 generated inputs} or {@code test.npz}. */
    String on() {
        return on;
    }

    /** The largest relative error over the outputs. */
    double worst() {
        return outputs.stream().mapToDouble(Output::relativeError).max().orElse(0);
    }

    boolean large() {
        return !(worst() <= WARN_ABOVE);
    }

    /**
     * Runs both models on {@code feeds} and compares every float output of the dense model; with
     * {@code classes}, also how often the top class agrees (meaningless on made-up inputs, which
     * tend to land in one class).
     */
    static OutputChange measure(Model dense, Model converted, Map<String, Tensor> feeds, String on, boolean classes) {
        Map<String, Tensor> want;
        Map<String, Tensor> got;
        try (Session a = dense.newSession(); Session b = converted.newSession()) {
            want = a.run(feeds);
            got = b.run(feeds);
        }
        List<Output> outputs = new ArrayList<>();
        for (ValueInfo out : dense.outputs()) {
            Tensor w = want.get(out.name());
            Tensor g = got.get(out.name());
            if (w == null || g == null || w.type() != DataType.FLOAT32) {
                continue;
            }
            double rel = VerifyCommand.compare(out.name(), w, g).relativeError();
            outputs.add(new Output(out.name(), rel, classes ? sameTop(w, g) : Double.NaN));
        }
        return new OutputChange(outputs, on);
    }

    /**
     * Inputs for a model that came without data: floats uniform in [-1, 1), integers 0, every
     * symbolic dimension {@value #GENERATED_DIM}; null when an input has a type that cannot be made up.
     */
    static Map<String, Tensor> generatedInputs(List<ValueInfo> inputs) {
        SplittableRandom random = new SplittableRandom(1);
        Map<String, Tensor> feeds = new LinkedHashMap<>();
        for (ValueInfo in : inputs) {
            if (in.shape() == null || in.type() == null
                    || (in.type().isFloatingPoint() && in.type() != DataType.FLOAT32)) {
                return null;
            }
            int[] shape = in.shape().stream().mapToInt(d -> d.isFixed() ? d.value() : GENERATED_DIM).toArray();
            Tensor t = Tensor.zeros(in.type(), shape);
            if (in.type() == DataType.FLOAT32) {
                float[] v = t.floats();
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) random.nextDouble(-1, 1);
                }
            }
            feeds.put(in.name(), t);
        }
        return feeds;
    }

    /** The share of rows (all axes but the last) whose arg-max agrees; NaN without a class axis. */
    private static double sameTop(Tensor a, Tensor b) {
        int[] shape = a.shape();
        if (shape.length < 2 || shape[shape.length - 1] < 2 || !Arrays.equals(shape, b.shape())) {
            return Double.NaN;
        }
        int classes = shape[shape.length - 1];
        long rows = a.size() / classes;
        long same = 0;
        for (long r = 0; r < rows; r++) {
            int ia = 0;
            int ib = 0;
            for (int c = 1; c < classes; c++) {
                int i = (int) (r * classes + c);
                if (a.getDouble(i) > a.getDouble((int) (r * classes + ia))) {
                    ia = c;
                }
                if (b.getDouble(i) > b.getDouble((int) (r * classes + ib))) {
                    ib = c;
                }
            }
            same += ia == ib ? 1 : 0;
        }
        return rows == 0 ? Double.NaN : (double) same / rows;
    }

    /** One line per output, e.g. {@code logits: relative error 0.850 (max|a-b| / max|a|), same top class in 15.6% of 256 rows}. */
    List<String> lines() {
        List<String> lines = new ArrayList<>();
        for (Output o : outputs) {
            lines.add(String.format(Locale.ROOT, "%s: relative error %.3g (max|a-b| / max|a|)%s", o.name(), o.relativeError(),
                    Double.isNaN(o.sameTop()) ? "" : ", same top class in " + Formats.percent(o.sameTop())
                            + " of rows"));
        }
        return lines;
    }
}
