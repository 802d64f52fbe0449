package io.sparq.runtime.ops;

import io.sparq.format.DataType;
import io.sparq.format.Tensor;
import io.sparq.runtime.kernels.Broadcast;
import io.sparq.runtime.kernels.Gemm;
import io.sparq.runtime.kernels.WeightMatrix;

import java.util.Arrays;

/**
 * Matrix products (float32): Gemm and MatMul. A constant weight (Gemm's B, MatMul's 1-D or 2-D B)
 * becomes a {@link WeightMatrix} when the node is built, with rows = output features: Gemm's B
 * with {@code transB = 1} is read in its stored encoding; a B stored as {@code [K, N]} (Gemm
 * without transB, MatMul) is decoded and transposed once, since stored encodings compress along
 * the last axis and the kernels need that axis to be K.
 */
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
        int[] bShape = ctx.constantShape(1);
        WeightMatrix weight = bShape != null && bShape.length == 2 ? ctx.constantWeight(1, !transB) : null;
        if (weight != null) {
            return in -> new Tensor[] {gemmWeight(ctx, transA, transB, alpha, beta, in[0], bShape, weight,
                    in.length > 2 ? in[2] : null)};
        }
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

    /** Gemm with B taken as {@code weight} at build time ({@code bShape} as the node stores B). */
    private static Tensor gemmWeight(NodeContext ctx, boolean transA, boolean transB, float alpha, float beta,
                                     Tensor a, int[] bShape, WeightMatrix weight, Tensor c) {
        ctx.requireType(a, 0, DataType.FLOAT32);
        if (a.rank() != 2) {
            throw ctx.badInput("A has shape " + Arrays.toString(a.shape()) + " and B " + Arrays.toString(bShape)
                    + "; both must be matrices");
        }
        int m = a.dim(transA ? 1 : 0);
        int k = a.dim(transA ? 0 : 1);
        int n = weight.rows();
        if (k != weight.cols()) {
            throw ctx.badInput("A has shape " + Arrays.toString(a.shape()) + " (transA=" + (transA ? 1 : 0)
                    + ") and B " + Arrays.toString(bShape) + " (transB=" + (transB ? 1 : 0)
                    + "); inner dimensions " + k + " and " + weight.cols() + " differ");
        }
        float[] x = transA ? transpose(a.floats(), k, m) : a.floats();
        Tensor y = Tensor.zeros(DataType.FLOAT32, new int[] {m, n});
        float[] yv = y.floats();
        boolean withC = c != null && beta != 0;
        if (c != null) {
            ctx.requireType(c, 2, DataType.FLOAT32);
            expandInto(ctx, c, m, n, yv);
            scale(yv, withC ? beta : 0);
        }
        if (alpha == 1 || !withC) {
            weight.multiply(m, x, 0, k, 0, n, yv, 0, n, withC);
            scale(yv, alpha);
        } else {
            float[] product = new float[yv.length];
            weight.multiply(m, x, 0, k, 0, n, product, 0, n, false);
            for (int i = 0; i < yv.length; i++) {
                yv[i] += alpha * product[i];
            }
        }
        return y;
    }

    private static float[] transpose(float[] v, int rows, int cols) {
        float[] out = new float[v.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                out[j * rows + i] = v[i * cols + j];
            }
        }
        return out;
    }

    private static void scale(float[] v, float s) {
        if (s == 0) {
            Arrays.fill(v, 0f);
        } else if (s != 1) {
            for (int i = 0; i < v.length; i++) {
                v[i] *= s;
            }
        }
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
        int[] bShape = ctx.constantShape(1);
        WeightMatrix weight = bShape != null && (bShape.length == 1 || bShape.length == 2)
                ? ctx.constantWeight(1, bShape.length == 2) : null;
        if (weight != null) {
            return in -> new Tensor[] {matMulWeight(ctx, in[0], bShape, weight)};
        }
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

    /**
     * MatMul with a constant B of rank 1 or 2 taken as {@code weight} ({@code [N, K]} rows): every
     * leading axis of A stacks into the rows of one product.
     */
    private static Tensor matMulWeight(NodeContext ctx, Tensor a, int[] bShape, WeightMatrix weight) {
        ctx.requireType(a, 0, DataType.FLOAT32);
        int[] as = a.shape();
        int k = weight.cols();
        if (as.length == 0 || as[as.length - 1] != k) {
            throw ctx.badInput("A has shape " + Arrays.toString(as) + " and B " + Arrays.toString(bShape)
                    + (as.length == 0 ? "; MatMul needs inputs of rank 1 or more"
                    : "; inner dimensions " + as[as.length - 1] + " and " + k + " differ"));
        }
        boolean bVector = bShape.length == 1;
        int rows = Tensor.sizeOf(Arrays.copyOf(as, as.length - 1));
        int n = weight.rows();
        int[] shape = Arrays.copyOf(as, as.length - (bVector ? 1 : 0));
        if (!bVector) {
            shape[shape.length - 1] = n;
        }
        Tensor y = Tensor.zeros(DataType.FLOAT32, shape);
        weight.multiply(rows, a.floats(), 0, k, 0, n, y.floats(), 0, n, false);
        return y;
    }
}
