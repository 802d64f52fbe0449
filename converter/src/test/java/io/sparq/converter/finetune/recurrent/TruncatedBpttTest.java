package io.sparq.converter.finetune.recurrent;

import io.sparq.converter.finetune.DiffOp;
import io.sparq.converter.finetune.TrainingOptions;
import io.sparq.format.Attribute;
import io.sparq.format.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Truncated BPTT against its definition: with chunks of k steps (in processing order), the
 * truncated gradient is the exact gradient of the loss of a chain of separate runs, one per
 * chunk, each starting from the previous chunk's final state taken as a constant. That chained
 * loss is differentiated by finite differences ({@link GradCheck}).
 */
class TruncatedBpttTest {
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(new Spec("LSTM").with("P").lengths(7, 5, 3, 0), "forward", 3),
                Arguments.of(new Spec("LSTM").with("P").attr(Attribute.of("clip", 0.9f)), "reverse", 2),
                Arguments.of(new Spec("LSTM").attr(Attribute.of("input_forget", 1L)), "forward", 1),
                Arguments.of(new Spec("GRU").lengths(6, 7, 2), "forward", 3),
                Arguments.of(new Spec("GRU").attr(Attribute.of("linear_before_reset", 1L)), "reverse", 3),
                Arguments.of(new Spec("GRU").attr(Attribute.of("linear_before_reset", 1L)).lengths(4, 7), "forward", 2),
                Arguments.of(new Spec("RNN").lengths(7, 1, 4), "forward", 2),
                Arguments.of(new Spec("RNN"), "reverse", 4));
    }

    @ParameterizedTest(name = "{0} {1} k={2}")
    @MethodSource("cases")
    void truncatedGradientIsTheGradientOfChainedChunks(Spec spec, String direction, int k) {
        spec.seq = 7;
        spec.attr(Attribute.of("direction", direction)).with("initial_h");
        if (spec.op.equals("LSTM")) {
            spec.with("initial_c");
        }
        Random rnd = new Random(spec.label.hashCode() + k);
        Tensor[] inputs = spec.inputs(rnd);
        DiffOp op = spec.diffOp(new TrainingOptions(k));
        DiffOp.Forward forward = op.forward(inputs);
        Tensor[] grads = GradCheck.randomGrads(forward.outputs(), new boolean[] {true, true, true}, rnd);
        boolean[] needed = new boolean[inputs.length];
        Arrays.fill(needed, true);
        Tensor[] analytic = op.backward(forward, grads, needed);
        Chain chain = new Chain(spec, k, direction.equals("reverse"), inputs);
        GradCheck.check(inputs, analytic, in -> chain.loss(in, grads), spec.label + " k=" + k);

        Tensor[] full = spec.diffOp(TrainingOptions.defaults()).backward(forward, grads, needed);
        assertFalse(Arrays.equals(full[RecurrentDiff.W].floats(), analytic[RecurrentDiff.W].floats()),
                "truncation changes dW");
    }

    @Test
    void chunksAsLongAsTheSequenceGiveFullBptt() {
        Spec spec = new Spec("LSTM").attr(Attribute.of("direction", "bidirectional")).with("initial_h").with("P");
        spec.seq = 5;
        Tensor[] inputs = spec.inputs(new Random(7));
        boolean[] needed = new boolean[inputs.length];
        Arrays.fill(needed, true);
        DiffOp full = spec.diffOp(TrainingOptions.defaults());
        DiffOp.Forward forward = full.forward(inputs);
        Tensor[] grads = GradCheck.randomGrads(forward.outputs(), new boolean[] {true, true, true}, new Random(8));
        Tensor[] expected = full.backward(forward, grads, needed);
        Tensor[] actual = spec.diffOp(new TrainingOptions(5)).backward(forward, grads, needed);
        for (int i = 0; i < inputs.length; i++) {
            if (expected[i] != null) {
                assertArrayEquals(expected[i].floats(), actual[i].floats(), "input " + i);
            }
        }
    }

    /**
     * The chained-chunks loss for one direction, layout 0. Chunk j covers processing steps
     * [j*k, (j+1)*k): times [j*k, ...) forward, the mirrored times reverse (uniform lengths only).
     */
    private static final class Chain {
        final Spec spec;
        final Spec chunkSpec;
        final int k;
        final boolean reverse;
        final int chunks;
        final int[] lengths;
        final Tensor[][] startH;     // [chunk] state each chunk starts from (chunk 0: the real input)
        final Tensor[][] startC;

        Chain(Spec spec, int k, boolean reverse, Tensor[] inputs) {
            this.spec = spec;
            this.k = k;
            this.reverse = reverse;
            this.chunks = (spec.seq + k - 1) / k;
            this.lengths = spec.lengths != null ? spec.lengths : filled(spec.batch, spec.seq);
            this.chunkSpec = new Spec(spec.op);
            chunkSpec.attrs.putAll(spec.attrs);
            chunkSpec.batch = spec.batch;
            chunkSpec.input = spec.input;
            chunkSpec.hidden = spec.hidden;
            chunkSpec.peepholes = spec.peepholes;
            chunkSpec.initialH = true;
            chunkSpec.initialC = true;
            chunkSpec.lengths = spec.lengths;
            this.startH = new Tensor[chunks][1];
            this.startC = new Tensor[chunks][1];
            DiffOp op = chunkSpec.diffOp(TrainingOptions.defaults());
            Tensor h = inputs[RecurrentDiff.INITIAL_H];
            Tensor c = spec.op.equals("LSTM") ? inputs[RecurrentDiff.INITIAL_C] : null;
            for (int j = 0; j < chunks; j++) {
                startH[j][0] = h;
                startC[j][0] = c;
                Tensor[] out = op.forward(chunkInputs(inputs, j, h, c)).outputs();
                h = carry(out[1], h, j);
                c = c == null ? null : carry(out[2], c, j);
            }
        }

        /** The state after chunk {@code j}: its final state where a row ran in it, else unchanged. */
        private Tensor carry(Tensor after, Tensor before, int j) {
            float[] v = before.floats().clone();
            int hs = spec.hidden;
            for (int b = 0; b < spec.batch; b++) {
                if (chunkLength(j, b) > 0) {
                    System.arraycopy(after.floats(), b * hs, v, b * hs, hs);
                }
            }
            return Tensor.ofFloats(before.shape(), v);
        }

        int first(int j) {
            return j * k;
        }

        int end(int j) {
            return Math.min((j + 1) * k, spec.seq);
        }

        /** Time slice [a, e) of chunk j. */
        int sliceStart(int j) {
            return reverse ? spec.seq - end(j) : first(j);
        }

        int sliceEnd(int j) {
            return reverse ? spec.seq - first(j) : end(j);
        }

        int chunkLength(int j, int b) {
            return Math.max(0, Math.min(lengths[b], end(j)) - first(j));
        }

        Tensor[] chunkInputs(Tensor[] in, int j, Tensor h, Tensor c) {
            int a = sliceStart(j);
            int e = sliceEnd(j);
            int rowLen = spec.batch * spec.input;
            Tensor[] t = new Tensor[spec.op.equals("LSTM") ? 8 : 6];
            t[0] = Tensor.ofFloats(new int[] {e - a, spec.batch, spec.input},
                    Arrays.copyOfRange(in[0].floats(), a * rowLen, e * rowLen));
            t[1] = in[1];
            t[2] = in[2];
            t[3] = in[3];
            if (spec.lengths != null) {
                int[] l = new int[spec.batch];
                for (int b = 0; b < spec.batch; b++) {
                    l[b] = chunkLength(j, b);
                }
                t[4] = Tensor.ofInts(new int[] {spec.batch}, l);
            }
            t[5] = h;
            if (t.length == 8) {
                t[6] = c;
                t[7] = spec.peepholes ? in[7] : null;
            }
            return t;
        }

        double loss(Tensor[] in, Tensor[] grads) {
            DiffOp op = chunkSpec.diffOp(TrainingOptions.defaults());
            int stateLen = spec.batch * spec.hidden;
            double sum = 0;
            for (int j = 0; j < chunks; j++) {
                Tensor h = j == 0 ? in[RecurrentDiff.INITIAL_H] : startH[j][0];
                Tensor c = j == 0 && spec.op.equals("LSTM") ? in[RecurrentDiff.INITIAL_C] : startC[j][0];
                Tensor[] out = op.forward(chunkInputs(in, j, h, c)).outputs();
                int a = sliceStart(j);
                float[] y = out[0].floats();
                float[] gy = grads[0].floats();
                for (int i = 0; i < y.length; i++) {
                    sum += (double) gy[a * stateLen + i] * y[i];
                }
                for (int b = 0; b < spec.batch; b++) {
                    // Y_h / Y_c are the state after a row's last step, which lies in chunk (len-1)/k
                    if (lengths[b] == 0 || (lengths[b] - 1) / k != j) {
                        continue;
                    }
                    for (int o = 1; o < out.length; o++) {
                        for (int q = b * spec.hidden; q < (b + 1) * spec.hidden; q++) {
                            sum += (double) grads[o].floats()[q] * out[o].floats()[q];
                        }
                    }
                }
            }
            return sum;
        }

        private static int[] filled(int n, int v) {
            int[] a = new int[n];
            Arrays.fill(a, v);
            return a;
        }
    }
}
