package io.sparq.converter.cli;

import io.sparq.converter.Conversion;
import io.sparq.converter.Formats;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * Shows a conversion's progress on stderr. On a terminal: a line per stage and a progress bar
 * redrawn in place (import, encoding; fine-tuning with step, sparsity, loss, validation loss and
 * ETA). Otherwise (a CI log, a pipe): the stage lines, and about twenty plain fine-tuning lines
 * over the run, so logs stay short. Quiet: nothing.
 */
final class ProgressPrinter implements Conversion.Listener {
    /** How progress is shown. */
    enum Mode {
        /** Bars redrawn in place with carriage returns. */
        TERMINAL,
        /** Plain lines only. */
        LINES,
        /** Nothing. */
        QUIET;

        /**
         * QUIET when asked; else SPARQ_PROGRESS ({@code terminal} or {@code lines}) when set — the
         * launcher sets it from whether stderr is a terminal, which Java cannot tell — else
         * TERMINAL when the process has a console.
         */
        static Mode detect(boolean quiet) {
            if (quiet) {
                return QUIET;
            }
            String env = System.getenv("SPARQ_PROGRESS");
            return "terminal".equals(env) ? TERMINAL : "lines".equals(env) ? LINES
                    : System.console() != null ? TERMINAL : LINES;
        }
    }

    private static final int BAR = 24;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintWriter err;
    private final Mode mode;
    private long lastDraw;
    private long lastPrintedStep = -1;
    private double lastValidation = Double.NaN;
    private boolean lineOpen;

    ProgressPrinter(PrintWriter err, Mode mode) {
        this.err = err;
        this.mode = mode;
    }

    @Override
    public void stage(String description) {
        if (mode == Mode.QUIET) {
            return;
        }
        closeLine();
        err.println("sparq: " + description);
        err.flush();
    }

    @Override
    public void progress(long done, long total) {
        if (mode == Mode.TERMINAL && total > 0) {
            draw("  " + bar(done, total) + String.format(Locale.ROOT, " %3d%%", 100 * done / total), done == total);
        }
    }

    @Override
    public void onStep(Progress p, double sparsity) {
        if (p.evaluated()) {
            lastValidation = p.validationLoss();
        }
        long done = p.step() + 1;
        boolean last = done == p.totalSteps();
        String stats = String.format(Locale.ROOT, "sparsity %s  loss %.4g  val %s  lr %.2g  %s",
                Formats.percent(sparsity),
                p.loss(), Double.isNaN(lastValidation) ? "-" : String.format(Locale.ROOT, "%.4g", lastValidation),
                p.learningRate(), last ? "took " + format(p.elapsed()) : "ETA " + format(p.eta()));
        switch (mode) {
            case TERMINAL -> draw(String.format(Locale.ROOT, "  step %d/%d %s  %s", done, p.totalSteps(),
                    bar(done, p.totalSteps()), stats), last);
            case LINES -> {
                if (lastPrintedStep < 0 || done * 20 / p.totalSteps() > lastPrintedStep * 20 / p.totalSteps() || last) {
                    err.println(String.format(Locale.ROOT, "  step %d/%d  %s", done, p.totalSteps(), stats));
                    err.flush();
                    lastPrintedStep = done;
                }
            }
            case QUIET -> { }
        }
    }

    /** Ends an open status line, so what follows starts on a line of its own. */
    void finish() {
        closeLine();
        err.flush();
    }

    /** Redraws the status line, at most ten times a second unless {@code force}. */
    private void draw(String line, boolean force) {
        long now = System.nanoTime();
        if (force || now - lastDraw > REDRAW_NANOS) {
            err.print("\r" + line + "\u001b[K");
            err.flush();
            lineOpen = true;
            lastDraw = now;
        }
    }

    static String bar(long done, long total) {
        int filled = (int) Math.min(BAR, BAR * Math.max(0, done) / Math.max(1, total));
        return "[" + "#".repeat(filled) + "-".repeat(BAR - filled) + "]";
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
