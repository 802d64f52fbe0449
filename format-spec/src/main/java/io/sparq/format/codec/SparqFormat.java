package io.sparq.format.codec;

/** Constants of the {@code .sparq} container, version 1.1: magic, versions, alignment and limits (SPEC.md §7). */
public final class SparqFormat {
    private SparqFormat() {
    }

    /** Container major version: bumped when an existing structure changes meaning or layout. */
    public static final int MAJOR_VERSION = 1;
    /** Container minor version: bumped for additions an older reader of the same major can ignore or refuse cleanly. */
    public static final int MINOR_VERSION = 1;
    /** Version of the quantization rules (how f16 / int8 / int4 codes map to values), separate from the container. */
    public static final int QUANT_SCHEME_VERSION = 1;

    public static final int HEADER_BYTES = 64;
    public static final int SECTION_ENTRY_BYTES = 32;
    /** Every section and every tensor's data starts at a file offset that is a multiple of this. */
    public static final int DATA_ALIGNMENT = 64;
    /** Arrays inside one tensor's data start at a multiple of this, counted from the tensor's first byte. */
    public static final int PART_ALIGNMENT = 8;

    public static final int MAX_SECTIONS = 16;
    public static final int MAX_RANK = 8;
    /** Names, keys, op types, domains and dimension symbols, in UTF-8 bytes. */
    public static final int MAX_NAME_BYTES = 4096;
    /** Any other string or byte-string value (STRING attributes, metadata values), in bytes. */
    public static final int MAX_STRING_BYTES = 1 << 20;
    public static final int MAX_METADATA_BYTES = 16 << 20;
    public static final int MAX_TENSORS = 1 << 20;
    /** Nesting of GRAPH attributes: the main graph is depth 0. */
    public static final int MAX_GRAPH_DEPTH = 16;
    /** Elements of one tensor, and rows of one tensor (the product of all dimensions but the last). */
    public static final long MAX_ELEMENTS = Integer.MAX_VALUE;
    /** Largest file the Java reader accepts: what one {@code ByteBuffer} or {@code byte[]} can hold. */
    public static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 8;

    private static final byte[] MAGIC = {(byte) 0x89, 'S', 'P', 'Q', '\r', '\n', 0x1A, '\n'};

    /** The eight magic bytes {@code 89 53 50 51 0D 0A 1A 0A} ({@code "\x89SPQ\r\n\x1A\n"}). */
    public static byte[] magic() {
        return MAGIC.clone();
    }

    /** {@code offset} rounded up to a multiple of {@code alignment} (a power of two). */
    public static long align(long offset, int alignment) {
        return Math.addExact(offset, alignment - 1) & -alignment;
    }
}
