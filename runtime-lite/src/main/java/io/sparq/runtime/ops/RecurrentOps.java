package io.sparq.runtime.ops;

/** TODO: operators of this family are being added. */
final class RecurrentOps {
    private RecurrentOps() {
    }

    static void register(OpRegistry r) {
    }
}
