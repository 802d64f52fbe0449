package io.sparq.converter.cli;

import io.sparq.converter.importer.GraphNormalizer;
import io.sparq.converter.importer.OnnxImporter;
import io.sparq.format.ErrorCode;
import io.sparq.format.Graph;
import io.sparq.format.SparqException;
import io.sparq.format.codec.EncodedTensor;
import io.sparq.format.codec.SparqFile;
import io.sparq.format.codec.SparqFormat;
import io.sparq.format.codec.MetaValue;
import io.sparq.format.codec.SparqReader;
import io.sparq.runtime.api.Model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/** Opens the model files the CLI accepts. */
final class ModelFiles {
    private ModelFiles() {
    }

    /**
     * A model file as read: the graph with dense initializers, and for a {@code .sparq} file the
     * tensors as stored and the file's metadata (both empty for ONNX).
     */
    record Opened(Graph graph, Map<String, EncodedTensor> stored, Map<String, MetaValue> metadata) {
        /** A metadata string, or null when absent or not a string. */
        String text(String key) {
            MetaValue v = metadata.get(key);
            return v != null && v.value() instanceof String s ? s : null;
        }
    }

    /** Reads a {@code .sparq} or ONNX model into the graph IR; the file's first bytes tell which. */
    static Graph load(Path file) {
        return open(file).graph();
    }

    /** As {@link #load}, keeping the stored form of a {@code .sparq} file's tensors. */
    static Opened open(Path file) {
        requireFile(file);
        if (isSparq(file)) {
            SparqFile sparq = SparqReader.read(file);
            return new Opened(sparq.denseGraph(), sparq.tensors(), sparq.metadata());
        }
        return new Opened(importOnnx(file), Map.of(), Map.of());
    }

    /**
     * A model ready to run in runtime-lite: a {@code .sparq} file with its weights in their stored
     * encodings ({@link Model#load}), an ONNX file through the importer.
     */
    static Model model(Path file) {
        requireFile(file);
        return isSparq(file) ? Model.load(file) : Model.fromGraph(importOnnx(file));
    }

    /**
     * An ONNX model as the converter sees it: imported, then normalized (constants folded, the
     * batch axis named, static batch sizes generalized), so it runs at the sizes its conversion does.
     */
    static Graph importOnnx(Path file) {
        return GraphNormalizer.normalize(OnnxImporter.load(file), Map.of()).graph();
    }

    static void requireFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new SparqException(ErrorCode.IO_ERROR, "cannot read model " + file
                    + (Files.exists(file) ? ": not a regular file" : ": no such file"));
        }
    }

    /**
     * Whether to read the file as {@code .sparq}: its first bytes are the magic, or its name says so
     * (then the reader names what the bytes are instead of an ONNX parser failing on them).
     */
    static boolean isSparq(Path file) {
        if (file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".sparq")) {
            return true;
        }
        byte[] magic = SparqFormat.magic();
        byte[] head = new byte[magic.length];
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(head, 0, head.length) == head.length && Arrays.equals(head, magic);
        } catch (IOException e) {
            throw new SparqException(ErrorCode.IO_ERROR, "cannot read model " + file + ": " + e.getMessage(), e);
        }
    }
}
