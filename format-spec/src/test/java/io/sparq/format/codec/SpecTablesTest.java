package io.sparq.format.codec;

import io.sparq.format.Attribute;
import io.sparq.format.DataType;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The code tables of SPEC.md are the enums that the writer and reader use: every table row's
 * leading columns are generated from the enum and must match, row for row, in order.
 */
class SpecTablesTest {
    private static List<String> spec() throws IOException {
        Path spec = Path.of("SPEC.md");
        assertTrue(Files.isRegularFile(spec), "run from the format-spec folder: " + spec.toAbsolutePath());
        return Files.readAllLines(spec);
    }

    /** Rows of the table whose header line is {@code header}, each cut to its first {@code columns} cells. */
    private static List<String> rows(String header, int columns) throws IOException {
        List<String> lines = spec();
        int at = lines.indexOf(header);
        assertTrue(at >= 0, "SPEC.md has no table with header " + header);
        List<String> rows = new ArrayList<>();
        for (int i = at + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            String[] cells = lines.get(i).split("\\|");
            rows.add(Arrays.stream(cells, 1, 1 + columns).map(String::trim).collect(Collectors.joining(" | ")));
        }
        return rows;
    }

    @Test
    void encodings() throws IOException {
        assertEquals(Arrays.stream(Encoding.values())
                        .map(e -> e.code() + " | `" + e.displayName() + "` | "
                                + e.parts().stream().map(p -> p.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", ")))
                        .toList(),
                rows("| code | encoding | arrays, in order |", 3));
    }

    @Test
    void valueFormats() throws IOException {
        assertEquals(Arrays.stream(ValueFormat.values())
                        .map(v -> v.code() + " | `" + v.displayName() + "` | " + v.maxCode()).toList(),
                rows("| code | values | max code | bytes for m values | scales |", 3));
    }

    @Test
    void indexFormats() throws IOException {
        assertEquals(Arrays.stream(IndexFormat.values())
                        .map(f -> f.code() + " | `" + f.displayName() + "` | " + f.width()).toList(),
                rows("| code | index | bytes | meaning |", 3));
    }

    @Test
    void sectionKinds() throws IOException {
        assertEquals(Arrays.stream(SectionKind.values()).map(k -> k.code() + " | `" + k.name() + "`").toList(),
                rows("| code | section | holds |", 2));
    }

    @Test
    void metadataTypes() throws IOException {
        assertEquals(Arrays.stream(MetaValue.Type.values()).map(t -> t.code() + " | `" + t.name() + "`").toList(),
                rows("| code | type | value |", 2));
    }

    @Test
    void attributeKinds() throws IOException {
        assertEquals(Arrays.stream(Attribute.Kind.values()).map(k -> GraphCodec.kindCode(k) + " | `" + k.name() + "`").toList(),
                rows("| code | kind | value |", 2));
    }

    @Test
    void dataTypes() throws IOException {
        assertEquals(Arrays.stream(DataType.values()).map(t -> t.onnxCode() + " | `" + t.displayName() + "` | " + t.byteSize()).toList(),
                rows("| code | dtype | bytes per element (native) |", 3));
    }

    @Test
    void blockSizes() throws IOException {
        String spec = String.join("\n", spec());
        for (Encoding e : Encoding.values()) {
            for (ValueFormat v : ValueFormat.values()) {
                int[] sizes = TensorLayout.allowedBlockSizes(e, v);
                if (sizes.length > 1) {
                    String set = Arrays.stream(sizes).mapToObj(Integer::toString).collect(Collectors.joining(", ", "{", "}"));
                    assertTrue(spec.contains(set), "SPEC.md should list block sizes " + set + " for " + e + "/" + v);
                }
            }
        }
    }

    @Test
    void limits() throws IOException {
        String spec = String.join("\n", spec());
        assertTrue(spec.contains("| sections | " + SparqFormat.MAX_SECTIONS + " |"));
        assertTrue(spec.contains("| tensor rank, value-info rank | " + SparqFormat.MAX_RANK + " |"));
        assertTrue(spec.contains("| tensors in a file | 2^" + Integer.numberOfTrailingZeros(SparqFormat.MAX_TENSORS) + " |"));
        assertTrue(spec.contains("| " + SparqFormat.MAX_NAME_BYTES + " bytes of UTF-8 |"));
        assertTrue(spec.contains("| METADATA section | " + (SparqFormat.MAX_METADATA_BYTES >> 20) + " MiB |"));
        assertTrue(spec.contains("| subgraph nesting | " + SparqFormat.MAX_GRAPH_DEPTH + " |"));
        assertEquals(1 << 20, SparqFormat.MAX_STRING_BYTES, "SPEC.md says 1 MiB");
        assertTrue(spec.contains("# The `.sparq` file format, version " + SparqFormat.MAJOR_VERSION + "." + SparqFormat.MINOR_VERSION));
        assertTrue(spec.contains("This document defines scheme **" + SparqFormat.QUANT_SCHEME_VERSION + "**"));
    }
}
