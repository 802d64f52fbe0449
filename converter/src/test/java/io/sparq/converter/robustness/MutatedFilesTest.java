package io.sparq.converter.robustness;

import io.sparq.converter.TestModels;
import io.sparq.converter.data.Npz;
import io.sparq.converter.importer.OnnxImporter;
import io.sparq.format.DataType;
import io.sparq.format.ErrorCode;
import io.sparq.format.Graph;
import io.sparq.format.SparqException;
import io.sparq.format.Tensor;
import io.sparq.format.codec.EncodingChoice;
import io.sparq.format.codec.SparqWriter;
import io.sparq.format.codec.ValueFormat;
import io.sparq.runtime.api.Model;
import io.sparq.runtime.api.Session;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Mutated and truncated {@code .sparq} and {@code .onnx} files, made from the test models with a
 * fixed seed: each is either rejected with a {@link SparqException} that blames the file or model
 * (never {@code INTERNAL}, never another exception), or loads and runs the model's reference inputs
 * to completion. The counts are printed and kept in docs/robustness.md.
 */
class MutatedFilesTest {
    private static final List<String> MODELS = List.of("rnn_relu_bidir", "lstm_classifier", "gru_bidir_softmax");
    private static final int SPARQ_MUTANTS_PER_MODEL = 300;
    private static final int ONNX_MUTANTS_PER_MODEL = 120;

    @TempDir
    Path dir;

    /** What happened to the mutants of one kind of file. */
    private static final class Tally {
        final Map<ErrorCode, Integer> rejected = new EnumMap<>(ErrorCode.class);
        int accepted;
        int unchangedOutputs;

        int total() {
            return accepted + rejected.values().stream().mapToInt(Integer::intValue).sum();
        }

        @Override
        public String toString() {
            return total() + " files: " + accepted + " loaded and ran (" + unchangedOutputs
                    + " with the original outputs), rejected " + rejected;
        }
    }

    @Test
    void everyMutantIsRejectedCleanlyOrRuns() throws IOException {
        Tally sparq = new Tally();
        Tally onnx = new Tally();
        Random random = new Random(7);
        for (String name : MODELS) {
            Path onnxFile = TestModels.file(name + ".onnx");
            Map<String, Tensor> feeds = inputs(name);
            Graph dense = OnnxImporter.load(onnxFile);
            byte[] original = encode(dense);
            Map<String, Tensor> expected = run(Model.load(original), feeds);
            Map<String, Tensor> expectedDense = run(Model.fromGraph(dense), feeds);
            for (int i = 0; i < SPARQ_MUTANTS_PER_MODEL; i++) {
                String what = name + ".sparq mutant " + i;
                byte[] mutant = mutate(original, random, true);
                check(sparq, what, expected, () -> run(Model.load(mutant), feeds));
            }
            byte[] onnxBytes = Files.readAllBytes(onnxFile);
            for (int i = 0; i < ONNX_MUTANTS_PER_MODEL; i++) {
                String what = name + ".onnx mutant " + i;
                Path file = Files.write(dir.resolve(name + "-" + i + ".onnx"), mutate(onnxBytes, random, false));
                check(onnx, what, expectedDense, () -> {
                    Graph graph = OnnxImporter.load(file);
                    OnnxImporter.checkSupported(graph);
                    return run(Model.fromGraph(graph), feeds);
                });
                Files.delete(file);
            }
        }
        System.out.println("mutated .sparq: " + sparq);
        System.out.println("mutated .onnx: " + onnx);
        assertTrue(sparq.total() + onnx.total() >= 1000, "at least 1,000 mutants");
        assertTrue(sparq.accepted > 0 && sparq.total() > sparq.accepted, "mutants both load and fail: " + sparq);
    }

