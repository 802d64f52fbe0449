package io.sparq.format;

/** Every way sparq can refuse work; each {@link SparqException} carries exactly one. */
public enum ErrorCode {
    /** A caller passed a bad argument: wrong input name, shape or data type. */
    INVALID_ARGUMENT,
    /** The model is malformed: fails the ONNX checker, dangling names, bad attributes. */
    INVALID_MODEL,
    /** The model is well formed but uses operators or features sparq does not run. */
    UNSUPPORTED_MODEL,
    /** A file is unreadable as what it claims to be (truncated, wrong magic, bad CRC). */
    CORRUPT_FILE,
    /** Reading or writing a file failed at the operating-system level. */
    IO_ERROR,
    /** The user stopped the work (Ctrl-C) before it finished; nothing was written. */
    CANCELLED,
    /** Something that should be impossible happened; a bug in sparq. */
    INTERNAL
}
