package io.sparq.runtime.ops.recurrent;

import io.sparq.format.DataType;
import io.sparq.format.Tensor;
import io.sparq.runtime.kernels.KernelThreads;
import io.sparq.runtime.kernels.WeightMatrices;
import io.sparq.runtime.kernels.WeightMatrix;
import io.sparq.runtime.ops.NodeContext;
import io.sparq.runtime.ops.Op;

import java.util.Arrays;

/**
 * What LSTM, GRU and RNN share: attribute parsing, run-time shape checks, direction, layout and
 * {@code sequence_lens} bookkeeping, and the two matrix products. The input projection {@code X·Wᵀ}
 * (plus the biases that do not depend on the state) is one product over the whole sequence and
 * both directions, done before the time loop; each time step then costs one recurrent product
 * {@code H·Rᵀ} and the gate non-linearities of the subclass. Both products go through
 * {@link WeightMatrix}: W and R given as initializers are taken when the node is built, in their
 * stored encoding, and so is the folded bias of a constant B; W and R fed at run time are wrapped
 * per call.
 *
 * <p>Inputs: {@code X, W, R, B, sequence_lens, initial_h} and, for LSTM, {@code initial_c, P}.
 * Outputs: {@code Y, Y_h} and, for LSTM, {@code Y_c}; any may be omitted.
 */
abstract class RecurrentOp implements Op {
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
    final boolean hasCell;             // LSTM: carries the cell state C besides H
    final int directions;              // 2 when bidirectional
    final boolean reverse;             // direction == "reverse": the only direction runs backwards
    final int hiddenSize;              // from the attribute; 0 when absent (then taken from R)
    final boolean batchFirst;          // layout == 1
    final float clip;                  // +inf when absent
    private final boolean lastGateKeepsRb; // GRU linear_before_reset: Rbh is applied after the reset, not folded
    private final WeightMatrix constW;     // (num_directions*gates*hidden, input_size) rows, or null when fed
    private final int[] constWShape;
    private final WeightMatrix constR;     // (num_directions*gates*hidden, hidden) rows, or null when fed
    private final int[] constRShape;
    private final Tensor constB;           // the B initializer, or null
    private final float[] constBias;       // projectionBias of constB, or null

    /**
     * @param lastGateKeepsRb whether the last gate block's recurrent bias stays out of the input
     *                        projection (GRU with {@code linear_before_reset}, where the reset
     *                        gate scales it)
     */
    RecurrentOp(NodeContext ctx, int gates, boolean hasCell, boolean lastGateKeepsRb) {
        this.ctx = ctx;
        this.gates = gates;
        this.hasCell = hasCell;
        this.lastGateKeepsRb = lastGateKeepsRb;
        String op = ctx.node().opType();
        if (ctx.opset() > 0 && ctx.opset() < 7) {
            throw ctx.unsupported(op + " of opset " + ctx.opset() + " is not supported; sparq implements the "
                    + op + " of opset 7 and later");
        }
        int maxInputs = hasCell ? 8 : 6;
        int maxOutputs = hasCell ? 3 : 2;
        ctx.requireInputs(3, maxInputs);
        if (ctx.outputCount() > maxOutputs) {
            throw ctx.fail("has " + ctx.outputCount() + " outputs, " + op + " has at most " + maxOutputs);
        }
        String direction = ctx.attrChoice("direction", "forward", "forward", "reverse", "bidirectional");
        this.directions = direction.equals("bidirectional") ? 2 : 1;
        this.reverse = direction.equals("reverse");
        long hidden = ctx.attrInt("hidden_size", 0);
        if (ctx.hasAttr("hidden_size") && (hidden < 1 || hidden > Integer.MAX_VALUE / 4)) {
            throw ctx.fail("attribute hidden_size = " + hidden + ", expected a positive number");
        }
        this.hiddenSize = (int) hidden;
        long layout = ctx.attrInt("layout", 0);
        if (layout != 0 && layout != 1) {
            throw ctx.fail("attribute layout = " + layout + ", expected 0 (sequence first) or 1 (batch first)");
        }
        this.batchFirst = layout == 1;
        float clipAttr = ctx.attrFloat("clip", Float.POSITIVE_INFINITY);
        if (!(clipAttr > 0)) {
            throw ctx.fail("attribute clip = " + clipAttr + ", expected a positive threshold");
        }
        this.clip = clipAttr;
        checkConstantWeight(W);
        checkConstantWeight(R);
        this.constWShape = ctx.constantShape(W);
        this.constRShape = ctx.constantShape(R);
        this.constW = ctx.constantWeight(W, false);
        this.constR = ctx.constantWeight(R, false);
        Tensor b = ctx.constantInput(B);
        int h = hiddenSize > 0 ? hiddenSize : constRShape != null ? constRShape[2] : 0;
        boolean biasFits = b != null && b.type() == DataType.FLOAT32 && h > 0
                && Arrays.equals(b.shape(), new int[] {directions, 2 * gates * h});
        this.constB = biasFits ? b : null;
        this.constBias = biasFits ? projectionBias(b.floats(), h) : null;
    }

