package io.sparq.runtime.ops.recurrent;

import io.sparq.runtime.ops.NodeContext;
import io.sparq.runtime.ops.Op;

import java.util.List;

/**
 * ONNX {@code RNN} (opsets 7, 14, 22), computed in fp32: {@code Ht = f(Xt·Wᵀ + Ht-1·Rᵀ + Wb + Rb)} with
 * activation f (default Tanh) per direction.
 */
public final class RnnOp extends RecurrentOp {
    private final Activation[] activations;   // [direction]

    private RnnOp(NodeContext ctx) {
        super(ctx, 1, false, false);
        List<String> names = ctx.attrStrings("activations", null);
        Activation[][] parsed;
        if (directions == 1 && names != null && names.size() == 2) {
            // The schema's own default is ["Tanh", "Tanh"], so one-direction models that spell the
            // default out carry two names; like ONNX Runtime, use the first.
            parsed = Activation.parse(ctx, 2, List.of("Tanh"));
        } else {
            parsed = Activation.parse(ctx, directions, List.of("Tanh"));
        }
        this.activations = new Activation[directions];
        for (int d = 0; d < directions; d++) {
            activations[d] = parsed[d][0];
        }
    }

    /** Compiles one RNN node, validating its attributes. */
    public static Op create(NodeContext ctx) {
        return new RnnOp(ctx);
    }

    @Override
    void step(RecurrentRun run, int dir, int step, boolean backwards) {
        int hs = run.hidden;
        recurrentProductOntoInput(run, run.h, dir, step, backwards, 0, hs, 0);
        forBatchRows(run, 1, (b0, b1) -> cells(run, dir, step, backwards, b0, b1));
    }

    /** The cell of batch rows {@code [b0, b1)}. */
    private void cells(RecurrentRun run, int dir, int step, boolean backwards, int b0, int b1) {
        int hs = run.hidden;
        float[] z = run.gates;
        for (int b = b0; b < b1; b++) {
            int t = run.time(b, step, backwards);
            if (t < 0) {
                continue;
            }
            int s = b * hs;
            clip(z, s, hs);
            activations[dir].apply(z, s, hs);
            System.arraycopy(z, s, run.h, s, hs);
            run.emit(t, b, dir);
        }
    }
}
