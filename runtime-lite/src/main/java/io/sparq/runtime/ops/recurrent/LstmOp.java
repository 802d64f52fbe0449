package io.sparq.runtime.ops.recurrent;

import io.sparq.runtime.ops.NodeContext;
import io.sparq.runtime.ops.Op;

import java.util.List;

/**
 * ONNX {@code LSTM} (opsets 7, 14, 22), computed in fp32. Per time step, with gate blocks in the spec's
 * order i, o, f, c and activations f, g, h (default Sigmoid, Tanh, Tanh):
 *
 * <pre>
 *   i = f(Xt·Wiᵀ + Ht-1·Riᵀ + Wbi + Rbi + Pi ⊙ Ct-1)
 *   f = f(Xt·Wfᵀ + Ht-1·Rfᵀ + Wbf + Rbf + Pf ⊙ Ct-1)      (1 - i when input_forget = 1)
 *   c = g(Xt·Wcᵀ + Ht-1·Rcᵀ + Wbc + Rbc)
 *   Ct = f ⊙ Ct-1 + i ⊙ c
 *   o = f(Xt·Woᵀ + Ht-1·Roᵀ + Wbo + Rbo + Po ⊙ Ct)
 *   Ht = o ⊙ h(Ct)
 * </pre>
 *
 * {@code clip} bounds the argument of each gate's activation (not Ct before h), as ONNX Runtime does.
 */
public final class LstmOp extends RecurrentOp {
    private final boolean inputForget;
    private final Activation[][] activations;   // [direction][f, g, h]

    private LstmOp(NodeContext ctx) {
        super(ctx, 4, true, false);
        long coupled = ctx.attrInt("input_forget", 0);
        if (coupled != 0 && coupled != 1) {
            throw ctx.fail("attribute input_forget = " + coupled + ", expected 0 or 1");
        }
        this.inputForget = coupled == 1;
        this.activations = Activation.parse(ctx, directions, List.of("Sigmoid", "Tanh", "Tanh"));
    }

    /** Compiles one LSTM node, validating its attributes. */
    public static Op create(NodeContext ctx) {
        return new LstmOp(ctx);
    }

    @Override
    void step(RecurrentRun run, int dir, int step, boolean backwards) {
        recurrentProductOntoInput(run, run.h, dir, step, backwards, 0, 4 * run.hidden, 0);
        forBatchRows(run, 4, (b0, b1) -> cells(run, dir, step, backwards, b0, b1));
    }

    /** The cell of batch rows {@code [b0, b1)}: the gates from their arguments, then the new c and h. */
    private void cells(RecurrentRun run, int dir, int step, boolean backwards, int b0, int b1) {
        int hs = run.hidden;
        Activation f = activations[dir][0];
        Activation g = activations[dir][1];
        Activation h = activations[dir][2];
        float[] z = run.gates;
        float[] c = run.c;
        float[] p = run.p;
        int pi = dir * 3 * hs;       // P[iof]
        int po = pi + hs;
        int pf = po + hs;
        for (int b = b0; b < b1; b++) {
            int t = run.time(b, step, backwards);
            if (t < 0) {
                continue;
            }
            int zi = b * 4 * hs;     // gate blocks i, o, f, c of this row
            int zo = zi + hs;
            int zf = zo + hs;
            int zc = zf + hs;
            int s = b * hs;
            if (p != null) {
                for (int j = 0; j < hs; j++) {
                    z[zi + j] += p[pi + j] * c[s + j];
                }
            }
            clip(z, zi, hs);
            f.apply(z, zi, hs);
            if (inputForget) {
                for (int j = 0; j < hs; j++) {
                    z[zf + j] = 1f - z[zi + j];
                }
            } else {
                if (p != null) {
                    for (int j = 0; j < hs; j++) {
                        z[zf + j] += p[pf + j] * c[s + j];
                    }
                }
                clip(z, zf, hs);
                f.apply(z, zf, hs);
            }
            clip(z, zc, hs);
            g.apply(z, zc, hs);
            for (int j = 0; j < hs; j++) {
                c[s + j] = z[zf + j] * c[s + j] + z[zi + j] * z[zc + j];
            }
            if (p != null) {
                for (int j = 0; j < hs; j++) {
                    z[zo + j] += p[po + j] * c[s + j];
                }
            }
            clip(z, zo, hs);
            f.apply(z, zo, hs);
            // block c is spent: it takes h(Ct), so Ct itself stays untouched for the next step
            System.arraycopy(c, s, z, zc, hs);
            h.apply(z, zc, hs);
            for (int j = 0; j < hs; j++) {
                run.h[s + j] = z[zo + j] * z[zc + j];
            }
            run.emit(t, b, dir);
        }
    }
}
