package io.sparq.converter.data;

import io.sparq.format.ErrorCode;
import io.sparq.format.SparqException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Files appear whole or not at all; staged files wait beside their targets until committed. */
class AtomicFilesTest {
    @TempDir
    Path tmp;

    @Test
    void aFailingWriterLeavesThePreviousFileAndNoTemporary() throws IOException {
        Path target = tmp.resolve("out.bin");
        Files.writeString(target, "previous");
        assertThrows(IllegalStateException.class, () -> AtomicFiles.write(target, out -> {
            out.write("half".getBytes());
            throw new IllegalStateException("disk full, say");
        }));
        assertEquals("previous", Files.readString(target));
        assertEquals(List.of(target), listing());
    }

    @Test
    void stagedFilesReplaceTheirTargetsOnlyWhenCommitted() throws IOException {
        Path a = tmp.resolve("a.onnx");
        Path b = tmp.resolve("b.sparq");
        Files.writeString(a, "old a");
        try (AtomicFiles.Staged staged = AtomicFiles.stage(a, out -> out.write("new a".getBytes()))) {
            assertEquals("old a", Files.readString(a), "not before the commit");
            // the second output fails: the first is not committed, so both targets stay as they were
            assertThrows(SparqException.class, () -> AtomicFiles.write(tmp.resolve("missing/b.sparq"), out -> { }));
        }
        assertEquals("old a", Files.readString(a));
        assertEquals(List.of(a), listing(), "the staged temporary is gone");

        try (AtomicFiles.Staged staged = AtomicFiles.stage(a, out -> out.write("new a".getBytes()))) {
            AtomicFiles.write(b, out -> out.write("b".getBytes()));
            staged.commit();
        }
        assertEquals("new a", Files.readString(a));
        assertEquals("b", Files.readString(b));
        assertEquals(List.of(a, b), listing());
    }

    @Test
    void requireWritableNamesWhatIsWrong() throws IOException {
        SparqException missing = assertThrows(SparqException.class, () -> AtomicFiles.requireWritable(tmp.resolve("no/x")));
        assertEquals(ErrorCode.IO_ERROR, missing.code());
        assertEquals("cannot write " + tmp.resolve("no/x") + ": folder " + tmp.resolve("no") + " does not exist",
                missing.getMessage());
        Files.createDirectory(tmp.resolve("dir"));
        assertEquals("cannot write " + tmp.resolve("dir") + ": it is a folder",
                assertThrows(SparqException.class, () -> AtomicFiles.requireWritable(tmp.resolve("dir"))).getMessage());
        AtomicFiles.requireWritable(tmp.resolve("fine.sparq"));
    }

    private List<Path> listing() throws IOException {
        try (var files = Files.list(tmp)) {
            return files.filter(Files::isRegularFile).sorted().toList();
        }
    }
}
