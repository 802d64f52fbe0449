package io.sparq.converter.robustness;

import io.sparq.converter.Conversion;
import io.sparq.converter.TestModels;
import io.sparq.converter.data.Npz;
import io.sparq.converter.encode.EncodingPlanner;
import io.sparq.converter.finetune.FineTuneConfig;
import io.sparq.converter.prune.CubicSchedule;
import io.sparq.converter.prune.PruneConfig;
import io.sparq.converter.quantize.QuantizeMode;
import io.sparq.format.ErrorCode;
import io.sparq.format.SparqException;
import io.sparq.format.Tensor;
import io.sparq.runtime.api.Model;
import io.sparq.runtime.api.Session;
import onnx.Onnx.ModelProto;
import onnx.Onnx.TensorProto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Faults around a conversion: a bad model, an unwritable target, an interrupted fine-tuning. Each
 * fails with a message naming the cause and leaves the previous output byte for byte as it was,
 * with no partial or temporary file beside it. Also: the same inputs, options and seed give the
 * same bytes, and NaN inputs flow through a model as in ONNX Runtime.
 */
class ConversionFaultsTest {
    private static final byte[] PREVIOUS = "the previous output".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    @Test
    void aWeightHoldingNaNIsRefusedByName() throws IOException {
        ModelProto model = ModelProto.parseFrom(Files.readAllBytes(TestModels.file("lstm_classifier.onnx")));
        TensorProto weight = model.getGraph().getInitializerList().stream()
                .filter(t -> t.getDimsCount() >= 2).findFirst().orElseThrow();
        Path bad = dir.resolve("nan.onnx");
        Files.write(bad, withFirstValue(model, weight.getName(), Float.NaN).toByteArray());
        Path target = previousOutput("nan.sparq");

        SparqException e = assertThrows(SparqException.class, () -> convert(bad, target, plain(), new AtomicBoolean()));
        assertEquals(ErrorCode.INVALID_MODEL, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains("'" + weight.getName() + "'") && e.getMessage().contains("NaN"), e.getMessage());
        assertOnlyPrevious(target);
    }

    @Test
    void anInfiniteWeightIsRefusedByName() throws IOException {
        ModelProto model = ModelProto.parseFrom(Files.readAllBytes(TestModels.file("lstm_classifier.onnx")));
        String name = model.getGraph().getInitializerList().stream()
                .filter(t -> t.getDimsCount() >= 2).findFirst().orElseThrow().getName();
        Path bad = dir.resolve("inf.onnx");
        Files.write(bad, withFirstValue(model, name, Float.POSITIVE_INFINITY).toByteArray());
        SparqException e = assertThrows(SparqException.class,
                () -> convert(bad, dir.resolve("inf.sparq"), plain(), new AtomicBoolean()));
        assertEquals(ErrorCode.INVALID_MODEL, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains("'" + name + "'") && e.getMessage().contains("Infinity"), e.getMessage());
    }

    @Test
    void anUnwritableTargetIsAnIoErrorNamingIt() throws IOException {
        Path notADirectory = Files.write(dir.resolve("file"), PREVIOUS);
        Path target = notADirectory.resolve("out.sparq");
        SparqException e = assertThrows(SparqException.class,
                () -> convert(TestModels.file("lstm_classifier.onnx"), target, plain(), new AtomicBoolean()));
        assertEquals(ErrorCode.IO_ERROR, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains(target.toString()), e.getMessage());
        assertArrayEquals(PREVIOUS, Files.readAllBytes(notADirectory));
    }

    @Test
    void anInterruptedFineTuningLeavesThePreviousOutput() throws IOException {
        Path target = previousOutput("tuned.sparq");
        AtomicBoolean cancel = new AtomicBoolean();
        Conversion.Listener interruptAtStep2 = new Conversion.Listener() {
            @Override
            public void stage(String description) {
            }

            @Override
            public void onStep(Progress progress, double sparsity) {
                if (progress.step() >= 2) {
                    cancel.set(true);                        // what Ctrl-C does in the CLI
                }
            }
        };
        SparqException e = assertThrows(SparqException.class, () -> Conversion.run(TestModels.file("lstm_classifier.onnx"),
                target, pruned(50), interruptAtStep2, cancel));
        assertTrue(e.getMessage().contains("cancelled"), e.getMessage());
        assertOnlyPrevious(target);
    }

