package io.sparq.converter.prune;

import io.sparq.converter.finetune.Loss;
import io.sparq.converter.finetune.LossKind;
import io.sparq.converter.finetune.Metrics;
import io.sparq.converter.finetune.OutputKind;
import io.sparq.converter.finetune.TrainingData;
import io.sparq.format.DataType;
import io.sparq.format.ErrorCode;
import io.sparq.format.Graph;
import io.sparq.format.SparqException;
import io.sparq.format.Tensor;
import io.sparq.runtime.api.Model;
import io.sparq.runtime.api.Session;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Pruning sensitivity, as Distiller's and SparseML's sensitivity analyses measure it: each
 * prunable tensor is pruned alone, in one shot, to each of several sparsities, and the model is
 * scored on held-out samples against the dense model. From the curves, {@link #plan} chooses a
 * sparsity per tensor that reaches an overall sparsity with the least predicted loss.
 *
 * <p>The loss is the one fine-tuning would use: cross-entropy (integer labels) or MSE (float
 * labels) with labels; without labels, KL divergence from the dense model's outputs when every
 * output is a distribution, MSE otherwise. The metric is accuracy with integer labels, agreement
 * of the predicted class with the dense model's for distributions, and none otherwise.
 */
public final class Sensitivity {
    private static final int BATCH = 32;

    private Sensitivity() {
    }

    /** The score of one pruned model: loss, and the task metric (NaN when there is none). */
    public record Score(double loss, double metric) {
    }

    /** One tensor's curve: the score at each sparsity of {@link Result#sparsities()}. */
    public record Curve(String tensor, String role, int[] shape, long parameters, List<Score> scores) {
    }

    /**
     * @param metricName "accuracy", "agreement" or null
     * @param dense      the unpruned model's score
     */
    public record Result(LossKind loss, String metricName, int samples, double[] sparsities, int block, Score dense,
                         List<Curve> curves) {
    }

    /**
     * Scores every prunable tensor of {@code graph} pruned alone to each of {@code sparsities}.
     *
     * @param data     held-out inputs (their samples are used up to {@code samples})
     * @param labels   per output name, labels for {@code data}'s samples; null = against the dense model
     * @param progress told (done, total) after each pruned model is scored
     */
    public static Result analyze(Graph graph, TrainingData data, Map<String, Tensor> labels, double[] sparsities,
                                 int block, int samples, boolean embeddings, BiConsumer<Integer, Integer> progress) {
        List<PruneTargets.Candidate> candidates = PruneTargets.candidates(graph, embeddings);
        if (candidates.isEmpty()) {
            throw new SparqException(ErrorCode.INVALID_ARGUMENT, "the model has no prunable weights (LSTM/GRU/RNN W"
                    + " and R, Gemm B, MatMul weight initializers)");
        }
        int n = Math.min(samples, data.size());
        int[] picked = new int[n];
        for (int i = 0; i < n; i++) {
            picked[i] = i;
        }
        List<String> outputs = graph.outputs().stream().map(o -> o.name()).toList();
        Map<String, OutputKind> kinds = new LinkedHashMap<>();
        for (String o : outputs) {
            kinds.put(o, OutputKind.of(graph.nodes().stream().filter(x -> x.outputs().contains(o)).findFirst().orElse(null)));
        }
        Map<String, Tensor> dense = runAll(graph, data, picked, outputs);
        Map<String, Tensor> targets;
        LossKind kind;
        String metric;
        if (labels != null) {
            targets = new LinkedHashMap<>();
            for (String o : outputs) {
                Tensor l = labels.get(o);
                if (l != null) {
                    targets.put(o, firstRows(l, n));
                }
            }
            if (targets.isEmpty()) {
                throw new SparqException(ErrorCode.INVALID_ARGUMENT, "the labels name none of the model's outputs "
                        + outputs + "; they have " + labels.keySet());
            }
            boolean integer = targets.values().stream().allMatch(t -> t.type() == DataType.INT64 || t.type() == DataType.INT32);
            kind = integer ? LossKind.CROSS_ENTROPY : LossKind.MSE;
            metric = integer ? "accuracy" : null;
        } else {
            targets = dense;
            boolean distributions = kinds.values().stream().allMatch(k -> k != OutputKind.LOGITS);
            kind = distributions ? LossKind.KL : LossKind.MSE;
            metric = distributions ? "agreement" : null;
        }
        Score base = score(kind, metric, dense, dense, targets, kinds);
        List<Curve> curves = new ArrayList<>();
        int total = candidates.size() * sparsities.length;
        int done = 0;
        for (PruneTargets.Candidate c : candidates) {
            List<Score> scores = new ArrayList<>();
            for (double s : sparsities) {
                Pruner pruner = new Pruner(List.of(new PruneTargets.Target(c.name(), c.shape(), c.role(), s)),
                        new OneShotSchedule(s, 0), block);
                Map<String, Tensor> got = runAll(pruner.pruneNow(graph), data, picked, outputs);
                scores.add(score(kind, metric, got, dense, targets, kinds));
                progress.accept(++done, total);
            }
            curves.add(new Curve(c.name(), c.role(), c.shape(), Tensor.sizeOf(c.shape()), List.copyOf(scores)));
        }
        return new Result(kind, metric, n, sparsities.clone(), block, base, List.copyOf(curves));
    }

    /**
     * Per tensor, the sparsity (one of the analysed ones, or 0) that reaches {@code overall} (the
     * share of zeros over all analysed tensors' parameters) with the least summed loss increase:
     * for a price λ per parameter kept, each tensor takes the sparsity that minimises its loss
     * increase plus λ times its kept parameters; λ is the smallest price that reaches the target.
     *
     * @throws SparqException INVALID_ARGUMENT if {@code overall} is above the largest analysed sparsity
     */
    public static Map<String, Double> plan(Result r, double overall) {
        double max = Arrays.stream(r.sparsities()).max().orElse(0);
        if (overall > max + 1e-12) {
            throw new SparqException(ErrorCode.INVALID_ARGUMENT, "--overall " + overall + " is above the largest"
                    + " sparsity analysed (" + max + "); add it to --sparsities");
        }
        double lo = 0;
        double hi = 1;
        while (sparsity(choose(r, hi), r) < overall && hi < 1e12) {
            hi *= 4;
        }
        for (int i = 0; i < 100; i++) {
            double mid = (lo + hi) / 2;
            if (sparsity(choose(r, mid), r) >= overall) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return choose(r, hi);
    }

    private static Map<String, Double> choose(Result r, double price) {
        Map<String, Double> out = new LinkedHashMap<>();
        long all = r.curves().stream().mapToLong(Curve::parameters).sum();
        for (Curve c : r.curves()) {
            double bestCost = price * c.parameters() / all;   // sparsity 0: nothing lost, everything kept
            double best = 0;
            for (int i = 0; i < r.sparsities().length; i++) {
                double s = r.sparsities()[i];
                double cost = Math.max(0, c.scores().get(i).loss() - r.dense().loss())
                        + price * (1 - s) * c.parameters() / all;
                if (cost < bestCost - 1e-15) {
                    bestCost = cost;
                    best = s;
                }
            }
            out.put(c.tensor(), best);
        }
        return out;
    }

    /** The share of zeros over all analysed tensors when each has the given sparsity. */
    public static double sparsity(Map<String, Double> plan, Result r) {
        double zeros = 0;
        long all = 0;
        for (Curve c : r.curves()) {
            zeros += plan.getOrDefault(c.tensor(), 0.0) * c.parameters();
            all += c.parameters();
        }
        return zeros / all;
    }

    private static Score score(LossKind kind, String metric, Map<String, Tensor> got, Map<String, Tensor> dense,
                               Map<String, Tensor> targets, Map<String, OutputKind> kinds) {
        double loss = Loss.compute(kind, got, targets, kinds).loss();
        double m = Double.NaN;
        if ("accuracy".equals(metric)) {
            double sum = 0;
            for (Map.Entry<String, Tensor> e : targets.entrySet()) {
                sum += Metrics.classification(e.getKey(), got.get(e.getKey()), e.getValue(), kinds.get(e.getKey())).accuracy();
            }
            m = sum / targets.size();
        } else if ("agreement".equals(metric)) {
            double sum = 0;
            for (String o : targets.keySet()) {
                sum += agreement(got.get(o), dense.get(o));
            }
            m = sum / targets.size();
        }
        return new Score(loss, m);
    }

    /** The share of rows (all axes but the last) whose largest entry is in the same place. */
    private static double agreement(Tensor a, Tensor b) {
        int classes = a.dim(a.rank() - 1);
        int rows = a.size() / classes;
        float[] x = a.floats();
        float[] y = b.floats();
        int same = 0;
        for (int r = 0; r < rows; r++) {
            same += argmax(x, r * classes, classes) == argmax(y, r * classes, classes) ? 1 : 0;
        }
        return (double) same / rows;
    }

    private static int argmax(float[] v, int from, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (v[from + i] > v[from + best]) {
                best = i;
            }
        }
        return best;
    }

    /** The outputs for the picked samples, run in batches and stacked along axis 0 of a [samples, ...] layout. */
    private static Map<String, Tensor> runAll(Graph graph, TrainingData data, int[] picked, List<String> outputs) {
        Model model = Model.fromGraph(graph);
        Map<String, List<Tensor>> parts = new LinkedHashMap<>();
        try (Session session = model.newSession()) {
            for (int from = 0; from < picked.length; from += BATCH) {
                int[] batch = Arrays.copyOfRange(picked, from, Math.min(picked.length, from + BATCH));
                Map<String, Tensor> out = session.run(data.inputBatch(batch));
                for (String o : outputs) {
                    parts.computeIfAbsent(o, k -> new ArrayList<>()).add(data.samplesOf(o, out.get(o)));
                }
            }
        }
        Map<String, Tensor> all = new LinkedHashMap<>();
        parts.forEach((k, v) -> all.put(k, concat(v)));
        return all;
    }

    private static Tensor concat(List<Tensor> parts) {
        int rows = parts.stream().mapToInt(t -> t.dim(0)).sum();
        int[] shape = parts.get(0).shape().clone();
        shape[0] = rows;
        Object out = Tensor.newArray(parts.get(0).type(), Tensor.sizeOf(shape));
        int at = 0;
        for (Tensor t : parts) {
            System.arraycopy(t.data(), 0, out, at, t.size());
            at += t.size();
        }
        return Tensor.of(parts.get(0).type(), shape, out);
    }

    private static Tensor firstRows(Tensor t, int n) {
        if (t.dim(0) < n) {
            throw new SparqException(ErrorCode.INVALID_ARGUMENT, "the labels hold " + t.dim(0) + " samples, fewer than"
                    + " the " + n + " inputs");
        }
        int[] shape = t.shape().clone();
        shape[0] = n;
        Object out = Tensor.newArray(t.type(), Tensor.sizeOf(shape));
        System.arraycopy(t.data(), 0, out, 0, Tensor.sizeOf(shape));
        return Tensor.of(t.type(), shape, out);
    }
}
