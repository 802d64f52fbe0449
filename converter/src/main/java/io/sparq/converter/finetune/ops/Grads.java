package io.sparq.converter.finetune.ops;

import io.sparq.format.DataType;
import io.sparq.format.Tensor;
import io.sparq.runtime.kernels.Strided;
import io.sparq.runtime.ops.NodeContext;
import io.sparq.runtime.ops.Op;
import io.sparq.runtime.ops.OpRegistry;

/** Shared pieces of backward rules: index maps, scatter-add, reduction over broadcast axes. */
final class Grads {
    private Grads() {
    }

    /** runtime-lite's op for this node, so forward passes compute exactly what the runtime does. */
    static Op runtimeOp(NodeContext ctx) {
        return OpRegistry.standard().lookup(ctx.node().domain(), ctx.node().opType())
                .orElseThrow(() -> ctx.unsupported("runtime-lite has no operator " + ctx.node().opType()))
                .create(ctx);
    }

    /** An int32 tensor of {@code shape} holding {@code offset, offset + 1, ...}: element positions. */
    static Tensor iota(int[] shape, int offset) {
        int[] v = new int[Tensor.sizeOf(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = offset + i;
        }
        return Tensor.ofInts(shape, v);
    }

    /** {@code into[index[i]] += g[i]}. */
    static void scatterAdd(int[] index, float[] g, float[] into) {
        for (int i = 0; i < index.length; i++) {
            into[index[i]] += g[i];
        }
    }

    /** {@code g} (shaped as the broadcast of {@code shape}) summed over the axes {@code shape} was broadcast along. */
    static Tensor sumTo(float[] g, int[] gShape, int[] shape) {
        if (java.util.Arrays.equals(gShape, shape)) {
            return Tensor.ofFloats(shape, g);
        }
        Tensor index = Strided.expand(iota(shape, 0), gShape);
        Tensor out = Tensor.zeros(DataType.FLOAT32, shape);
        scatterAdd(index.ints(), g, out.floats());
        return out;
    }

    /** {@code t}'s floats broadcast to {@code shape}. */
    static float[] expand(Tensor t, int[] shape) {
        return Strided.expand(t, shape).floats();
    }
}
