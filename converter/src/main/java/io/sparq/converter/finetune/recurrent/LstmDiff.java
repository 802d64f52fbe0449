package io.sparq.converter.finetune.recurrent;

import io.sparq.converter.finetune.TrainingOptions;
import io.sparq.runtime.ops.NodeContext;
import io.sparq.runtime.ops.recurrent.Activation;

import java.util.List;

/**
 * Differentiable ONNX {@code LSTM}, the equations of runtime-lite's {@code LstmOp} (gate blocks
 * i, o, f, c; activations f, g, h; peepholes P; {@code input_forget}; clip on each gate's
 * argument, not on Ct before h). Records per step the gate arguments and values, Ct-1, Ct, h(Ct)
 * and Ht-1.
 */
final class LstmDiff extends RecurrentDiff {
    private static final int C_PREV = 0;
    private static final int C_NEW = 1;
    private static final int H_OF_C = 2;

    private final boolean inputForget;
    private final Activation[][] activations;   // [direction][f, g, h]

    LstmDiff(NodeContext ctx, TrainingOptions options) {
        super(ctx, options, 4, true);
        this.inputForget = ctx.attrInt("input_forget", 0) == 1;
        this.activations = Activation.parse(ctx, directions, List.of("Sigmoid", "Tanh", "Tanh"));
    }

    @Override
    int auxCount() {
        return 3;
    }

    @Override
    void forwardStep(Tape tp, int dir, int step, boolean backwards) {
        int hs = tp.hidden;
        int gh = 4 * hs;
        recurrentProduct(tp, tp.h, dir, 0, gh, tp.rec);
        Activation f = activations[dir][0];
        Activation g = activations[dir][1];
        Activation hAct = activations[dir][2];
        float[] pre = tp.pre[dir];
        float[] act = tp.act[dir];
        float[] cPrev = tp.aux[dir][C_PREV];
        float[] cNew = tp.aux[dir][C_NEW];
        float[] hOfC = tp.aux[dir][H_OF_C];
        float[] c = tp.c;
        float[] p = tp.p;
        int pi = dir * 3 * hs;       // P[iof]
        int po = pi + hs;
        int pf = po + hs;
        for (int b = 0; b < tp.batch; b++) {
            int t = tp.time(b, step, backwards);
            if (t < 0) {
                continue;
            }
            int row = tp.row(t, b);
            int zi = row * gh;       // gate blocks i, o, f, c of this row
            int zo = zi + hs;
            int zf = zo + hs;
            int zc = zf + hs;
            int so = row * hs;
            int s = b * hs;
            System.arraycopy(tp.h, s, tp.hPrev[dir], so, hs);
            System.arraycopy(c, s, cPrev, so, hs);
            for (int k = 0; k < gh; k++) {
                pre[zi + k] += tp.rec[b * gh + k];
            }
            if (p != null) {
                for (int j = 0; j < hs; j++) {
                    pre[zi + j] += p[pi + j] * c[s + j];
                }
            }
            activate(f, pre, act, zi, hs);
            if (inputForget) {
                for (int j = 0; j < hs; j++) {
                    act[zf + j] = 1f - act[zi + j];
                }
            } else {
                if (p != null) {
                    for (int j = 0; j < hs; j++) {
                        pre[zf + j] += p[pf + j] * c[s + j];
                    }
                }
                activate(f, pre, act, zf, hs);
            }
            activate(g, pre, act, zc, hs);
            for (int j = 0; j < hs; j++) {
                c[s + j] = act[zf + j] * c[s + j] + act[zi + j] * act[zc + j];
            }
            System.arraycopy(c, s, cNew, so, hs);
            if (p != null) {
                for (int j = 0; j < hs; j++) {
                    pre[zo + j] += p[po + j] * c[s + j];
                }
            }
            activate(f, pre, act, zo, hs);
            System.arraycopy(c, s, hOfC, so, hs);
            hAct.apply(hOfC, so, hs);
            for (int j = 0; j < hs; j++) {
                tp.h[s + j] = act[zo + j] * hOfC[so + j];
            }
            tp.emit(t, b, dir);
        }
    }

