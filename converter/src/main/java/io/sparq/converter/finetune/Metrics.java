package io.sparq.converter.finetune;

import io.sparq.format.Tensor;

/** Task metrics of a classifier output against integer labels, as {@code sparq verify --labels} reports them. */
public final class Metrics {
    private Metrics() {
    }

    /**
     * @param rows               labelled predictions (rows of the output)
     * @param accuracy           share of rows whose largest class score is the label (ties: the first)
     * @param bitsPerPrediction  mean {@code -log2 q[label]}: bits per character for a character model
     */
    public record Classification(int rows, double accuracy, double bitsPerPrediction) {
        /** {@code 2^bits}: the perplexity of a language model. */
        public double perplexity() {
            return Math.pow(2, bitsPerPrediction);
        }
    }

    /**
     * The metrics of output {@code y} ({@code [..., classes]}, read as {@code kind}) against
     * {@code labels} (class indices shaped as {@code y} without its last axis).
     *
     * @throws io.sparq.format.SparqException INVALID_ARGUMENT naming the output when the labels do not fit it
     */
    public static Classification classification(String name, Tensor y, Tensor labels, OutputKind kind) {
        Loss.checkLabels(name, y, labels);
        int classes = y.dim(y.rank() - 1);
        int rows = labels.size();
        float[] v = y.floats();
        double[] logQ = new double[classes];
        double nats = 0;
        int correct = 0;
        for (int r = 0; r < rows; r++) {
            int base = r * classes;
            int label = (int) labels.getLong(r);
            Loss.logProbabilities(v, base, classes, kind, logQ);
            nats -= logQ[label];
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (v[base + c] > v[base + best]) {
                    best = c;
                }
            }
            if (best == label) {
                correct++;
            }
        }
        return rows == 0 ? new Classification(0, Double.NaN, Double.NaN)
                : new Classification(rows, (double) correct / rows, nats / rows / Math.log(2));
    }
}
