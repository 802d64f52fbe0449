package io.sparq.testmodels;

import io.sparq.converter.data.Npz;
import io.sparq.converter.importer.OnnxImporter;
import io.sparq.format.Graph;
import io.sparq.format.Tensor;
import io.sparq.format.codec.SparqWriter;
import io.sparq.runtime.api.Model;
import io.sparq.runtime.api.Session;
import io.sparq.runtime.api.StateBinding;
import io.sparq.runtime.api.Streaming;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

/**
 * {@link Session#step} on real models against ONNX Runtime's recorded outputs: the Silero VAD
 * streams of {@code silero/} (state pairs found by name, sample rate fixed), {@code lstm_streaming}
 * (states sliced and concatenated per layer, paired by name) and {@code streaming/lstm_state_io}
 * (one LSTM whose {@code initial_h}/{@code Y_h} are graph inputs and outputs, paired by structure).
 * A stepped stream must equal, bit for bit, the same calls made with the state carried by hand
 * through {@link Session#run}; restart identically after {@link Session#reset()}; and not notice
 * a second session of the same model stepping in between.
 */
class StreamingTest {
    /** Per element, absolute; the tolerance of {@link SileroVadTest} and {@link ModelParityTest}'s streams. */
    private static final double TOL = 1e-4;
    private static final String OUTPUT_PREFIX = "output:";
    private static final List<String> SILERO = List.of(
            "silero_vad_v5.16k", "silero_vad_v5.8k", "silero_vad_legacy.16k", "silero_vad_legacy.8k");
    /** How many calls the second of two interleaved sessions starts after the first. */
    private static final int LAG = 7;

    @TempDir
    static Path tmp;

    @TestFactory
    Stream<DynamicContainer> sileroStreamsStepLikeTheHandCarriedState() {
        return SILERO.stream().map(stream -> {
            String name = stream.substring(0, stream.indexOf('.'));
            Path onnx = folder("silero").resolve(name + ".onnx");
            Path data = folder("silero").resolve(stream + ".npz");
            List<StateBinding> states = name.endsWith("v5") ? List.of(StateBinding.of("state", "stateN"))
                    : List.of(StateBinding.of("h", "hn"), StateBinding.of("c", "cn"));
            return dynamicContainer(stream, Stream.of(
                    dynamicTest("imported ONNX model", () -> assertSileroSteps(Model.fromGraph(OnnxImporter.load(onnx)),
                            data, states, stream + " (ONNX import)")),
                    dynamicTest(".sparq file", () -> assertSileroSteps(Model.load(sparq(onnx)), data, states,
                            stream + " (.sparq)"))));
        });
    }

    private static void assertSileroSteps(Model model, Path data, List<StateBinding> states, String who) {
        Map<String, Tensor> npz = Npz.read(data);
        Tensor frames = npz.get("input");
        int calls = frames.dim(0);
        List<Tensor> input = new ArrayList<>();
        for (int call = 0; call < calls; call++) {
            input.add(Tensor.ofFloats(new int[] {1, frames.dim(2)}, row(frames, call)));
        }

        // the state carried by hand, as an application without step() does
        List<Map<String, Tensor>> byHand = new ArrayList<>();
        Session runner = model.newSession();
        Map<String, Tensor> carried = new LinkedHashMap<>();
        states.forEach(b -> carried.put(b.input(), npz.get(b.input())));
        for (Tensor frame : input) {
            Map<String, Tensor> feeds = new LinkedHashMap<>(carried);
            feeds.put("input", frame);
            feeds.put("sr", npz.get("sr"));
            Map<String, Tensor> out = runner.run(feeds);
            states.forEach(b -> carried.put(b.input(), out.get(b.output())));
            byHand.add(out);
        }

        Streaming streaming = Streaming.detect().fix("sr", npz.get("sr"));
        Session session = model.newSession(streaming);
        assertEquals(states, session.stateBindings(), who + ": detected state pairs");
        List<Map<String, Tensor>> stepped = new ArrayList<>();
        for (Tensor frame : input) {
            stepped.add(session.step(frame));
        }
        assertSame(byHand, stepped, who + ", step() against run() with the state carried by hand");
        double worst = assertMatchesReference(npz, stepped, who);

        session.reset();
        List<Map<String, Tensor>> again = new ArrayList<>();
        for (Tensor frame : input) {
            again.add(session.step(frame));
        }
        assertSame(stepped, again, who + ", the stream after reset()");

        // a second session on the same model, LAG calls behind, stepped in between
        Session first = model.newSession(streaming);
        Session second = model.newSession(streaming);
        List<Map<String, Tensor>> a = new ArrayList<>();
        List<Map<String, Tensor>> b = new ArrayList<>();
        for (int tick = 0; tick < calls + LAG; tick++) {
            if (tick < calls) {
                a.add(first.step(input.get(tick)));
            }
            if (tick >= LAG) {
                b.add(second.step(input.get(tick - LAG)));
            }
        }
        assertSame(stepped, a, who + ", first of two interleaved sessions");
        assertSame(stepped, b, who + ", second of two interleaved sessions");
        System.out.printf("%s: %d steps, max abs error %.3g against ONNX Runtime, identical to run()%n",
                who, calls, worst);
    }

    @Test
    void lstmStatesSlicedPerLayerPairByName() {
        Path dir = Path.of(System.getProperty("sparq.testmodels.dir"));
        Model model = Model.fromGraph(OnnxImporter.load(dir.resolve("lstm_streaming.onnx")));
        Map<String, Tensor> npz = Npz.read(dir.resolve("lstm_streaming.npz"));
        assertLstmSteps(model, npz, "x", List.of(StateBinding.of("h0", "h_n"), StateBinding.of("c0", "c_n")),
                "y", "lstm_streaming");
    }

