package io.sparq.runtime.ops;

import java.util.Arrays;

/** Axis arguments as ONNX gives them (negative counts from the end), checked against a rank. */
final class Axes {
    private Axes() {
    }

    /** {@code axis} in {@code [-rank, rank)} as an index in {@code [0, rank)}; fails naming the node otherwise. */
    static int normalize(NodeContext ctx, long axis, int rank) {
        if (axis < -rank || axis >= rank) {
            throw ctx.badInput("axis " + axis + " is out of range for an input of rank " + rank
                    + (rank == 0 ? "" : " (allowed " + -rank + " to " + (rank - 1) + ")"));
        }
        return (int) (axis < 0 ? axis + rank : axis);
    }

    /** A mask of the axes listed in {@code axes}; fails on an axis out of range or given twice. */
    static boolean[] mask(NodeContext ctx, long[] axes, int rank) {
        boolean[] mask = new boolean[rank];
        for (long a : axes) {
            int d = normalize(ctx, a, rank);
            if (mask[d]) {
                throw ctx.badInput("axes " + Arrays.toString(axes) + " name axis " + d + " twice");
            }
            mask[d] = true;
        }
        return mask;
    }

    /** The product of {@code shape[from..to)}. */
    static int product(int[] shape, int from, int to) {
        int p = 1;
        for (int d = from; d < to; d++) {
            p *= shape[d];
        }
        return p;
    }
}