    /** Catches weights that contradict the attributes when the model is loaded, not at first run. */
    private void checkConstantWeight(int i) {
        int[] shape = ctx.constantShape(i);
        if (shape == null) {
            return;
        }
        String name = i == W ? "W" : "R";
        boolean fits = shape.length == 3 && shape[0] == directions
                && (hiddenSize > 0 ? shape[1] == gates * hiddenSize : shape[1] % gates == 0)
                && (i == W || hiddenSize == 0 || shape[2] == hiddenSize);
        if (!fits) {
            throw ctx.fail(name + " has shape " + Arrays.toString(shape) + ", which does not fit "
                    + (hiddenSize > 0 ? "hidden_size = " + hiddenSize + " and " : "") + directions
                    + " direction(s): expected [num_directions, " + gatesLabel() + ", "
                    + (i == W ? "input_size" : "hidden_size") + "]");
        }
    }

    /**
     * Advances every sequence of direction {@code dir} that is still running by time step
     * {@code step} (counted in processing order): recurrent product, gates, new state, Y.
     */
    abstract void step(RecurrentRun run, int dir, int step, boolean backwards);

    /**
     * The biases folded into the input projection, {@code [num_directions * gates * hidden]}, from
     * {@code b} (the B input, {@code [num_directions, 2 * gates * hidden]}): {@code Wb + Rb}, but
     * only {@code Wb} for the last gate block when it keeps its recurrent bias apart.
     */
    private float[] projectionBias(float[] b, int hidden) {
        int gh = gates * hidden;
        int folded = lastGateKeepsRb ? gh - hidden : gh;
        float[] out = new float[directions * gh];
        for (int d = 0; d < directions; d++) {
            for (int j = 0; j < gh; j++) {
                out[d * gh + j] = b[d * 2 * gh + j] + (j < folded ? b[d * 2 * gh + gh + j] : 0f);
            }
        }
        return out;
    }

    @Override
    public final Tensor[] run(Tensor[] inputs) {
        RecurrentRun run = prepare(inputs);
        project(run);
        for (int d = 0; d < directions; d++) {
            boolean backwards = reverse || d == 1;
            run.loadState(d);
            for (int s = 0; s < run.maxLength; s++) {
                step(run, d, s, backwards);
            }
            run.storeState(d);
        }
        return run.outputs(ctx.outputCount());
    }

    /**
     * {@code run.xw[row][dir*G*H + j] = X[row]·W[dir][j] + bias}: W's rows of every direction,
     * side by side, form one product over all rows of the sequence.
     */
    private void project(RecurrentRun run) {
        int n = directions * gates * run.hidden;
        int rows = run.seqLength * run.batch;
        run.w.multiply(rows, run.x, 0, run.input, 0, n, run.xw, 0, n, false);
        float[] bias = run.projectionBias;
        if (bias != null) {
            for (int i = 0; i < rows; i++) {
                int off = i * n;
                for (int j = 0; j < n; j++) {
                    run.xw[off + j] += bias[j];
                }
            }
        }
    }

