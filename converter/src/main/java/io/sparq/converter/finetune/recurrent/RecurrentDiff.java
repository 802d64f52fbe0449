package io.sparq.converter.finetune.recurrent;

import io.sparq.converter.finetune.DiffOp;
import io.sparq.converter.finetune.TrainingOptions;
import io.sparq.format.DataType;
import io.sparq.format.Tensor;
import io.sparq.runtime.kernels.Gemm;
import io.sparq.runtime.kernels.PackedMatrix;
import io.sparq.runtime.ops.NodeContext;
import io.sparq.runtime.ops.recurrent.Activation;
import io.sparq.runtime.ops.recurrent.SequenceLengths;

import java.util.Arrays;

/**
 * What the differentiable LSTM, GRU and RNN share: attributes, run-time shape checks, direction,
 * layout and {@code sequence_lens} bookkeeping, the time loops of forward and backward, and the
 * big matrix products. The forward is runtime-lite's (one input projection {@code X·Wᵀ} per
 * direction over the whole sequence, one recurrent product per step) and records every gate's
 * argument and value; the backward walks the steps in reverse, one product {@code dZ·R} per step
 * for the state gradient, and then gets {@code dX}, {@code dW} and {@code dR} from one product each
 * over all steps.
 *
 * <p>Recorded per-step arrays are indexed like X: the row of time step {@code t}, batch row
 * {@code b} is {@code t*batch + b} (layout 0) or {@code b*seq_length + t} (layout 1). Rows of
 * padded steps (past a sequence's length) stay zero, so they add nothing to the products.
 */
abstract class RecurrentDiff implements DiffOp {
    static final int X = 0;
    static final int W = 1;
    static final int R = 2;
    static final int B = 3;
    static final int SEQUENCE_LENS = 4;
    static final int INITIAL_H = 5;
    static final int INITIAL_C = 6;
    static final int P = 7;
    static final int Y = 0;
    static final int Y_H = 1;
    static final int Y_C = 2;

    final NodeContext ctx;
    final int gates;                   // weight blocks per direction: LSTM 4 (iofc), GRU 3 (zrh), RNN 1
    final boolean hasCell;
    final int directions;
    final boolean reverse;             // direction == "reverse"
    final int hiddenSize;              // 0 when the attribute is absent (then taken from R)
    final boolean batchFirst;          // layout == 1
    final float clip;                  // +inf when absent
    final int truncation;              // BPTT chunk length in steps, 0 = none

    /** Reads the shared attributes; the caller has already validated the node with runtime-lite's op. */
    RecurrentDiff(NodeContext ctx, TrainingOptions options, int gates, boolean hasCell) {
        this.ctx = ctx;
        this.gates = gates;
        this.hasCell = hasCell;
        String direction = ctx.attrString("direction", "forward");
        this.directions = direction.equals("bidirectional") ? 2 : 1;
        this.reverse = direction.equals("reverse");
        this.hiddenSize = (int) ctx.attrInt("hidden_size", 0);
        this.batchFirst = ctx.attrInt("layout", 0) == 1;
        this.clip = ctx.attrFloat("clip", Float.POSITIVE_INFINITY);
        this.truncation = options.bpttTruncation();
    }

    /** Per direction, how many {@code [rows, hidden]} arrays {@link Tape#aux} the cell records. */
    abstract int auxCount();

    /** Advances every sequence of direction {@code dir} still running by processing step {@code step}. */
    abstract void forwardStep(Tape tp, int dir, int step, boolean backwards);

    /** The cell's {@code [rows, width]} arrays of gate-argument gradients, reused by both directions. */
    abstract float[][] newGradArrays(Tape tp);

    /**
     * Back through processing step {@code step} of direction {@code dir} for every sequence
     * running there: takes the state gradients in {@link Grad#carryH}/{@link Grad#carryC} (plus
     * dY of the step), records gate-argument gradients, accumulates dP, and leaves the gradients
     * of the previous state in the carries of those rows.
     */
    abstract void backwardStep(Tape tp, Grad g, int dir, int step, boolean backwards);

    /** Turns direction {@code dir}'s recorded gradients into dX, dW, dR, dB via {@link #accumulate}. */
    abstract void weightGrads(Tape tp, Grad g, int dir);

