package io.sparq.runtime.ops.recurrent;

import io.sparq.runtime.ops.NodeContext;
import io.sparq.runtime.ops.Op;

import java.util.List;

/**
 * ONNX {@code GRU} (opsets 7, 14, 22), computed in fp32. Per time step, with gate blocks in the spec's
 * order z, r, h and activations f, g (default Sigmoid, Tanh):
 *
 * <pre>
 *   z = f(Xt·Wzᵀ + Ht-1·Rzᵀ + Wbz + Rbz)
 *   r = f(Xt·Wrᵀ + Ht-1·Rrᵀ + Wbr + Rbr)
 *   h = g(Xt·Whᵀ + (r ⊙ Ht-1)·Rhᵀ + Rbh + Wbh)          linear_before_reset = 0
 *   h = g(Xt·Whᵀ + r ⊙ (Ht-1·Rhᵀ + Rbh) + Wbh)          linear_before_reset = 1
 *   Ht = (1 - z) ⊙ h + z ⊙ Ht-1
 * </pre>
 *
 * With {@code linear_before_reset = 0} the h block's recurrent product needs r first, so a step
 * makes two products (z and r blocks, then h block); otherwise one.
 */
public final class GruOp extends RecurrentOp {
    private final boolean linearBeforeReset;
    private final Activation[][] activations;   // [direction][f, g]

    private GruOp(NodeContext ctx) {
        super(ctx, 3, false, linearBeforeReset(ctx));
        this.linearBeforeReset = linearBeforeReset(ctx);
        this.activations = Activation.parse(ctx, directions, List.of("Sigmoid", "Tanh"));
    }

    private static boolean linearBeforeReset(NodeContext ctx) {
        long lbr = ctx.attrInt("linear_before_reset", 0);
        if (lbr != 0 && lbr != 1) {
            throw ctx.fail("attribute linear_before_reset = " + lbr + ", expected 0 or 1");
        }
        return lbr == 1;
    }

    /** Compiles one GRU node, validating its attributes. */
    public static Op create(NodeContext ctx) {
        return new GruOp(ctx);
    }

    @Override
    void step(RecurrentRun run, int dir, int step, boolean backwards) {
        int hs = run.hidden;
        if (linearBeforeReset) {
            // one product over all three gate blocks (one hand-off, and large enough to split):
            // z and r onto their input projections, h onto zeros, kept apart until the reset gate
            recurrentProductOntoInput(run, run.h, dir, step, backwards, 0, 2 * hs, hs);
        } else {
            recurrentProductOntoInput(run, run.h, dir, step, backwards, 0, 2 * hs, 0);
        }
        forBatchRows(run, 3, (b0, b1) -> updateAndReset(run, dir, step, backwards, b0, b1));
        if (!linearBeforeReset) {
            recurrentProductOntoInput(run, run.scratch, dir, step, backwards, 2 * hs, hs, 0);
            forBatchRows(run, 1, (b0, b1) -> candidates(run, dir, step, backwards, b0, b1));
        }
    }

    /**
     * Batch rows {@code [b0, b1)}: the update and reset gates, then (linear_before_reset) the whole
     * new state, else the reset state {@code r ⊙ h} for the candidate's recurrent product.
     */
    private void updateAndReset(RecurrentRun run, int dir, int step, boolean backwards, int b0, int b1) {
        int hs = run.hidden;
        Activation f = activations[dir][0];
        float[] z = run.gates;
        float[] xw = run.xw;
        int rbh = dir * 6 * hs + 5 * hs;   // B = [Wb[zrh], Rb[zrh]] per direction
        for (int b = b0; b < b1; b++) {
            int t = run.time(b, step, backwards);
            if (t < 0) {
                continue;
            }
            int zz = b * 3 * hs;             // gate blocks z, r, h of this row
            int zr = zz + hs;
            int zh = zr + hs;
            int xo = run.xwOffset(t, b, dir);
            clip(z, zz, 2 * hs);
            f.apply(z, zz, 2 * hs);
            if (linearBeforeReset) {
                for (int j = 0; j < hs; j++) {
                    float recurrent = z[zh + j] + (run.b == null ? 0f : run.b[rbh + j]);
                    z[zh + j] = xw[xo + 2 * hs + j] + z[zr + j] * recurrent;
                }
                finish(run, b, t, dir);
            } else {
                for (int j = 0; j < hs; j++) {
                    run.scratch[b * hs + j] = z[zr + j] * run.h[b * hs + j];
                }
            }
        }
    }

    /** Batch rows {@code [b0, b1)} without linear_before_reset: the candidate from its product, and the new state. */
    private void candidates(RecurrentRun run, int dir, int step, boolean backwards, int b0, int b1) {
        for (int b = b0; b < b1; b++) {
            int t = run.time(b, step, backwards);
            if (t < 0) {
                continue;
            }
            finish(run, b, t, dir);
        }
    }

    /** Applies g to row {@code b}'s complete h-block argument and blends the new state. */
    private void finish(RecurrentRun run, int b, int t, int dir) {
        int hs = run.hidden;
        float[] z = run.gates;
        int zz = b * 3 * hs;
        int zh = zz + 2 * hs;
        clip(z, zh, hs);
        activations[dir][1].apply(z, zh, hs);
        for (int j = 0; j < hs; j++) {
            float u = z[zz + j];
            run.h[b * hs + j] = (1f - u) * z[zh + j] + u * run.h[b * hs + j];
        }
        run.emit(t, b, dir);
    }
}
