package io.sparq.format.codec;

import java.util.Optional;

/** Width and meaning of the indices of a sparse tensor; encoders pick the narrowest that fits. */
public enum IndexFormat {
    /** No indices (dense and bitmap tensors). */
    NONE(0, 0, 0),
    /** Absolute u8 index (block columns of BLOCK_SPARSE). */
    U8(1, 1, 0xFF),
    /** u8 gap: column = previous column in the row + 1 + gap, the first column of a row is its gap (CSR). */
    U8_DELTA(2, 1, 0xFF),
    /** Absolute u16 index. */
    U16(3, 2, 0xFFFF),
    /** Absolute u32 index. */
    U32(4, 4, 0xFFFF_FFFFL);

    private final int code;
    private final int width;
    private final long maxStored;

    IndexFormat(int code, int width, long maxStored) {
        this.code = code;
        this.width = width;
        this.maxStored = maxStored;
    }

    /** The {@code index} byte of a tensor-table entry. */
    public int code() {
        return code;
    }

    /** Bytes per index. */
    public int width() {
        return width;
    }

    /** The largest value one index can hold. */
    public long maxStored() {
        return maxStored;
    }

    public static Optional<IndexFormat> fromCode(int code) {
        for (IndexFormat f : values()) {
            if (f.code == code) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /** Lower-case name as used in messages and the spec, e.g. {@code u8_delta}. */
    public String displayName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