    /** The biases folded into the input projection, {@code [gates*hidden]} of direction {@code dir}. */
    void projectionBias(float[] b, int dir, int hidden, float[] out) {
        int gh = gates * hidden;
        for (int j = 0; j < gh; j++) {
            out[j] = b[dir * 2 * gh + j] + b[dir * 2 * gh + gh + j];
        }
    }

    @Override
    public final Forward forward(Tensor[] inputs) {
        Tape tp = prepare(inputs);
        for (int d = 0; d < directions; d++) {
            project(tp, d);
            loadState(tp, d);
            for (int s = 0; s < tp.maxLength; s++) {
                forwardStep(tp, d, s, reverse || d == 1);
            }
            storeState(tp, d);
        }
        int[] yShape = batchFirst ? new int[] {tp.batch, tp.seq, directions, tp.hidden}
                : new int[] {tp.seq, directions, tp.batch, tp.hidden};
        Tensor[] out = new Tensor[ctx.outputCount()];
        float[][] data = {tp.y, tp.yh, tp.yc};
        for (int i = 0; i < out.length; i++) {
            if (data[i] != null) {
                out[i] = Tensor.ofFloats(i == Y ? yShape : tp.stateShape(), data[i]);
            }
        }
        return new Forward(inputs, out, tp);
    }

    @Override
    public final Tensor[] backward(Forward forward, Tensor[] gradOutputs, boolean[] needed) {
        Tape tp = (Tape) forward.saved();
        Tensor[] in = forward.inputs();
        Grad g = new Grad(tp, gradOutputs, needed, in.length, newGradArrays(tp));
        for (int d = 0; d < directions; d++) {
            boolean backwards = reverse || d == 1;
            int h = tp.hidden;
            for (int b = 0; b < tp.batch; b++) {
                // Y_h/Y_c of a sequence of length 0 are constant zeros: no gradient flows from them
                boolean ran = tp.lengths[b] > 0;
                int so = tp.stateOffset(d, b);
                copyOrZero(ran ? g.dYh : null, so, g.carryH, b * h, h);
                if (hasCell) {
                    copyOrZero(ran ? g.dYc : null, so, g.carryC, b * h, h);
                }
            }
            for (int s = tp.maxLength - 1; s >= 0; s--) {
                backwardStep(tp, g, d, s, backwards);
                if (truncation > 0 && s > 0 && s % truncation == 0) {
                    cutStateGradient(tp, g, s);
                }
            }
            for (int b = 0; b < tp.batch; b++) {
                int so = tp.stateOffset(d, b);
                if (g.dInitialH != null) {
                    System.arraycopy(g.carryH, b * h, g.dInitialH, so, h);
                }
                if (g.dInitialC != null) {
                    System.arraycopy(g.carryC, b * h, g.dInitialC, so, h);
                }
            }
            weightGrads(tp, g, d);
        }
        Tensor[] out = new Tensor[in.length];
        float[][] data = new float[in.length][];
        data[X] = g.dX;
        data[W] = g.dW;
        data[R] = g.dR;
        setIfPresent(data, B, g.dB);
        setIfPresent(data, INITIAL_H, g.dInitialH);
        setIfPresent(data, INITIAL_C, g.dInitialC);
        setIfPresent(data, P, g.dP);
        for (int i = 0; i < in.length; i++) {
            if (data[i] != null) {
                out[i] = Tensor.ofFloats(in[i].shape(), data[i]);
            }
        }
        return out;
    }

    private static void setIfPresent(float[][] data, int i, float[] v) {
        if (i < data.length) {
            data[i] = v;
        }
    }

    private static void copyOrZero(float[] src, int srcOff, float[] dst, int dstOff, int n) {
        if (src == null) {
            Arrays.fill(dst, dstOff, dstOff + n, 0f);
        } else {
            System.arraycopy(src, srcOff, dst, dstOff, n);
        }
    }

    /** Truncated BPTT: the sequences that ran step {@code s} pass no state gradient back to step s-1. */
    private void cutStateGradient(Tape tp, Grad g, int s) {
        int h = tp.hidden;
        for (int b = 0; b < tp.batch; b++) {
            if (s < tp.lengths[b]) {
                Arrays.fill(g.carryH, b * h, (b + 1) * h, 0f);
                if (hasCell) {
                    Arrays.fill(g.carryC, b * h, (b + 1) * h, 0f);
                }
            }
        }
    }

