package io.sparq.runtime.api;

import io.sparq.format.Attribute;
import io.sparq.format.Dim;
import io.sparq.format.Graph;
import io.sparq.format.Node;
import io.sparq.format.Tensor;
import io.sparq.format.ValueInfo;
import io.sparq.format.codec.EncodingChoice;
import io.sparq.format.codec.SparqWriter;
import io.sparq.format.codec.ValueFormat;
import io.sparq.runtime.kernels.KernelThreads;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Per-model threads and kernels. A column-block int8 LSTM is large enough that its products are
 * split across threads, and its kernels give the same bits on the scalar and vector paths and at any
 * split (each output is one FMA chain in block order), so models that differ only in their options
 * must agree bit for bit.
 */
class ModelOptionsTest {
    private static final int SEQ = 3;
    private static final int BATCH = 9;             // enough rows for the cells to be split across threads too
    private static final int INPUT = 64;
    private static final int HIDDEN = 512;

    @Test
    void threadsAndKernelsChangeNoBit() throws Exception {
        Random rng = new Random(5);
        byte[] file = columnBlockLstm(rng);
        Map<String, Tensor> feeds = Map.of("X", uniform(rng, 1f, SEQ, BATCH, INPUT));
        float[] reference = run(Model.load(file, ModelOptions.defaults().withThreads(1)
                .withKernels(ModelOptions.Kernels.SCALAR)), feeds);
        for (int threads : new int[] {1, 2, 3}) {
            for (ModelOptions.Kernels kernels : ModelOptions.Kernels.values()) {
                ModelOptions options = ModelOptions.defaults().withThreads(threads).withKernels(kernels);
                assertArrayEquals(reference, run(Model.load(file, options), feeds), options.toString());
            }
        }
    }

    @Test
    void twoModelsWithDifferentThreadCountsRunSideBySide() throws Exception {
        Random rng = new Random(6);
        byte[] file = columnBlockLstm(rng);
        Map<String, Tensor> feeds = Map.of("X", uniform(rng, 1f, SEQ, BATCH, INPUT));
        Model one = Model.load(file, ModelOptions.defaults().withThreads(1));
        Model two = Model.load(file, ModelOptions.defaults().withThreads(2));
        float[] want = run(one, feeds);
        CompletableFuture<float[]> other = CompletableFuture.supplyAsync(() -> {
            float[] last = null;
            for (int i = 0; i < 50; i++) {
                last = run(two, feeds);
            }
            return last;
        });
        for (int i = 0; i < 50; i++) {
            assertArrayEquals(want, run(one, feeds));
        }
        assertArrayEquals(want, other.get());
    }

    @Test
    void theScopeIsTheModelsOnlyWhileItRuns() {
        int jvmWide = KernelThreads.threads();
        ModelOptions three = ModelOptions.defaults().withThreads(3);
        assertEquals(3, three.scope().call(KernelThreads::threads));
        assertEquals(jvmWide, KernelThreads.threads(), "restored after the call");
        assertEquals(0, ModelOptions.defaults().threads(), "unset: the JVM-wide count");
        assertThrows(IllegalArgumentException.class, () -> ModelOptions.defaults().withThreads(0));
    }

    private static float[] run(Model model, Map<String, Tensor> feeds) {
        try (Session s = model.newSession()) {
            return s.run(feeds).get("Y").floats();
        }
    }

    /** One LSTM layer whose W and R are 90 % pruned and stored as 16×1 column blocks with int8 codes. */
    private static byte[] columnBlockLstm(Random rng) {
        Tensor w = pruned(rng, 1, 4 * HIDDEN, INPUT);
        Tensor r = pruned(rng, 1, 4 * HIDDEN, HIDDEN);
        Node lstm = new Node("lstm", "LSTM", "", List.of("X", "W", "R"), List.of("Y"),
                Map.of("hidden_size", Attribute.of("hidden_size", (long) HIDDEN)));
        Graph g = new Graph("g", List.of(new ValueInfo("X", io.sparq.format.DataType.FLOAT32,
                List.of(Dim.of(SEQ), Dim.of(BATCH), Dim.of(INPUT)))), List.of(new ValueInfo("Y", null, null)),
                List.of(lstm), Map.of("W", w, "R", r), Map.of("", 22), Map.of());
        EncodingChoice blocks = EncodingChoice.columnBlockSparse(16, ValueFormat.INT8);
        return SparqWriter.toBytes(g, Map.of("W", blocks, "R", blocks), Map.of());
    }

    /** Uniform in [-0.5, 0.5] with nine in ten 16-row column blocks zero. */
    private static Tensor pruned(Random rng, int... shape) {
        Tensor t = uniform(rng, 0.5f, shape);
        float[] v = t.floats();
        int cols = shape[shape.length - 1];
        for (int g = 0; g * 16 * cols < v.length; g++) {
            for (int c = 0; c < cols; c++) {
                if (rng.nextFloat() < 0.9f) {
                    for (int i = 0; i < 16; i++) {
                        v[(g * 16 + i) * cols + c] = 0;
                    }
                }
            }
        }
        return t;
    }

    private static Tensor uniform(Random rng, float bound, int... shape) {
        float[] v = new float[Tensor.sizeOf(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (rng.nextFloat() * 2 - 1) * bound;
        }
        return Tensor.ofFloats(shape, v);
    }
}
