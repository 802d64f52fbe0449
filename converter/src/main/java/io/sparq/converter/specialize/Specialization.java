package io.sparq.converter.specialize;

import io.sparq.format.ErrorCode;
import io.sparq.format.SparqException;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Graph inputs fixed for one conversion: inputs given a value (which stop being inputs) and inputs
 * given a shape (fixed sizes, or symbolic names such as {@code batch}). Values and shapes are kept
 * as text until {@link GraphSpecializer} reads them against the graph's declared types.
 *
 * @param values per input name, the value: a number, or comma-separated numbers for a 1-D input
 * @param shapes per input name, the dimensions: sizes or symbolic names, e.g. {@code [batch, 576]}
 */
public record Specialization(Map<String, String> values, Map<String, List<String>> shapes) {
    public Specialization {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        Map<String, List<String>> s = new LinkedHashMap<>();
        shapes.forEach((k, v) -> s.put(k, List.copyOf(v)));
        shapes = Collections.unmodifiableMap(s);
        for (String name : values.keySet()) {
            if (shapes.containsKey(name)) {
                throw new SparqException(ErrorCode.INVALID_ARGUMENT, "input '" + name
                        + "' is given both a value and a shape; a fixed value has the shape of the value");
            }
        }
    }

    /** Nothing fixed. */
    public static Specialization none() {
        return new Specialization(Map.of(), Map.of());
    }

    public boolean isEmpty() {
        return values.isEmpty() && shapes.isEmpty();
    }

    /**
     * Reads {@code NAME=VALUE} texts (e.g. {@code sr=16000}) and {@code NAME=D0,D1,...} texts
     * (e.g. {@code input=batch,576}).
     */
    public static Specialization parse(List<String> values, List<String> shapes) {
        Map<String, String> v = new LinkedHashMap<>();
        for (String text : values) {
            String[] kv = split(text, "value", "sr=16000");
            if (v.put(kv[0], kv[1]) != null) {
                throw new SparqException(ErrorCode.INVALID_ARGUMENT, "input '" + kv[0] + "' is given two values");
            }
        }
        Map<String, List<String>> s = new LinkedHashMap<>();
        for (String text : shapes) {
            String[] kv = split(text, "shape", "input=batch,576");
            List<String> dims = kv[1].equals("scalar") ? List.of()
                    : List.of(kv[1].split(",", -1)).stream().map(String::trim).toList();
            if (dims.stream().anyMatch(String::isEmpty) || s.put(kv[0], dims) != null) {
                throw new SparqException(ErrorCode.INVALID_ARGUMENT, "bad or repeated input shape '" + text
                        + "'; expected NAME=D0,D1,... with sizes or symbolic names, e.g. input=batch,576");
            }
        }
        return new Specialization(v, s);
    }

    private static String[] split(String text, String what, String example) {
        int eq = text.indexOf('=');
        if (eq <= 0 || eq == text.length() - 1) {
            throw new SparqException(ErrorCode.INVALID_ARGUMENT, "input " + what + " '" + text
                    + "' is not NAME=" + what.toUpperCase(java.util.Locale.ROOT) + ", e.g. " + example);
        }
        return new String[] {text.substring(0, eq).trim(), text.substring(eq + 1).trim()};
    }

    /** How the conversion report and file metadata show it: {@code sr=16000; input=[batch, 576]}. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        values.forEach((k, v) -> b.append(b.length() > 0 ? "; " : "").append(k).append('=').append(v));
        shapes.forEach((k, v) -> b.append(b.length() > 0 ? "; " : "").append(k).append('=').append(v));
        return b.toString();
    }
}
