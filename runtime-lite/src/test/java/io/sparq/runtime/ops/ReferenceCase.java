package io.sparq.runtime.ops;

import io.sparq.format.Attribute;
import io.sparq.format.DataType;
import io.sparq.format.Dim;
import io.sparq.format.Graph;
import io.sparq.format.Node;
import io.sparq.format.Tensor;
import io.sparq.format.ValueInfo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One case of a reference file written by {@code ops/make_reference.py}: a single-node model,
 * its inputs and the output ONNX Runtime (or the ONNX reference implementation) produced.
 */
final class ReferenceCase {
    final String name;
    String op;
    int opset;
    String reference;
    final Map<String, Attribute> attributes = new LinkedHashMap<>();
    final List<String> inputNames = new ArrayList<>();
    final Map<String, Tensor> feeds = new LinkedHashMap<>();
    final Map<String, Tensor> initializers = new LinkedHashMap<>();
    Tensor expected;

    private ReferenceCase(String name) {
        this.name = name;
    }

    /** The case as a graph with one node, its fed inputs declared with their exact shapes. */
    Graph graph() {
        List<ValueInfo> inputs = new ArrayList<>();
        feeds.forEach((k, t) -> inputs.add(new ValueInfo(k, t.type(), Arrays.stream(t.shape()).mapToObj(Dim::of).toList())));
        Node node = new Node(name, op, "", inputNames, List.of("output"), attributes);
        return new Graph(name, inputs, List.of(new ValueInfo("output", null, null)), List.of(node), initializers,
                Map.of("", opset), Map.of());
    }

    static List<ReferenceCase> load(String resource) throws IOException {
        InputStream in = ReferenceCase.class.getResourceAsStream(resource);
        if (in == null) {
            throw new IOException("missing test resource " + resource);
        }
        List<ReferenceCase> cases = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            ReferenceCase c = null;
            int lineNo = 0;
            for (String line; (line = r.readLine()) != null; ) {
                lineNo++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.trim().split("\\s+");
                try {
                    if (f[0].equals("case")) {
                        c = new ReferenceCase(f[1]);
                    } else if (f[0].equals("end")) {
                        cases.add(c);
                        c = null;
                    } else {
                        c.read(f);
                    }
                } catch (RuntimeException e) {
                    throw new IOException(resource + " line " + lineNo + ": " + e, e);
                }
            }
        }
        return cases;
    }

    private void read(String[] f) {
        switch (f[0]) {
            case "op" -> op = f[1];
            case "opset" -> opset = Integer.parseInt(f[1]);
            case "reference" -> reference = f[1];
            case "attr" -> attributes.put(f[1], attribute(f));
            case "input" -> {
                if (f[1].equals("-")) {
                    inputNames.add("");
                } else {
                    inputNames.add(f[1]);
                    feeds.put(f[1], tensor(f));
                }
            }
            case "const" -> {
                inputNames.add(f[1]);
                initializers.put(f[1], tensor(f));
            }
            case "output" -> expected = tensor(f);
            default -> throw new IllegalArgumentException("unknown line kind '" + f[0] + "'");
        }
    }

    private static Attribute attribute(String[] f) {
        String name = f[1];
        String[] v = Arrays.copyOfRange(f, 3, f.length);
        return switch (f[2]) {
            case "int" -> Attribute.of(name, Long.parseLong(v[0]));
            case "float" -> Attribute.of(name, Float.parseFloat(v[0]));
            case "string" -> Attribute.of(name, v[0]);
            case "ints" -> Attribute.of(name, Arrays.stream(v).mapToLong(Long::parseLong).toArray());
            case "floats" -> {
                float[] a = new float[v.length];
                for (int i = 0; i < v.length; i++) {
                    a[i] = Float.parseFloat(v[i]);
                }
                yield Attribute.of(name, a);
            }
            default -> throw new IllegalArgumentException("unknown attribute kind " + f[2]);
        };
    }

    /** {@code <kind> <name> <dtype> [<dims>] <values...>} */
    private static Tensor tensor(String[] f) {
        DataType type = DataType.valueOf(f[2].toUpperCase(Locale.ROOT));
        String dims = f[3].substring(1, f[3].length() - 1);
        int[] shape = dims.isEmpty() ? new int[0] : Arrays.stream(dims.split(",")).mapToInt(Integer::parseInt).toArray();
        String[] v = Arrays.copyOfRange(f, 4, f.length);
        Tensor t = Tensor.zeros(type, shape);
        if (v.length != t.size()) {
            throw new IllegalArgumentException(f[1] + " has " + v.length + " values for shape " + f[3]);
        }
        for (int i = 0; i < v.length; i++) {
            switch (type) {
                case FLOAT32 -> t.floats()[i] = Float.parseFloat(v[i]);
                case FLOAT64 -> t.doubles()[i] = Double.parseDouble(v[i]);
                case INT64 -> t.longs()[i] = Long.parseLong(v[i]);
                case INT32 -> t.ints()[i] = Integer.parseInt(v[i]);
                default -> throw new IllegalArgumentException("unsupported dtype " + f[2]);
            }
        }
        return t;
    }
}
