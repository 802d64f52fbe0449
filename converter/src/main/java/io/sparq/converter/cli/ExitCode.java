package io.sparq.converter.cli;

import io.sparq.format.ErrorCode;

/** Process exit codes of the {@code sparq} command, as documented in {@code sparq --help}. */
public final class ExitCode {
    /** The command did what was asked. */
    public static final int OK = 0;
    /** The command failed: unreadable or invalid model, I/O error, internal error. */
    public static final int FAILURE = 1;
    /** Bad command line, or input data that does not fit the model (name, dtype, shape). */
    public static final int USAGE = 2;
    /** The model is valid ONNX but uses operators or features sparq does not support. */
    public static final int UNSUPPORTED = 3;
    /** Stopped by Ctrl-C (SIGINT) before the work finished: 128 + 2, as shells report it. */
    public static final int CANCELLED = 130;

    private ExitCode() {
    }

    /** The exit code for a failure with the given error code. */
    public static int of(ErrorCode code) {
        switch (code) {
            case INVALID_ARGUMENT: return USAGE;
            case UNSUPPORTED_MODEL: return UNSUPPORTED;
            case CANCELLED: return CANCELLED;
            default: return FAILURE;
        }
    }
}
