package io.sparq.runtime.ops;

import io.sparq.format.Attribute;
import io.sparq.format.DataType;
import io.sparq.format.Float16;
import io.sparq.format.Graph;
import io.sparq.format.Node;
import io.sparq.format.Tensor;
import io.sparq.format.ValueInfo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the line-based reference files written by {@code make_reference.py} (format described
 * there) into one-node graphs with their feeds and expected outputs.
 */
final class ReferenceCases {
    private ReferenceCases() {
    }

    /** One reference case: a one-node graph, what to feed it and what it must return. */
    record Case(String name, String op, int opset, String ref, Graph graph, Map<String, Tensor> feeds,
                Map<String, Tensor> expected) {
        @Override
        public String toString() {
            return name + " (" + op + "-" + opset + ", " + ref + ")";
        }
    }

    /** Parses a class-path resource. */
    static List<Case> load(String resource) {
        InputStream in = ReferenceCases.class.getResourceAsStream(resource);
        if (in == null) {
            throw new IllegalStateException("missing test resource " + resource);
        }
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return parse(r.lines().toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Case> parse(List<String> lines) {
        List<Case> cases = new ArrayList<>();
        Builder b = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split(" ");
            try {
                if (f[0].equals("case")) {
                    b = new Builder(f[1]);
                } else if (f[0].equals("end")) {
                    cases.add(b.build());
                    b = null;
                } else {
                    b.add(f);
                }
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("reference line " + (i + 1) + ": " + line, e);
            }
        }
        if (b != null) {
            throw new IllegalArgumentException("reference file ends inside case " + b.name);
        }
        return cases;
    }

    private static final class Builder {
        final String name;
        String op;
        int opset;
        String ref;
        final Map<String, Attribute> attrs = new LinkedHashMap<>();
        final List<String> nodeInputs = new ArrayList<>();
        final List<ValueInfo> graphInputs = new ArrayList<>();
        final Map<String, Tensor> inits = new LinkedHashMap<>();
        final Map<String, Tensor> feeds = new LinkedHashMap<>();
        final Map<String, Tensor> expected = new LinkedHashMap<>();

        Builder(String name) {
            this.name = name;
        }

        void add(String[] f) {
            switch (f[0]) {
                case "op" -> op = f[1];
                case "opset" -> opset = Integer.parseInt(f[1]);
                case "ref" -> ref = f[1];
                case "attr" -> attrs.put(f[1], attribute(f));
                case "input" -> {
                    if (f[1].equals("-")) {
                        nodeInputs.add("");
                    } else {
                        Tensor t = tensor(f, 2);
                        nodeInputs.add(f[1]);
                        graphInputs.add(new ValueInfo(f[1], t.type(), null));
                        feeds.put(f[1], t);
                    }
                }
                case "init" -> {
                    nodeInputs.add(f[1]);
                    inits.put(f[1], tensor(f, 2));
                }
                case "output" -> expected.put(f[1], tensor(f, 2));
                default -> throw new IllegalArgumentException("unknown line kind " + f[0]);
            }
        }

        Case build() {
            Node node = new Node("n", op, "", nodeInputs, List.copyOf(expected.keySet()), attrs);
            List<ValueInfo> outputs = expected.keySet().stream().map(o -> new ValueInfo(o, null, null)).toList();
            Graph g = new Graph(name, graphInputs, outputs, List.of(node), inits, Map.of("", opset), Map.of());
            return new Case(name, op, opset, ref, g, feeds, expected);
        }
    }

    private static Attribute attribute(String[] f) {
        String name = f[1];
        String[] values = Arrays.copyOfRange(f, 3, f.length);
        return switch (f[2]) {
            case "int" -> Attribute.of(name, Long.parseLong(values[0]));
            case "ints" -> Attribute.of(name, Arrays.stream(values).mapToLong(Long::parseLong).toArray());
            case "float" -> Attribute.of(name, parseFloat(values[0]));
            case "floats" -> {
                float[] v = new float[values.length];
                for (int i = 0; i < v.length; i++) {
                    v[i] = parseFloat(values[i]);
                }
                yield Attribute.of(name, v);
            }
            case "tensor" -> Attribute.of(name, tensor(f, 3));
            default -> throw new IllegalArgumentException("unknown attribute kind " + f[2]);
        };
    }

    /** A tensor written as {@code DTYPE [D,...] V...} starting at field {@code at}. */
    static Tensor tensor(String[] f, int at) {
        DataType type = DataType.valueOf(f[at].toUpperCase(Locale.ROOT));
        String dims = f[at + 1].substring(1, f[at + 1].length() - 1);
        int[] shape = dims.isEmpty() ? new int[0] : Arrays.stream(dims.split(",")).mapToInt(Integer::parseInt).toArray();
        Tensor t = Tensor.zeros(type, shape);
        if (f.length - at - 2 != t.size()) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + t.size()
                    + " values, got " + (f.length - at - 2));
        }
        Object data = t.data();
        for (int i = 0; i < t.size(); i++) {
            String v = f[at + 2 + i];
            switch (type) {
                case FLOAT32 -> ((float[]) data)[i] = parseFloat(v);
                case FLOAT64 -> ((double[]) data)[i] = parseDouble(v);
                case FLOAT16 -> ((short[]) data)[i] = Float16.fromFloat((float) parseDouble(v));
                case INT64 -> ((long[]) data)[i] = Long.parseLong(v);
                case INT32 -> ((int[]) data)[i] = Integer.parseInt(v);
                case INT16, UINT16 -> ((short[]) data)[i] = (short) Integer.parseInt(v);
                case INT8, UINT8 -> ((byte[]) data)[i] = (byte) Integer.parseInt(v);
                case BOOL -> ((boolean[]) data)[i] = v.equals("1");
                default -> throw new IllegalArgumentException("type " + type);
            }
        }
        return t;
    }

    private static float parseFloat(String v) {
        return switch (v) {
            case "nan" -> Float.NaN;
            case "inf" -> Float.POSITIVE_INFINITY;
            case "-inf" -> Float.NEGATIVE_INFINITY;
            default -> Float.parseFloat(v);
        };
    }

    private static double parseDouble(String v) {
        return switch (v) {
            case "nan" -> Double.NaN;
            case "inf" -> Double.POSITIVE_INFINITY;
            case "-inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(v);
        };
    }

    /**
     * Null when {@code actual} equals {@code expected} exactly (type, shape and every element,
     * floats bit for bit with all NaNs alike), else a description of the first difference.
     */
    static String difference(Tensor expected, Tensor actual) {
        if (expected.type() != actual.type() || !Arrays.equals(expected.shape(), actual.shape())) {
            return "expected " + expected + ", got " + actual;
        }
        for (int i = 0; i < expected.size(); i++) {
            boolean same = expected.type().isFloatingPoint()
                    ? Double.doubleToLongBits(expected.getDouble(i)) == Double.doubleToLongBits(actual.getDouble(i))
                    : expected.getLong(i) == actual.getLong(i);
            if (!same) {
                return "element " + i + ": expected " + expected.getDouble(i) + ", got " + actual.getDouble(i);
            }
        }
        return null;
    }
}
