package io.sparq.converter.finetune;

import io.sparq.converter.data.Npz;
import io.sparq.format.Dim;
import io.sparq.format.ErrorCode;
import io.sparq.format.Graph;
import io.sparq.format.SparqException;
import io.sparq.format.Tensor;
import io.sparq.format.ValueInfo;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Training samples: per graph input an array {@code [N, per-sample shape]} (the model input's
 * shape without its batch axis), and optionally per output the targets (teacher outputs or labels)
 * likewise. Mini-batches stack samples along each tensor's batch axis, which is the symbolic
 * dimension whose name contains "batch" (torch's dynamic_axes) unless given explicitly.
 */
public final class TrainingData {
    private final Graph graph;
    private final Map<String, Tensor> inputs;
    private final Map<String, Integer> inputAxes;
    private final Map<String, Tensor> targets;
    private final Map<String, Integer> targetAxes;
    private final Map<String, Integer> axisOverrides;
    private final int size;

    private TrainingData(Graph graph, Map<String, Tensor> inputs, Map<String, Integer> inputAxes,
                         Map<String, Tensor> targets, Map<String, Integer> targetAxes,
                         Map<String, Integer> axisOverrides, int size) {
        this.graph = graph;
        this.inputs = inputs;
        this.inputAxes = inputAxes;
        this.targets = targets;
        this.targetAxes = targetAxes;
        this.axisOverrides = axisOverrides;
        this.size = size;
    }

    /** Inputs from an {@code .npz} keyed by graph input name. */
    public static TrainingData fromNpz(Path file, Graph graph, Map<String, Integer> batchAxes) {
        return of(Npz.read(file), graph, batchAxes);
    }

    /**
     * @param arrays    per required graph input, {@code [N, per-sample shape]}; other keys are ignored
     * @param batchAxes batch axis by input or output name, for tensors whose batch axis is not
     *                  named in the graph (may be empty)
     */
    public static TrainingData of(Map<String, Tensor> arrays, Graph graph, Map<String, Integer> batchAxes) {
        Map<String, Tensor> in = new LinkedHashMap<>();
        Map<String, Integer> axes = new LinkedHashMap<>();
        int n = -1;
        for (ValueInfo v : graph.requiredInputs()) {
            Tensor t = arrays.get(v.name());
            if (t == null) {
                throw new SparqException(ErrorCode.INVALID_ARGUMENT, "training data has no array for input '"
                        + v.name() + "'; arrays: " + arrays.keySet());
            }
            int axis = batchAxis(v, batchAxes);
            checkSamples(v, t, axis);
            n = checkCount(n, v.name(), t);
            in.put(v.name(), t);
            axes.put(v.name(), axis);
        }
        return new TrainingData(graph, Collections.unmodifiableMap(in), axes, Map.of(), Map.of(),
                Map.copyOf(batchAxes), n);
    }

    /**
     * The same samples with targets per output name, {@code [N, ...]}: teacher outputs shaped as
     * the output without its batch axis, or class labels shaped as that without the last axis too.
     */
    public TrainingData withTargets(Map<String, Tensor> perOutput) {
        Map<String, Tensor> t = new LinkedHashMap<>();
        Map<String, Integer> axes = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : perOutput.entrySet()) {
            ValueInfo out = graph.outputs().stream().filter(o -> o.name().equals(e.getKey())).findFirst()
                    .orElseThrow(() -> new SparqException(ErrorCode.INVALID_ARGUMENT, "targets for '" + e.getKey()
                            + "', which is not a graph output; outputs: " + graph.outputs()));
            int axis = batchAxis(out, axisOverrides);
            checkCount(size, e.getKey(), e.getValue());
            if (axis >= e.getValue().rank()) {
                throw new SparqException(ErrorCode.INVALID_ARGUMENT, "targets for '" + e.getKey() + "' have shape "
                        + Arrays.toString(e.getValue().shape()) + ", too few axes for batch axis " + axis);
            }
            t.put(e.getKey(), e.getValue());
            axes.put(e.getKey(), axis);
        }
        return new TrainingData(graph, inputs, inputAxes, Collections.unmodifiableMap(t), axes, axisOverrides, size);
    }

    /** Targets = the outputs of {@code teacher} (run once, in batches of {@code batchSize}) on every sample. */
    public TrainingData withTeacherTargets(TrainingGraph teacher, List<String> outputs, int batchSize) {
        Map<String, Tensor> perOutput = new LinkedHashMap<>();
        for (int from = 0; from < size; from += batchSize) {
            int[] samples = new int[Math.min(batchSize, size - from)];
            for (int i = 0; i < samples.length; i++) {
                samples[i] = from + i;
            }
            Map<String, Tensor> y = teacher.run(inputBatch(samples));
            for (String name : outputs) {
                ValueInfo info = graph.outputs().stream().filter(o -> o.name().equals(name)).findFirst().orElseThrow(
                        () -> new SparqException(ErrorCode.INVALID_ARGUMENT, "'" + name + "' is not a graph output"));
                Tensor out = y.get(name);
                int axis = batchAxis(info, axisOverrides);
                Tensor all = perOutput.computeIfAbsent(name, k -> Tensor.zeros(out.type(), samplesShape(out.shape(), axis, size)));
                unstack(out, axis, all, from);
            }
        }
        return withTargets(perOutput);
    }

    public int size() {
        return size;
    }

    /**
     * A batch of output {@code name}, as the model returns it for {@link #inputBatch}, with its
     * samples moved to axis 0 (the layout of targets and labels).
     */
    public Tensor samplesOf(String name, Tensor batch) {
        ValueInfo info = graph.outputs().stream().filter(o -> o.name().equals(name)).findFirst().orElseThrow(
                () -> new SparqException(ErrorCode.INVALID_ARGUMENT, "'" + name + "' is not a graph output"));
        int axis = batchAxis(info, axisOverrides);
        Tensor all = Tensor.zeros(batch.type(), samplesShape(batch.shape(), axis, batch.dim(axis)));
        unstack(batch, axis, all, 0);
        return all;
    }

    /** {@code shape} with its batch axis moved to the front and sized {@code samples}. */
    private static int[] samplesShape(int[] shape, int axis, int samples) {
        int[] s = new int[shape.length];
        s[0] = samples;
        for (int d = 0, j = 1; d < shape.length; d++) {
            if (d != axis) {
                s[j++] = shape[d];
            }
        }
        return s;
    }

    /** Output names that have targets. */
    public List<String> targetNames() {
        return List.copyOf(targets.keySet());
    }

    /** Graph inputs for the given samples, stacked along each input's batch axis. */
    public Map<String, Tensor> inputBatch(int[] samples) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        inputs.forEach((k, v) -> out.put(k, stack(v, inputAxes.get(k), samples)));
        return out;
    }

    /** Targets for the given samples, stacked along each output's batch axis. */
    public Map<String, Tensor> targetBatch(int[] samples) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        targets.forEach((k, v) -> out.put(k, stack(v, targetAxes.get(k), samples)));
        return out;
    }

    /**
     * The batch axis of a declared input or output: the override for its name if given, else the
     * symbolic dimension whose name contains "batch".
     */
    public static int batchAxis(ValueInfo v, Map<String, Integer> overrides) {
        Integer given = overrides.get(v.name());
        if (given != null) {
            int rank = v.shape() == null ? Integer.MAX_VALUE : v.shape().size();
            if (given < 0 || given >= rank) {
                throw new SparqException(ErrorCode.INVALID_ARGUMENT, "batch axis " + given + " for '" + v.name()
                        + "' is out of range for " + v);
            }
            return given;
        }
        int found = -1;
        if (v.shape() != null) {
            List<Dim> dims = v.shape();
            for (int d = 0; d < dims.size(); d++) {
                String s = dims.get(d).symbol();
                if (s != null && s.toLowerCase(java.util.Locale.ROOT).contains("batch")) {
                    if (found >= 0) {
                        found = -2;
                        break;
                    }
                    found = d;
                }
            }
        }
        if (found < 0) {
            throw new SparqException(ErrorCode.INVALID_ARGUMENT, "cannot tell the batch axis of '" + v.name() + "' ("
                    + v + "): " + (found == -2 ? "several dimensions are" : "no dimension is") + " named like 'batch' and"
                    + " none follows from the ops that read it; give it with --batch-axis " + v.name() + "=AXIS (or"
                    + " batch_axes: {" + v.name() + ": AXIS} in a recipe)");
        }
        return found;
    }

    private static void checkSamples(ValueInfo v, Tensor t, int axis) {
        if (v.shape() == null) {
            return;
        }
        int rank = v.shape().size();
        boolean ok = t.rank() == rank;
        for (int d = 0, j = 1; ok && d < rank; d++) {
            if (d != axis) {
                Dim dim = v.shape().get(d);
                ok = !dim.isFixed() || dim.value() == t.dim(j);
                j++;
            }
        }
        if (!ok) {
            throw new SparqException(ErrorCode.INVALID_ARGUMENT, "training array for '" + v.name() + "' has shape "
                    + Arrays.toString(t.shape()) + ", expected [samples] followed by " + v
                    + " without its batch axis " + axis);
        }
    }

    private static int checkCount(int n, String name, Tensor t) {
        if (t.rank() == 0 || (n >= 0 && t.dim(0) != n)) {
            throw new SparqException(ErrorCode.INVALID_ARGUMENT, "array for '" + name + "' has shape "
                    + Arrays.toString(t.shape()) + ", expected " + (n >= 0 ? n : "a") + " sample(s) along axis 0");
        }
        return t.dim(0);
    }

    /** Samples {@code [N, s...]} picked and stacked into {@code s} with the batch inserted at {@code axis}. */
    static Tensor stack(Tensor all, int axis, int[] samples) {
        int[] per = Arrays.copyOfRange(all.shape(), 1, all.rank());
        int[] shape = new int[per.length + 1];
        for (int d = 0, j = 0; d < shape.length; d++) {
            shape[d] = d == axis ? samples.length : per[j++];
        }
        int outer = Tensor.sizeOf(Arrays.copyOf(per, axis));
        int inner = Tensor.sizeOf(per) / Math.max(outer, 1);
        int sampleSize = outer * inner;
        Object out = Tensor.newArray(all.type(), Tensor.sizeOf(shape));
        for (int j = 0; j < samples.length; j++) {
            for (int o = 0; o < outer; o++) {
                System.arraycopy(all.data(), samples[j] * sampleSize + o * inner, out,
                        (o * samples.length + j) * inner, inner);
            }
        }
        return Tensor.of(all.type(), shape, out);
    }

    /** The inverse of {@link #stack}: writes the batch of {@code batch} into samples {@code from...} of {@code all}. */
    static void unstack(Tensor batch, int axis, Tensor all, int from) {
        int[] s = batch.shape();
        int count = s[axis];
        int outer = Tensor.sizeOf(Arrays.copyOf(s, axis));
        int inner = Tensor.sizeOf(Arrays.copyOfRange(s, axis + 1, s.length));
        int sampleSize = outer * inner;
        for (int j = 0; j < count; j++) {
            for (int o = 0; o < outer; o++) {
                System.arraycopy(batch.data(), (o * count + j) * inner, all.data(),
                        (from + j) * sampleSize + o * inner, inner);
            }
        }
    }
}
