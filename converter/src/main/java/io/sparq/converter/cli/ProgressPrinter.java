package io.sparq.converter.cli;

import io.sparq.converter.Conversion;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * Shows a conversion's progress on stderr: one line per stage, and during fine-tuning a status
 * line (step, sparsity, loss, validation loss, ETA) that is redrawn in place on a terminal and
 * printed about twenty times over the run otherwise (logs stay short).
 */
final class ProgressPrinter implements Conversion.Listener {
    private final PrintWriter err;
    private final boolean terminal = System.console() != null;
    private long lastDraw;
    private long lastPrintedStep = -1;
    private double lastValidation = Double.NaN;
    private boolean lineOpen;

    ProgressPrinter(PrintWriter err) {
        this.err = err;
    }

    @Override
    public void stage(String description) {
        closeLine();
        err.println("sparq: " + description);
        err.flush();
    }

    @Override
    public void onStep(Progress p, double sparsity) {
        if (p.evaluated()) {
            lastValidation = p.validationLoss();
        }
        long done = p.step() + 1;
        String line = String.format(Locale.ROOT, "  step %d/%d  sparsity %s  loss %.4g  val %s  lr %.2g  %s",
                done, p.totalSteps(), Double.isNaN(sparsity) ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * sparsity),
                p.loss(), Double.isNaN(lastValidation) ? "-" : String.format(Locale.ROOT, "%.4g", lastValidation),
                p.learningRate(), done == p.totalSteps() ? "took " + format(p.elapsed()) : "ETA " + format(p.eta()));
        if (terminal) {
            long now = System.nanoTime();
            if (now - lastDraw > 100_000_000L || done == p.totalSteps()) {
                err.print("\r" + line + "\u001b[K");
                err.flush();
                lineOpen = true;
                lastDraw = now;
            }
        } else if (lastPrintedStep < 0 || done * 20 / p.totalSteps() > lastPrintedStep * 20 / p.totalSteps()
                || done == p.totalSteps()) {
            err.println(line);
            err.flush();
            lastPrintedStep = done;
        }
    }

    /** Ends an open status line, so what follows starts on a line of its own. */
    void finish() {
        closeLine();
        err.flush();
    }

    private void closeLine() {
        if (lineOpen) {
            err.println();
            lineOpen = false;
        }
    }

    private static String format(Duration d) {
        long s = d.toSeconds();
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60)
                : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
