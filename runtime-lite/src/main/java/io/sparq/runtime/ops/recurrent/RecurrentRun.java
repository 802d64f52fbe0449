package io.sparq.runtime.ops.recurrent;

import io.sparq.format.Tensor;
import io.sparq.runtime.kernels.WeightMatrix;

import java.util.Arrays;

/**
 * Dimensions, inputs and buffers of one call of a recurrent op. Everything is allocated (or, for
 * the work arrays, taken from the op's per-thread cache, {@link RecurrentOp#workBuffer}) here,
 * once per call, so the time loop allocates nothing.
 *
 * <p>Row order follows the layout: X, the projection and Y hold time step {@code t} of batch row
 * {@code b} at row {@code t*batch + b} (layout 0) or {@code b*seq_length + t} (layout 1).
 */
final class RecurrentRun {
    final int seqLength;
    final int batch;
    final int input;
    final int hidden;
    final int directions;
    final int gateWidth;        // gates*hidden: one direction's pre-activations of one row
    final boolean batchFirst;
    final int[] lengths;        // [batch] valid steps of each sequence
    final int maxLength;

    final float[] x;            // (seq_length*batch rows in layout order, input_size)
    final WeightMatrix w;       // (num_directions*gates*hidden, input_size) rows
    final WeightMatrix r;       // (num_directions*gates*hidden, hidden) rows
    final float[] b;            // (num_directions, 2*gates*hidden) or null
    final float[] projectionBias; // (num_directions*gates*hidden) biases folded into X·Wᵀ, or null
    final float[] p;            // (num_directions, 3*hidden) LSTM peepholes or null
    private final Tensor initialH;
    private final Tensor initialC;

    final float[] xw;           // (seq_length*batch rows in layout order, num_directions*gates*hidden)
    final float[] h;            // (batch, hidden) hidden state of the direction being run
    final float[] c;            // (batch, hidden) LSTM cell state, else null
    final float[] gates;        // (batch, gates*hidden) one step's recurrent products, then pre-activations
    final float[] scratch;      // (batch, hidden) for cells that need a second state-shaped operand
    final float[] y;            // Y, or null when not requested
    final float[] yh;           // Y_h, or null when not requested
    final float[] yc;           // Y_c, or null when not requested

    RecurrentRun(RecurrentOp op, int seqLength, int batch, int input, int hidden, int[] lengths,
                 float[] x, WeightMatrix w, WeightMatrix r, float[] b, float[] projectionBias, float[] p,
                 Tensor initialH, Tensor initialC,
                 float[] xw, boolean wantY, boolean wantYh, boolean wantYc) {
        this.seqLength = seqLength;
        this.batch = batch;
        this.input = input;
        this.hidden = hidden;
        this.directions = op.directions;
        this.gateWidth = op.gates * hidden;
        this.batchFirst = op.batchFirst;
        this.lengths = lengths;
        int longest = 0;
        for (int len : lengths) {         // a loop, not a stream: this runs once per step when streaming
            longest = Math.max(longest, len);
        }
        this.maxLength = longest;
        this.x = x;
        this.w = w;
        this.r = r;
        this.b = b;
        this.projectionBias = projectionBias;
        this.p = p;
        this.initialH = initialH;
        this.initialC = initialC;
        this.xw = xw;
        int state = batch * hidden;
        this.h = op.workBuffer(RecurrentOp.H, state);
        this.c = op.hasCell ? op.workBuffer(RecurrentOp.C, state) : null;
        this.gates = op.workBuffer(RecurrentOp.GATES, Math.multiplyExact(batch, gateWidth));
        this.scratch = op.workBuffer(RecurrentOp.SCRATCH, state);
        this.y = wantY ? new float[Math.multiplyExact(seqLength, directions * state)] : null;
        this.yh = wantYh ? new float[directions * state] : null;
        this.yc = wantYc ? new float[directions * state] : null;
    }

    /** The time index that batch row {@code b} processes at {@code step}, or -1 once its sequence has ended. */
    int time(int b, int step, boolean backwards) {
        int len = lengths[b];
        if (step >= len) {
            return -1;
        }
        // a reversed sequence starts at its own last valid step, not at the padded end
        return backwards ? len - 1 - step : step;
    }

    /** Offset in {@link #xw} of direction {@code dir}'s projection of step {@code t}, batch row {@code b}. */
    int xwOffset(int t, int b, int dir) {
        int row = batchFirst ? b * seqLength + t : t * batch + b;
        return (row * directions + dir) * gateWidth;
    }

    /** Copies batch row {@code b} of {@link #h}, just computed for step {@code t}, into Y. */
    void emit(int t, int b, int dir) {
        if (y != null) {
            int off = batchFirst ? ((b * seqLength + t) * directions + dir) * hidden
                    : ((t * directions + dir) * batch + b) * hidden;
            System.arraycopy(h, b * hidden, y, off, hidden);
        }
    }

    private int stateOffset(int dir, int b) {
        return (batchFirst ? b * directions + dir : dir * batch + b) * hidden;
    }

    /** Sets the state buffers to direction {@code dir}'s initial state (zero when not given). */
    void loadState(int dir) {
        load(initialH, h, dir);
        if (c != null) {
            load(initialC, c, dir);
        }
    }

    private void load(Tensor initial, float[] state, int dir) {
        if (initial == null) {
            Arrays.fill(state, 0f);
            return;
        }
        float[] src = initial.floats();
        for (int b = 0; b < batch; b++) {
            System.arraycopy(src, stateOffset(dir, b), state, b * hidden, hidden);
        }
    }

    /**
     * Writes direction {@code dir}'s final states to Y_h / Y_c. A row's state stops changing after
     * its last valid step, so this is the state there; a sequence of length 0 has no last step and
     * reports zeros, as ONNX Runtime does.
     */
    void storeState(int dir) {
        for (int b = 0; b < batch; b++) {
            if (lengths[b] == 0) {
                continue;
            }
            if (yh != null) {
                System.arraycopy(h, b * hidden, yh, stateOffset(dir, b), hidden);
            }
            if (yc != null) {
                System.arraycopy(c, b * hidden, yc, stateOffset(dir, b), hidden);
            }
        }
    }

    /** The node's outputs, null where not requested. */
    Tensor[] outputs(int count) {
        int[] yShape = batchFirst ? new int[] {batch, seqLength, directions, hidden}
                : new int[] {seqLength, directions, batch, hidden};
        int[] stateShape = batchFirst ? new int[] {batch, directions, hidden} : new int[] {directions, batch, hidden};
        Tensor[] out = new Tensor[count];
        float[][] data = {y, yh, yc};
        for (int i = 0; i < count; i++) {
            if (data[i] != null) {
                out[i] = Tensor.ofFloats(i == RecurrentOp.Y ? yShape : stateShape, data[i]);
            }
        }
        return out;
    }
}