    /**
     * The gradients of gate rows {@code [row0, row0+rows)} of direction {@code dir}: {@code dzX}
     * ({@code [rows of X, rows]}) is the gradient of their input projection plus {@code Wb},
     * {@code dzR} that of their recurrent product {@code recIn·Rᵀ} plus {@code Rb}. One product
     * over the whole sequence each for dX, dW and dR.
     */
    final void accumulate(Tape tp, Grad g, int dir, int row0, int rows, float[] dzX, float[] dzR, float[] recIn) {
        int n = tp.seq * tp.batch;
        int in = tp.input;
        int h = tp.hidden;
        int gh = gates * h;
        if (g.dX != null) {
            Gemm.gemm(false, false, n, in, rows, 1f, dzX, 0, tp.w, (dir * gh + row0) * in, 1f, g.dX, 0);
        }
        if (g.dW != null) {
            Gemm.gemm(true, false, rows, in, n, 1f, dzX, 0, tp.x, 0, 0f, g.dW, (dir * gh + row0) * in);
        }
        if (g.dR != null) {
            Gemm.gemm(true, false, rows, h, n, 1f, dzR, 0, recIn, 0, 0f, g.dR, (dir * gh + row0) * h);
        }
        if (g.dB != null) {
            columnSums(dzX, n, rows, g.dB, dir * 2 * gh + row0);
            columnSums(dzR, n, rows, g.dB, dir * 2 * gh + gh + row0);
        }
    }