    /**
     * The product of a state-shaped matrix {@code a} ({@code [batch, hidden]}) with gate rows
     * {@code [row0, row0 + rows + zeroRows)} of this direction's R, added onto step {@code step}'s
     * input projection: the gate rows of every running sequence start as its {@code X·Wᵀ + b} and
     * the product is accumulated onto them, in one pass with the product's own stores. (The same sum, bit for bit, as adding the
     * projection afterwards: the kernels add a finished product to what is there.) The
     * {@code zeroRows} gate rows after them start at zero, so they receive the plain product
     * (a zero sum may come out as +0 where it was −0).
     */
    final void recurrentProductOntoInput(RecurrentRun run, float[] a, int dir, int step, boolean backwards,
                                         int row0, int rows, int zeroRows) {
        for (int b = 0; b < run.batch; b++) {
            int t = run.time(b, step, backwards);
            if (t >= 0) {
                int g = b * run.gateWidth + row0;
                System.arraycopy(run.xw, run.xwOffset(t, b, dir) + row0, run.gates, g, rows);
                Arrays.fill(run.gates, g + rows, g + rows + zeroRows, 0f);
            }
        }
        int first = dir * run.gateWidth + row0;
        run.r.multiply(run.batch, a, 0, run.hidden, first, first + rows + zeroRows, run.gates, row0, run.gateWidth,
                true);
    }

    /** Batch rows per thread chunk at least, so a chunk amortises its hand-off. */
    private static final int ROW_GRAIN = 4;
    /** About what one element of a gate block costs in a cell (adds, an activation, the blend), in multiply-adds. */
    private static final int CELL_COST = 16;

    /**
     * Runs a cell over the batch rows, split across {@link KernelThreads} when the batch is large
     * enough to pay for it; rows are independent, so a split never changes a result.
     *
     * @param blocks gate blocks ({@code hidden} elements each) the cell computes per row
     */
    static void forBatchRows(RecurrentRun run, int blocks, KernelThreads.Range rows) {
        long work = (long) run.batch * blocks * run.hidden * CELL_COST;
        if (KernelThreads.worthSplitting(run.batch, ROW_GRAIN, work)) {
            KernelThreads.run(run.batch, ROW_GRAIN, rows);
        } else {
            rows.run(0, run.batch);
        }
    }

    /** Slots of {@link #workBuffer}: the projection and the state-sized work arrays of a run. */
    static final int XW = 0;
    static final int H = 1;
    static final int C = 2;
    static final int GATES = 3;
    static final int SCRATCH = 4;
    /**
     * Work arrays up to this many floats (16 MiB) are kept per thread between calls; larger ones are
     * allocated each call. Batches need the large ones too: the quick start's projection at batch
     * 64 × 24 is 6 MiB, and a fresh one per call cost about 5 % of the call (1 thread, CPU time).
     */
    private static final int KEPT_FLOATS = 1 << 22;
    /**
     * The last run's work arrays on this thread, so a streaming step (T = 1) allocates and zeroes
     * none of them: every one is fully written before it is read (the products overwrite, the
     * states are loaded). Outputs are never taken from here.
     */
    private final ThreadLocal<float[][]> work = ThreadLocal.withInitial(() -> new float[SCRATCH + 1][0]);

    /** A work array of at least {@code n} floats for {@code slot}, with unspecified contents. */
    final float[] workBuffer(int slot, int n) {
        if (n > KEPT_FLOATS) {
            return new float[n];
        }
        float[][] kept = work.get();
        if (kept[slot].length < n) {
            kept[slot] = new float[n];
        }
        return kept[slot];
    }

    /** Bounds {@code v[off .. off+n)} to {@code [-clip, clip]} when the node asks for clipping. */
    final void clip(float[] v, int off, int n) {
        if (clip == Float.POSITIVE_INFINITY) {
            return;
        }
        for (int i = off; i < off + n; i++) {
            v[i] = Math.max(-clip, Math.min(clip, v[i]));
        }
    }

