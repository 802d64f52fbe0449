package io.sparq.converter.robustness;

import io.sparq.converter.Conversion;
import io.sparq.converter.TestModels;
import io.sparq.converter.encode.EncodingPlanner;
import io.sparq.converter.finetune.Checkpoint;
import io.sparq.converter.finetune.FineTuneConfig;
import io.sparq.converter.prune.CubicSchedule;
import io.sparq.converter.prune.NarangSchedule;
import io.sparq.converter.prune.PruneConfig;
import io.sparq.converter.prune.Schedule;
import io.sparq.converter.quantize.QuantizeMode;
import io.sparq.format.ErrorCode;
import io.sparq.format.SparqException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fine-tuning that is interrupted (cancelled, or failing) and continued with {@code resume} gives
 * the same bytes as a run that was never interrupted; a checkpoint of other inputs or settings,
 * or a damaged one, is refused.
 */
class ConversionResumeTest {
    private static final int STEPS = 30;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"cubic", "narang"})
    void aCancelledRunResumesToTheSameBytes(String schedule) throws IOException {
        Path whole = dir.resolve("whole.sparq");
        Conversion.run(TestModels.file("lstm_classifier.onnx"), whole, options(schedule, STEPS), stopAt(-1), new AtomicBoolean());
        Path target = dir.resolve("resumed.sparq");
        Path checkpoint = dir.resolve("resumed.sparq.ckpt");

        SparqException cancelled = assertThrows(SparqException.class, () -> runUntil(target, options(schedule, STEPS), 22));
        assertTrue(cancelled.getMessage().contains(checkpoint.toString()) && cancelled.getMessage().contains("--resume"),
                cancelled.getMessage());
        assertFalse(Files.exists(target), "a cancelled run writes no output");
        assertEquals(22, Checkpoint.read(checkpoint).state().step());

        Conversion.run(TestModels.file("lstm_classifier.onnx"), target, options(schedule, STEPS).withCheckpoint(null, true),
                stopAt(-1), new AtomicBoolean());
        assertArrayEquals(Files.readAllBytes(whole), Files.readAllBytes(target), "resumed at step 22 of " + STEPS);
        assertFalse(Files.exists(checkpoint), "the checkpoint is deleted once the output is written");
    }

    @Test
    void aFailedRunResumesFromItsLastValidationPass() throws IOException {
        Path whole = dir.resolve("whole.sparq");
        Conversion.run(TestModels.file("lstm_classifier.onnx"), whole, options("cubic", STEPS), stopAt(-1), new AtomicBoolean());
        Path target = dir.resolve("out.sparq");
        Path checkpoint = dir.resolve("kept.ckpt");
        Conversion.Listener failAt12 = new Quiet() {
            @Override
            public void onStep(Progress progress, double sparsity) {
                if (progress.step() == 12) {
                    throw new IllegalStateException("simulated crash");
                }
            }
        };
        assertThrows(IllegalStateException.class, () -> Conversion.run(TestModels.file("lstm_classifier.onnx"), target,
                options("cubic", STEPS).withCheckpoint(checkpoint, false), failAt12, new AtomicBoolean()));
        assertEquals(10, Checkpoint.read(checkpoint).state().step(), "validation every 5 steps: the last was after step 10");

        // resumed, cancelled again, resumed again
        assertThrows(SparqException.class, () -> runUntil(target, options("cubic", STEPS).withCheckpoint(checkpoint, true), 17));
        assertEquals(17, Checkpoint.read(checkpoint).state().step());
        Conversion.run(TestModels.file("lstm_classifier.onnx"), target, options("cubic", STEPS).withCheckpoint(checkpoint, true),
                stopAt(-1), new AtomicBoolean());
        assertArrayEquals(Files.readAllBytes(whole), Files.readAllBytes(target));
        assertFalse(Files.exists(checkpoint));
    }

    @Test
    void otherSettingsOrInputsAreRefused() {
        Path target = dir.resolve("out.sparq");
        assertThrows(SparqException.class, () -> runUntil(target, options("cubic", STEPS), 7));
        SparqException steps = assertThrows(SparqException.class, () -> Conversion.run(TestModels.file("lstm_classifier.onnx"),
                target, options("cubic", STEPS + 1).withCheckpoint(null, true), stopAt(-1), new AtomicBoolean()));
        assertEquals(ErrorCode.INVALID_ARGUMENT, steps.code());
        assertTrue(steps.getMessage().contains("the settings differ") && steps.getMessage().contains("steps=31"),
                steps.getMessage());
        Conversion.Options otherData = new Conversion.Options(options("cubic", STEPS).pruning(),
                TestModels.file("char_lm.train.npz"), null, options("cubic", STEPS).fineTune(),
                options("cubic", STEPS).encoding()).withCheckpoint(null, true);
        SparqException data = assertThrows(SparqException.class, () -> Conversion.run(TestModels.file("lstm_classifier.onnx"),
                target, otherData, stopAt(-1), new AtomicBoolean()));
        assertTrue(data.getMessage().contains("the --data file differs (sha256)"), data.getMessage());
        assertFalse(data.getMessage().contains("the settings"), data.getMessage());
        assertTrue(Files.exists(dir.resolve("out.sparq.ckpt")), "a refused resume keeps the checkpoint");
    }

    @Test
    void aMissingOrDamagedCheckpointIsRefusedCleanly() throws IOException {
        Path target = dir.resolve("out.sparq");
        Path checkpoint = dir.resolve("out.sparq.ckpt");
        SparqException missing = assertThrows(SparqException.class, () -> Conversion.run(TestModels.file("lstm_classifier.onnx"),
                target, options("cubic", STEPS).withCheckpoint(null, true), stopAt(-1), new AtomicBoolean()));
        assertEquals(ErrorCode.INVALID_ARGUMENT, missing.code());
        assertTrue(missing.getMessage().contains("no checkpoint at " + checkpoint), missing.getMessage());

        assertThrows(SparqException.class, () -> runUntil(target, options("cubic", STEPS), 7));
        byte[] whole = Files.readAllBytes(checkpoint);
        for (int length : new int[] {0, 10, whole.length / 2, whole.length - 1}) {
            Files.write(checkpoint, Arrays.copyOf(whole, length));
            SparqException e = assertThrows(SparqException.class, () -> Conversion.run(TestModels.file("lstm_classifier.onnx"),
                    target, options("cubic", STEPS).withCheckpoint(null, true), stopAt(-1), new AtomicBoolean()));
            assertEquals(ErrorCode.CORRUPT_FILE, e.code(), length + " bytes: " + e.getMessage());
            assertTrue(e.getMessage().contains(checkpoint.toString()), e.getMessage());
        }
        assertFalse(Files.exists(target));
    }

    private void runUntil(Path target, Conversion.Options options, int step) {
        AtomicBoolean cancel = new AtomicBoolean();
        Conversion.run(TestModels.file("lstm_classifier.onnx"), target, options, stopAt(step, cancel), cancel);
    }

    private static Conversion.Listener stopAt(int step) {
        return stopAt(step, new AtomicBoolean());
    }

    /** Sets {@code cancel} after step {@code step} (1-based count of steps done), as Ctrl-C does. */
    private static Conversion.Listener stopAt(int step, AtomicBoolean cancel) {
        return new Quiet() {
            @Override
            public void onStep(Progress progress, double sparsity) {
                if (progress.step() + 1 == step) {
                    cancel.set(true);
                }
            }
        };
    }

    private abstract static class Quiet implements Conversion.Listener {
        @Override
        public void stage(String description) {
        }
    }

    /** Pruning that settles at step 18, validation every 5 steps, best weights kept. */
    private static Conversion.Options options(String schedule, int steps) {
        Schedule s = schedule.equals("cubic") ? new CubicSchedule(0, 0.8, 0, 3, 6)
                : NarangSchedule.forSparsity(2, 12, 18, 0.8, 1.5, 4);
        return new Conversion.Options(PruneConfig.of(s), TestModels.file("lstm_classifier.train.npz"), null,
                FineTuneConfig.defaults().toBuilder().steps(steps).seed(5).evalEvery(5).validationFraction(0.2).build(),
                EncodingPlanner.Options.of(QuantizeMode.INT8, EncodingPlanner.Objective.SPEED));
    }
}
