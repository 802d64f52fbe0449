package io.sparq.format.codec;

import io.sparq.format.ErrorCode;
import io.sparq.format.Graph;
import io.sparq.format.SparqException;

import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A validated {@code .sparq} file: its metadata, its graph and its tensors in their stored
 * encodings. Immutable and safe to share between threads. The bytes behind it (a mapped file or a
 * caller's array) must not change while it is in use.
 */
public final class SparqFile {
    private final String source;
    private final int majorVersion;
    private final int minorVersion;
    private final int quantSchemeVersion;
    private final Map<String, MetaValue> metadata;
    private final Graph graph;
    private final List<EncodedTensor> table;
    private final Map<String, EncodedTensor> tensors;
    private final ByteBuffer file;
    private final int graphStart;
    private final int graphEnd;

    SparqFile(String source, int majorVersion, int minorVersion, int quantSchemeVersion, Map<String, MetaValue> metadata,
              Graph graph, List<EncodedTensor> table, ByteBuffer file, int graphStart, int graphEnd) {
        this.source = source;
        this.majorVersion = majorVersion;
        this.minorVersion = minorVersion;
        this.quantSchemeVersion = quantSchemeVersion;
        this.metadata = metadata;
        this.graph = graph;
        this.table = List.copyOf(table);
        Map<String, EncodedTensor> named = new LinkedHashMap<>();
        for (EncodedTensor t : table) {
            if (!t.name().isEmpty()) {
                named.put(t.name(), t);
            }
        }
        this.tensors = Collections.unmodifiableMap(named);
        this.file = file;
        this.graphStart = graphStart;
        this.graphEnd = graphEnd;
    }

    /** Where the file came from (its path, or a description for arrays and streams); used in messages. */
    public String source() {
        return source;
    }

    public int majorVersion() {
        return majorVersion;
    }

    public int minorVersion() {
        return minorVersion;
    }

    public int quantSchemeVersion() {
        return quantSchemeVersion;
    }

    public long fileSize() {
        return file.limit();
    }

    /** The file-level key/value metadata, in file order. */
    public Map<String, MetaValue> metadata() {
        return metadata;
    }

    /**
     * The graph without its weights: nodes, inputs, outputs, opsets and attributes (TENSOR
     * attributes decoded), but every graph's initializer map empty. The weights are {@link #tensors()},
     * keyed by the same names (tensor names are unique across the main graph and its subgraphs).
     */
    public Graph graph() {
        return graph;
    }

    /** Every initializer of the main graph and its subgraphs, by name, in file order, in its stored encoding. */
    public Map<String, EncodedTensor> tensors() {
        return tensors;
    }

    /** One initializer by name; {@code INVALID_ARGUMENT} when there is none. */
    public EncodedTensor tensor(String name) {
        EncodedTensor t = tensors.get(name);
        if (t == null) {
            throw new SparqException(ErrorCode.INVALID_ARGUMENT, "Unknown tensor name " + name + " in " + source
                    + ", expected one of " + tensors.keySet());
        }
        return t;
    }

    /** The complete graph with every initializer decoded to a dense tensor (allocates all weights on the heap). */
    public Graph denseGraph() {
        return new GraphCodec.Decoder(new Cursor(file, graphStart, graphEnd, source, "graph section"), table, true).main();
    }

    @Override
    public String toString() {
        return source + " (format " + majorVersion + "." + minorVersion + ", " + tensors.size() + " tensors, " + fileSize() + " bytes)";
    }
}
