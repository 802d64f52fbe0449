package io.sparq.runtime.ops;

/** TODO: operators of this family are being added. */
final class NnOps {
    private NnOps() {
    }

    static void register(OpRegistry r) {
    }
}
