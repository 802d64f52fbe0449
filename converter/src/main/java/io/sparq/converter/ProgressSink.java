package io.sparq.converter;

/** Receives how far a long piece of work has come, in units of the work's choosing (bytes, tensors, phases). */
@FunctionalInterface
public interface ProgressSink {
    /** Ignores every update. */
    ProgressSink NONE = (done, total) -> { };

    /** {@code done} of {@code total} units are finished; called with {@code done == total} at the end. */
    void update(long done, long total);
}
