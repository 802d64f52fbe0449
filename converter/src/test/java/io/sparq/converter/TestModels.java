package io.sparq.converter;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The dense test models of the test-models module, found through {@code -Dsparq.testmodels.dir} (set by the build). */
public final class TestModels {
    private TestModels() {
    }

    /** {@code test-models/models/NAME}, failing the test when the folder is not there. */
    public static Path file(String name) {
        String dir = System.getProperty("sparq.testmodels.dir");
        assertTrue(dir != null && Files.isDirectory(Path.of(dir)), "test models not found: sparq.testmodels.dir=" + dir);
        return Path.of(dir, name);
    }
}