    @Test
    void lstmInitialStatesAndFinalStatesPairByStructure() {
        Path onnx = folder("streaming").resolve("lstm_state_io.onnx");
        Map<String, Tensor> npz = Npz.read(onnx.resolveSibling("lstm_state_io.npz"));
        List<StateBinding> states = List.of(StateBinding.of("initial_h", "Y_h"), StateBinding.of("initial_c", "Y_c"));
        assertLstmSteps(Model.fromGraph(OnnxImporter.load(onnx)), npz, "X", states, "Y", "lstm_state_io (ONNX import)");
        assertLstmSteps(Model.load(sparq(onnx)), npz, "X", states, "Y", "lstm_state_io (.sparq)");
    }

    /**
     * Steps the reference sequence ([seq, batch, features]) one time step at a time from the
     * reference initial states; each step's sequence output must be its row of the recorded whole
     * sequence output, the last step's states the recorded final states.
     */
    private static void assertLstmSteps(Model model, Map<String, Tensor> npz, String x, List<StateBinding> states,
                                        String y, String who) {
        Streaming streaming = Streaming.detect();
        for (StateBinding b : states) {
            streaming = streaming.initial(b.input(), npz.get(b.input()));
        }
        Session session = model.newSession(streaming);
        assertEquals(states, session.stateBindings(), who + ": detected state pairs");
        Tensor seq = npz.get(x);
        Tensor expectedY = npz.get(OUTPUT_PREFIX + y);
        int steps = seq.dim(0);
        double worst = 0;
        Map<String, Tensor> out = null;
        for (int t = 0; t < steps; t++) {
            int[] shape = seq.shape().clone();
            shape[0] = 1;
            out = session.step(Tensor.ofFloats(shape, row(seq, t)));
            worst = Math.max(worst, assertClose(row(expectedY, t), out.get(y).floats(), who + ", " + y + " at step " + t));
        }
        for (StateBinding b : states) {
            Tensor want = npz.get(OUTPUT_PREFIX + b.output());
            assertArrayEquals(want.shape(), out.get(b.output()).shape(), who + ", " + b.output() + " shape");
            worst = Math.max(worst, assertClose(want.floats(), out.get(b.output()).floats(), who + ", " + b.output()));
        }
        System.out.printf("%s: %d steps, max abs error %.3g against ONNX Runtime%n", who, steps, worst);
    }

    /** Every output of every call equal, bit for bit. */
    private static void assertSame(List<Map<String, Tensor>> expected, List<Map<String, Tensor>> actual, String who) {
        assertEquals(expected.size(), actual.size(), who + ": calls");
        for (int call = 0; call < expected.size(); call++) {
            assertEquals(expected.get(call).keySet(), actual.get(call).keySet(), who + ", call " + call);
            for (String name : expected.get(call).keySet()) {
                Tensor want = expected.get(call).get(name);
                Tensor got = actual.get(call).get(name);
                assertArrayEquals(want.shape(), got.shape(), who + ", call " + call + ", " + name + " shape");
                assertArrayEquals(want.floats(), got.floats(), who + ", call " + call + ", " + name);
            }
        }
    }

    /** Each call's outputs against {@code output:<name>} of the reference stream; the worst error. */
    private static double assertMatchesReference(Map<String, Tensor> npz, List<Map<String, Tensor>> outputs, String who) {
        double worst = 0;
        for (Map.Entry<String, Tensor> e : npz.entrySet()) {
            if (!e.getKey().startsWith(OUTPUT_PREFIX)) {
                continue;
            }
            String name = e.getKey().substring(OUTPUT_PREFIX.length());
            for (int call = 0; call < outputs.size(); call++) {
                Tensor got = outputs.get(call).get(name);
                assertNotNull(got, who + ": output " + name + " missing");
                worst = Math.max(worst, assertClose(row(e.getValue(), call), got.floats(),
                        who + ", call " + call + ", output " + name));
            }
        }
        return worst;
    }

    private static double assertClose(float[] expected, float[] actual, String where) {
        assertEquals(expected.length, actual.length, where + " size");
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs(expected[i] - actual[i]);
            worst = Math.max(worst, err);
            if (!(err <= TOL)) {
                assertEquals(expected[i], actual[i], TOL, where + " element " + i);
            }
        }
        return worst;
    }

    /** The model written as a dense float32 {@code .sparq} file. */
    private static Path sparq(Path onnx) {
        Path file = tmp.resolve(onnx.getFileName().toString().replaceFirst("\\.onnx$", ".sparq"));
        if (!Files.exists(file)) {
            Graph graph = OnnxImporter.load(onnx);
            SparqWriter.write(file, graph);
        }
        return file;
    }

    private static Path folder(String name) {
        String dir = System.getProperty("sparq.testmodels.dir");
        assertNotNull(dir, "system property sparq.testmodels.dir is not set (the root pom sets it)");
        Path folder = Path.of(dir).resolveSibling(name);
        assertTrue(Files.isDirectory(folder), "missing folder " + folder);
        return folder;
    }

    /** Row {@code index} of the first axis of a float32 tensor. */
    private static float[] row(Tensor t, int index) {
        int n = t.size() / t.dim(0);
        return Arrays.copyOfRange(t.floats(), index * n, (index + 1) * n);
    }
}
