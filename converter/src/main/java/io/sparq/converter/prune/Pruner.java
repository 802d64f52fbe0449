package io.sparq.converter.prune;

import io.sparq.converter.finetune.WeightConstraint;
import io.sparq.format.DataType;
import io.sparq.format.ErrorCode;
import io.sparq.format.Graph;
import io.sparq.format.SparqException;
import io.sparq.format.Tensor;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Magnitude pruning of a graph's weights, per tensor: during fine-tuning as a
 * {@link WeightConstraint} that follows a {@link Schedule}, or at once with {@link #pruneNow}.
 *
 * <p>Each tensor reaches its own target (layers differ in redundancy; a global threshold would
 * strip small-magnitude layers bare). With a {@link SparsitySchedule} the mask is recomputed from
 * the current magnitudes at every update, as Zhu &amp; Gupta do; pruned weights are zero, so they
 * stay pruned. With a {@link NarangSchedule} weights below the threshold join the mask, which
 * only grows.
 *
 * <p>Not thread-safe: one trainer drives one pruner.
 */
public final class Pruner implements WeightConstraint {
    private final Schedule schedule;
    private final int blockSize;
    private final Map<String, State> tensors = new LinkedHashMap<>();
    private long lastUpdate = -1;

    private static final class State {
        final PruneTargets.Target target;
        final TensorMask mask;
        Schedule schedule;

        State(PruneTargets.Target target, TensorMask mask, Schedule schedule) {
            this.target = target;
            this.mask = mask;
            this.schedule = schedule;
        }
    }

    /** One tensor's line of the final report; {@code target} is NaN for Narang with a given θ. */
    public record TensorReport(String name, int[] shape, String role, double target, double achieved, int block) {
    }

    /** A pruner for the tensors {@code config} selects in {@code graph} (see {@link PruneTargets#resolve}). */
    public static Pruner forGraph(Graph graph, PruneConfig config) {
        return new Pruner(PruneTargets.resolve(graph, config), config.schedule(), config.blockSize(), config.rowBlocks());
    }

    /** A pruner for explicit targets; {@code schedule} gives the timing, each target its own sparsity. */
    public Pruner(List<PruneTargets.Target> targets, Schedule schedule, int blockSize) {
        this(targets, schedule, blockSize, false);
    }

    /**
     * As {@link #Pruner(List, Schedule, int)}; with {@code rowBlocks} blocks lie along each tensor's
     * output axis: B×1 down the rows where the rows are outputs, 1×B along the last axis where that
     * is the output axis (x·W), which the runtime runs as column blocks of the transposed matrix.
     */
    public Pruner(List<PruneTargets.Target> targets, Schedule schedule, int blockSize, boolean rowBlocks) {
        this.schedule = schedule;
        this.blockSize = blockSize;
        for (PruneTargets.Target t : targets) {
            Schedule own = schedule;
            if (!Double.isNaN(t.sparsity()) && t.sparsity() != schedule.targetSparsity()) {
                try {
                    own = schedule.withTargetSparsity(t.sparsity());
                } catch (IllegalArgumentException e) {
                    throw new SparqException(ErrorCode.INVALID_ARGUMENT, "tensor '" + t.name() + "': " + e.getMessage(), e);
                }
            }
            tensors.put(t.name(), new State(t, new TensorMask(t.shape(), blockSize, rowBlocks && t.outputRows()), own));
        }
    }

    /** The schedule the pruner follows (default target; tensors may have their own). */
    public Schedule schedule() {
        return schedule;
    }

    /**
     * The schedule one tensor follows: the pruner's, with the tensor's own target; for a Narang
     * schedule that derives θ, the resolved θ once the first update has run.
     */
    public Schedule scheduleOf(String name) {
        State s = tensors.get(name);
        if (s == null) {
            throw new SparqException(ErrorCode.INVALID_ARGUMENT, "'" + name + "' is not pruned; pruned tensors: " + tensors.keySet());
        }
        return s.schedule;
    }

    /** Names of the pruned tensors, in graph order. */
    public List<String> tensorNames() {
        return List.copyOf(tensors.keySet());
    }

    @Override
    public void beforeStep(long step, Map<String, Tensor> weights) {
        long due = schedule.lastUpdateAtOrBefore(step);
        boolean update = due >= 0 && due > lastUpdate;
        tensors.forEach((name, s) -> {
            float[] w = weightsOf(weights, name, s);
            if (update) {
                updateMask(s, w, due);
            }
            s.mask.apply(w);
        });
        if (update) {
            lastUpdate = due;
        }
    }

    /** Masks change no more once the schedule's last update has run. */
    @Override
    public long settlesAt() {
        return schedule.endStep();
    }

    @Override
    public void afterUpdate(Map<String, Tensor> weights) {
        tensors.forEach((name, s) -> s.mask.apply(weightsOf(weights, name, s)));
    }

    /**
     * {@code last_update} (the step of the last mask update, -1 before the first), {@code mask.<tensor>}
     * (per unit, true = pruned) and, where θ was derived, {@code theta.<tensor>}.
     */
    @Override
    public Map<String, Tensor> state() {
        Map<String, Tensor> state = new LinkedHashMap<>();
        state.put("last_update", Tensor.ofLongs(new int[] {1}, lastUpdate));
        tensors.forEach((name, s) -> {
            boolean[] units = s.mask.units();
            state.put("mask." + name, Tensor.ofBools(new int[] {units.length}, units));
            if (s.schedule instanceof NarangSchedule narang && !narang.derivesTheta() && s.schedule != schedule) {
                state.put("theta." + name, Tensor.ofDoubles(new int[] {1}, narang.theta()));
            }
        });
        return state;
    }

    @Override
    public void restore(Map<String, Tensor> state) {
        Tensor last = state.get("last_update");
        if (last == null || last.type() != DataType.INT64 || last.size() != 1) {
            throw new IllegalArgumentException("pruner state has no 'last_update' step");
        }
        for (String key : state.keySet()) {
            String name = key.substring(key.indexOf('.') + 1);
            if (!key.equals("last_update") && !((key.startsWith("mask.") || key.startsWith("theta.")) && tensors.containsKey(name))) {
                throw new IllegalArgumentException("pruner state '" + key + "' names no pruned tensor; pruned tensors: "
                        + tensors.keySet());
            }
        }
        tensors.forEach((name, s) -> {
            Tensor mask = state.get("mask." + name);
            if (mask == null || mask.type() != DataType.BOOL) {
                throw new IllegalArgumentException("pruner state has no mask of '" + name + "'");
            }
            s.mask.restore(mask.bools());
            Tensor theta = state.get("theta." + name);
            if (theta != null) {
                if (!(s.schedule instanceof NarangSchedule narang) || theta.type() != DataType.FLOAT64 || theta.size() != 1) {
                    throw new IllegalArgumentException("pruner state 'theta." + name + "' does not fit the schedule " + s.schedule);
                }
                s.schedule = NarangSchedule.withTheta(narang.start(), narang.ramp(), narang.end(), theta.doubles()[0],
                        narang.phi(), narang.frequency());
            }
        });
        lastUpdate = last.longs()[0];
    }

    private static void updateMask(State s, float[] w, long step) {
        if (s.schedule instanceof SparsitySchedule sparsity) {
            s.mask.maskToSparsity(w, sparsity.sparsityAt(step));
        } else if (s.schedule instanceof NarangSchedule narang) {
            double target = s.target.sparsity();
            if (narang.derivesTheta()) {
                narang = narang.resolveTheta(s.mask.quantile(w, narang.targetSparsity()));
                s.schedule = narang;
            }
            if (Double.isNaN(target)) {
                s.mask.maskBelow(w, narang.thresholdAt(step));
            } else {
                // θ derived for a target: the threshold keeps the ramp's shape, ε(t) / ε(end), but is
                // scaled to the target's magnitude quantile of the weights as they are now, since
                // fine-tuning moves them (kept weights grow as they take over from pruned ones);
                // with θ fixed at start_itr the ramp would end short of the target.
                s.mask.maskBelow(w, narang.rampFraction(step) * s.mask.quantile(w, target));
                if (step >= narang.endStep() && s.mask.sparsity() < target) {
                    s.mask.maskToSparsity(w, target);   // ties at the quantile
                }
            }
        }
    }

    /**
     * Prunes {@code weights} in place to each tensor's final target now, ignoring the schedule's
     * timing (for conversion without fine-tuning); the masks stay set. A Narang schedule applies
     * its final threshold ε(end), with θ derived from these weights if needed.
     */
    public void pruneNow(Map<String, Tensor> weights) {
        tensors.forEach((name, s) -> {
            float[] w = weightsOf(weights, name, s);
            updateMask(s, w, s.schedule.endStep());
            s.mask.apply(w);
        });
        lastUpdate = Math.max(lastUpdate, schedule.endStep());
    }

    /**
     * A copy of {@code graph} with its pruned tensors replaced by pruned copies (see
     * {@link #pruneNow(Map)}); the input graph's tensors are not modified.
     */
    public Graph pruneNow(Graph graph) {
        Map<String, Tensor> copies = new LinkedHashMap<>();
        for (String name : tensors.keySet()) {
            Tensor t = graph.initializers().get(name);
            if (t == null) {
                throw new SparqException(ErrorCode.INVALID_ARGUMENT, "tensor '" + name + "' to prune is not an initializer of the graph");
            }
            copies.put(name, Tensor.ofFloats(t.shape(), checkFloat(name, t).floats().clone()));
        }
        pruneNow(copies);
        Map<String, Tensor> initializers = new LinkedHashMap<>(graph.initializers());
        initializers.putAll(copies);
        return new Graph(graph.name(), graph.inputs(), graph.outputs(), graph.nodes(), initializers,
                graph.opsets(), graph.metadata());
    }

    /** The masked share of each pruned tensor's elements, by name. */
    public Map<String, Double> currentSparsity() {
        Map<String, Double> m = new LinkedHashMap<>();
        tensors.forEach((name, s) -> m.put(name, s.mask.sparsity()));
        return m;
    }

    /** The masked share of all pruned elements together. */
    @Override
    public double sparsity() {
        return overallSparsity();
    }

    public double overallSparsity() {
        long masked = 0;
        long size = 0;
        for (State s : tensors.values()) {
            masked += s.mask.maskedElements();
            size += s.mask.size();
        }
        return size == 0 ? 0 : (double) masked / size;
    }

    /** One line per pruned tensor: name, shape, role, target, achieved (masked share) and block size. */
    public List<TensorReport> report() {
        return tensors.values().stream().map(s -> new TensorReport(s.target.name(), s.target.shape().clone(),
                s.target.role(), s.target.sparsity(), s.mask.sparsity(), blockSize)).toList();
    }

    private static float[] weightsOf(Map<String, Tensor> weights, String name, State s) {
        Tensor t = weights.get(name);
        if (t == null) {
            throw new SparqException(ErrorCode.INVALID_ARGUMENT, "pruned tensor '" + name + "' is missing from the weights"
                    + " (have " + weights.keySet() + ")");
        }
        if (!Arrays.equals(t.shape(), s.target.shape())) {
            throw new SparqException(ErrorCode.INVALID_ARGUMENT, "pruned tensor '" + name + "' has shape "
                    + Arrays.toString(t.shape()) + ", expected " + Arrays.toString(s.target.shape()));
        }
        return checkFloat(name, t).floats();
    }

    private static Tensor checkFloat(String name, Tensor t) {
        if (t.type() != DataType.FLOAT32) {
            throw new SparqException(ErrorCode.INVALID_ARGUMENT, "pruned tensor '" + name + "' is " + t.type().displayName()
                    + ", expected float32");
        }
        return t;
    }
}
