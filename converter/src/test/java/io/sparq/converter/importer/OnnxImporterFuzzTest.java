package io.sparq.converter.importer;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.sparq.format.ErrorCode;
import io.sparq.format.Graph;
import io.sparq.format.SparqException;
import io.sparq.runtime.api.Model;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * Coverage-guided fuzzing of the ONNX import path as the converter uses it: read, check (the
 * official ONNX checker), convert to the graph IR, check every operator is supported, compile
 * for runtime-lite. Any bytes end in a graph or a {@link SparqException} that blames the model or
 * the file; never {@code INTERNAL}, another exception, an OutOfMemoryError or a hang.
 */
class OnnxImporterFuzzTest {
    private static Path dir;

    @BeforeAll
    static void createDir() throws IOException {
        dir = Files.createTempDirectory("sparq-onnx-fuzz");
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
    void importsOrRejects(byte[] data) {
        Path file = dir.resolve("model.onnx");
        try {
            Files.write(file, data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            Graph graph = OnnxImporter.load(file);
            OnnxImporter.checkSupported(graph);
            Model.fromGraph(graph);
        } catch (SparqException e) {
            assertNotEquals(ErrorCode.INTERNAL, e.code(), e::getMessage);
        }
    }
}
