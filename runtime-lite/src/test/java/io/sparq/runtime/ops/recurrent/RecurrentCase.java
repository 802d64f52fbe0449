package io.sparq.runtime.ops.recurrent;

import io.sparq.format.Attribute;
import io.sparq.format.DataType;
import io.sparq.format.Graph;
import io.sparq.format.Node;
import io.sparq.format.Tensor;
import io.sparq.format.ValueInfo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One reference case from {@code src/test/resources/recurrent} (format described in
 * {@code gen_recurrent_cases.py}): a single recurrent node, its inputs and the outputs ONNX Runtime
 * computed for them.
 */
final class RecurrentCase {
    final String name;
    final String op;
    final Map<String, Attribute> attributes = new LinkedHashMap<>();
    final List<String> inputNames = new ArrayList<>();     // "" where omitted
    final List<Tensor> inputs = new ArrayList<>();         // null where omitted
    final List<String> outputNames = new ArrayList<>();    // "" where omitted
    final List<Tensor> expected = new ArrayList<>();       // null where omitted

    private RecurrentCase(String name, List<String> lines) {
        this.name = name;
        String opType = null;
        for (String line : lines) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.trim().split("\\s+");
            switch (f[0]) {
                case "op" -> opType = f[1];
                case "attr" -> attributes.put(f[1], attribute(f));
                case "input" -> {
                    inputNames.add(f[1].equals("-") ? "" : f[1]);
                    inputs.add(f[1].equals("-") ? null : tensor(f));
                }
                case "output" -> {
                    outputNames.add(f[1].equals("-") ? "" : f[1]);
                    expected.add(f[1].equals("-") ? null : tensor(f));
                }
                default -> throw new IllegalArgumentException(name + ": unknown line kind '" + f[0] + "'");
            }
        }
        if (opType == null) {
            throw new IllegalArgumentException(name + ": no 'op' line");
        }
        this.op = opType;
    }

    /** Reads {@code recurrent/<name>.case} from the test class path. */
    static RecurrentCase load(String name) {
        return new RecurrentCase(name, resourceLines("recurrent/" + name + ".case"));
    }

    /** The case names listed in {@code recurrent/cases.txt}. */
    static List<String> names() {
        return resourceLines("recurrent/cases.txt").stream()
                .map(String::trim).filter(s -> !s.isEmpty() && !s.startsWith("#")).toList();
    }

    private static List<String> resourceLines(String path) {
        try (InputStream in = RecurrentCase.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("test resource " + path + " is missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Attribute attribute(String[] f) {
        String name = f[1];
        String[] v = Arrays.copyOfRange(f, 3, f.length);
        return switch (f[2]) {
            case "int" -> Attribute.of(name, Long.parseLong(v[0]));
            case "float" -> Attribute.of(name, Float.parseFloat(v[0]));
            case "string" -> Attribute.of(name, v[0]);
            case "floats" -> {
                float[] a = new float[v.length];
                for (int i = 0; i < v.length; i++) {
                    a[i] = Float.parseFloat(v[i]);
                }
                yield Attribute.of(name, a);
            }
            case "strings" -> Attribute.of(name, List.of(v));
            default -> throw new IllegalArgumentException("unknown attribute kind " + f[2]);
        };
    }

    private static Tensor tensor(String[] f) {
        int[] shape = Arrays.stream(f[3].split(",")).mapToInt(Integer::parseInt).toArray();
        String[] v = Arrays.copyOfRange(f, 4, f.length);
        switch (f[2]) {
            case "float32" -> {
                float[] a = new float[v.length];
                for (int i = 0; i < v.length; i++) {
                    a[i] = Float.parseFloat(v[i]);
                }
                return Tensor.ofFloats(shape, a);
            }
            case "int32" -> {
                return Tensor.ofInts(shape, Arrays.stream(v).mapToInt(Integer::parseInt).toArray());
            }
            default -> throw new IllegalArgumentException("unknown dtype " + f[2]);
        }
    }

    /**
     * The one-node graph of this case. Inputs named in {@code asInitializers} become constants
     * (as trained weights usually are); the rest are graph inputs.
     */
    Graph graph(Map<String, Attribute> attrs, String... asInitializers) {
        List<ValueInfo> graphInputs = new ArrayList<>();
        Map<String, Tensor> initializers = new LinkedHashMap<>();
        for (int i = 0; i < inputs.size(); i++) {
            Tensor t = inputs.get(i);
            if (t == null) {
                continue;
            }
            String in = inputNames.get(i);
            if (Arrays.asList(asInitializers).contains(in)) {
                initializers.put(in, t);
            } else {
                graphInputs.add(new ValueInfo(in, null, null));   // untyped: the op checks types itself
            }
        }
        List<ValueInfo> graphOutputs = outputNames.stream().filter(n -> !n.isEmpty())
                .map(n -> new ValueInfo(n, DataType.FLOAT32, null)).toList();
        Node node = new Node(name, op, "", inputNames, outputNames, attrs);
        return new Graph(name, graphInputs, graphOutputs, List.of(node), initializers, Map.of("", 22), Map.of());
    }

    /** The tensors to feed: every present input that is not an initializer. */
    Map<String, Tensor> feeds(String... asInitializers) {
        Map<String, Tensor> feeds = new LinkedHashMap<>();
        for (int i = 0; i < inputs.size(); i++) {
            if (inputs.get(i) != null && !Arrays.asList(asInitializers).contains(inputNames.get(i))) {
                feeds.put(inputNames.get(i), inputs.get(i));
            }
        }
        return feeds;
    }

    @Override
    public String toString() {
        return name;
    }
}
