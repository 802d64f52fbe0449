package io.sparq.converter.finetune.ops;

import io.sparq.converter.finetune.DiffOp;
import io.sparq.converter.finetune.DiffOpFactory;
import io.sparq.format.DataType;
import io.sparq.format.Tensor;
import io.sparq.runtime.kernels.Gemm;
import io.sparq.runtime.ops.Op;

/**
 * Gemm: Y = alpha·op(A)·op(B) + beta·C. With G = dY: d op(A) = alpha·G·op(B)ᵀ, d op(B) =
 * alpha·op(A)ᵀ·G, dC = beta·G summed over C's broadcast axes; each product is one
 * {@link Gemm#gemm} call that reads the operands as stored (transposes become flags).
 */
public final class GemmDiff extends RuntimeOpDiff {
    private final boolean transA;
    private final boolean transB;
    private final float alpha;
    private final float beta;

    private GemmDiff(Op op, boolean transA, boolean transB, float alpha, float beta) {
        super(op);
        this.transA = transA;
        this.transB = transB;
        this.alpha = alpha;
        this.beta = beta;
    }

    public static DiffOpFactory factory() {
        return (ctx, options) -> new GemmDiff(Grads.runtimeOp(ctx), ctx.attrInt("transA", 0) != 0,
                ctx.attrInt("transB", 0) != 0, ctx.attrFloat("alpha", 1f), ctx.attrFloat("beta", 1f));
    }

    @Override
    public Tensor[] backward(Forward forward, Tensor[] gradOutputs, boolean[] needed) {
        Tensor[] in = forward.inputs();
        Tensor[] grads = new Tensor[in.length];
        if (gradOutputs[0] == null) {
            return grads;
        }
        float[] g = gradOutputs[0].floats();  // [M, N]
        Tensor a = in[0];
        Tensor b = in[1];
        int m = a.dim(transA ? 1 : 0);
        int k = a.dim(transA ? 0 : 1);
        int n = b.dim(transB ? 0 : 1);
        if (needed[0]) {
            Tensor da = Tensor.zeros(DataType.FLOAT32, a.shape());
            if (!transA) {   // dA [M, K] = alpha · G · op(B)ᵀ
                Gemm.gemm(false, !transB, m, k, n, alpha, g, 0, b.floats(), 0, 0, da.floats(), 0);
            } else {         // dA [K, M] = alpha · op(B) · Gᵀ
                Gemm.gemm(transB, true, k, m, n, alpha, b.floats(), 0, g, 0, 0, da.floats(), 0);
            }
            grads[0] = da;
        }
        if (needed[1]) {
            Tensor db = Tensor.zeros(DataType.FLOAT32, b.shape());
            if (!transB) {   // dB [K, N] = alpha · op(A)ᵀ · G
                Gemm.gemm(!transA, false, k, n, m, alpha, a.floats(), 0, g, 0, 0, db.floats(), 0);
            } else {         // dB [N, K] = alpha · Gᵀ · op(A)
                Gemm.gemm(true, transA, n, k, m, alpha, g, 0, a.floats(), 0, 0, db.floats(), 0);
            }
            grads[1] = db;
        }
        if (in.length > 2 && in[2] != null && needed[2]) {
            float[] gc = new float[g.length];
            for (int i = 0; i < g.length; i++) {
                gc[i] = beta * g[i];
            }
            grads[2] = Grads.sumTo(gc, new int[] {m, n}, in[2].shape());
        }
        return grads;
    }
}
