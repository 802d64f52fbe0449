package io.sparq.converter.finetune.recurrent;

import io.sparq.converter.finetune.TrainingOptions;
import io.sparq.runtime.ops.NodeContext;
import io.sparq.runtime.ops.recurrent.Activation;

import java.util.List;

/**
 * Differentiable ONNX {@code GRU}, the equations of runtime-lite's {@code GruOp} (gate blocks z, r,
 * h; activations f, g; {@code linear_before_reset} 0 or 1). Besides gate arguments, values and
 * Ht-1 it records the recurrent operand of the h block: {@code r ⊙ Ht-1} (linear_before_reset = 0,
 * the input of that block's product with Rh) or {@code Ht-1·Rhᵀ + Rbh} (= 1, what r scales).
 *
 * <p>Gradients are kept as blocks z, r ({@code [rows, 2*hidden]}) and h ({@code [rows, hidden]})
 * because the h block's recurrent product has a different operand (lbr 0) or a different
 * gradient (lbr 1: r ⊙ dh) than its input projection.
 */
final class GruDiff extends RecurrentDiff {
    private static final int ZR = 0;      // gradient arrays: z and r blocks,
    private static final int H = 1;       // h block's input projection,
    private static final int H_REC = 2;   // h block's recurrent product (lbr 1 only)

    private final boolean linearBeforeReset;
    private final Activation[][] activations;   // [direction][f, g]

    GruDiff(NodeContext ctx, TrainingOptions options) {
        super(ctx, options, 3, false);
        this.linearBeforeReset = ctx.attrInt("linear_before_reset", 0) == 1;
        this.activations = Activation.parse(ctx, directions, List.of("Sigmoid", "Tanh"));
    }

    @Override
    int auxCount() {
        return 1;
    }

    /** As the default, except that Rbh stays out when the reset gate scales it. */
    @Override
    void projectionBias(float[] b, int dir, int hidden, float[] out) {
        int gh = 3 * hidden;
        for (int j = 0; j < gh; j++) {
            boolean keepRb = !linearBeforeReset || j < 2 * hidden;
            out[j] = keepRb ? b[dir * 2 * gh + j] + b[dir * 2 * gh + gh + j] : b[dir * 2 * gh + j];
        }
    }

    @Override
    void forwardStep(Tape tp, int dir, int step, boolean backwards) {
        int hs = tp.hidden;
        int gh = 3 * hs;
        int recWidth = (linearBeforeReset ? 3 : 2) * hs;
        recurrentProduct(tp, tp.h, dir, 0, recWidth, tp.rec);
        float[] pre = tp.pre[dir];
        float[] act = tp.act[dir];
        float[] operand = tp.aux[dir][0];
        int rbh = dir * 6 * hs + 5 * hs;   // B = [Wb[zrh], Rb[zrh]] per direction
        for (int b = 0; b < tp.batch; b++) {
            int t = tp.time(b, step, backwards);
            if (t < 0) {
                continue;
            }
            int zz = tp.row(t, b) * gh;      // gate blocks z, r, h of this row
            int zr = zz + hs;
            int zh = zr + hs;
            int so = tp.row(t, b) * hs;
            int s = b * hs;
            System.arraycopy(tp.h, s, tp.hPrev[dir], so, hs);
            for (int k = 0; k < 2 * hs; k++) {
                pre[zz + k] += tp.rec[b * recWidth + k];
            }
            activate(activations[dir][0], pre, act, zz, 2 * hs);
            if (linearBeforeReset) {
                for (int j = 0; j < hs; j++) {
                    float recurrent = tp.rec[b * recWidth + 2 * hs + j] + (tp.b == null ? 0f : tp.b[rbh + j]);
                    operand[so + j] = recurrent;
                    pre[zh + j] = pre[zh + j] + act[zr + j] * recurrent;
                }
                finish(tp, dir, b, t);
            } else {
                for (int j = 0; j < hs; j++) {
                    tp.scratch[s + j] = act[zr + j] * tp.h[s + j];
                }
                System.arraycopy(tp.scratch, s, operand, so, hs);
            }
        }
        if (!linearBeforeReset) {
            recurrentProduct(tp, tp.scratch, dir, 2 * hs, hs, tp.rec);
            for (int b = 0; b < tp.batch; b++) {
                int t = tp.time(b, step, backwards);
                if (t < 0) {
                    continue;
                }
                int zh = tp.row(t, b) * gh + 2 * hs;
                for (int j = 0; j < hs; j++) {
                    pre[zh + j] += tp.rec[b * hs + j];
                }
                finish(tp, dir, b, t);
            }
        }
    }

