package io.sparq.converter.finetune;

import io.sparq.converter.data.Npz;
import io.sparq.format.DataType;
import io.sparq.format.ErrorCode;
import io.sparq.format.SparqException;
import io.sparq.format.Tensor;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A fine-tuning checkpoint file: a {@link TrainingState} and the fingerprint of the inputs it was
 * made from, so that a run is only continued with the same model, data and settings.
 *
 * <p>The file is a NumPy {@code .npz} archive (written atomically, read with every array bounded
 * by the file size), with these arrays:
 * <pre>
 *   checkpoint.version   int64[1]    2; changes whenever an array is added, removed or changes meaning
 *   fingerprint.KEY      uint8[n]    UTF-8 text of one input's identity, e.g. fingerprint.model = its sha256
 *   counters             int64[5]    step, shuffles, cursor, best step, elapsed nanoseconds (see TrainingState)
 *   losses               float64[2]  last training loss, best validation loss (NaN: none)
 *   curve                float64[4n] the steps done: step, loss, validation loss, sparsity (TrainingCurve)
 *   weight.NAME          float32[n]  every trainable weight, flattened
 *   best.NAME            float32[n]  the best-validation weights (absent when none was kept yet)
 *   optimizer.KEY        ...         Optimizer.state(), e.g. optimizer.t, optimizer.m0.NAME
 *   constraint.KEY       ...         WeightConstraint.state(), e.g. constraint.mask.NAME (bool per unit)
 * </pre>
 *
 * @param fingerprint what the run was made from, by key, in the order given
 * @param state       where the run was
 */
public record Checkpoint(Map<String, String> fingerprint, TrainingState state) {
    /** The layout version this code writes and reads. */
    public static final long VERSION = 2;