    @Override
    float[][] newGradArrays(Tape tp) {
        return new float[][] {new float[tp.pre[0].length]};
    }

    @Override
    void backwardStep(Tape tp, Grad g, int dir, int step, boolean backwards) {
        int hs = tp.hidden;
        int gh = 4 * hs;
        Activation f = activations[dir][0];
        Activation gAct = activations[dir][1];
        Activation hAct = activations[dir][2];
        float[] pre = tp.pre[dir];
        float[] act = tp.act[dir];
        float[] cPrev = tp.aux[dir][C_PREV];
        float[] cNew = tp.aux[dir][C_NEW];
        float[] hOfC = tp.aux[dir][H_OF_C];
        float[] dz = g.dz[0];
        float[] dh = g.carryH;
        float[] dc = g.carryC;
        float[] dhc = g.scratch;
        float[] p = tp.p;
        float[] dp = g.dP;
        int pi = dir * 3 * hs;
        int po = pi + hs;
        int pf = po + hs;
        for (int b = 0; b < tp.batch; b++) {
            int t = tp.time(b, step, backwards);
            if (t < 0) {
                continue;
            }
            g.addDy(tp, t, b, dir);
            int row = tp.row(t, b);
            int zi = row * gh;
            int zo = zi + hs;
            int zf = zo + hs;
            int zc = zf + hs;
            int so = row * hs;
            int s = b * hs;
            for (int j = 0; j < hs; j++) {
                dz[zo + j] = dh[s + j] * hOfC[so + j];
                dhc[s + j] = dh[s + j] * act[zo + j];
            }
            hAct.backprop(cNew, hOfC, so, dhc, s, hs, Float.POSITIVE_INFINITY);
            f.backprop(pre, act, zo, dz, zo, hs, clip);
            for (int j = 0; j < hs; j++) {
                float dcj = dc[s + j] + dhc[s + j];
                if (p != null) {
                    dcj += dz[zo + j] * p[po + j];
                }
                dz[zi + j] = dcj * act[zc + j];
                dz[zf + j] = dcj * cPrev[so + j];
                dz[zc + j] = dcj * act[zi + j];
                dc[s + j] = dcj * act[zf + j];
            }
            if (inputForget) {
                for (int j = 0; j < hs; j++) {
                    dz[zi + j] -= dz[zf + j];
                    dz[zf + j] = 0f;
                }
            } else {
                f.backprop(pre, act, zf, dz, zf, hs, clip);
            }
            f.backprop(pre, act, zi, dz, zi, hs, clip);
            gAct.backprop(pre, act, zc, dz, zc, hs, clip);
            if (p != null) {
                for (int j = 0; j < hs; j++) {
                    dc[s + j] += dz[zi + j] * p[pi + j] + dz[zf + j] * p[pf + j];
                }
            }
            if (dp != null) {
                for (int j = 0; j < hs; j++) {
                    dp[pi + j] += dz[zi + j] * cPrev[so + j];
                    dp[po + j] += dz[zo + j] * cNew[so + j];
                    dp[pf + j] += dz[zf + j] * cPrev[so + j];
                }
            }
            System.arraycopy(dz, zi, g.dzStep, b * gh, gh);
        }
        recurrentGradient(tp, g.dzStep, dir, 0, gh, g.dhPrev);
        for (int b = 0; b < tp.batch; b++) {
            if (tp.time(b, step, backwards) >= 0) {
                System.arraycopy(g.dhPrev, b * hs, dh, b * hs, hs);
            }
        }
    }

    @Override
    void weightGrads(Tape tp, Grad g, int dir) {
        accumulate(tp, g, dir, 0, 4 * tp.hidden, g.dz[0], g.dz[0], tp.hPrev[dir]);
    }
}
