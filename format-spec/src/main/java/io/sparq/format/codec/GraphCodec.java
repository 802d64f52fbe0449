package io.sparq.format.codec;

import io.sparq.format.Attribute;
import io.sparq.format.DataType;
import io.sparq.format.Dim;
import io.sparq.format.ErrorCode;
import io.sparq.format.Graph;
import io.sparq.format.Node;
import io.sparq.format.SparqException;
import io.sparq.format.Tensor;
import io.sparq.format.ValueInfo;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The GRAPH section (SPEC.md §5): the main graph, its nodes and attributes, with GRAPH attributes
 * nested in place and tensors referenced by index into the tensor table.
 */
final class GraphCodec {
    private GraphCodec() {
    }

    /** ONNX {@code AttributeProto.AttributeType} numbers, which the file uses as attribute kind codes. */
    static int kindCode(Attribute.Kind kind) {
        switch (kind) {
            case FLOAT: return 1;
            case INT: return 2;
            case STRING: return 3;
            case TENSOR: return 4;
            case GRAPH: return 5;
            case FLOATS: return 6;
            case INTS: return 7;
            case STRINGS: return 8;
            default: throw new AssertionError(kind);
        }
    }

    static final int DIM_FIXED = 0;
    static final int DIM_SYMBOLIC = 1;
    static final int DIM_UNKNOWN = 2;
    static final int UNKNOWN_RANK = 0xFF;

    /** A tensor the graph refers to, in the order the writer meets it; {@code name} is "" for attribute values. */
    record TensorRef(String name, Tensor tensor) {
    }

    /** Serialises a graph, checking the name rules, and collects its tensors in table order. */
    static final class Encoder {
        final Out out = new Out();
        final List<TensorRef> tensors = new ArrayList<>();
        private final Set<String> tensorNames = new HashSet<>();
        private String where;

        private SparqException fail(String message) {
            return new SparqException(ErrorCode.INVALID_MODEL, where + ": " + message);
        }

        private void name(String s, boolean required, String what) {
            if (s == null || required && s.isEmpty()) {
                throw fail(what + " is " + (s == null ? "missing" : "empty"));
            }
            out.str(s, SparqFormat.MAX_NAME_BYTES, ErrorCode.INVALID_MODEL, where + ": " + what + " '" + s + "'");
        }

        private void count(int n) {
            out.u32(n);
        }

        void graph(Graph g, Scope parent, int depth, String path) {
            where = path + " '" + g.name() + "'";
            if (depth > SparqFormat.MAX_GRAPH_DEPTH) {
                throw fail("subgraphs are nested deeper than " + SparqFormat.MAX_GRAPH_DEPTH);
            }
            String graphWhere = where;
            Scope scope = new Scope(parent);
            name(g.name(), false, "graph name");
            count(g.opsets().size());
            for (Map.Entry<String, Integer> e : g.opsets().entrySet()) {
                name(e.getKey(), false, "opset domain");
                if (e.getValue() == null || e.getValue() < 0) {
                    throw fail("opset version of '" + e.getKey() + "' is " + e.getValue());
                }
                out.u32(e.getValue());
            }
            count(g.metadata().size());
            for (Map.Entry<String, String> e : g.metadata().entrySet()) {
                name(e.getKey(), true, "metadata key");
                out.str(e.getValue(), SparqFormat.MAX_STRING_BYTES, ErrorCode.INVALID_MODEL, where + ": metadata '" + e.getKey() + "'");
            }
            Set<String> inputNames = new HashSet<>();
            count(g.inputs().size());
            for (ValueInfo v : g.inputs()) {
                valueInfo(v, "input");
                if (!scope.define(v.name())) {
                    throw fail("duplicate input name '" + v.name() + "'");
                }
                inputNames.add(v.name());
            }
            Set<String> outputNames = new HashSet<>();
            count(g.outputs().size());
            for (ValueInfo v : g.outputs()) {
                valueInfo(v, "output");
                if (!outputNames.add(v.name())) {
                    throw fail("duplicate output name '" + v.name() + "'");
                }
                scope.use(v.name(), -1);
            }
            count(g.initializers().size());
            for (Map.Entry<String, Tensor> e : g.initializers().entrySet()) {
                String name = e.getKey();
                if (name.isEmpty() || !tensorNames.add(name)) {
                    throw fail(name.isEmpty() ? "initializer name is empty" : "duplicate tensor name '" + name + "'");
                }
                if (!inputNames.contains(name) && !scope.define(name)) {
                    throw fail("initializer '" + name + "' has the name of another value");
                }
                out.u32(tensors.size());
                tensors.add(new TensorRef(name, e.getValue()));
            }
            count(g.nodes().size());
            for (int i = 0; i < g.nodes().size(); i++) {
                where = graphWhere;
                node(g.nodes().get(i), scope, depth, graphWhere + " > node " + i);
            }
            where = graphWhere;
            Map.Entry<String, Long> unresolved = scope.close();
            if (unresolved != null) {
                throw fail("value '" + unresolved.getKey() + "' is used but nothing defines it");
            }
        }

