package io.sparq.converter.finetune;

import io.sparq.format.DataType;
import io.sparq.format.ErrorCode;
import io.sparq.format.SparqException;
import io.sparq.format.Tensor;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Loss functions over named outputs with their gradients. The loss over several outputs is the
 * sum of the per-output losses; each per-output loss is a mean (over elements for MSE, over rows
 * of the last axis for KL and cross-entropy), so it does not grow with the batch size.
 */
public final class Loss {
    /** Probabilities below this are clamped before taking logs, so a zero output gives a large finite loss. */
    private static final double TINY = 1e-12;

    private Loss() {
    }

    /** The loss value and dLoss/dOutput per output name. */
    public record Value(double loss, Map<String, Tensor> gradients) {
    }

    /**
     * @param outputs model outputs by name (only the names in {@code targets} are used)
     * @param targets per output: teacher outputs (MSE, KL) or labels (MSE, cross-entropy)
     * @param kinds   per output, how KL and cross-entropy read it
     */
    public static Value compute(LossKind kind, Map<String, Tensor> outputs, Map<String, Tensor> targets,
                                Map<String, OutputKind> kinds) {
        double total = 0;
        Map<String, Tensor> grads = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : targets.entrySet()) {
            String name = e.getKey();
            Tensor y = outputs.get(name);
            if (y == null || y.type() != DataType.FLOAT32) {
                throw new SparqException(ErrorCode.INVALID_ARGUMENT, "loss output '" + name + "' is "
                        + (y == null ? "not an output of the model" : y + ", expected float32"));
            }
            Tensor g = Tensor.zeros(DataType.FLOAT32, y.shape());
            total += switch (kind) {
                case MSE -> mse(name, y, e.getValue(), g.floats());
                case KL -> kl(name, y, e.getValue(), kinds.get(name), g.floats());
                case CROSS_ENTROPY -> crossEntropy(name, y, e.getValue(), kinds.get(name), g.floats());
            };
            grads.put(name, g);
        }
        return new Value(total, grads);
    }

    private static double mse(String name, Tensor y, Tensor t, float[] g) {
        requireShape(name, y, t, y.shape());
        float[] yv = y.floats();
        int n = yv.length;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double d = yv[i] - t.getDouble(i);
            sum += d * d;
            g[i] = (float) (2 * d / n);
        }
        return sum / n;
    }

    /** KL(p ‖ q) = Σ p·(log p - log q) per row, p from the teacher's output and q from the student's. */
    private static double kl(String name, Tensor y, Tensor t, OutputKind kind, float[] g) {
        requireShape(name, y, t, y.shape());
        int classes = y.dim(y.rank() - 1);
        int rows = y.size() / Math.max(classes, 1);
        float[] yv = y.floats();
        float[] tv = t.floats();
        double[] logQ = new double[classes];
        double[] logP = new double[classes];
        double sum = 0;
        for (int r = 0; r < rows; r++) {
            int base = r * classes;
            logProbabilities(yv, base, classes, kind, logQ);
            logProbabilities(tv, base, classes, kind, logP);
            for (int c = 0; c < classes; c++) {
                double p = Math.exp(logP[c]);
                if (p > 0) {
                    sum += p * (logP[c] - logQ[c]);
                }
                g[base + c] = (float) (switch (kind) {
                    case LOG_PROBABILITIES -> -p;
                    case PROBABILITIES -> -p / Math.max(yv[base + c], TINY);
                    case LOGITS -> Math.exp(logQ[c]) - p;
                } / rows);
            }
        }
        return sum / rows;
    }

    /** -log q[label] per row; labels are class indices shaped as the output without its last axis. */
    private static double crossEntropy(String name, Tensor y, Tensor labels, OutputKind kind, float[] g) {
        checkLabels(name, y, labels);
        int classes = y.dim(y.rank() - 1);
        int rows = labels.size();
        float[] yv = y.floats();
        double[] logQ = new double[classes];
        double sum = 0;
        for (int r = 0; r < rows; r++) {
            int base = r * classes;
            int c = (int) labels.getLong(r);
            logProbabilities(yv, base, classes, kind, logQ);
            sum -= logQ[c];
            switch (kind) {
                case LOG_PROBABILITIES -> g[base + c] = -1f / rows;
                case PROBABILITIES -> g[base + c] = (float) (-1 / Math.max(yv[base + c], TINY) / rows);
                case LOGITS -> {
                    for (int k = 0; k < classes; k++) {
                        g[base + k] = (float) ((Math.exp(logQ[k]) - (k == c ? 1 : 0)) / rows);
                    }
                }
            }
        }
        return sum / rows;
    }

    /**
     * Labels for a classifier output: int64 or int32 class indices shaped as the output without its
     * last (class) axis, each in {@code [0, classes)}.
     */
    static void checkLabels(String name, Tensor y, Tensor labels) {
        if (y.rank() == 0) {
            throw new SparqException(ErrorCode.INVALID_ARGUMENT, "output '" + name + "' is a scalar, labels need a class axis");
        }
        requireShape(name, y, labels, Arrays.copyOf(y.shape(), y.rank() - 1));
        if (labels.type() != DataType.INT64 && labels.type() != DataType.INT32) {
            throw new SparqException(ErrorCode.INVALID_ARGUMENT, "labels for '" + name + "' are " + labels
                    + ", expected int64 or int32 class indices");
        }
        int classes = y.dim(y.rank() - 1);
        for (int r = 0; r < labels.size(); r++) {
            long label = labels.getLong(r);
            if (label < 0 || label >= classes) {
                throw new SparqException(ErrorCode.INVALID_ARGUMENT, "label " + label + " (row " + r + ") for '"
                        + name + "' is out of range for " + classes + " classes");
            }
        }
    }

    /** Natural-log class probabilities of row {@code v[base .. base+n)} read as {@code kind}. */
    static void logProbabilities(float[] v, int base, int n, OutputKind kind, double[] out) {
        switch (kind) {
            case LOG_PROBABILITIES -> {
                for (int c = 0; c < n; c++) {
                    out[c] = v[base + c];
                }
            }
            case PROBABILITIES -> {
                for (int c = 0; c < n; c++) {
                    out[c] = Math.log(Math.max(v[base + c], TINY));
                }
            }
            case LOGITS -> {
                double max = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < n; c++) {
                    max = Math.max(max, v[base + c]);
                }
                double s = 0;
                for (int c = 0; c < n; c++) {
                    s += Math.exp(v[base + c] - max);
                }
                double logSum = max + Math.log(s);
                for (int c = 0; c < n; c++) {
                    out[c] = v[base + c] - logSum;
                }
            }
        }
    }

    private static void requireShape(String name, Tensor y, Tensor t, int[] expected) {
        if (!Arrays.equals(t.shape(), expected)) {
            throw new SparqException(ErrorCode.INVALID_ARGUMENT, "target for output '" + name + "' has shape "
                    + Arrays.toString(t.shape()) + ", expected " + Arrays.toString(expected) + " for output " + y);
        }
    }
}