    /** Applies g to row {@code b}'s complete h-block argument and blends the new state. */
    private void finish(Tape tp, int dir, int b, int t) {
        int hs = tp.hidden;
        float[] act = tp.act[dir];
        int zz = tp.row(t, b) * 3 * hs;
        int zh = zz + 2 * hs;
        activate(activations[dir][1], tp.pre[dir], act, zh, hs);
        for (int j = 0; j < hs; j++) {
            float u = act[zz + j];
            tp.h[b * hs + j] = (1f - u) * act[zh + j] + u * tp.h[b * hs + j];
        }
        tp.emit(t, b, dir);
    }

    @Override
    float[][] newGradArrays(Tape tp) {
        int rows = tp.seq * tp.batch * tp.hidden;
        return new float[][] {new float[2 * rows], new float[rows], linearBeforeReset ? new float[rows] : null};
    }

    @Override
    void backwardStep(Tape tp, Grad g, int dir, int step, boolean backwards) {
        int hs = tp.hidden;
        int gh = 3 * hs;
        Activation f = activations[dir][0];
        float[] pre = tp.pre[dir];
        float[] act = tp.act[dir];
        float[] hPrev = tp.hPrev[dir];
        float[] operand = tp.aux[dir][0];
        float[] dzr = g.dz[ZR];
        float[] dzh = g.dz[H];
        float[] dh = g.carryH;
        float[] direct = g.scratch;          // the part of dHt-1 that skips the products: dHt ⊙ z
        for (int b = 0; b < tp.batch; b++) {
            int t = tp.time(b, step, backwards);
            if (t < 0) {
                continue;
            }
            g.addDy(tp, t, b, dir);
            int row = tp.row(t, b);
            int zz = row * gh;
            int zr = zz + hs;
            int so = row * hs;
            int s = b * hs;
            for (int j = 0; j < hs; j++) {
                float u = act[zz + j];
                dzr[2 * so + j] = dh[s + j] * (hPrev[so + j] - act[zz + 2 * hs + j]);
                dzh[so + j] = dh[s + j] * (1f - u);
                direct[s + j] = dh[s + j] * u;
            }
            activations[dir][1].backprop(pre, act, zz + 2 * hs, dzh, so, hs, clip);
            if (linearBeforeReset) {
                float[] dzhRec = g.dz[H_REC];
                for (int j = 0; j < hs; j++) {
                    dzr[2 * so + hs + j] = dzh[so + j] * operand[so + j];
                    dzhRec[so + j] = dzh[so + j] * act[zr + j];
                }
                f.backprop(pre, act, zz, dzr, 2 * so, 2 * hs, clip);
                System.arraycopy(dzr, 2 * so, g.dzStep, b * gh, 2 * hs);
                System.arraycopy(dzhRec, so, g.dzStep, b * gh + 2 * hs, hs);
            } else {
                System.arraycopy(dzh, so, g.dzStep, s, hs);
            }
        }
        if (!linearBeforeReset) {
            // gradient of r ⊙ Ht-1, the h block's recurrent operand; then the z and r blocks
            recurrentGradient(tp, g.dzStep, dir, 2 * hs, hs, g.dhPrev);
            for (int b = 0; b < tp.batch; b++) {
                int t = tp.time(b, step, backwards);
                if (t < 0) {
                    continue;
                }
                int row = tp.row(t, b);
                int zr = row * gh + hs;
                int so = row * hs;
                int s = b * hs;
                for (int j = 0; j < hs; j++) {
                    dzr[2 * so + hs + j] = g.dhPrev[s + j] * hPrev[so + j];
                    direct[s + j] += g.dhPrev[s + j] * act[zr + j];
                }
                f.backprop(pre, act, row * gh, dzr, 2 * so, 2 * hs, clip);
                System.arraycopy(dzr, 2 * so, g.dzStep, 2 * s, 2 * hs);
            }
        }
        recurrentGradient(tp, g.dzStep, dir, 0, linearBeforeReset ? gh : 2 * hs, g.dhPrev);
        for (int b = 0; b < tp.batch; b++) {
            if (tp.time(b, step, backwards) >= 0) {
                for (int j = b * hs; j < (b + 1) * hs; j++) {
                    dh[j] = g.dhPrev[j] + direct[j];
                }
            }
        }
    }

    @Override
    void weightGrads(Tape tp, Grad g, int dir) {
        int hs = tp.hidden;
        accumulate(tp, g, dir, 0, 2 * hs, g.dz[ZR], g.dz[ZR], tp.hPrev[dir]);
        if (linearBeforeReset) {
            accumulate(tp, g, dir, 2 * hs, hs, g.dz[H], g.dz[H_REC], tp.hPrev[dir]);
        } else {
            accumulate(tp, g, dir, 2 * hs, hs, g.dz[H], g.dz[H], tp.aux[dir][0]);
        }
    }
}
