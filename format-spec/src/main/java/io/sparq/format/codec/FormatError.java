package io.sparq.format.codec;

/** Why a {@code .sparq} file was rejected; every {@link FormatException} carries one. */
public enum FormatError {
    /** The file ends before a structure it declares. */
    TRUNCATED,
    /** The first eight bytes are not the {@code .sparq} magic. */
    BAD_MAGIC,
    /** The container major version or the quantization-scheme version is one this reader does not know. */
    UNSUPPORTED_VERSION,
    /** A CRC32C does not match the bytes it covers. */
    CHECKSUM_MISMATCH,
    /** A section or tensor is misplaced: not where the alignment rule puts it, wrong length, non-zero padding. */
    BAD_LAYOUT,
    /** A count, length or size exceeds a limit of the spec. */
    LIMIT_EXCEEDED,
    /** A field holds a value the spec does not allow: unknown code, bad combination, non-zero reserved bits. */
    BAD_VALUE,
    /** A string is not valid UTF-8, or is empty where a name is required. */
    BAD_STRING,
    /** Two things that must have distinct names share one. */
    DUPLICATE_NAME,
    /** A reference does not resolve: a tensor index, a value name, a tensor referenced twice or never. */
    BAD_REFERENCE,
    /** Sparse structure is inconsistent: row pointers, column indices, bitmap population. */
    BAD_INDEX
}
