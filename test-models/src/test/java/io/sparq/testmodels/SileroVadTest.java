package io.sparq.testmodels;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.sparq.converter.Conversion;
import io.sparq.converter.data.Npz;
import io.sparq.converter.encode.EncodingPlanner;
import io.sparq.converter.importer.OnnxImporter;
import io.sparq.converter.quantize.QuantizeMode;
import io.sparq.format.Tensor;
import io.sparq.runtime.api.Model;
import io.sparq.runtime.api.Session;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

/**
 * Streams the Silero VAD models of {@code test-models/silero} (Conv front-end, LSTM, and the
 * sample-rate {@code If} whose branches hold the whole network) over speech in noise, one call per
 * audio frame with the state each call returns fed into the next, and compares every call's
 * speech probability and state with ONNX Runtime's, recorded by {@code make_reference.py}.
 * Each stream runs through the imported ONNX model, through a {@code .sparq} file converted
 * without pruning or quantization, and through ONNX Runtime for Java.
 */
class SileroVadTest {
    /**
     * Per element, absolute. States pass through tens of calls, so float32 differences in summation
     * order (ONNX Runtime's MLAS against sparq's kernels) accumulate; a wrong op is far off.
     */
    private static final double TOL = 1e-4;
    /** The state inputs and the outputs that carry them to the next call. */
    private static final Map<String, String> STATES = Map.of("state", "stateN", "h", "hn", "c", "cn");
    private static final String OUTPUT_PREFIX = "output:";
    /** Reference streams per model: 16 kHz runs the then-branch of the top-level If, 8 kHz the else-branch. */
    private static final List<String> STREAMS = List.of(
            "silero_vad_v5.16k", "silero_vad_v5.8k", "silero_vad_legacy.16k", "silero_vad_legacy.8k");

    @TempDir
    static Path tmp;

    @TestFactory
    Stream<DynamicContainer> everyStreamMatchesOnnxRuntime() {
        Path folder = folder();
        return STREAMS.stream().map(stream -> {
            Path onnx = folder.resolve(stream.substring(0, stream.indexOf('.')) + ".onnx");
            Path data = folder.resolve(stream + ".npz");
            return dynamicContainer(stream, Stream.of(
                    dynamicTest("ONNX Runtime for Java reproduces the committed stream",
                            () -> assertStreamMatches(data, onnxRuntime(onnx), "ONNX Runtime for Java")),
                    dynamicTest("sparq on the imported ONNX model matches the committed stream",
                            () -> assertStreamMatches(data, sparq(Model.fromGraph(OnnxImporter.load(onnx))),
                                    "sparq (ONNX import)")),
                    dynamicTest("sparq on the converted .sparq file matches the committed stream",
                            () -> assertStreamMatches(data, sparq(Model.load(converted(onnx))), "sparq (.sparq file)"))));
        });
    }

    private static Path folder() {
        String dir = System.getProperty("sparq.testmodels.dir");
        assertNotNull(dir, "system property sparq.testmodels.dir is not set (the root pom sets it)");
        Path folder = Path.of(dir).resolveSibling("silero");
        for (String stream : STREAMS) {
            Path data = folder.resolve(stream + ".npz");
            assertTrue(Files.isRegularFile(data), "missing reference stream " + data);
        }
        return folder;
    }

    /** The model converted as {@code sparq convert --quantize none} does: no pruning, dense float32. */
    private static Path converted(Path onnx) {
        Path file = tmp.resolve(onnx.getFileName().toString().replaceFirst("\\.onnx$", ".sparq"));
        if (!Files.exists(file)) {
            Conversion.Options options = new Conversion.Options(null, null, null, null,
                    EncodingPlanner.Options.of(QuantizeMode.NONE, EncodingPlanner.Objective.SPEED));
            Conversion.run(onnx, file, options, new Conversion.Listener() {
                @Override
                public void stage(String description) {
                }

                @Override
                public void onStep(Progress progress, double sparsity) {
                }
            }, new AtomicBoolean());
        }
        return file;
    }

    private static Function<Map<String, Tensor>, Map<String, Tensor>> sparq(Model model) {
        Session session = model.newSession();
        return session::run;
    }

    private static Function<Map<String, Tensor>, Map<String, Tensor>> onnxRuntime(Path onnx) throws OrtException {
        OrtSession session = OnnxRuntimeBridge.session(onnx);
        return inputs -> {
            try {
                return OnnxRuntimeBridge.run(session, inputs);
            } catch (OrtException e) {
                throw new IllegalStateException(e);
            }
        };
    }

    /**
     * Feeds the committed frames one call at a time, each call's states being the previous call's
     * state outputs (the zeros of the file for the first), and checks every call's outputs.
     */
    private static void assertStreamMatches(Path data, Function<Map<String, Tensor>, Map<String, Tensor>> model,
                                            String who) throws IOException {
        Map<String, Tensor> npz = Npz.read(data);
        Tensor frames = npz.get("input");
        Map<String, Tensor> state = new LinkedHashMap<>();
        STATES.keySet().stream().filter(npz::containsKey).forEach(k -> state.put(k, npz.get(k)));
        assertEquals(3, frames.rank(), data + ": input is [frames, 1, samples]");
        int calls = frames.dim(0);
        int[] frameShape = {1, frames.dim(2)};
        double worst = 0;
        for (int call = 0; call < calls; call++) {
            Map<String, Tensor> feeds = new LinkedHashMap<>();
            feeds.put("input", Tensor.ofFloats(frameShape, slice(frames, call)));
            feeds.put("sr", npz.get("sr"));
            feeds.putAll(state);
            Map<String, Tensor> out = model.apply(feeds);
            for (Map.Entry<String, Tensor> e : npz.entrySet()) {
                if (!e.getKey().startsWith(OUTPUT_PREFIX)) {
                    continue;
                }
                String name = e.getKey().substring(OUTPUT_PREFIX.length());
                Tensor want = e.getValue();
                Tensor got = out.get(name);
                String where = who + ", " + data.getFileName() + ", call " + call + " of " + calls + ", output " + name;
                assertNotNull(got, where + " is missing; outputs are " + out.keySet());
                assertArrayEquals(Arrays.copyOfRange(want.shape(), 1, want.rank()), got.shape(), where + " shape");
                float[] expected = slice(want, call);
                float[] actual = got.floats();
                for (int i = 0; i < expected.length; i++) {
                    double err = Math.abs(expected[i] - actual[i]);
                    worst = Math.max(worst, err);
                    if (!(err <= TOL)) {
                        assertEquals(expected[i], actual[i], TOL, where + " element " + i);
                    }
                }
            }
            STATES.forEach((in, outName) -> {
                if (state.containsKey(in)) {
                    state.put(in, out.get(outName));
                }
            });
        }
        System.out.printf("%s, %s: %d calls, max abs error %.3g%n", who, data.getFileName(), calls, worst);
    }

    /** Row {@code index} of the first axis of a float32 tensor. */
    private static float[] slice(Tensor t, int index) {
        int n = t.size() / t.dim(0);
        return Arrays.copyOfRange(t.floats(), index * n, (index + 1) * n);
    }
}
