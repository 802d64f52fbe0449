package io.sparq.converter;

import io.sparq.format.codec.Encoding;
import io.sparq.format.codec.ValueFormat;

import java.util.Locale;

/**
 * How sparq's reports write shares and storage encodings, so that convert, inspect, schedule and
 * the HTML report print the same tensor the same way.
 */
public final class Formats {
    private Formats() {
    }

    /** A share as a percentage with two decimals, e.g. {@code 90.04%}; {@code -} for NaN (not set). */
    public static String percent(double fraction) {
        return Double.isNaN(fraction) ? "-" : String.format(Locale.ROOT, "%.2f%%", 100 * fraction);
    }

    /**
     * A storage encoding as {@code encoding/values[/block]}, the values named by their type when
     * stored as is: {@code dense/float32}, {@code csr/int8}, {@code block_sparse/int4/8}.
     */
    public static String encoding(Encoding encoding, ValueFormat values, String dtype, int blockSize) {
        String v = values == ValueFormat.NATIVE ? dtype : values.displayName();
        return encoding.displayName() + "/" + v + (blockSize == 0 ? "" : "/" + blockSize);
    }
}
