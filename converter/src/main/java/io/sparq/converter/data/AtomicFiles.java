package io.sparq.converter.data;

import io.sparq.format.ErrorCode;
import io.sparq.format.SparqException;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.ThreadLocalRandom;

/** Writes a file through a temporary sibling and a final move, so a failure leaves no half-written file. */
public final class AtomicFiles {
    /** Produces the file's bytes. */
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    private AtomicFiles() {
    }

    /**
     * Checks up front that {@code target} can be written: its folder exists and is writable, and
     * it is not itself a folder. Long work (fine-tuning) calls this first, so a typo in the output
     * path fails at once instead of at the end.
     *
     * @throws SparqException IO_ERROR naming the path and what is wrong
     */
    public static void requireWritable(Path target) {
        Path absolute = target.toAbsolutePath();
        Path folder = absolute.getParent();
        String problem = folder == null ? "it has no parent folder"
                : !Files.isDirectory(folder) ? "folder " + folder + " does not exist"
                : !Files.isWritable(folder) ? "folder " + folder + " is not writable"
                : Files.isDirectory(absolute) ? "it is a folder"
                : Files.exists(absolute) && !Files.isWritable(absolute) ? "the file exists and is read-only"
                : null;
        if (problem != null) {
            throw new SparqException(ErrorCode.IO_ERROR, "cannot write " + target + ": " + problem);
        }
    }

    /** Writes {@code target} whole or not at all; I/O failures are IO_ERROR naming the file. */
    public static void write(Path target, Content content) {
        try (Staged staged = stage(target, content)) {
            staged.commit();
        }
    }

    /**
     * Writes {@code content} to a temporary sibling of {@code target} and leaves it there until
     * {@link Staged#commit}; closing without committing deletes it. Lets several files appear
     * together: stage all, then commit all, so a failure before the commits leaves every target
     * as it was.
     */
    public static Staged stage(Path target, Content content) {
        Path absolute = target.toAbsolutePath();
        // a sibling, so the final move stays within one file system and can be atomic
        Path temp = absolute.resolveSibling("." + absolute.getFileName() + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        Staged staged = new Staged(target, absolute, temp);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(temp,
                java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE), 1 << 16)) {
            content.writeTo(out);
        } catch (IOException e) {
            staged.close();
            throw new SparqException(ErrorCode.IO_ERROR, target + ": cannot write: " + e, e);
        } catch (RuntimeException | Error e) {
            staged.close();
            throw e;
        }
        return staged;
    }

    /** A file written to its temporary sibling, waiting to replace its target. */
    public static final class Staged implements AutoCloseable {
        private final Path target;
        private final Path absolute;
        private final Path temp;
        private boolean done;

        private Staged(Path target, Path absolute, Path temp) {
            this.target = target;
            this.absolute = absolute;
            this.temp = temp;
        }

        /** Moves the file into place, atomically where the file system allows. */
        public void commit() {
            try {
                try {
                    Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING);
                }
                done = true;
            } catch (IOException e) {
                throw new SparqException(ErrorCode.IO_ERROR, target + ": cannot write: " + e, e);
            }
        }

        /** Deletes the temporary file unless it was committed. */
        @Override
        public void close() {
            if (!done) {
                done = true;
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // the failure that led here is the one worth reporting
                }
            }
        }
    }
}
