package io.sparq.converter.quantize;

import io.sparq.format.Float16;
import io.sparq.format.Tensor;
import io.sparq.format.codec.Quantization;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Quantization-aware fine-tuning with the straight-through estimator: before a forward pass the
 * chosen weights are replaced by the values their quantized form decodes to (symmetric, one scale
 * per row as SPEC.md §6.1 computes it; f16 by rounding), the loss and gradients are computed on
 * those, and then the float weights are put back for the optimizer, so the gradient of the rounded
 * weight is applied to the float one as if rounding were the identity. Pruned zeros stay zero.
 *
 * <p>Int4 uses one scale per row, what the sparse encodings store; dense int4 with smaller groups
 * only rounds finer, so a model trained this way loses no more than it did here.
 */
public final class FakeQuantizer {
    private final QuantizeMode mode;
    private final List<String> names;
    private final Map<String, float[]> saved = new HashMap<>();   // reused every step: no per-step copies

    /** Rounds {@code names} as {@code mode} stores them; {@link QuantizeMode#NONE} rounds nothing. */
    public FakeQuantizer(QuantizeMode mode, List<String> names) {
        this.mode = mode;
        this.names = List.copyOf(names);
    }

    /**
     * Replaces the weights by their rounded values; returns the originals for {@link #restore},
     * valid until the next call (the buffers are reused).
     */
    public Map<String, float[]> roundInPlace(Map<String, Tensor> weights) {
        if (mode == QuantizeMode.NONE) {
            return Map.of();
        }
        for (String name : names) {
            Tensor t = weights.get(name);
            if (t == null) {
                continue;
            }
            float[] w = t.floats();
            float[] copy = saved.get(name);
            if (copy == null || copy.length != w.length) {
                copy = new float[w.length];
                saved.put(name, copy);
            }
            System.arraycopy(w, 0, copy, 0, w.length);
            int cols = t.rank() == 0 ? 1 : t.dim(t.rank() - 1);
            round(w, Math.max(1, cols));
        }
        return saved;
    }

    /** Puts back the float weights {@link #roundInPlace} returned. */
    public static void restore(Map<String, Tensor> weights, Map<String, float[]> saved) {
        saved.forEach((name, w) -> System.arraycopy(w, 0, weights.get(name).floats(), 0, w.length));
    }

    /** Rounds every row of {@code cols} values of {@code w} in place. */
    void round(float[] w, int cols) {
        if (mode == QuantizeMode.F16) {
            for (int i = 0; i < w.length; i++) {
                w[i] = Float16.toFloat(Float16.fromFloat(w[i]));
            }
            return;
        }
        int maxCode = mode.valueFormat().maxCode();
        for (int r = 0; r + cols <= w.length; r += cols) {
            Quantization.roundTrip(w, r, r + cols, maxCode);   // the writer's own rounding: training sees what is stored
        }
    }
}
