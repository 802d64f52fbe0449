package io.sparq.converter.encode;

import io.sparq.converter.Formats;
import io.sparq.format.codec.EncodingChoice;

/**
 * What the planner decided for one initializer and why.
 *
 * @param role           how the graph uses it as a weight (e.g. {@code LSTM R}), or empty for a
 *                       non-weight, which stays dense
 * @param blockStructure see {@link SparsityProfile#blockStructure()}; 0 for non-weights
 * @param bytes          stored bytes under {@code encoding}
 * @param denseBytes     bytes of the dense tensor in its own type
 * @param maxAbsError    largest |decoded − original| over all elements (0 for lossless encodings)
 */
public record TensorReport(String name, String role, int[] shape, String dtype, long elements, double sparsity,
                           int blockStructure, EncodingChoice encoding, long bytes, long denseBytes,
                           double maxAbsError) {
    public TensorReport {
        shape = shape.clone();
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** The encoding as the reports write it, e.g. {@code dense/float32} or {@code block_sparse/int8/16}. */
    public String encodingName() {
        return Formats.encoding(encoding.encoding(), encoding.values(), dtype, encoding.blockSize());
    }

    public boolean isWeight() {
        return !role.isEmpty();
    }
}
