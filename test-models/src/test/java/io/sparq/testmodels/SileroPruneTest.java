package io.sparq.testmodels;

import io.sparq.converter.Conversion;
import io.sparq.converter.data.Npz;
import io.sparq.converter.encode.EncodingPlanner;
import io.sparq.converter.finetune.FineTuneConfig;
import io.sparq.converter.finetune.LossKind;
import io.sparq.converter.importer.OnnxImporter;
import io.sparq.converter.prune.CubicSchedule;
import io.sparq.converter.prune.PruneConfig;
import io.sparq.converter.quantize.QuantizeMode;
import io.sparq.converter.specialize.GraphSpecializer;
import io.sparq.converter.specialize.Specialization;
import io.sparq.format.Graph;
import io.sparq.format.Tensor;
import io.sparq.runtime.api.Model;
import io.sparq.runtime.api.Session;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Silero VAD v5 specialized to 16 kHz, pruned to 50 % (LSTM weights, 1×16 blocks) while distilled
 * for a few steps on frames of the training audio (each with the state the dense model carried
 * into it), stored as int8: streamed over the held-out audio with its own state carried, its
 * per-frame speech decisions (p > 0.5) must agree with the dense model's on at least
 * {@value #MIN_AGREEMENT} of the frames.
 *
 * <p>Why that bound: decisions can only differ on frames whose dense probability is near 0.5, i.e.
 * at the edges of utterances; on this 4 s held-out audio (125 frames, 8 speech/non-speech
 * transitions) this run measured 0.99 (the experiment, 400 steps, 0.98 on
 * 60 s). 0.9 leaves room for a few more flips at edges; a broken conversion (wrong folding, lost
 * state, a mask in the wrong place) gives the fraction of the majority class or less, about 0.6.
 */
class SileroPruneTest {
    private static final double MIN_AGREEMENT = 0.9;
    private static final int FRAME = 512;
    private static final int CONTEXT = 64;
    private static final Specialization SPEC = Specialization.parse(List.of("sr=16000"),
            List.of("input=batch,576", "state=2,batch,128"));

    @TempDir
    Path tmp;

    @Test
    void prunedFineTunedInt8ModelAgreesWithTheDenseModelOnHeldOutAudio() {
        Path dir = Path.of(System.getProperty("sparq.testmodels.dir")).resolveSibling("silero");
        Path onnx = dir.resolve("silero_vad_v5.onnx");
        Graph dense = GraphSpecializer.specialize(OnnxImporter.load(onnx), SPEC).graph();
        Model teacher = Model.fromGraph(dense);

        // fine-tuning samples: every training frame with the state the dense model carried into it
        float[][] train = frames(dir.resolve("vad_train.audio.npz"));
        float[] x = new float[train.length * train[0].length];
        float[] states = new float[train.length * 2 * 128];
        Tensor state = Tensor.zeros(io.sparq.format.DataType.FLOAT32, new int[] {2, 1, 128});
        try (Session s = teacher.newSession()) {
            for (int i = 0; i < train.length; i++) {
                System.arraycopy(train[i], 0, x, i * train[i].length, train[i].length);
                System.arraycopy(state.floats(), 0, states, i * 256, 256);
                state = s.run(feeds(train[i], state)).get("stateN");
            }
        }
        Path data = tmp.resolve("train.npz");
        Npz.write(data, Map.of("input", Tensor.ofFloats(new int[] {train.length, train[0].length}, x),
                "state", Tensor.ofFloats(new int[] {train.length, 2, 128}, states)));

        Path sparq = tmp.resolve("vad.sparq");
        int steps = 40;
        PruneConfig pruning = PruneConfig.of(new CubicSchedule(0, 0.5, 0, 3, 10)).withBlockSize(16);
        FineTuneConfig tune = FineTuneConfig.defaults().toBuilder().steps(steps).batchSize(16).warmupSteps(2)
                .evalEvery(10).loss(LossKind.MSE).seed(1).build();
        Conversion.Options options = new Conversion.Options(pruning, data, null, tune,
                EncodingPlanner.Options.of(QuantizeMode.INT8, EncodingPlanner.Objective.SPEED))
                .withSpecialization(SPEC);
        Conversion.Result result = Conversion.run(onnx, sparq, options, new Conversion.Listener() {
            @Override
            public void stage(String description) {
            }

            @Override
            public void onStep(Progress progress, double sparsity) {
            }
        }, new AtomicBoolean());
        assertEquals(2, result.pruned().size(), "the LSTM's W and R are pruned: " + result.pruned());
        result.pruned().forEach(r -> assertEquals(0.5, r.achieved(), 1.0 / 16, r.name()));
        assertTrue(result.frozen().keySet().stream().anyMatch(k -> k.contains("forward_basis")),
                "the STFT basis (under Pow and Sqrt) stays frozen: " + result.frozen());

        float[][] heldout = frames(dir.resolve("vad_heldout.audio.npz"));
        float[] want = stream(teacher, heldout);
        float[] got = stream(Model.load(sparq), heldout);
        int agree = 0;
        double maxDiff = 0;
        for (int i = 0; i < want.length; i++) {
            agree += (want[i] > 0.5) == (got[i] > 0.5) ? 1 : 0;
            maxDiff = Math.max(maxDiff, Math.abs(want[i] - got[i]));
        }
        double agreement = (double) agree / want.length;
        System.out.printf("silero v5, 50 %% sparse, %d steps, int8: decision agreement %.4f over %d frames, max |dp| %.3f%n",
                steps, agreement, want.length, maxDiff);
        assertTrue(agreement >= MIN_AGREEMENT, "agreement " + agreement + " over " + want.length + " frames");
    }

    /** Each frame's speech probability, the state carried from frame to frame. */
    private static float[] stream(Model model, float[][] frames) {
        float[] p = new float[frames.length];
        Tensor state = Tensor.zeros(io.sparq.format.DataType.FLOAT32, new int[] {2, 1, 128});
        try (Session s = model.newSession()) {
            for (int i = 0; i < frames.length; i++) {
                Map<String, Tensor> out = s.run(feeds(frames[i], state));
                p[i] = out.get("output").floats()[0];
                state = out.get("stateN");
            }
        }
        return p;
    }

    private static Map<String, Tensor> feeds(float[] frame, Tensor state) {
        Map<String, Tensor> f = new LinkedHashMap<>();
        f.put("input", Tensor.ofFloats(new int[] {1, frame.length}, frame));
        f.put("state", state);
        return f;
    }

    /** 512 new samples per frame after the previous frame's last 64 (zeros first), as make_vad_data.py cuts them. */
    private static float[][] frames(Path audioNpz) {
        assertTrue(Files.isRegularFile(audioNpz), "missing " + audioNpz);
        short[] pcm = Npz.read(audioNpz).get("audio").shorts();
        float[][] out = new float[pcm.length / FRAME][];
        float[] tail = new float[CONTEXT];
        for (int i = 0; i < out.length; i++) {
            float[] f = new float[CONTEXT + FRAME];
            System.arraycopy(tail, 0, f, 0, CONTEXT);
            for (int j = 0; j < FRAME; j++) {
                f[CONTEXT + j] = pcm[i * FRAME + j] / 32767f;
            }
            tail = Arrays.copyOfRange(f, f.length - CONTEXT, f.length);
            out[i] = f;
        }
        return out;
    }
}
