package io.sparq.converter.finetune.ops;

import io.sparq.converter.finetune.DiffOp;
import io.sparq.converter.finetune.DiffOpFactory;
import io.sparq.format.Tensor;
import io.sparq.runtime.kernels.Gemm;
import io.sparq.runtime.ops.Op;

import java.util.Arrays;

/**
 * MatMul with NumPy semantics as runtime-lite runs it: a 1-D A is a row vector, a 1-D B a column
 * vector, leading batch axes broadcast. Per batch dA = G·Bᵀ and dB = Aᵀ·G; an operand that was
 * broadcast over batches gets the sum over them. When B has no batch (the usual
 * {@code [..., K] x [K, N]} projection) each gradient is a single product over all rows.
 */
public final class MatMulDiff extends RuntimeOpDiff {

    private MatMulDiff(Op op) {
        super(op);
    }

    public static DiffOpFactory factory() {
        return (ctx, options) -> new MatMulDiff(Grads.runtimeOp(ctx));
    }

    @Override
    public Tensor[] backward(Forward forward, Tensor[] gradOutputs, boolean[] needed) {
        Tensor[] grads = new Tensor[2];
        if (gradOutputs[0] == null) {
            return grads;
        }
        Tensor a = forward.inputs()[0];
        Tensor b = forward.inputs()[1];
        // promote vectors to matrices; the result then has both matrix axes
        int[] as = a.rank() == 1 ? new int[] {1, a.dim(0)} : a.shape();
        int[] bs = b.rank() == 1 ? new int[] {b.dim(0), 1} : b.shape();
        int m = as[as.length - 2];
        int k = as[as.length - 1];
        int n = bs[bs.length - 1];
        int[] aBatch = Arrays.copyOf(as, as.length - 2);
        int[] bBatch = Arrays.copyOf(bs, bs.length - 2);
        int[] batch = io.sparq.runtime.kernels.Broadcast.shape(aBatch, bBatch);
        float[] g = gradOutputs[0].floats();   // [batch..., M, N] whatever vector axes were dropped
        float[] av = a.floats();
        float[] bv = b.floats();
        if (Tensor.sizeOf(bBatch) == 1) {
            int rows = Tensor.sizeOf(batch) * m;
            if (needed[0]) {
                float[] da = new float[rows * k];
                Gemm.gemm(false, true, rows, k, n, 1, g, 0, bv, 0, 0, da, 0);
                grads[0] = Tensor.ofFloats(a.shape(), da);
            }
            if (needed[1]) {
                float[] db = new float[k * n];
                Gemm.gemm(true, false, k, n, rows, 1, av, 0, g, 0, 0, db, 0);
                grads[1] = Tensor.ofFloats(b.shape(), db);
            }
            return grads;
        }
        int count = Tensor.sizeOf(batch);
        float[] aFull = Grads.expand(a.reshape(as), concat(batch, m, k));
        float[] bFull = Grads.expand(b.reshape(bs), concat(batch, k, n));
        float[] da = needed[0] ? new float[count * m * k] : null;
        float[] db = needed[1] ? new float[count * k * n] : null;
        for (int i = 0; i < count; i++) {
            if (da != null) {
                Gemm.gemm(false, true, m, k, n, 1, g, i * m * n, bFull, i * k * n, 0, da, i * m * k);
            }
            if (db != null) {
                Gemm.gemm(true, false, k, n, m, 1, aFull, i * m * k, g, i * m * n, 0, db, i * k * n);
            }
        }
        if (da != null) {
            grads[0] = Grads.sumTo(da, concat(batch, m, k), as).reshape(a.shape());
        }
        if (db != null) {
            grads[1] = Grads.sumTo(db, concat(batch, k, n), bs).reshape(b.shape());
        }
        return grads;
    }

    private static int[] concat(int[] batch, int rows, int cols) {
        int[] s = Arrays.copyOf(batch, batch.length + 2);
        s[batch.length] = rows;
        s[batch.length + 1] = cols;
        return s;
    }
}
