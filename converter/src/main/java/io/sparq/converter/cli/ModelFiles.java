package io.sparq.converter.cli;

import io.sparq.converter.importer.OnnxImporter;
import io.sparq.format.ErrorCode;
import io.sparq.format.Graph;
import io.sparq.format.SparqException;

import java.nio.file.Files;
import java.nio.file.Path;

/** Opens the model files the CLI accepts. */
final class ModelFiles {
    private ModelFiles() {
    }

    /** Reads a model into the graph IR; the format follows the file name's extension. */
    static Graph load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new SparqException(ErrorCode.IO_ERROR, "cannot read model " + file
                    + (Files.exists(file) ? ": not a regular file" : ": no such file"));
        }
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (name.endsWith(".sparq")) {
            throw new SparqException(ErrorCode.UNSUPPORTED_MODEL, file
                    + ": reading .sparq files is not available in this version; pass the .onnx model");
        }
        return OnnxImporter.load(file);
    }
}
