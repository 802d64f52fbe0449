package io.sparq.converter.finetune.recurrent;

import io.sparq.converter.finetune.TrainingOptions;
import io.sparq.runtime.ops.NodeContext;
import io.sparq.runtime.ops.recurrent.Activation;

import java.util.List;

/** Differentiable ONNX {@code RNN}, {@code Ht = f(Xt·Wᵀ + Ht-1·Rᵀ + Wb + Rb)} as runtime-lite's {@code RnnOp}. */
final class RnnDiff extends RecurrentDiff {
    private final Activation[] activations;   // [direction]

    RnnDiff(NodeContext ctx, TrainingOptions options) {
        super(ctx, options, 1, false);
        List<String> names = ctx.attrStrings("activations", null);
        // one direction spelling out the schema default ["Tanh", "Tanh"] uses the first, as RnnOp does
        int listed = directions == 1 && names != null && names.size() == 2 ? 2 : directions;
        Activation[][] parsed = Activation.parse(ctx, listed, List.of("Tanh"));
        this.activations = new Activation[directions];
        for (int d = 0; d < directions; d++) {
            activations[d] = parsed[d][0];
        }
    }

    @Override
    int auxCount() {
        return 0;
    }

    @Override
    void forwardStep(Tape tp, int dir, int step, boolean backwards) {
        int hs = tp.hidden;
        recurrentProduct(tp, tp.h, dir, 0, hs, tp.rec);
        float[] pre = tp.pre[dir];
        for (int b = 0; b < tp.batch; b++) {
            int t = tp.time(b, step, backwards);
            if (t < 0) {
                continue;
            }
            int so = tp.row(t, b) * hs;
            int s = b * hs;
            System.arraycopy(tp.h, s, tp.hPrev[dir], so, hs);
            for (int j = 0; j < hs; j++) {
                pre[so + j] += tp.rec[s + j];
            }
            activate(activations[dir], pre, tp.act[dir], so, hs);
            System.arraycopy(tp.act[dir], so, tp.h, s, hs);
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
        float[] dz = g.dz[0];
        for (int b = 0; b < tp.batch; b++) {
            int t = tp.time(b, step, backwards);
            if (t < 0) {
                continue;
            }
            g.addDy(tp, t, b, dir);
            int so = tp.row(t, b) * hs;
            System.arraycopy(g.carryH, b * hs, dz, so, hs);
            activations[dir].backprop(tp.pre[dir], tp.act[dir], so, dz, so, hs, clip);
            System.arraycopy(dz, so, g.dzStep, b * hs, hs);
        }
        recurrentGradient(tp, g.dzStep, dir, 0, hs, g.dhPrev);
        for (int b = 0; b < tp.batch; b++) {
            if (tp.time(b, step, backwards) >= 0) {
                System.arraycopy(g.dhPrev, b * hs, g.carryH, b * hs, hs);
            }
        }
    }

    @Override
    void weightGrads(Tape tp, Grad g, int dir) {
        accumulate(tp, g, dir, 0, tp.hidden, g.dz[0], g.dz[0], tp.hPrev[dir]);
    }
}
