package io.sparq.runtime.ops;

import io.sparq.format.Attribute;
import io.sparq.format.DataType;
import io.sparq.format.ErrorCode;
import io.sparq.format.Graph;
import io.sparq.format.Node;
import io.sparq.format.SparqException;
import io.sparq.format.Tensor;
import io.sparq.runtime.kernels.WeightMatrix;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What an {@link OpFactory} sees of a node: typed attribute access with defaults, the opset
 * version in force, constant inputs known at compile time (as tensors, or as weight matrices read
 * in their stored encoding), and errors that name the node.
 */
public final class NodeContext {
    private final Node node;
    private final int opset;
    private final Constants constants;
    private final Set<String> outerNames;
    private final boolean[] compiledIn;      // per input: taken as a weight, so the op gets null at run time
    private final List<String> implicitInputs;
    private final Subgraph.Compiler subgraphs;

    /** A node whose constants are the dense tensors of {@code constants}. */
    public NodeContext(Node node, int opset, Map<String, Tensor> constants, Set<String> outerNames) {
        this(node, opset, new Constants(constants, Map.of(), Set.of()), outerNames);
    }

    /** A node that cannot have subgraphs. */
    public NodeContext(Node node, int opset, Constants constants, Set<String> outerNames) {
        this(node, opset, constants, outerNames, List.of(), null);
    }

    /**
     * @param implicitInputs values of this graph that the node's subgraphs read; the executor
     *                       passes them after the node's own inputs
     * @param subgraphs      compiles the node's graph attributes, or null where subgraphs cannot run
     */
    public NodeContext(Node node, int opset, Constants constants, Set<String> outerNames, List<String> implicitInputs,
                       Subgraph.Compiler subgraphs) {
        this.node = node;
        this.opset = opset;
        this.constants = constants;
        this.outerNames = outerNames;
        this.compiledIn = new boolean[node.inputs().size()];
        this.implicitInputs = List.copyOf(implicitInputs);
        this.subgraphs = subgraphs;
    }

    public Node node() {
        return node;
    }

    /** The ONNX opset version the model imports (selects between operator versions). */
    public int opset() {
        return opset;
    }

    /** Value names visible from an enclosing graph (for ops with subgraphs). */
    public Set<String> outerNames() {
        return outerNames;
    }

    /**
     * Values of the enclosing graph that this node's subgraphs read without naming them as node
     * inputs (ONNX outer-scope references). At run time they follow the node's own inputs, in
     * this order, in the op's input array.
     */
    public List<String> implicitInputs() {
        return implicitInputs;
    }

    /** The GRAPH attribute {@code name} compiled for execution; fails naming the node when it is absent. */
    public Subgraph subgraph(String name) {
        Graph g = attrGraph(name);
        if (g == null) {
            throw fail("attribute " + name + " (a graph) is required but missing");
        }
        if (subgraphs == null) {
            throw unsupported("attribute " + name + " is a subgraph, which cannot run here");
        }
        return subgraphs.compile(g, name);
    }

    /** Number of inputs, counting omitted optional inputs in the middle. */
    public int inputCount() {
        return node.inputs().size();
    }

    /** Whether input {@code i} is given (present and not the empty name). */
    public boolean hasInput(int i) {
        return i < node.inputs().size() && !node.inputs().get(i).isEmpty();
    }

    public int outputCount() {
        return node.outputs().size();
    }

    /** Whether output {@code i} is requested (present and not the empty name). */
    public boolean hasOutput(int i) {
        return i < node.outputs().size() && !node.outputs().get(i).isEmpty();
    }

    /** Input {@code i} if it is an initializer (a constant known now), decoded to a dense tensor, else null. */
    public Tensor constantInput(int i) {
        return hasInput(i) ? constants.tensor(node.inputs().get(i)) : null;
    }

    /** The shape of input {@code i} if it is an initializer (without decoding it), else null. */
    public int[] constantShape(int i) {
        return hasInput(i) ? constants.shape(node.inputs().get(i)) : null;
    }

    /**
     * Input {@code i} as the weight W of {@code Y = X·Wᵀ}, read in its stored encoding, if it is a
     * float32 initializer that a caller cannot override by feeding it; else null. A tensor of rank
     * r &gt; 2 is viewed as the rows of all its leading axes. Once taken, the input is part of the
     * compiled op: the op receives null for it at run time, and it is not decoded for this node.
     *
     * @param transposed the input holds Wᵀ (rank 2, {@code [cols, rows]}, as MatMul's B); it is
     *                   then decoded and transposed once at compile time
     */
    public WeightMatrix constantWeight(int i, boolean transposed) {
        WeightMatrix w = hasInput(i) ? constants.weight(node.inputs().get(i), transposed) : null;
        if (w != null) {
            compiledIn[i] = true;
        }
        return w;
    }

