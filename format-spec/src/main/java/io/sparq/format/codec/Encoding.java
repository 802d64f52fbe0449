package io.sparq.format.codec;

import java.util.List;
import java.util.Optional;

/**
 * How a tensor's elements are arranged in the file: densely, or as one of the sparse forms for
 * pruned weights. Together with {@link ValueFormat}, {@link IndexFormat} and the block size it
 * fixes the byte layout; {@link #parts()} is the order of the arrays and {@link TensorLayout}
 * gives their sizes.
 */
public enum Encoding {
    /** Every element, row-major. */
    DENSE(1, 0, List.of(Part.SCALES, Part.VALUES)),
    /** Per row, the 1×B blocks along the last axis that hold a non-zero, with their block-column indices. */
    BLOCK_SPARSE(2, 0, List.of(Part.ROW_PTR, Part.SCALES, Part.INDICES, Part.VALUES)),
    /** Compressed sparse rows: per row, the non-zero elements with their column indices. */
    CSR(3, 0, List.of(Part.ROW_PTR, Part.SCALES, Part.INDICES, Part.VALUES)),
    /** One bit per element (set = stored), then the stored elements in row-major order. */
    BITMAP(4, 0, List.of(Part.SCALES, Part.BITMAP, Part.VALUES)),
    /**
     * Per group of B consecutive rows, the B×1 blocks (one column of the group) that hold a non-zero,
     * with their column indices: blocks along the output axis (format 1.1).
     */
    COLUMN_BLOCK_SPARSE(5, 1, List.of(Part.ROW_PTR, Part.SCALES, Part.INDICES, Part.VALUES));

    private final int code;
    private final int sinceMinor;
    private final List<Part> parts;

    Encoding(int code, int sinceMinor, List<Part> parts) {
        this.code = code;
        this.sinceMinor = sinceMinor;
        this.parts = parts;
    }

    /** The first minor version of format 1 that has this encoding: a file using it declares at least this. */
    public int sinceMinor() {
        return sinceMinor;
    }

    /** Whether the stored blocks are B×1 along the rows ({@link #COLUMN_BLOCK_SPARSE}) rather than 1×B or single elements. */
    public boolean groupsRows() {
        return this == COLUMN_BLOCK_SPARSE;
    }

    /** The {@code encoding} byte of a tensor-table entry. */
    public int code() {
        return code;
    }

    /** The arrays of this encoding in file order; an array may be empty (e.g. no scales for f32 values). */
    public List<Part> parts() {
        return parts;
    }

    public boolean isSparse() {
        return this != DENSE;
    }

    public static Optional<Encoding> fromCode(int code) {
        for (Encoding e : values()) {
            if (e.code == code) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    /** Lower-case name as used in messages and the spec, e.g. {@code block_sparse}. */
    public String displayName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** One array inside a tensor's data. */
    public enum Part {
        /**
         * u32[rows + 1]: where each row's stored blocks (BLOCK_SPARSE) or elements (CSR) begin;
         * u32[ceil(rows / B) + 1] for COLUMN_BLOCK_SPARSE: where each row group's blocks begin.
         */
        ROW_PTR,
        /** f32 quantization scales: one per row, or one per block of G elements for dense int4. */
        SCALES,
        /** Block-column (BLOCK_SPARSE) or column (CSR, COLUMN_BLOCK_SPARSE) indices in the {@link IndexFormat} of the tensor. */
        INDICES,
        /** u8[rows × ceil(cols / 8)]: bit {@code c % 8} of byte {@code c / 8} of a row is set when element c is stored. */
        BITMAP,
        /** The stored values in the {@link ValueFormat} of the tensor. */
        VALUES
    }
}
