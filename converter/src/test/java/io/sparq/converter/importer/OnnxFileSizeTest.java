package io.sparq.converter.importer;

import io.sparq.format.ErrorCode;
import onnx.Onnx.ModelProto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.sparq.converter.importer.OnnxModels.external;
import static io.sparq.converter.importer.OnnxModels.littleEndian;
import static io.sparq.converter.importer.OnnxModels.node;
import static io.sparq.converter.importer.OnnxModels.tensorAttribute;
import static io.sparq.converter.importer.OnnxModels.write;
import static io.sparq.converter.importer.OnnxTensorsTest.assertFails;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The source size that size comparisons use: the .onnx file and each external data file it names, once. */
class OnnxFileSizeTest {
    @TempDir
    Path dir;

    @Test
    void countsEveryExternalDataFileOnceWhereverItIsNamed() throws IOException {
        Path shared = write(dir.resolve("m/weights/w.bin"), littleEndian(16, 1, 2, 3, 4, 5, 6, -7, 8));
        Path constant = write(dir.resolve("m/c.bin"), littleEndian(0, 1, 2));
        ModelProto m = OnnxModels.relu().toBuilder().setGraph(OnnxModels.relu().getGraph().toBuilder()
                .addInitializer(external("w", new long[] {2, 3}, "weights/w.bin", 16L, 24L))
                .addInitializer(external("b", new long[] {2}, "weights/w.bin", 40L, null))
                .addNode(node("c", "Constant", List.of(), List.of("c_out"),
                        tensorAttribute("value", external("c", new long[] {2}, "c.bin", null, null))))).build();
        Path onnx = write(dir.resolve("m"), "model.onnx", m);
        assertEquals(List.of(onnx, shared.toAbsolutePath(), constant.toAbsolutePath()), OnnxFileSize.files(onnx));
        assertEquals(Files.size(onnx) + Files.size(shared) + Files.size(constant), OnnxFileSize.of(onnx));
        assertEquals("model.onnx + 2 data files", OnnxFileSize.describe(OnnxFileSize.files(onnx)));
    }

    @Test
    void aModelWithoutExternalDataIsItsFile() throws IOException {
        Path onnx = write(dir, "relu.onnx", OnnxModels.relu());
        assertEquals(Files.size(onnx), OnnxFileSize.of(onnx));
        assertEquals("relu.onnx", OnnxFileSize.describe(OnnxFileSize.files(onnx)));
    }

    @Test
    void locationsOutsideTheFolderOrMissingAreNotCounted() throws IOException {
        write(dir.resolve("secret.bin"), littleEndian(0, 1, 2));
        ModelProto m = OnnxModels.relu().toBuilder().setGraph(OnnxModels.relu().getGraph().toBuilder()
                .addInitializer(external("a", new long[] {2}, "../secret.bin", null, null))
                .addInitializer(external("b", new long[] {2}, "absent.bin", null, null))).build();
        Path onnx = write(dir.resolve("m"), "model.onnx", m);
        assertEquals(Files.size(onnx), OnnxFileSize.of(onnx));
    }

    @Test
    void aFileThatIsNotOnnxIsCorrupt() {
        Path junk = write(dir.resolve("junk.onnx"), new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff});
        assertFails(ErrorCode.CORRUPT_FILE, () -> OnnxFileSize.of(junk));
    }
}
