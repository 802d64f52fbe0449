package io.sparq.runtime.ops;

/** TODO: operators of this family are being added. */
final class LinearOps {
    private LinearOps() {
    }

    static void register(OpRegistry r) {
    }
}
