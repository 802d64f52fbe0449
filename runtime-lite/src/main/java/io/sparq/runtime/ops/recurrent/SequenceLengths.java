package io.sparq.runtime.ops.recurrent;

import io.sparq.format.DataType;
import io.sparq.format.Tensor;
import io.sparq.runtime.ops.NodeContext;

import java.util.Arrays;

/** Reads the {@code sequence_lens} input of LSTM, GRU and RNN (shared with their training forms). */
public final class SequenceLengths {
    private SequenceLengths() {
    }

    /**
     * Each batch row's valid steps: {@code t} checked against {@code [batch]} and {@code 0 ≤ len ≤ seq},
     * or {@code seq} for every row when {@code t} is null. Errors name the node.
     *
     * @param index the input position of {@code sequence_lens} (for type errors)
     */
    public static int[] read(NodeContext ctx, int index, Tensor t, int seq, int batch) {
        int[] lengths = new int[batch];
        if (t == null) {
            Arrays.fill(lengths, seq);
            return lengths;
        }
        ctx.requireType(t, index, DataType.INT32, DataType.INT64);
        if (t.rank() != 1 || t.dim(0) != batch) {
            throw ctx.badInput("sequence_lens has shape " + Arrays.toString(t.shape()) + ", expected [batch_size] = ["
                    + batch + "]");
        }
        for (int b = 0; b < batch; b++) {
            long len = t.getLong(b);
            if (len < 0 || len > seq) {
                throw ctx.badInput("sequence_lens[" + b + "] = " + len + ", expected 0 to seq_length = " + seq);
            }
            lengths[b] = (int) len;
        }
        return lengths;
    }
}
