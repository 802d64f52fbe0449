package io.sparq.format;

/** The one exception type sparq throws for bad models, files and arguments. */
public class SparqException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    public SparqException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public SparqException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    /** Throws {@code INVALID_MODEL} with the message unless the condition holds. */
    public static void require(boolean condition, String message) {
        if (!condition) {
            throw new SparqException(ErrorCode.INVALID_MODEL, message);
        }
    }
}