    /** Validates the inputs against each other and the attributes, and allocates the run's buffers. */
    private RecurrentRun prepare(Tensor[] in) {
        Tensor x = in[X];
        Tensor b = optional(in, B);
        Tensor initialH = optional(in, INITIAL_H);
        Tensor initialC = hasCell ? optional(in, INITIAL_C) : null;
        Tensor peep = hasCell ? optional(in, P) : null;
        String xLayout = batchFirst ? "[batch_size, seq_length, input_size]" : "[seq_length, batch_size, input_size]";
        requireFloat(x, X);
        if (x.rank() != 3) {
            throw ctx.badInput("X has shape " + Arrays.toString(x.shape()) + ", expected " + xLayout);
        }
        int seq = x.dim(batchFirst ? 1 : 0);
        int batch = x.dim(batchFirst ? 0 : 1);
        int input = x.dim(2);
        int[] rShape = constR != null ? constRShape : floatShape(in[R], R);
        int hidden = hiddenSize;
        if (hidden == 0) {
            if (rShape.length != 3 || rShape[2] == 0) {
                throw ctx.badInput("R has shape " + Arrays.toString(rShape) + ", expected [num_directions, "
                        + gatesLabel() + ", hidden_size] with hidden_size > 0");
            }
            hidden = rShape[2];
        }
        int gh = gates * hidden;
        int[] wShape = constW != null ? constWShape : floatShape(in[W], W);
        requireShape(wShape, "W", "[num_directions, " + gatesLabel() + ", input_size]", directions, gh, input);
        requireShape(rShape, "R", "[num_directions, " + gatesLabel() + ", hidden_size]", directions, gh, hidden);
        if (b != null) {
            requireShape(floatShape(b, B), "B", "[num_directions, 2*" + gatesLabel() + "]", directions, 2 * gh);
        }
        String stateLayout = batchFirst ? "[batch_size, num_directions, hidden_size]"
                : "[num_directions, batch_size, hidden_size]";
        int[] stateShape = batchFirst ? new int[] {batch, directions, hidden} : new int[] {directions, batch, hidden};
        if (initialH != null) {
            requireShape(floatShape(initialH, INITIAL_H), "initial_h", stateLayout, stateShape);
        }
        if (initialC != null) {
            requireShape(floatShape(initialC, INITIAL_C), "initial_c", stateLayout, stateShape);
        }
        if (peep != null) {
            requireShape(floatShape(peep, P), "P", "[num_directions, 3*hidden_size]", directions, 3 * hidden);
        }
        int[] lengths = SequenceLengths.read(ctx, SEQUENCE_LENS, optional(in, SEQUENCE_LENS), seq, batch);
        float[] xwBuffer = workBuffer(XW, Math.multiplyExact(Math.multiplyExact(seq, batch), directions * gh));
        WeightMatrix w = constW != null ? constW : WeightMatrices.of(in[W]);
        WeightMatrix r = constR != null ? constR : WeightMatrices.of(in[R]);
        // a caller may feed B in place of its initializer; the precomputed sum is only for the initializer
        float[] bias = b == null ? null : b == constB ? constBias : projectionBias(b.floats(), hidden);
        return new RecurrentRun(this, seq, batch, input, hidden, lengths, x.floats(), w, r,
                b == null ? null : b.floats(), bias, peep == null ? null : peep.floats(), initialH, initialC, xwBuffer,
                ctx.hasOutput(Y), ctx.hasOutput(Y_H), hasCell && ctx.hasOutput(Y_C));
    }

    /** Input {@code i}, or null when omitted (trailing omitted inputs are absent from the array). */
    private static Tensor optional(Tensor[] in, int i) {
        return i < in.length ? in[i] : null;
    }

    private void requireFloat(Tensor t, int index) {
        ctx.requireType(t, index, DataType.FLOAT32);
    }

    /** The shape of a run-time input, which must be float32. */
    private int[] floatShape(Tensor t, int index) {
        requireFloat(t, index);
        return t.shape();
    }

    private void requireShape(int[] shape, String name, String layout, int... expected) {
        if (!Arrays.equals(shape, expected)) {
            throw ctx.badInput(name + " has shape " + Arrays.toString(shape) + ", expected " + layout + " = "
                    + Arrays.toString(expected));
        }
    }

    private String gatesLabel() {
        return gates == 1 ? "hidden_size" : gates + "*hidden_size";
    }
}
