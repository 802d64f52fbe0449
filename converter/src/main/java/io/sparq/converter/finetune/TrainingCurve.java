package io.sparq.converter.finetune;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A fine-tuning run step by step: training loss, validation loss (NaN where there was no
 * validation pass) and the pruned share of the weights. Kept in checkpoints so a resumed run
 * ends with the whole curve, and stored in the {@code .sparq} file (thinned) for the report.
 */
public final class TrainingCurve {
    /** Values per point in {@link #flat()}: step, loss, validation loss, sparsity. */
    public static final int COLUMNS = 4;

    /** One step of the run. */
    public record Point(long step, double loss, double validationLoss, double sparsity) {
    }

    private final List<Point> points = new ArrayList<>();

    /** An empty curve. */
    public TrainingCurve() {
    }

    /** The curve {@link #flat()} wrote. */
    public static TrainingCurve of(double[] flat) {
        if (flat.length % COLUMNS != 0) {
            throw new IllegalArgumentException("a training curve has " + COLUMNS + " values per point, got " + flat.length);
        }
        TrainingCurve c = new TrainingCurve();
        for (int i = 0; i < flat.length; i += COLUMNS) {
            c.add(new Point((long) flat[i], flat[i + 1], flat[i + 2], flat[i + 3]));
        }
        return c;
    }

    public void add(Point p) {
        points.add(p);
    }

    public List<Point> points() {
        return List.copyOf(points);
    }

    /** Point after point, {@link #COLUMNS} values each. */
    public double[] flat() {
        double[] out = new double[points.size() * COLUMNS];
        for (int i = 0; i < points.size(); i++) {
            Point p = points.get(i);
            out[i * COLUMNS] = p.step();
            out[i * COLUMNS + 1] = p.loss();
            out[i * COLUMNS + 2] = p.validationLoss();
            out[i * COLUMNS + 3] = p.sparsity();
        }
        return out;
    }

    /**
     * At most about {@code max} points: every validation pass, the first and the last step, and
     * evenly spaced steps between.
     */
    public TrainingCurve thinned(int max) {
        int n = points.size();
        if (n <= max) {
            return copy();
        }
        boolean[] keep = new boolean[n];
        double every = (double) n / max;
        for (double i = 0; i < n; i += every) {
            keep[(int) i] = true;
        }
        keep[n - 1] = true;
        TrainingCurve out = new TrainingCurve();
        for (int i = 0; i < n; i++) {
            if (keep[i] || !Double.isNaN(points.get(i).validationLoss())) {
                out.add(points.get(i));
            }
        }
        return out;
    }

    public TrainingCurve copy() {
        return of(flat());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrainingCurve c && Arrays.equals(flat(), c.flat());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(flat());
    }
}