        private void valueInfo(ValueInfo v, String what) {
            name(v.name(), true, what + " name");
            out.u8(v.type() == null ? 0 : v.type().onnxCode());
            if (v.shape() == null) {
                out.u8(UNKNOWN_RANK);
                return;
            }
            if (v.shape().size() > SparqFormat.MAX_RANK) {
                throw fail(what + " '" + v.name() + "' has rank " + v.shape().size() + ", the limit is " + SparqFormat.MAX_RANK);
            }
            out.u8(v.shape().size());
            for (Dim d : v.shape()) {
                if (d.isFixed() && d.symbol() == null) {
                    out.u8(DIM_FIXED);
                    out.u32(d.value());
                } else if (d.value() == -1 && d.symbol() != null) {
                    out.u8(DIM_SYMBOLIC);
                    name(d.symbol(), true, "dimension symbol");
                } else if (d.value() == -1) {
                    out.u8(DIM_UNKNOWN);
                } else {
                    throw fail(what + " '" + v.name() + "' has an invalid dimension " + d.value() + "/" + d.symbol());
                }
            }
        }

        private void node(Node n, Scope scope, int depth, String nodePath) {
            where = nodePath + " '" + n.name() + "' (" + n.opType() + ")";
            String nodeWhere = where;
            name(n.name(), false, "node name");
            name(n.opType(), true, "op type");
            name(n.domain(), false, "domain");
            if (!scope.addNode(n.name())) {
                throw fail("duplicate node name '" + n.name() + "'");
            }
            count(n.inputs().size());
            for (String in : n.inputs()) {
                name(in, false, "input name");
                scope.use(in, -1);
            }
            count(n.outputs().size());
            for (String o : n.outputs()) {
                name(o, false, "output name");
                if (!o.isEmpty() && !scope.define(o)) {
                    throw fail("output '" + o + "' is already defined in this graph");
                }
            }
            count(n.attributes().size());
            for (Map.Entry<String, Attribute> e : n.attributes().entrySet()) {
                where = nodeWhere;
                attribute(e.getKey(), e.getValue(), scope, depth, nodeWhere + " > attribute '" + e.getKey() + "'");
            }
        }

