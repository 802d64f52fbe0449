package io.sparq.converter.importer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ONNX conformance cases in {@code -Dsparq.conformance.dir}: missing or empty fails, never skips. */
final class ConformanceCases {
    private ConformanceCases() {
    }

    /** Every case folder (one holding a model.onnx), sorted by name. */
    static List<Path> all() {
        String property = System.getProperty("sparq.conformance.dir");
        assertNotNull(property, "system property sparq.conformance.dir is not set (the root pom sets it)");
        Path dir = Path.of(property);
        assertTrue(Files.isDirectory(dir), "conformance folder " + dir.toAbsolutePath() + " does not exist");
        List<Path> cases = list(dir).filter(c -> Files.isRegularFile(c.resolve("model.onnx"))).toList();
        assertFalse(cases.isEmpty(), "conformance folder " + dir.toAbsolutePath() + " holds no case with a model.onnx");
        return cases;
    }

    /** The test_data_set_* folders of a case. */
    static List<Path> dataSets(Path caseDir) {
        List<Path> sets = list(caseDir).filter(p -> p.getFileName().toString().startsWith("test_data_set_")).toList();
        assertFalse(sets.isEmpty(), caseDir + " has no test_data_set_* folder");
        return sets;
    }

    /** {@code prefix_0.pb, prefix_1.pb, ...} of a data set, in index order. */
    static List<Path> numbered(Path dataSet, String prefix) {
        return list(dataSet).filter(p -> p.getFileName().toString().matches(prefix + "_\\d+\\.pb"))
                .sorted(Comparator.comparingInt(p -> index(p, prefix))).toList();
    }

    private static int index(Path p, String prefix) {
        String name = p.getFileName().toString();
        return Integer.parseInt(name.substring(prefix.length() + 1, name.length() - ".pb".length()));
    }

    private static Stream<Path> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
