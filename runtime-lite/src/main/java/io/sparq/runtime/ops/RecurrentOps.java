package io.sparq.runtime.ops;

import io.sparq.runtime.ops.recurrent.GruOp;
import io.sparq.runtime.ops.recurrent.LstmOp;
import io.sparq.runtime.ops.recurrent.RnnOp;

/** The recurrent operators LSTM, GRU and RNN (implemented in {@code io.sparq.runtime.ops.recurrent}). */
final class RecurrentOps {
    private RecurrentOps() {
    }

    static void register(OpRegistry r) {
        r.register("LSTM", LstmOp::create);
        r.register("GRU", GruOp::create);
        r.register("RNN", RnnOp::create);
    }
}