    @Test
    void theSameInputsOptionsAndSeedGiveTheSameBytes() throws IOException {
        Path onnx = TestModels.file("lstm_classifier.onnx");
        Path first = dir.resolve("first.sparq");
        Path second = dir.resolve("second.sparq");
        convert(onnx, first, pruned(20), new AtomicBoolean());
        convert(onnx, second, pruned(20), new AtomicBoolean());
        assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(second), "pruned + fine-tuned twice");
        convert(onnx, first, plain(), new AtomicBoolean());
        convert(onnx, second, plain(), new AtomicBoolean());
        assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(second), "converted twice");
    }

    /** ONNX Runtime gives NaN outputs for NaN inputs (no error); so does runtime-lite. */
    @Test
    void nanInputsPropagate() throws IOException {
        Path target = dir.resolve("model.sparq");
        convert(TestModels.file("lstm_classifier.onnx"), target, plain(), new AtomicBoolean());
        Map<String, Tensor> feeds = new LinkedHashMap<>();
        Npz.read(TestModels.file("lstm_classifier.npz")).forEach((k, t) -> {
            if (!k.startsWith("output:")) {
                float[] v = t.floats().clone();
                v[0] = Float.NaN;
                feeds.put(k, Tensor.ofFloats(t.shape(), v));
            }
        });
        try (Session s = Model.load(target).newSession()) {
            Map<String, Tensor> out = s.run(feeds);
            assertTrue(out.values().stream().anyMatch(t -> {
                for (float f : t.floats()) {
                    if (Float.isNaN(f)) {
                        return true;
                    }
                }
                return false;
            }), "a NaN input reaches the outputs");
        }
    }

    private static ModelProto withFirstValue(ModelProto model, String initializer, float value) {
        ModelProto.Builder b = model.toBuilder();
        for (TensorProto.Builder t : b.getGraphBuilder().getInitializerBuilderList()) {
            if (t.getName().equals(initializer)) {
                if (t.getRawData().isEmpty()) {
                    t.setFloatData(0, value);
                } else {
                    byte[] raw = t.getRawData().toByteArray();
                    ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).putFloat(0, value);
                    t.setRawData(com.google.protobuf.ByteString.copyFrom(raw));
                }
            }
        }
        return b.build();
    }

    private Path previousOutput(String name) throws IOException {
        return Files.write(dir.resolve(name), PREVIOUS);
    }

    /** The target still holds the previous bytes, and nothing else was left in its folder. */
    private void assertOnlyPrevious(Path target) throws IOException {
        assertArrayEquals(PREVIOUS, Files.readAllBytes(target));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(), files.filter(p -> p.getFileName().toString().startsWith("." + target.getFileName()))
                    .toList(), "no temporary file is left");
        }
    }

    private static Conversion.Options plain() {
        return new Conversion.Options(null, null, null, FineTuneConfig.defaults(),
                EncodingPlanner.Options.of(QuantizeMode.INT8, EncodingPlanner.Objective.SIZE));
    }

    private static Conversion.Options pruned(int steps) {
        return new Conversion.Options(PruneConfig.of(new CubicSchedule(0, 0.8, 0, 3, Math.max(1, steps / 4))),
                TestModels.file("lstm_classifier.train.npz"), null,
                FineTuneConfig.defaults().toBuilder().steps(steps).seed(3).build(),
                EncodingPlanner.Options.of(QuantizeMode.INT8, EncodingPlanner.Objective.SPEED));
    }

    private static void convert(Path onnx, Path target, Conversion.Options options, AtomicBoolean cancel) {
        Conversion.run(onnx, target, options, new Conversion.Listener() {
            @Override
            public void stage(String description) {
            }

            @Override
            public void onStep(Progress progress, double sparsity) {
            }
        }, cancel);
    }
}
