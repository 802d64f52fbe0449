package io.sparq.converter.quantize;

import io.sparq.format.ErrorCode;
import io.sparq.format.SparqException;
import io.sparq.format.codec.ValueFormat;

import java.util.Arrays;
import java.util.Locale;

/**
 * How weight values are stored: as float32, IEEE binary16, or symmetric int8 / int4 codes with f32
 * scales (quantization scheme 1 of SPEC.md §6.1: {@code s = max|x| / maxCode}, {@code q = rint(x / s)}).
 *
 * <p>int8 has one scale per output row (row of the stored matrix). int4 has one scale per group of
 * {@code G} consecutive values of a row when stored densely; a sparse int4 tensor has one scale per
 * row, as the format defines. Only stored (kept) values are quantized: a pruned zero stays an exact
 * zero, because sparse encodings do not store it and a dense one codes it as 0.
 */
public enum QuantizeMode {
    /** Float32 values, lossless. */
    NONE(ValueFormat.NATIVE),
    /** IEEE binary16 values (about 3 significant digits). */
    F16(ValueFormat.F16),
    /** Symmetric int8 codes in [-127, 127], one scale per row. */
    INT8(ValueFormat.INT8),
    /** Symmetric int4 codes in [-7, 7], one scale per group of values (dense) or per row (sparse). */
    INT4(ValueFormat.INT4);

    private final ValueFormat values;

    QuantizeMode(ValueFormat values) {
        this.values = values;
    }

    /** The value format stored tensors get. */
    public ValueFormat valueFormat() {
        return values;
    }

    /** Lower-case name as used on the command line, e.g. {@code int8}. */
    public String displayName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a command-line value ({@code none}, {@code f16}, {@code int8}, {@code int4}), ignoring case. */
    public static QuantizeMode parse(String text) {
        for (QuantizeMode m : values()) {
            if (m.displayName().equalsIgnoreCase(text.trim())) {
                return m;
            }
        }
        throw new SparqException(ErrorCode.INVALID_ARGUMENT, "unknown quantization '" + text + "', expected one of "
                + Arrays.stream(values()).map(QuantizeMode::displayName).toList());
    }
}
