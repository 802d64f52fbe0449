package io.sparq.converter.cli;

import io.sparq.converter.finetune.TrainingListener;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What each progress mode writes: bars in place on a terminal, short plain lines in logs, nothing when quiet. */
class ProgressPrinterTest {
    @Test
    void terminalDrawsBarsInPlace() {
        StringWriter text = new StringWriter();
        ProgressPrinter p = new ProgressPrinter(new PrintWriter(text), ProgressPrinter.Mode.TERMINAL);
        p.stage("importing m.onnx");
        p.progress(4, 4);
        p.stage("choosing encodings");
        p.finish();
        assertEquals("sparq: importing m.onnx\n\r  [########################] 100%\u001b[K\nsparq: choosing encodings\n",
                text.toString());
        assertEquals("[######------------------]", ProgressPrinter.bar(1, 4));
    }

    @Test
    void logsGetAboutTwentyPlainLinesAndNoBars() {
        StringWriter text = new StringWriter();
        ProgressPrinter p = new ProgressPrinter(new PrintWriter(text), ProgressPrinter.Mode.LINES);
        p.progress(1, 4);
        for (long step = 0; step < 1000; step++) {
            p.onStep(progress(step, 1000), 0.5);
        }
        p.finish();
        String[] lines = text.toString().split("\n");
        assertEquals(21, lines.length, "the first step, every 5 %, and the last");
        assertTrue(lines[0].startsWith("  step 1/1000  sparsity 50.00%  loss 0.5"), lines[0]);
        assertTrue(lines[20].startsWith("  step 1000/1000") && lines[20].endsWith("took 1m40s"), lines[20]);
        assertFalse(text.toString().contains("\r") || text.toString().contains("["), text.toString());
    }

    @Test
    void quietWritesNothing() {
        StringWriter text = new StringWriter();
        ProgressPrinter p = new ProgressPrinter(new PrintWriter(text), ProgressPrinter.Mode.QUIET);
        p.stage("importing");
        p.progress(1, 2);
        p.onStep(progress(0, 10), 0.1);
        p.finish();
        assertEquals("", text.toString());
    }

    private static TrainingListener.Progress progress(long step, long total) {
        return new TrainingListener.Progress(step, total, 0.5, 1e-3, Double.NaN, Duration.ofMillis(100 * (step + 1)));
    }
}