    /** Whether input {@code i} was taken by {@link #constantWeight}: the executor then passes null for it. */
    public boolean compiledIn(int i) {
        return i < compiledIn.length && compiledIn[i];
    }

    /** Fails unless the node has between {@code min} and {@code max} inputs. */
    public void requireInputs(int min, int max) {
        int n = node.inputs().size();
        if (n < min || n > max) {
            throw fail("expects " + (min == max ? min : min + " to " + max) + " inputs, has " + n);
        }
        for (int i = 0; i < min; i++) {
            if (!hasInput(i)) {
                throw fail("input " + i + " is required but omitted");
            }
        }
    }

    public boolean hasAttr(String name) {
        return node.attributes().containsKey(name);
    }

    public long attrInt(String name, long defaultValue) {
        Attribute a = attr(name, Attribute.Kind.INT);
        return a == null ? defaultValue : (Long) a.value();
    }

    public float attrFloat(String name, float defaultValue) {
        Attribute a = attr(name, Attribute.Kind.FLOAT);
        return a == null ? defaultValue : (Float) a.value();
    }

    public String attrString(String name, String defaultValue) {
        Attribute a = attr(name, Attribute.Kind.STRING);
        return a == null ? defaultValue : (String) a.value();
    }

    /** INTS attribute, or {@code defaultValue} (may be null) when absent. */
    public long[] attrInts(String name, long[] defaultValue) {
        Attribute a = attr(name, Attribute.Kind.INTS);
        return a == null ? defaultValue : ((long[]) a.value()).clone();
    }

    public float[] attrFloats(String name, float[] defaultValue) {
        Attribute a = attr(name, Attribute.Kind.FLOATS);
        return a == null ? defaultValue : ((float[]) a.value()).clone();
    }

    @SuppressWarnings("unchecked")
    public List<String> attrStrings(String name, List<String> defaultValue) {
        Attribute a = attr(name, Attribute.Kind.STRINGS);
        return a == null ? defaultValue : (List<String>) a.value();
    }

    public Tensor attrTensor(String name) {
        Attribute a = attr(name, Attribute.Kind.TENSOR);
        return a == null ? null : (Tensor) a.value();
    }

    public Graph attrGraph(String name) {
        Attribute a = attr(name, Attribute.Kind.GRAPH);
        return a == null ? null : (Graph) a.value();
    }

    /** An attribute that must be one of {@code allowed} (compared as given). */
    public String attrChoice(String name, String defaultValue, String... allowed) {
        String v = attrString(name, defaultValue);
        if (!Arrays.asList(allowed).contains(v)) {
            throw fail("attribute " + name + " = '" + v + "', expected one of " + Arrays.toString(allowed));
        }
        return v;
    }

    private Attribute attr(String name, Attribute.Kind kind) {
        Attribute a = node.attributes().get(name);
        if (a != null && a.kind() != kind) {
            throw fail("attribute " + name + " is " + a.kind() + ", expected " + kind);
        }
        return a;
    }

    /** A model error about this node (bad attributes or wiring), found at compile time. */
    public SparqException fail(String message) {
        return new SparqException(ErrorCode.INVALID_MODEL, "node " + node.describe() + ": " + message);
    }

    /** A model that uses a feature of this op that sparq does not implement. */
    public SparqException unsupported(String message) {
        return new SparqException(ErrorCode.UNSUPPORTED_MODEL, "node " + node.describe() + ": " + message);
    }

    /** A bad tensor reaching this node at run time (wrong shape or type for the operator). */
    public SparqException badInput(String message) {
        return new SparqException(ErrorCode.INVALID_ARGUMENT, "node " + node.describe() + ": " + message);
    }

    /** Fails at run time unless {@code t} has type {@code expected}. */
    public void requireType(Tensor t, int inputIndex, DataType... expected) {
        for (DataType e : expected) {
            if (t.type() == e) {
                return;
            }
        }
        throw badInput("input " + inputIndex + " is " + t + ", expected element type "
                + Arrays.stream(expected).map(DataType::displayName).toList());
    }
}
