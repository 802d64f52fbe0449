package io.sparq.converter.finetune.recurrent;

import io.sparq.converter.finetune.DiffOpFactory;
import io.sparq.runtime.ops.recurrent.GruOp;
import io.sparq.runtime.ops.recurrent.LstmOp;
import io.sparq.runtime.ops.recurrent.RnnOp;

/**
 * The differentiable ONNX {@code LSTM}, {@code GRU} and {@code RNN} (full or truncated BPTT).
 * Each factory first compiles the node with runtime-lite's op, so a node is accepted or rejected
 * here exactly as the runtime would, with the same message.
 */
public final class RecurrentDiffs {
    private RecurrentDiffs() {
    }

    public static DiffOpFactory lstm() {
        return (node, options) -> {
            LstmOp.create(node);
            return new LstmDiff(node, options);
        };
    }

    public static DiffOpFactory gru() {
        return (node, options) -> {
            GruOp.create(node);
            return new GruDiff(node, options);
        };
    }

    public static DiffOpFactory rnn() {
        return (node, options) -> {
            RnnOp.create(node);
            return new RnnDiff(node, options);
        };
    }
}
