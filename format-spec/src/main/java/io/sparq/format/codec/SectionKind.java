package io.sparq.format.codec;

import java.util.Optional;

/** The section kinds of format version 1, with their codes in the section table (SPEC.md §3). */
enum SectionKind {
    METADATA(1),
    GRAPH(2),
    TENSOR_TABLE(3),
    TENSOR_DATA(4);

    /** Section-table flag: a reader that does not know the kind may skip the section. */
    static final int OPTIONAL = 1;

    private final int code;

    SectionKind(int code) {
        this.code = code;
    }

    int code() {
        return code;
    }

    static Optional<SectionKind> fromCode(long code) {
        for (SectionKind k : values()) {
            if (k.code == code) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }
}
