package io.sparq.runtime.ops;

import io.sparq.format.DataType;
import io.sparq.format.Tensor;
import io.sparq.runtime.kernels.Broadcast;
import io.sparq.runtime.kernels.Gemm;

import java.util.Arrays;

/** Matrix products (float32): Gemm and MatMul. */
final class LinearOps {
    private LinearOps() {
    }

    static void register(OpRegistry r) {
        r.register("Gemm", LinearOps::gemm);
        r.register("MatMul", LinearOps::matMul);
    }

    /** Y = alpha·op(A)·op(B) + beta·C, C broadcasting to [M, N]; C is optional from opset 11. */
    private static Op gemm(NodeContext ctx) {
        ctx.requireInputs(ctx.opset() >= 11 ? 2 : 3, 3);
        boolean transA = ctx.attrInt("transA", 0) != 0;
        boolean transB = ctx.attrInt("transB", 0) != 0;
        float alpha = ctx.attrFloat("alpha", 1f);
        float beta = ctx.attrFloat("beta", 1f);
        return in -> {
            Tensor a = in[0];
            Tensor b = in[1];
            Tensor c = in.length > 2 ? in[2] : null;
            ctx.requireType(a, 0, DataType.FLOAT32);
            ctx.requireType(b, 1, DataType.FLOAT32);
            if (a.rank() != 2 || b.rank() != 2) {
                throw ctx.badInput("A has shape " + Arrays.toString(a.shape()) + " and B " + Arrays.toString(b.shape())
                        + "; both must be matrices");
            }
            int m = a.dim(transA ? 1 : 0);
            int k = a.dim(transA ? 0 : 1);
            int kb = b.dim(transB ? 1 : 0);
            int n = b.dim(transB ? 0 : 1);
            if (k != kb) {
                throw ctx.badInput("A has shape " + Arrays.toString(a.shape()) + " (transA=" + (transA ? 1 : 0)
                        + ") and B " + Arrays.toString(b.shape()) + " (transB=" + (transB ? 1 : 0)
                        + "); inner dimensions " + k + " and " + kb + " differ");
            }
            Tensor y = Tensor.zeros(DataType.FLOAT32, new int[] {m, n});
            if (c != null) {
                ctx.requireType(c, 2, DataType.FLOAT32);
                expandInto(ctx, c, m, n, y.floats());
            }
            Gemm.gemm(transA, transB, m, n, k, alpha, a.floats(), 0, b.floats(), 0, c == null ? 0 : beta, y.floats(), 0);
            return new Tensor[] {y};
        };
    }

    /** Copies {@code c} broadcast (one way) to {@code [m, n]} into {@code y}. */
    private static void expandInto(NodeContext ctx, Tensor c, int m, int n, float[] y) {
        int[] target = {m, n};
        Broadcast plan = Broadcast.of(c.shape(), target);
        if (plan == null || !Arrays.equals(plan.shape(), target)) {
            throw ctx.badInput("C has shape " + Arrays.toString(c.shape()) + ", which does not broadcast to [M, N] = "
                    + Arrays.toString(target));
        }
        float[] cv = c.floats();
        plan.forEachRow((ci, cs, ti, ts, yi, len) -> {
            for (int t = 0; t < len; t++) {
                y[yi + t] = cv[ci + t * cs];
            }
        });
    }

    /**
     * NumPy matmul: a 1-D A is a row vector and a 1-D B a column vector (that axis is dropped from
     * the result); leading (batch) axes broadcast.
     */
    private static Op matMul(NodeContext ctx) {
        ctx.requireInputs(2, 2);
        return in -> {
            Tensor a = in[0];
            Tensor b = in[1];
            ctx.requireType(a, 0, DataType.FLOAT32);
            ctx.requireType(b, 1, DataType.FLOAT32);
            int[] as = a.shape();
            int[] bs = b.shape();
            if (as.length == 0 || bs.length == 0) {
                throw ctx.badInput("A has shape " + Arrays.toString(as) + " and B " + Arrays.toString(bs)
                        + "; MatMul needs inputs of rank 1 or more");
            }
            boolean aVector = as.length == 1;
            boolean bVector = bs.length == 1;
            int m = aVector ? 1 : as[as.length - 2];
            int k = as[as.length - 1];
            int kb = bVector ? bs[0] : bs[bs.length - 2];
            int n = bVector ? 1 : bs[bs.length - 1];
            if (k != kb) {
                throw ctx.badInput("A has shape " + Arrays.toString(as) + " and B " + Arrays.toString(bs)
                        + "; inner dimensions " + k + " and " + kb + " differ");
            }
            int[] aBatch = Arrays.copyOf(as, Math.max(as.length - 2, 0));
            int[] bBatch = Arrays.copyOf(bs, Math.max(bs.length - 2, 0));
            Broadcast batches = Broadcast.of(aBatch, bBatch);
            if (batches == null) {
                throw ctx.badInput("A has shape " + Arrays.toString(as) + " and B " + Arrays.toString(bs)
                        + "; batch dimensions " + Arrays.toString(aBatch) + " and " + Arrays.toString(bBatch)
                        + " do not broadcast");
            }
            int[] batch = batches.shape();
            int[] shape = Arrays.copyOf(batch, batch.length + (aVector ? 0 : 1) + (bVector ? 0 : 1));
            if (!aVector) {
                shape[batch.length] = m;
            }
            if (!bVector) {
                shape[shape.length - 1] = n;
            }
            Tensor y = Tensor.zeros(DataType.FLOAT32, shape);
            float[] av = a.floats();
            float[] bv = b.floats();
            float[] yv = y.floats();
            if (Tensor.sizeOf(bBatch) == 1) {
                // one B for every batch: A's batches stack into the rows of a single product
                Gemm.gemm(false, false, Tensor.sizeOf(aBatch) * m, n, k, 1, av, 0, bv, 0, 0, yv, 0);
            } else {
                batches.forEachRow((ai, aStep, bi, bStep, yi, len) -> {
                    for (int t = 0; t < len; t++) {
                        Gemm.gemm(false, false, m, n, k, 1, av, (ai + t * aStep) * m * k,
                                bv, (bi + t * bStep) * k * n, 0, yv, (yi + t) * m * n);
                    }
                });
            }
            return new Tensor[] {y};
        };
    }
}
