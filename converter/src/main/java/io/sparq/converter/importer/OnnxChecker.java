package io.sparq.converter.importer;

import io.sparq.format.ErrorCode;
import io.sparq.format.SparqException;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The official ONNX model checker (ONNX 1.17 through the JavaCPP presets), whose native library
 * is loaded on first use so that code which never imports a model never pays for it.
 */
final class OnnxChecker {
    /** Newest IR version the bundled checker reads. */
    static final int MAX_IR_VERSION = 10;
    /** Newest ai.onnx opset the bundled checker has operator schemas for. */
    static final int MAX_OPSET = 22;

    private OnnxChecker() {
    }

    /**
     * Checks the model file at {@code model}; the checker reads it itself so that it can also
     * verify external data files next to it.
     *
     * @throws SparqException {@code INVALID_MODEL} with the checker's message if the model fails,
     *         {@code INTERNAL} if the checker's native library cannot be loaded on this machine
     */
    static void check(Path model) {
        requireNatives();
        // UTF-8, not the platform charset JavaCPP would use, so non-ASCII paths survive a POSIX locale on JDK 17
        try (BytePointer path = new BytePointer(model.toAbsolutePath().toString(), StandardCharsets.UTF_8)) {
            org.bytedeco.onnx.global.onnx.check_model(path, false, false, false);
        } catch (RuntimeException e) {
            // JavaCPP turns the checker's C++ ValidationError into a RuntimeException; its text spans lines
            String message = e.getMessage() == null ? e.toString() : e.getMessage().strip().replaceAll("\\s+", " ");
            throw new SparqException(ErrorCode.INVALID_MODEL, "ONNX checker: " + message, e);
        }
    }

    private static void requireNatives() {
        Throwable failure = Natives.FAILURE;
        if (failure != null) {
            throw new SparqException(ErrorCode.INTERNAL, "cannot run the ONNX checker: its native library"
                    + " (org.bytedeco:onnx, JavaCPP) did not load on " + System.getProperty("os.name") + " "
                    + System.getProperty("os.arch") + "; the class path needs the onnx jar for this platform ("
                    + "classifier such as linux-x86_64). Cause: " + failure, failure);
        }
    }

    /** Loads the natives once; keeps the failure so every later call reports the same cause. */
    private static final class Natives {
        static final Throwable FAILURE = load();

        private static Throwable load() {
            try {
                Loader.load(org.bytedeco.onnx.global.onnx.class);
                return null;
            } catch (LinkageError | RuntimeException e) {
                return e;
            }
        }
    }
}