        private void attribute(String key, Attribute a, Scope scope, int depth, String path) {
            if (!key.equals(a.name())) {
                throw fail("attribute stored under '" + key + "' is named '" + a.name() + "'");
            }
            name(a.name(), true, "attribute name");
            where = path;
            Attribute.Kind kind = a.kind();
            Object v = a.value();
            boolean typeOk;
            switch (kind) {
                case FLOAT: typeOk = v instanceof Float; break;
                case INT: typeOk = v instanceof Long; break;
                case STRING: typeOk = v instanceof String; break;
                case TENSOR: typeOk = v instanceof Tensor; break;
                case GRAPH: typeOk = v instanceof Graph; break;
                case FLOATS: typeOk = v instanceof float[]; break;
                case INTS: typeOk = v instanceof long[]; break;
                case STRINGS: typeOk = v instanceof List && ((List<?>) v).stream().allMatch(s -> s instanceof String); break;
                default: throw new AssertionError(kind);
            }
            if (!typeOk) {
                throw fail(kind + " attribute holds " + (v == null ? "null" : v.getClass().getSimpleName()));
            }
            out.u8(kindCode(kind));
            switch (kind) {
                case FLOAT: out.f32((Float) v); break;
                case INT: out.u64((Long) v); break;
                case STRING: out.str((String) v, SparqFormat.MAX_STRING_BYTES, ErrorCode.INVALID_MODEL, where); break;
                case TENSOR:
                    out.u32(tensors.size());
                    tensors.add(new TensorRef("", (Tensor) v));
                    break;
                case GRAPH: graph((Graph) v, scope, depth + 1, path + " > graph"); break;
                case FLOATS:
                    float[] floats = (float[]) v;
                    count(floats.length);
                    for (float f : floats) {
                        out.f32(f);
                    }
                    break;
                case INTS:
                    long[] longs = (long[]) v;
                    count(longs.length);
                    for (long l : longs) {
                        out.u64(l);
                    }
                    break;
                case STRINGS:
                    List<?> strings = (List<?>) v;
                    count(strings.size());
                    for (Object s : strings) {
                        out.str((String) s, SparqFormat.MAX_STRING_BYTES, ErrorCode.INVALID_MODEL, where);
                    }
                    break;
                default:
                    throw new AssertionError(kind);
            }
        }
    }

    /**
     * Parses and checks the GRAPH section. With {@code withWeights} every graph's initializers are
     * decoded; without, initializer maps stay empty (the weights stay in the tensor table).
     */
    static final class Decoder {
        private final Cursor c;
        private final List<EncodedTensor> table;
        private final boolean[] referenced;
        private final boolean withWeights;

        Decoder(Cursor c, List<EncodedTensor> table, boolean withWeights) {
            this.c = c;
            this.table = table;
            this.referenced = new boolean[table.size()];
            this.withWeights = withWeights;
        }

        /** Reads the main graph and checks that the section ends there and every tensor is referenced once. */
        Graph main() {
            Graph g = graph(null, 0, "graph section: graph");
            c.where = "graph section";
            c.expectEnd("the main graph");
            for (int i = 0; i < referenced.length; i++) {
                if (!referenced[i]) {
                    throw c.fail(FormatError.BAD_REFERENCE, table.get(i).fileOffset(), "tensor table entry " + i
                            + " '" + table.get(i).name() + "' is not referenced by the graph");
                }
            }
            return g;
        }

        private EncodedTensor tensor(boolean anonymous) {
            int at = c.pos();
            long i = c.u32("tensor index");
            if (i >= table.size()) {
                throw c.fail(FormatError.BAD_REFERENCE, at, "tensor index " + i + " is outside the table of " + table.size());
            }
            EncodedTensor t = table.get((int) i);
            if (referenced[(int) i]) {
                throw c.fail(FormatError.BAD_REFERENCE, at, "tensor " + i + " '" + t.name() + "' is referenced twice");
            }
            if (anonymous != t.name().isEmpty()) {
                throw c.fail(FormatError.BAD_REFERENCE, at, "tensor " + i + (anonymous
                        ? " '" + t.name() + "' has a name, an attribute value must be anonymous" : " is anonymous, an initializer needs a name"));
            }
            if (anonymous && (t.layout().encoding() != Encoding.DENSE || t.layout().values() != ValueFormat.NATIVE)) {
                throw c.fail(FormatError.BAD_REFERENCE, at, "tensor " + i + " is an attribute value stored as "
                        + t.layout() + ", attribute values must be dense/native");
            }
            referenced[(int) i] = true;
            return t;
        }

