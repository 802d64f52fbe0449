package io.sparq.converter.importer;

import io.sparq.format.ErrorCode;
import io.sparq.format.SparqException;
import onnx.Onnx.ModelProto;
import onnx.Onnx.OperatorSetIdProto;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.onnx.CheckerContext;
import org.bytedeco.onnx.LexicalScopeContext;
import org.bytedeco.onnx.StringIntMap;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The official ONNX model checker (ONNX 1.17 through the JavaCPP presets), whose native library
 * is loaded on first use so that code which never imports a model never pays for it.
 *
 * <p>A model newer than the checker knows (IR 11..14, opsets 23..28: onnx 1.18..1.23) is checked
 * as a copy declaring the checker's newest IR version and opset; sparq's own validation (import,
 * {@link OnnxImporter#checkSupported}, the runtime's per-op checks) covers what that copy cannot show.
 */
final class OnnxChecker {
    /** Newest IR version the bundled checker reads. */
    static final int CHECKER_IR_VERSION = 10;
    /** Newest ai.onnx opset the bundled checker has operator schemas for. */
    static final int CHECKER_OPSET = 22;
    /** Newest IR version sparq reads: that of onnx 1.23 ({@code onnx.IR_VERSION}). */
    static final int MAX_IR_VERSION = 14;
    /**
     * Newest ai.onnx opset sparq reads: that of onnx 1.23. Opsets 23..28 changed no operator sparq
     * implements except by adding element types sparq has no representation for (float4/6/8, int2/4,
     * refused at import) and attributes that only act on them (Cast's round_mode, Range's stash_type).
     */
    static final int MAX_OPSET = 28;

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
            throw checkerError(e);
        }
    }

    /**
     * Checks {@code model}, read from {@code file}: by path when the bundled checker knows its
     * versions, otherwise as a copy declaring {@link #CHECKER_IR_VERSION} and ai.onnx opsets of at
     * most {@link #CHECKER_OPSET}, with external data still resolved in the file's folder.
     *
     * @return null, or one line saying the model was checked as such a copy
     * @throws SparqException as {@link #check(Path)}
     */
    static String check(Path file, ModelProto model) {
        long opset = OnnxImporter.aiOnnxOpset(model);
        if (model.getIrVersion() <= CHECKER_IR_VERSION && opset <= CHECKER_OPSET) {
            check(file);
            return null;
        }
        requireNatives();
        ModelProto.Builder copy = model.toBuilder().setIrVersion(CHECKER_IR_VERSION);
        for (OperatorSetIdProto.Builder o : copy.getOpsetImportBuilderList()) {
            if (OnnxImporter.isAiOnnx(o.getDomain())) {
                o.setVersion(Math.min(o.getVersion(), CHECKER_OPSET));
            }
        }
        byte[] bytes = copy.build().toByteArray();
        String folder = file.toAbsolutePath().getParent().toString();
        // check_model(ModelProto) would resolve external data against the working directory, so the
        // copy goes through the steps check_model(path) takes, with the model's folder set
        try (org.bytedeco.onnx.ModelProto proto = new org.bytedeco.onnx.ModelProto();
             BytePointer data = new BytePointer(bytes);
             CheckerContext ctx = new CheckerContext();
             StringIntMap opsets = new StringIntMap();
             LexicalScopeContext scope = new LexicalScopeContext()) {
            if (!proto.ParseFromArray(data, bytes.length)) {
                throw new SparqException(ErrorCode.INTERNAL, "the ONNX checker cannot parse a copy of the model");
            }
            ctx.set_ir_version(CHECKER_IR_VERSION);
            copy.getOpsetImportList().forEach(o -> opsets.put(new BytePointer(o.getDomain(), StandardCharsets.UTF_8),
                    (int) o.getVersion()));
            ctx.set_opset_imports(opsets);
            ctx.set_model_dir(new BytePointer(folder, StandardCharsets.UTF_8));
            org.bytedeco.onnx.global.onnx.check_graph(proto.graph(), ctx, scope);
            org.bytedeco.onnx.global.onnx.check_model_local_functions(proto, ctx, scope);
        } catch (SparqException e) {
            throw e;
        } catch (RuntimeException e) {
            throw checkerError(e);
        }
        return "IR " + model.getIrVersion() + " / opset " + opset + " is newer than the bundled ONNX checker (1.17) knows:"
                + " it checked the model as IR " + CHECKER_IR_VERSION + " / opset " + Math.min(opset, CHECKER_OPSET)
                + ", sparq's own validation covers the rest";
    }

    private static SparqException checkerError(RuntimeException e) {
        // JavaCPP turns the checker's C++ ValidationError into a RuntimeException; its text spans lines
        String message = e.getMessage() == null ? e.toString() : e.getMessage().strip().replaceAll("\\s+", " ");
        return new SparqException(ErrorCode.INVALID_MODEL, "ONNX checker: " + message, e);
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
