package io.sparq.converter.encode;

import io.sparq.converter.Formats;
import io.sparq.format.codec.EncodingChoice;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The encoding of every initializer of a graph (pass {@link #choices()} to
 * {@code SparqWriter.write}) with a per-tensor report.
 */
public record EncodingPlan(Map<String, EncodingChoice> choices, List<TensorReport> tensors) {
    public EncodingPlan {
        choices = Collections.unmodifiableMap(new LinkedHashMap<>(choices));
        tensors = List.copyOf(tensors);
    }

    /** Stored bytes of all initializers under this plan. */
    public long bytes() {
        return tensors.stream().mapToLong(TensorReport::bytes).sum();
    }

    /** Bytes of all initializers stored densely in their own types. */
    public long denseBytes() {
        return tensors.stream().mapToLong(TensorReport::denseBytes).sum();
    }

    /** The report as an aligned text table, one line per tensor, header first; zeros as the planner measured them. */
    public List<String> table() {
        return table(TensorReport::sparsity);
    }

    /**
     * As {@link #table()} with the share of zeros from {@code zeros}: what the written file holds,
     * including kept weights that quantization rounded to zero, so it reads as {@code inspect} does.
     */
    public List<String> table(ToDoubleFunction<TensorReport> zeros) {
        List<String[]> cells = new ArrayList<>();
        cells.add(new String[] {"tensor", "role", "shape", "zeros", "block", "encoding", "bytes", "dense", "max|err|"});
        for (TensorReport t : tensors) {
            cells.add(new String[] {t.name(), t.role(), Arrays.toString(t.shape()),
                Formats.percent(zeros.applyAsDouble(t)),
                t.blockStructure() == 0 ? "-" : "1x" + t.blockStructure(), t.encodingName(),
                Long.toString(t.bytes()), Long.toString(t.denseBytes()),
                String.format(Locale.ROOT, "%.3g", t.maxAbsError())});
        }
        int[] width = new int[cells.get(0).length];
        cells.forEach(row -> {
            for (int c = 0; c < row.length; c++) {
                width[c] = Math.max(width[c], row[c].length());
            }
        });
        List<String> lines = new ArrayList<>();
        for (String[] row : cells) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < row.length; c++) {
                String pad = " ".repeat(width[c] - row[c].length());
                line.append(c == 0 ? "" : "  ").append(c >= 6 ? pad + row[c] : row[c] + pad);
            }
            lines.add(line.toString().stripTrailing());
        }
        return lines;
    }
}
