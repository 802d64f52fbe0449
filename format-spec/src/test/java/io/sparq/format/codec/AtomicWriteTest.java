package io.sparq.format.codec;

import io.sparq.format.ErrorCode;
import io.sparq.format.Graph;
import io.sparq.format.SparqException;
import io.sparq.format.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A failed write leaves neither a partial file nor a temporary file, and an existing file untouched. */
class AtomicWriteTest {
    private static final byte[] OLD = "previous contents".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private static List<String> listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void failureWhileWritingKeepsTheOldFileAndRemovesTheTemporary(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("model.sparq");
        Files.write(target, OLD);
        SparqException e = assertThrows(SparqException.class, () -> SparqWriter.writeAtomically(target, ch -> {
            ch.write(ByteBuffer.wrap(new byte[1000]));
            throw new IOException("disk full");
        }));
        assertEquals(ErrorCode.IO_ERROR, e.code());
        assertArrayEquals(OLD, Files.readAllBytes(target));
        assertEquals(List.of("model.sparq"), listing(dir));

        assertThrows(IllegalStateException.class, () -> SparqWriter.writeAtomically(target, ch -> {
            throw new IllegalStateException("bug");
        }));
        assertArrayEquals(OLD, Files.readAllBytes(target));
        assertEquals(List.of("model.sparq"), listing(dir));
    }

    @Test
    void invalidInputFailsBeforeAnyFileIsCreated(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("model.sparq");
        Graph g = Graphs.ofTensors(Map.of("w", Tensor.ofFloats(new int[] {1}, Float.NaN)));
        assertThrows(SparqException.class, () -> SparqWriter.write(target, g, Map.of("w", EncodingChoice.denseInt8()), Map.of()));
        assertEquals(List.of(), listing(dir));
    }

    @Test
    void successReplacesTheOldFile(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("model.sparq");
        Files.write(target, OLD);
        Graph g = Graphs.ofTensors(Map.of("w", Tensor.ofFloats(new int[] {2}, 1, 2)));
        SparqWriter.write(target, g);
        assertEquals(List.of("model.sparq"), listing(dir));
        Graphs.assertGraphEquals(g, SparqReader.read(target).denseGraph());
    }

    @Test
    void missingFolderIsAnIoError(@TempDir Path dir) {
        Graph g = Graphs.ofTensors(Map.of());
        SparqException e = assertThrows(SparqException.class, () -> SparqWriter.write(dir.resolve("no/such/model.sparq"), g));
        assertEquals(ErrorCode.IO_ERROR, e.code());
        e = assertThrows(SparqException.class, () -> SparqReader.read(dir.resolve("absent.sparq")));
        assertEquals(ErrorCode.IO_ERROR, e.code());
    }
}
