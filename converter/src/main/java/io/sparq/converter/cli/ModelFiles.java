package io.sparq.converter.cli;

import io.sparq.converter.importer.OnnxImporter;
import io.sparq.format.ErrorCode;
import io.sparq.format.Graph;
import io.sparq.format.SparqException;
import io.sparq.format.codec.SparqFormat;
import io.sparq.format.codec.SparqReader;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** Opens the model files the CLI accepts. */
final class ModelFiles {
    private ModelFiles() {
    }

    /** Reads a {@code .sparq} or ONNX model into the graph IR; the file's first bytes tell which. */
    static Graph load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new SparqException(ErrorCode.IO_ERROR, "cannot read model " + file
                    + (Files.exists(file) ? ": not a regular file" : ": no such file"));
        }
        return isSparq(file) ? SparqReader.read(file).denseGraph() : OnnxImporter.load(file);
    }

    private static boolean isSparq(Path file) {
        byte[] magic = SparqFormat.magic();
        byte[] head = new byte[magic.length];
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(head, 0, head.length) == head.length && Arrays.equals(head, magic);
        } catch (IOException e) {
            throw new SparqException(ErrorCode.IO_ERROR, "cannot read model " + file + ": " + e.getMessage(), e);
        }
    }
}