    public Checkpoint {
        fingerprint = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fingerprint));
    }

    /** Writes the checkpoint to {@code file} whole or not at all. */
    public void write(Path file) {
        Map<String, Tensor> arrays = new LinkedHashMap<>();
        arrays.put("checkpoint.version", Tensor.ofLongs(new int[] {1}, VERSION));
        fingerprint.forEach((key, text) -> {
            byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
            arrays.put("fingerprint." + key, Tensor.of(DataType.UINT8, new int[] {utf8.length}, utf8));
        });
        arrays.put("counters", Tensor.ofLongs(new int[] {5}, state.step(), state.shuffles(), state.cursor(),
                state.bestStep(), state.elapsedNanos()));
        arrays.put("losses", Tensor.ofDoubles(new int[] {2}, state.lastLoss(), state.bestLoss()));
        arrays.put("curve", Tensor.ofDoubles(new int[] {state.curve().length}, state.curve()));
        state.weights().forEach((name, w) -> arrays.put("weight." + name, Tensor.ofFloats(new int[] {w.length}, w)));
        state.best().forEach((name, w) -> arrays.put("best." + name, Tensor.ofFloats(new int[] {w.length}, w)));
        state.optimizer().forEach((key, t) -> arrays.put("optimizer." + key, t));
        state.constraint().forEach((key, t) -> arrays.put("constraint." + key, t));
        Npz.write(file, arrays);
    }

    /**
     * Reads a checkpoint.
     *
     * @throws SparqException IO_ERROR if it cannot be read, CORRUPT_FILE if it is not a complete
     *                        checkpoint of this version
     */
    public static Checkpoint read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new SparqException(ErrorCode.IO_ERROR, "no checkpoint at " + file);
        }
        Map<String, Tensor> arrays = Npz.read(file);
        Tensor version = arrays.get("checkpoint.version");
        if (version == null || version.type() != DataType.INT64 || version.size() != 1) {
            throw corrupt(file, "not a sparq fine-tuning checkpoint (no int64 'checkpoint.version')");
        }
        if (version.longs()[0] != VERSION) {
            throw corrupt(file, "checkpoint version " + version.longs()[0] + ", this sparq reads version " + VERSION);
        }
        long[] counters = array(file, arrays, "counters", DataType.INT64, 5).longs();
        double[] losses = array(file, arrays, "losses", DataType.FLOAT64, 2).doubles();
        Tensor curve = arrays.get("curve");
        if (curve == null || curve.type() != DataType.FLOAT64 || curve.rank() != 1
                || curve.size() % TrainingCurve.COLUMNS != 0) {
            throw corrupt(file, "no float64 'curve' of " + TrainingCurve.COLUMNS + " values per step");
        }
        if (counters[2] < 0 || counters[2] > Integer.MAX_VALUE) {
            throw corrupt(file, "sample position " + counters[2] + " is out of range");
        }
        Map<String, String> fingerprint = new LinkedHashMap<>();
        Map<String, float[]> weights = new LinkedHashMap<>();
        Map<String, float[]> best = new LinkedHashMap<>();
        Map<String, Tensor> optimizer = new LinkedHashMap<>();
        Map<String, Tensor> constraint = new LinkedHashMap<>();
        List<String> unknown = new ArrayList<>();
        for (Map.Entry<String, Tensor> a : arrays.entrySet()) {
            String key = a.getKey();
            Tensor t = a.getValue();
            String rest = key.substring(key.indexOf('.') + 1);
            if (key.equals("checkpoint.version") || key.equals("counters") || key.equals("losses") || key.equals("curve")) {
                continue;
            } else if (key.startsWith("fingerprint.") && t.type() == DataType.UINT8) {
                fingerprint.put(rest, new String(t.bytes(), StandardCharsets.UTF_8));
            } else if (key.startsWith("weight.") && t.type() == DataType.FLOAT32) {
                weights.put(rest, t.floats());
            } else if (key.startsWith("best.") && t.type() == DataType.FLOAT32) {
                best.put(rest, t.floats());
            } else if (key.startsWith("optimizer.")) {
                optimizer.put(rest, t);
            } else if (key.startsWith("constraint.")) {
                constraint.put(rest, t);
            } else {
                unknown.add(key + " (" + t.type().displayName() + ")");
            }
        }
        if (!unknown.isEmpty()) {
            throw corrupt(file, "unexpected array(s) " + unknown);
        }
        return new Checkpoint(fingerprint, new TrainingState(counters[0], counters[1], (int) counters[2], losses[0],
                weights, optimizer, constraint, best, losses[1], counters[3], counters[4], curve.doubles()));
    }

    /**
     * Refuses to continue when {@code now} differs from the fingerprint the checkpoint was made
     * with, naming each input that changed.
     *
     * @param describe what a difference in each key means, e.g. {@code model -> "the model differs"}
     * @throws SparqException INVALID_ARGUMENT naming what differs
     */
    public void requireSameInputs(Map<String, String> now, Map<String, String> describe, Path file) {
        List<String> differences = new ArrayList<>();
        for (String key : union(fingerprint.keySet(), now.keySet())) {
            String then = fingerprint.get(key);
            String current = now.get(key);
            if (then == null || !then.equals(current)) {
                differences.add(describe.getOrDefault(key, "'" + key + "' differs") + ": " + difference(then, current));
            }
        }
        if (!differences.isEmpty()) {
            throw new SparqException(ErrorCode.INVALID_ARGUMENT, "cannot resume from " + file + ": it was made with other"
                    + " inputs or settings: " + String.join("; ", differences)
                    + ". Give the same ones, or run without --resume to start over (the checkpoint is then replaced)");
        }
    }

    private static List<String> union(java.util.Set<String> a, java.util.Set<String> b) {
        List<String> keys = new ArrayList<>(a);
        b.stream().filter(k -> !a.contains(k)).forEach(keys::add);
        return keys;
    }

    /** The first line that differs, or the whole values when they are one line each. */
    private static String difference(String then, String now) {
        if (then == null || now == null) {
            return then == null ? "not in the checkpoint" : "not given now";
        }
        String[] a = then.split("\n", -1);
        String[] b = now.split("\n", -1);
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            String x = i < a.length ? a[i] : "";
            String y = i < b.length ? b[i] : "";
            if (!x.equals(y)) {
                return "'" + y.strip() + "' now, '" + x.strip() + "' in the checkpoint";
            }
        }
        return "in line breaks only";
    }

    private static Tensor array(Path file, Map<String, Tensor> arrays, String name, DataType type, int size) {
        Tensor t = arrays.get(name);
        if (t == null || t.type() != type || t.size() != size) {
            throw corrupt(file, "no " + type.displayName() + "[" + size + "] '" + name + "'");
        }
        return t;
    }

    private static SparqException corrupt(Path file, String message) {
        return new SparqException(ErrorCode.CORRUPT_FILE, file + ": " + message);
    }
}
