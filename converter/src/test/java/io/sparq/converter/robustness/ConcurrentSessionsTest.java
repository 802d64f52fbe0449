package io.sparq.converter.robustness;

import io.sparq.converter.TestModels;
import io.sparq.converter.data.Npz;
import io.sparq.converter.importer.OnnxImporter;
import io.sparq.format.DataType;
import io.sparq.format.Graph;
import io.sparq.format.Tensor;
import io.sparq.format.codec.EncodingChoice;
import io.sparq.format.codec.SparqWriter;
import io.sparq.format.codec.ValueFormat;
import io.sparq.runtime.api.Model;
import io.sparq.runtime.api.Session;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One loaded model shared by many threads, each with its own session, for a bounded soak: every
 * run's outputs are bit-identical to a single-threaded run of the same inputs, so the model holds
 * no mutable state that sessions share. {@code -Dsparq.soak.seconds=60} runs the long soak of
 * docs/robustness.md; the build runs a few seconds.
 */
class ConcurrentSessionsTest {
    private static final int THREADS = 8;
    private static final int INPUT_SETS = 6;

    @Test
    void sharedModelGivesEveryThreadTheSingleThreadedOutputs() throws Exception {
        double seconds = Double.parseDouble(System.getProperty("sparq.soak.seconds", "3"));
        List<Model> models = List.of(model("lstm_stack2_bidir"), model("gru_bidir_softmax"));
        List<List<Map<String, Tensor>>> inputs = new ArrayList<>();
        List<List<Map<String, Tensor>>> expected = new ArrayList<>();
        Random random = new Random(11);
        for (int m = 0; m < models.size(); m++) {
            Map<String, Tensor> reference = inputs(m == 0 ? "lstm_stack2_bidir" : "gru_bidir_softmax");
            List<Map<String, Tensor>> sets = new ArrayList<>();
            List<Map<String, Tensor>> outs = new ArrayList<>();
            try (Session single = models.get(m).newSession()) {
                for (int i = 0; i < INPUT_SETS; i++) {
                    Map<String, Tensor> set = perturbed(reference, random);
                    sets.add(set);
                    outs.add(single.run(set));
                }
            }
            inputs.add(sets);
            expected.add(outs);
        }

        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        List<Future<Integer>> runs = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            runs.add(pool.submit(() -> {
                int done = 0;
                Random order = new Random(thread);
                try (Session session = models.get(thread % models.size()).newSession()) {
                    int m = thread % models.size();
                    while (System.nanoTime() < deadline) {
                        int i = order.nextInt(INPUT_SETS);
                        Map<String, Tensor> got = session.run(inputs.get(m).get(i));
                        assertSame(expected.get(m).get(i), got, "thread " + thread + ", run " + done + ", input set " + i);
                        done++;
                    }
                }
                return done;
            }));
        }
        pool.shutdown();
        int total = 0;
        for (Future<Integer> f : runs) {
            total += f.get();
        }
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        System.out.printf("soak: %d threads, %.0f s, %d runs, all bit-identical to the single-threaded run%n",
                THREADS, seconds, total);
        assertTrue(total >= THREADS, "every thread ran");
    }

    private static void assertSame(Map<String, Tensor> want, Map<String, Tensor> got, String what) {
        assertEquals(want.keySet(), got.keySet(), what);
        want.forEach((name, t) -> assertArrayEquals(t.floats(), got.get(name).floats(), what + ", output " + name));
    }

    /** The model as .sparq with int8 CSR and block-sparse weights, loaded from bytes (the stored-weight kernels). */
    private static Model model(String name) {
        Graph graph = OnnxImporter.load(TestModels.file(name + ".onnx"));
        Map<String, EncodingChoice> choices = new LinkedHashMap<>();
        int[] i = {0};
        graph.initializers().forEach((k, t) -> {
            if (t.type() == DataType.FLOAT32 && t.rank() >= 2) {
                choices.put(k, i[0]++ % 2 == 0 ? EncodingChoice.csr(ValueFormat.INT8) : EncodingChoice.blockSparse(8, ValueFormat.INT8));
            }
        });
        return Model.load(SparqWriter.toBytes(graph, choices, Map.of()));
    }

    private static Map<String, Tensor> inputs(String name) {
        Map<String, Tensor> feeds = new LinkedHashMap<>();
        Npz.read(TestModels.file(name + ".npz")).forEach((k, t) -> {
            if (!k.startsWith("output:")) {
                feeds.put(k, t);
            }
        });
        return feeds;
    }

    /** The reference inputs with float ones scaled by a random factor, so each input set differs. */
    private static Map<String, Tensor> perturbed(Map<String, Tensor> reference, Random random) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        float scale = 0.5f + random.nextFloat();
        reference.forEach((k, t) -> {
            if (t.type() == DataType.FLOAT32) {
                float[] v = t.floats().clone();
                for (int j = 0; j < v.length; j++) {
                    v[j] *= scale;
                }
                out.put(k, Tensor.ofFloats(t.shape(), v));
            } else {
                out.put(k, t);
            }
        });
        return out;
    }
}
