package io.sparq.converter.data;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.sparq.format.ErrorCode;
import io.sparq.format.SparqException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Coverage-guided fuzzing of the {@code .npy} and {@code .npz} readers: any bytes are read or
 * rejected with a {@link SparqException} whose code says the file is corrupt, unsupported or too
 * large for a tensor; never another exception, an OutOfMemoryError or a hang. Each input is read
 * as a {@code .npy} stream, as a {@code .npy} file and as a {@code .npz} archive.
 */
class NumpyFilesFuzzTest {
    /** What the readers document for bad bytes; IO_ERROR would misreport corrupt data as an OS failure. */
    private static final Set<ErrorCode> REJECTIONS =
            EnumSet.of(ErrorCode.CORRUPT_FILE, ErrorCode.UNSUPPORTED_MODEL, ErrorCode.INVALID_ARGUMENT);

    private static Path dir;

    @BeforeAll
    static void createDir() throws IOException {
        dir = Files.createTempDirectory("sparq-npy-fuzz");
    }

    @AfterAll
    static void deleteDir() throws IOException {
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    @FuzzTest(maxDuration = "10s")
    void readsOrRejects(byte[] data) {
        readOrReject(() -> Npy.read(new ByteArrayInputStream(data), "stream"));
        Path file = dir.resolve("input");
        try {
            Files.write(file, data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        readOrReject(() -> Npy.read(file));
        readOrReject(() -> Npz.read(file));
    }

    private static void readOrReject(Runnable read) {
        try {
            read.run();
        } catch (SparqException e) {
            assertTrue(REJECTIONS.contains(e.code()), () -> "rejected with " + e.code() + ": " + e.getMessage());
        }
    }
}
