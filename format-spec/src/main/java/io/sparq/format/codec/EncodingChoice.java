package io.sparq.format.codec;

/**
 * What a writer is asked to store for one tensor; the index format and stored count follow from
 * the data. Pick with the factories, e.g. {@code EncodingChoice.csr(ValueFormat.INT8)}.
 *
 * @param blockSize B of block-sparse and column-block-sparse (4, 8, 16), G of dense int4 (16, 32, 64, 128), otherwise 0
 */
public record EncodingChoice(Encoding encoding, ValueFormat values, int blockSize) {
    public EncodingChoice {
        java.util.Objects.requireNonNull(encoding, "encoding");
        java.util.Objects.requireNonNull(values, "values");
    }

    /** Every element in the tensor's own type, losslessly (the default). */
    public static EncodingChoice dense() {
        return new EncodingChoice(Encoding.DENSE, ValueFormat.NATIVE, 0);
    }

    public static EncodingChoice denseF16() {
        return new EncodingChoice(Encoding.DENSE, ValueFormat.F16, 0);
    }

    /** Symmetric int8 with one f32 scale per row. */
    public static EncodingChoice denseInt8() {
        return new EncodingChoice(Encoding.DENSE, ValueFormat.INT8, 0);
    }

    /** Symmetric int4 with one f32 scale per {@code groupSize} elements of a row. */
    public static EncodingChoice denseInt4(int groupSize) {
        return new EncodingChoice(Encoding.DENSE, ValueFormat.INT4, groupSize);
    }

    /** 1×{@code blockSize} blocks along the last axis; scaled values get one scale per row. */
    public static EncodingChoice blockSparse(int blockSize, ValueFormat values) {
        return new EncodingChoice(Encoding.BLOCK_SPARSE, values, blockSize);
    }

    /**
     * {@code blockSize}×1 blocks along the rows (the output axis of a weight), format 1.1; scaled
     * values get one scale per row.
     */
    public static EncodingChoice columnBlockSparse(int blockSize, ValueFormat values) {
        return new EncodingChoice(Encoding.COLUMN_BLOCK_SPARSE, values, blockSize);
    }

    public static EncodingChoice csr(ValueFormat values) {
        return new EncodingChoice(Encoding.CSR, values, 0);
    }

    public static EncodingChoice bitmap(ValueFormat values) {
        return new EncodingChoice(Encoding.BITMAP, values, 0);
    }

    /** E.g. {@code block_sparse/int8/4}. */
    @Override
    public String toString() {
        return encoding.displayName() + "/" + values.displayName() + (blockSize == 0 ? "" : "/" + blockSize);
    }
}