    private static void check(Tally tally, String what, Map<String, Tensor> expected, Supplier<Map<String, Tensor>> load) {
        Map<String, Tensor> outputs;
        try {
            outputs = load.get();
        } catch (SparqException e) {
            if (e.code() == ErrorCode.INTERNAL) {
                fail(what + ": INTERNAL error " + e.getMessage(), e);
            }
            tally.rejected.merge(e.code(), 1, Integer::sum);
            return;
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            throw new AssertionError(what + ": " + e, e);
        }
        tally.accepted++;
        if (outputs.keySet().equals(expected.keySet()) && expected.entrySet().stream()
                .allMatch(o -> Arrays.equals(o.getValue().floats(), outputs.get(o.getKey()).floats()))) {
            tally.unchangedOutputs++;
        }
    }

    /**
     * One mutation: a truncation, random bytes, a run of 0x00 / 0xFF, or an extreme u32 written
     * somewhere. For {@code .sparq}, three in four mutants get their CRC32Cs recomputed, so the
     * checks behind the checksums are reached too.
     */
    private static byte[] mutate(byte[] original, Random random, boolean sparq) {
        byte[] b = original.clone();
        int at = random.nextInt(b.length);
        switch (random.nextInt(5)) {
            case 0 -> b = Arrays.copyOf(b, at);
            case 1 -> {
                for (int i = 0, n = 1 + random.nextInt(4); i < n; i++) {
                    b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                }
            }
            case 2 -> Arrays.fill(b, at, Math.min(b.length, at + 1 + random.nextInt(16)), random.nextBoolean() ? 0 : (byte) 0xFF);
            case 3 -> {
                if (at + 4 <= b.length) {
                    int[] extremes = {0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 0x7FFF_FFF0, 65536};
                    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(at, extremes[random.nextInt(extremes.length)]);
                }
            }
            default -> b[at] ^= (byte) (1 << random.nextInt(8));
        }
        return sparq && random.nextInt(4) != 0 ? fixCrcs(b) : b;
    }

    /** Recomputes the section CRC32Cs that lie inside the file, then the header's (SPEC.md §3). */
    private static byte[] fixCrcs(byte[] file) {
        if (file.length < 64) {
            return file;
        }
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        long count = Integer.toUnsignedLong(b.getInt(24));
        if (count > 16 || 64 + 32 * count > file.length) {
            return file;
        }
        for (int i = 0; i < count; i++) {
            int entry = 64 + 32 * i;
            long offset = b.getLong(entry + 8);
            long length = b.getLong(entry + 16);
            if (offset >= 0 && length >= 0 && offset <= file.length && length <= file.length - offset) {
                CRC32C crc = new CRC32C();
                crc.update(file, (int) offset, (int) length);
                b.putInt(entry + 24, (int) crc.getValue());
            }
        }
        CRC32C crc = new CRC32C();
        crc.update(file, 0, 60);
        crc.update(file, 64, (int) (32 * count));
        b.putInt(60, (int) crc.getValue());
        return file;
    }

    /** The model with its weights in a mix of encodings, so mutants reach every kind of tensor data. */
    private static byte[] encode(Graph graph) {
        List<EncodingChoice> kinds = List.of(EncodingChoice.csr(ValueFormat.INT8),
                EncodingChoice.blockSparse(8, ValueFormat.INT8), EncodingChoice.bitmap(ValueFormat.F16),
                EncodingChoice.denseInt8());
        Map<String, EncodingChoice> choices = new LinkedHashMap<>();
        List<String> weights = new ArrayList<>();
        graph.initializers().forEach((k, t) -> {
            if (t.type() == DataType.FLOAT32 && t.rank() >= 2) {
                weights.add(k);
            }
        });
        for (int i = 0; i < weights.size(); i++) {
            choices.put(weights.get(i), kinds.get(i % kinds.size()));
        }
        return SparqWriter.toBytes(graph, choices, Map.of());
    }

    private static Map<String, Tensor> inputs(String name) {
        Map<String, Tensor> feeds = new LinkedHashMap<>();
        Npz.read(TestModels.file(name + ".npz")).forEach((k, t) -> {
            if (!k.startsWith("output:")) {
                feeds.put(k, t);
            }
        });
        assertEquals(false, feeds.isEmpty(), name + ": no inputs");
        return feeds;
    }

    private static Map<String, Tensor> run(Model model, Map<String, Tensor> feeds) {
        try (Session s = model.newSession()) {
            return s.run(feeds);
        }
    }
}