    private static void columnSums(float[] m, int rows, int cols, float[] out, int off) {
        double[] sums = new double[cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                sums[j] += m[i * cols + j];
            }
        }
        for (int j = 0; j < cols; j++) {
            out[off + j] = (float) sums[j];
        }
    }

    /** {@code tp.pre[dir] = X·W[dir]ᵀ + bias}: one product over all rows. */
    private void project(Tape tp, int dir) {
        int gh = gates * tp.hidden;
        int n = tp.seq * tp.batch;
        float[] xw = tp.pre[dir];
        Gemm.gemm(false, true, n, gh, tp.input, 1f, tp.x, 0, tp.w, dir * gh * tp.input, 0f, xw, 0);
        if (tp.b != null) {
            float[] bias = new float[gh];
            projectionBias(tp.b, dir, tp.hidden, bias);
            for (int row = 0; row < n; row++) {
                for (int j = 0; j < gh; j++) {
                    xw[row * gh + j] += bias[j];
                }
            }
        }
    }

    /** {@code out[b][j] = a[b]·R[dir][row0 + j]} for all batch rows, {@code j < rows}. */
    final void recurrentProduct(Tape tp, float[] a, int dir, int row0, int rows, float[] out) {
        int h = tp.hidden;
        Gemm.gemm(false, tp.batch, 1f, a, 0, tp.packedR(dir * gates * h + row0, rows, true), 0f, out, 0);
    }

    /** {@code out[b] = dz[b]·R[dir][row0 .. row0+rows)}: the state gradient through a block of R. */
    final void recurrentGradient(Tape tp, float[] dz, int dir, int row0, int rows, float[] out) {
        int h = tp.hidden;
        Gemm.gemm(false, tp.batch, 1f, dz, 0, tp.packedR(dir * gates * h + row0, rows, false), 0f, out, 0);
    }

    /** Replaces {@code v[off .. off+n)} by its value clipped to {@code [-clip, clip]}. */
    final void clip(float[] v, int off, int n) {
        if (clip == Float.POSITIVE_INFINITY) {
            return;
        }
        for (int i = off; i < off + n; i++) {
            v[i] = Math.max(-clip, Math.min(clip, v[i]));
        }
    }

    /** Copies {@code src[off .. off+n)} to {@code dst}, clips it there and applies {@code f}. */
    final void activate(Activation f, float[] src, float[] dst, int off, int n) {
        System.arraycopy(src, off, dst, off, n);
        clip(dst, off, n);
        f.apply(dst, off, n);
    }

    private void loadState(Tape tp, int dir) {
        load(tp, tp.initialH, tp.h, dir);
        if (hasCell) {
            load(tp, tp.initialC, tp.c, dir);
        }
    }

    private static void load(Tape tp, float[] initial, float[] state, int dir) {
        if (initial == null) {
            Arrays.fill(state, 0f);
            return;
        }
        for (int b = 0; b < tp.batch; b++) {
            System.arraycopy(initial, tp.stateOffset(dir, b), state, b * tp.hidden, tp.hidden);
        }
    }

    /** Final states to Y_h / Y_c; a sequence of length 0 reports zeros, as runtime-lite does. */
    private static void storeState(Tape tp, int dir) {
        for (int b = 0; b < tp.batch; b++) {
            if (tp.lengths[b] == 0) {
                continue;
            }
            if (tp.yh != null) {
                System.arraycopy(tp.h, b * tp.hidden, tp.yh, tp.stateOffset(dir, b), tp.hidden);
            }
            if (tp.yc != null) {
                System.arraycopy(tp.c, b * tp.hidden, tp.yc, tp.stateOffset(dir, b), tp.hidden);
            }
        }
    }

    /** Validates the inputs as runtime-lite does (same messages) and allocates the call's buffers. */
    private Tape prepare(Tensor[] in) {
        Tensor x = in[X];
        Tensor w = in[W];
        Tensor r = in[R];
        Tensor b = optional(in, B);
        Tensor initialH = optional(in, INITIAL_H);
        Tensor initialC = hasCell ? optional(in, INITIAL_C) : null;
        Tensor peep = hasCell ? optional(in, P) : null;
        String xLayout = batchFirst ? "[batch_size, seq_length, input_size]" : "[seq_length, batch_size, input_size]";
        ctx.requireType(x, X, DataType.FLOAT32);
        if (x.rank() != 3) {
            throw ctx.badInput("X has shape " + Arrays.toString(x.shape()) + ", expected " + xLayout);
        }
        int seq = x.dim(batchFirst ? 1 : 0);
        int batch = x.dim(batchFirst ? 0 : 1);
        int input = x.dim(2);
        ctx.requireType(r, R, DataType.FLOAT32);
        int hidden = hiddenSize;
        if (hidden == 0) {
            if (r.rank() != 3 || r.dim(2) == 0) {
                throw ctx.badInput("R has shape " + Arrays.toString(r.shape()) + ", expected [num_directions, "
                        + gatesLabel() + ", hidden_size] with hidden_size > 0");
            }
            hidden = r.dim(2);
        }
        int gh = gates * hidden;
        requireShape(w, W, "W", "[num_directions, " + gatesLabel() + ", input_size]", directions, gh, input);
        requireShape(r, R, "R", "[num_directions, " + gatesLabel() + ", hidden_size]", directions, gh, hidden);
        if (b != null) {
            requireShape(b, B, "B", "[num_directions, 2*" + gatesLabel() + "]", directions, 2 * gh);
        }
        String stateLayout = batchFirst ? "[batch_size, num_directions, hidden_size]"
                : "[num_directions, batch_size, hidden_size]";
        int[] stateShape = batchFirst ? new int[] {batch, directions, hidden} : new int[] {directions, batch, hidden};
        if (initialH != null) {
            requireShape(initialH, INITIAL_H, "initial_h", stateLayout, stateShape);
        }
        if (initialC != null) {
            requireShape(initialC, INITIAL_C, "initial_c", stateLayout, stateShape);
        }
        if (peep != null) {
            requireShape(peep, P, "P", "[num_directions, 3*hidden_size]", directions, 3 * hidden);
        }
        int[] lengths = SequenceLengths.read(ctx, SEQUENCE_LENS, optional(in, SEQUENCE_LENS), seq, batch);
        return new Tape(this, seq, batch, input, hidden, lengths, x.floats(), w.floats(), r.floats(),
                b == null ? null : b.floats(), peep == null ? null : peep.floats(),
                initialH == null ? null : initialH.floats(), initialC == null ? null : initialC.floats());
    }

    static Tensor optional(Tensor[] in, int i) {
        return i < in.length ? in[i] : null;
    }

    private void requireShape(Tensor t, int index, String name, String layout, int... expected) {
        ctx.requireType(t, index, DataType.FLOAT32);
        if (!Arrays.equals(t.shape(), expected)) {
            throw ctx.badInput(name + " has shape " + Arrays.toString(t.shape()) + ", expected " + layout + " = "
                    + Arrays.toString(expected));
        }
    }

    private String gatesLabel() {
        return gates == 1 ? "hidden_size" : gates + "*hidden_size";
    }

    /** One forward call: inputs, outputs, the recorded activations, and the time-loop buffers. */
    static final class Tape {
        final int seq;
        final int batch;
        final int input;
        final int hidden;
        final int directions;
        final int gateWidth;        // gates*hidden
        final boolean batchFirst;
        final int[] lengths;        // [batch] valid steps of each sequence
        final int maxLength;

        final float[] x;            // (rows, input_size), rows in layout order
        final float[] w;            // (num_directions, gates*hidden, input_size)
        final float[] r;            // (num_directions, gates*hidden, hidden)
        final float[] b;            // (num_directions, 2*gates*hidden) or null
        final float[] p;            // (num_directions, 3*hidden) or null
        final float[] initialH;     // state layout, or null
        final float[] initialC;

        final float[][] pre;        // [dir] (rows, gates*hidden): each gate's argument before clipping
        final float[][] act;        // [dir] (rows, gates*hidden): each gate's value
        final float[][] hPrev;      // [dir] (rows, hidden): the state each step started from
        final float[][][] aux;      // [dir][k] (rows, hidden): what else the cell needs for backward

        final float[] h;            // (batch, hidden) state of the direction being run
        final float[] c;            // (batch, hidden) LSTM cell state, else null
        final float[] rec;          // (batch, gates*hidden) one step's recurrent products
        final float[] scratch;      // (batch, hidden)
        final float[] y;            // Y, or null when not requested
        final float[] yh;
        final float[] yc;
        // blocks of R packed once per pass for the per-step products (a·Rᵀ forward, dz·R backward),
        // keyed by first row and direction of use: the weights do not change within a pass
        private final java.util.Map<Long, PackedMatrix> packedR = new java.util.HashMap<>();

        /**
         * Rows {@code [row0, row0 + rows)} of R (all directions flattened, each row {@code hidden}
         * long) packed as the B of a product: Rᵀ ({@code hidden × rows}) when {@code transposed},
         * else R itself ({@code rows × hidden}).
         */
        PackedMatrix packedR(int row0, int rows, boolean transposed) {
            return packedR.computeIfAbsent(2L * row0 + (transposed ? 1 : 0), key -> transposed
                    ? Gemm.pack(true, hidden, rows, r, row0 * hidden)
                    : Gemm.pack(false, rows, hidden, r, row0 * hidden));
        }

        Tape(RecurrentDiff op, int seq, int batch, int input, int hidden, int[] lengths, float[] x, float[] w,
             float[] r, float[] b, float[] p, float[] initialH, float[] initialC) {
            this.seq = seq;
            this.batch = batch;
            this.input = input;
            this.hidden = hidden;
            this.directions = op.directions;
            this.gateWidth = op.gates * hidden;
            this.batchFirst = op.batchFirst;
            this.lengths = lengths;
            this.maxLength = Arrays.stream(lengths).max().orElse(0);
            this.x = x;
            this.w = w;
            this.r = r;
            this.b = b;
            this.p = p;
            this.initialH = initialH;
            this.initialC = initialC;
            int rows = Math.multiplyExact(seq, batch);
            int gateCells = Math.multiplyExact(rows, op.gates * hidden);
            int stateCells = Math.multiplyExact(rows, hidden);
            this.pre = new float[directions][gateCells];
            this.act = new float[directions][gateCells];
            this.hPrev = new float[directions][stateCells];
            this.aux = new float[directions][op.auxCount()][stateCells];
            int state = batch * hidden;
            this.h = new float[state];
            this.c = op.hasCell ? new float[state] : null;
            this.rec = new float[batch * op.gates * hidden];
            this.scratch = new float[state];
            this.y = op.ctx.hasOutput(Y) ? new float[Math.multiplyExact(rows, directions * hidden)] : null;
            this.yh = op.ctx.hasOutput(Y_H) ? new float[directions * state] : null;
            this.yc = op.hasCell && op.ctx.hasOutput(Y_C) ? new float[directions * state] : null;
        }

        /** The time index batch row {@code b} processes at {@code step}, or -1 once its sequence has ended. */
        int time(int b, int step, boolean backwards) {
            int len = lengths[b];
            if (step >= len) {
                return -1;
            }
            return backwards ? len - 1 - step : step;
        }

        /** Row of X (and of every recorded array) holding time {@code t} of batch row {@code b}. */
        int row(int t, int b) {
            return batchFirst ? b * seq + t : t * batch + b;
        }

        /** Offset in Y of time {@code t}, direction {@code dir}, batch row {@code b}. */
        int yOffset(int t, int b, int dir) {
            return (batchFirst ? (b * seq + t) * directions + dir : (t * directions + dir) * batch + b) * hidden;
        }

        int stateOffset(int dir, int b) {
            return (batchFirst ? b * directions + dir : dir * batch + b) * hidden;
        }

        int[] stateShape() {
            return batchFirst ? new int[] {batch, directions, hidden} : new int[] {directions, batch, hidden};
        }

        /** Copies batch row {@code b} of {@link #h}, just computed for time {@code t}, into Y. */
        void emit(int t, int b, int dir) {
            if (y != null) {
                System.arraycopy(h, b * hidden, y, yOffset(t, b, dir), hidden);
            }
        }
    }

    /** One backward call: incoming output gradients, the input gradients, and the time-loop buffers. */
    static final class Grad {
        final float[] dY;           // null when Y does not reach the loss
        final float[] dYh;
        final float[] dYc;
        final float[] dX;           // null where not needed
        final float[] dW;
        final float[] dR;
        final float[] dB;
        final float[] dInitialH;
        final float[] dInitialC;
        final float[] dP;
        final float[][] dz;         // the cell's gate-argument gradients, see newGradArrays

        final float[] carryH;       // (batch, hidden) gradient of the state after the step being undone
        final float[] carryC;       // (batch, hidden) LSTM cell state gradient, else null
        final float[] dzStep;       // (batch, gates*hidden) one step's gradients of the recurrent products
        final float[] dhPrev;       // (batch, hidden)
        final float[] scratch;      // (batch, hidden)

        Grad(Tape tp, Tensor[] gradOutputs, boolean[] needed, int inputCount, float[][] dz) {
            this.dY = floatsOrNull(gradOutputs, Y);
            this.dYh = floatsOrNull(gradOutputs, Y_H);
            this.dYc = floatsOrNull(gradOutputs, Y_C);
            int gh = tp.gateWidth;
            int rows = tp.seq * tp.batch;
            this.dX = wanted(needed, X, inputCount, true) ? new float[rows * tp.input] : null;
            this.dW = wanted(needed, W, inputCount, true) ? new float[tp.directions * gh * tp.input] : null;
            this.dR = wanted(needed, R, inputCount, true) ? new float[tp.directions * gh * tp.hidden] : null;
            this.dB = wanted(needed, B, inputCount, tp.b != null) ? new float[tp.directions * 2 * gh] : null;
            int state = tp.batch * tp.hidden;
            this.dInitialH = wanted(needed, INITIAL_H, inputCount, tp.initialH != null)
                    ? new float[tp.directions * state] : null;
            this.dInitialC = wanted(needed, INITIAL_C, inputCount, tp.initialC != null)
                    ? new float[tp.directions * state] : null;
            this.dP = wanted(needed, P, inputCount, tp.p != null) ? new float[tp.directions * 3 * tp.hidden] : null;
            this.dz = dz;
            this.carryH = new float[state];
            this.carryC = tp.c == null ? null : new float[state];
            this.dzStep = new float[tp.rec.length];
            this.dhPrev = new float[state];
            this.scratch = new float[state];
        }

        private static boolean wanted(boolean[] needed, int i, int inputCount, boolean present) {
            return present && i < inputCount && i < needed.length && needed[i];
        }

        private static float[] floatsOrNull(Tensor[] t, int i) {
            return i < t.length && t[i] != null ? t[i].floats() : null;
        }

        /** Adds dY of time {@code t}, batch row {@code b} to that row of {@link #carryH}. */
        void addDy(Tape tp, int t, int b, int dir) {
            if (dY != null) {
                int h = tp.hidden;
                int yo = tp.yOffset(t, b, dir);
                for (int j = 0; j < h; j++) {
                    carryH[b * h + j] += dY[yo + j];
                }
            }
        }
    }
}
