package io.sparq.runtime.ops;

/** TODO: operators of this family are being added. */
final class ElementwiseOps {
    private ElementwiseOps() {
    }

    static void register(OpRegistry r) {
    }
}
