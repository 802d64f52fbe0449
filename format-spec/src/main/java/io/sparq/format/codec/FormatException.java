package io.sparq.format.codec;

import io.sparq.format.ErrorCode;
import io.sparq.format.SparqException;

/**
 * A {@code .sparq} file was rejected: always {@link ErrorCode#CORRUPT_FILE}, with the reason, the
 * structure that was being read and the absolute byte offset where the problem is.
 */
public final class FormatException extends SparqException {
    private static final long serialVersionUID = 1L;

    private final FormatError error;
    private final String location;
    private final long offset;

    public FormatException(FormatError error, String location, long offset, String detail) {
        super(ErrorCode.CORRUPT_FILE, location + " at byte " + offset + ": " + detail + " [" + error + "]");
        this.error = error;
        this.location = location;
        this.offset = offset;
    }

    public FormatError error() {
        return error;
    }

    /** The file and the structure being read, e.g. {@code model.sparq: tensor table entry 3 'lstm.W'}. */
    public String location() {
        return location;
    }

    /** Absolute byte offset in the file where the problem was found. */
    public long offset() {
        return offset;
    }
}