        private Graph graph(Scope parent, int depth, String path) {
            c.where = path;
            if (depth > SparqFormat.MAX_GRAPH_DEPTH) {
                throw c.fail(FormatError.LIMIT_EXCEEDED, c.pos(), "subgraphs are nested deeper than " + SparqFormat.MAX_GRAPH_DEPTH);
            }
            int start = c.pos();
            String name = c.name("graph name", false);
            String where = path + " '" + name + "'";
            c.where = where;
            Scope scope = new Scope(parent);

            Map<String, Integer> opsets = new LinkedHashMap<>();
            int n = c.count("opsets", Integer.MAX_VALUE, 8);
            for (int i = 0; i < n; i++) {
                int at = c.pos();
                String domain = c.name("opset domain", false);
                if (opsets.put(domain, c.u32Max("opset version", Integer.MAX_VALUE)) != null) {
                    throw c.fail(FormatError.DUPLICATE_NAME, at, "duplicate opset domain '" + domain + "'");
                }
            }
            Map<String, String> metadata = new LinkedHashMap<>();
            n = c.count("metadata entries", Integer.MAX_VALUE, 8);
            for (int i = 0; i < n; i++) {
                int at = c.pos();
                String key = c.name("metadata key", true);
                if (metadata.put(key, c.str("metadata value", SparqFormat.MAX_STRING_BYTES)) != null) {
                    throw c.fail(FormatError.DUPLICATE_NAME, at, "duplicate metadata key '" + key + "'");
                }
            }
            List<ValueInfo> inputs = new ArrayList<>();
            Set<String> inputNames = new HashSet<>();
            n = c.count("inputs", Integer.MAX_VALUE, 6);
            for (int i = 0; i < n; i++) {
                int at = c.pos();
                ValueInfo v = valueInfo("input");
                if (!scope.define(v.name())) {
                    throw c.fail(FormatError.DUPLICATE_NAME, at, "duplicate input name '" + v.name() + "'");
                }
                inputNames.add(v.name());
                inputs.add(v);
            }
            List<ValueInfo> outputs = new ArrayList<>();
            Set<String> outputNames = new HashSet<>();
            n = c.count("outputs", Integer.MAX_VALUE, 6);
            for (int i = 0; i < n; i++) {
                int at = c.pos();
                ValueInfo v = valueInfo("output");
                if (!outputNames.add(v.name())) {
                    throw c.fail(FormatError.DUPLICATE_NAME, at, "duplicate output name '" + v.name() + "'");
                }
                scope.use(v.name(), at);
                outputs.add(v);
            }
            Map<String, Tensor> initializers = new LinkedHashMap<>();
            n = c.count("initializers", Integer.MAX_VALUE, 4);
            for (int i = 0; i < n; i++) {
                int at = c.pos();
                EncodedTensor t = tensor(false);
                if (!inputNames.contains(t.name()) && !scope.define(t.name())) {
                    throw c.fail(FormatError.DUPLICATE_NAME, at, "initializer '" + t.name() + "' has the name of another value");
                }
                if (withWeights) {
                    initializers.put(t.name(), t.toDense());
                }
            }
            List<Node> nodes = new ArrayList<>();
            n = c.count("nodes", Integer.MAX_VALUE, 24);
            for (int i = 0; i < n; i++) {
                nodes.add(node(scope, depth, where + " > node " + i));
                c.where = where;
            }
            Map.Entry<String, Long> unresolved = scope.close();
            if (unresolved != null) {
                throw c.fail(FormatError.BAD_REFERENCE, unresolved.getValue(), "value '" + unresolved.getKey()
                        + "' is used but nothing defines it");
            }
            c.where = where;
            try {
                return new Graph(name, inputs, outputs, nodes, initializers, opsets, metadata);
            } catch (RuntimeException e) {
                throw c.fail(FormatError.BAD_VALUE, start, "invalid graph: " + e.getMessage());
            }
        }

        private ValueInfo valueInfo(String what) {
            String name = c.name(what + " name", true);
            int at = c.pos();
            int code = c.u8(what + " dtype");
            DataType type = null;
            if (code != 0) {
                type = DataType.fromOnnx(code)
                        .orElseThrow(() -> c.fail(FormatError.BAD_VALUE, at, what + " '" + name + "' has unknown dtype " + code));
            }
            int rankAt = c.pos();
            int rank = c.u8(what + " rank");
            if (rank == UNKNOWN_RANK) {
                return new ValueInfo(name, type, null);
            }
            if (rank > SparqFormat.MAX_RANK) {
                throw c.fail(FormatError.LIMIT_EXCEEDED, rankAt, what + " '" + name + "' has rank " + rank
                        + ", the limit is " + SparqFormat.MAX_RANK);
            }
            List<Dim> dims = new ArrayList<>();
            for (int i = 0; i < rank; i++) {
                int kindAt = c.pos();
                int kind = c.u8("dimension kind");
                switch (kind) {
                    case DIM_FIXED: dims.add(Dim.of(c.u32Max("dimension", Integer.MAX_VALUE))); break;
                    case DIM_SYMBOLIC: dims.add(Dim.symbol(c.name("dimension symbol", true))); break;
                    case DIM_UNKNOWN: dims.add(Dim.unknown()); break;
                    default: throw c.fail(FormatError.BAD_VALUE, kindAt, "unknown dimension kind " + kind);
                }
            }
            return new ValueInfo(name, type, dims);
        }

        private Node node(Scope scope, int depth, String path) {
            int at = c.pos();
            c.where = path;
            String name = c.name("node name", false);
            String op = c.name("op type", true);
            String domain = c.name("domain", false);
            String where = path + " '" + name + "' (" + op + ")";
            c.where = where;
            if (!scope.addNode(name)) {
                throw c.fail(FormatError.DUPLICATE_NAME, at, "duplicate node name '" + name + "'");
            }
            List<String> inputs = new ArrayList<>();
            int n = c.count("node inputs", Integer.MAX_VALUE, 4);
            for (int i = 0; i < n; i++) {
                int inAt = c.pos();
                String in = c.name("input name", false);
                scope.use(in, inAt);
                inputs.add(in);
            }
            List<String> outputs = new ArrayList<>();
            n = c.count("node outputs", Integer.MAX_VALUE, 4);
            for (int i = 0; i < n; i++) {
                int outAt = c.pos();
                String out = c.name("output name", false);
                if (!out.isEmpty() && !scope.define(out)) {
                    throw c.fail(FormatError.DUPLICATE_NAME, outAt, "output '" + out + "' is already defined in this graph");
                }
                outputs.add(out);
            }
            Map<String, Attribute> attributes = new LinkedHashMap<>();
            n = c.count("attributes", Integer.MAX_VALUE, 9);
            for (int i = 0; i < n; i++) {
                int attrAt = c.pos();
                Attribute a = attribute(scope, depth, where);
                c.where = where;
                if (attributes.put(a.name(), a) != null) {
                    throw c.fail(FormatError.DUPLICATE_NAME, attrAt, "duplicate attribute '" + a.name() + "'");
                }
            }
            return new Node(name, op, domain, inputs, outputs, attributes);
        }

        private Attribute attribute(Scope scope, int depth, String nodeWhere) {
            String name = c.name("attribute name", true);
            String where = nodeWhere + " > attribute '" + name + "'";
            c.where = where;
            int kindAt = c.pos();
            int code = c.u8("attribute kind");
            switch (code) {
                case 1: return Attribute.of(name, c.f32("FLOAT value"));
                case 2: return Attribute.of(name, c.i64("INT value"));
                case 3: return Attribute.of(name, c.str("STRING value", SparqFormat.MAX_STRING_BYTES));
                case 4: return Attribute.of(name, tensor(true).toDense());
                case 5: return Attribute.of(name, graph(scope, depth + 1, where + " > graph"));
                case 6: {
                    float[] v = new float[c.count("FLOATS values", Integer.MAX_VALUE, 4)];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = c.f32("FLOATS value");
                    }
                    return Attribute.of(name, v);
                }
                case 7: {
                    long[] v = new long[c.count("INTS values", Integer.MAX_VALUE, 8)];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = c.i64("INTS value");
                    }
                    return Attribute.of(name, v);
                }
                case 8: {
                    List<String> v = new ArrayList<>();
                    int n = c.count("STRINGS values", Integer.MAX_VALUE, 4);
                    for (int i = 0; i < n; i++) {
                        v.add(c.str("STRINGS value", SparqFormat.MAX_STRING_BYTES));
                    }
                    return Attribute.of(name, v);
                }
                default:
                    throw c.fail(FormatError.BAD_VALUE, kindAt, "unknown attribute kind " + code);
            }
        }
    }
}
