package io.sparq.runtime.ops;

import io.sparq.format.DataType;
import io.sparq.format.Tensor;
import io.sparq.format.codec.EncodedTensor;
import io.sparq.runtime.kernels.WeightMatrices;
import io.sparq.runtime.kernels.WeightMatrix;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A graph's initializers as the op factories see them: dense tensors, or tensors kept in their
 * stored {@code .sparq} encoding that are decoded only when something needs them dense. Weight
 * matrices are built straight from the stored form, once per tensor, and shared by every node
 * that multiplies by the same weight.
 *
 * <p>Written only while a graph compiles; the caches are synchronized so that an op that consults
 * its {@link NodeContext} at run time still reads them safely.
 */
public final class Constants {
    private final Map<String, Tensor> dense;
    private final Map<String, EncodedTensor> stored;
    private final Set<String> overridable;
    private final Constants parent;          // an enclosing graph's constants, or null
    private final Set<String> hidden;        // names this graph defines itself, hiding the parent's
    private final Map<String, Tensor> decoded = new HashMap<>();
    private final Map<String, WeightMatrix> weights = new HashMap<>();

    /**
     * @param dense       initializers already decoded
     * @param stored      initializers in their stored encoding (names disjoint from {@code dense})
     * @param overridable names a caller may feed instead of the initializer (graph inputs); they
     *                    are never turned into weights, since a fed value must win
     */
    public Constants(Map<String, Tensor> dense, Map<String, EncodedTensor> stored, Set<String> overridable) {
        this(dense, stored, overridable, null, Set.of());
    }

    private Constants(Map<String, Tensor> dense, Map<String, EncodedTensor> stored, Set<String> overridable,
                      Constants parent, Set<String> hidden) {
        this.dense = dense;
        this.stored = stored;
        this.overridable = Set.copyOf(overridable);
        this.parent = parent;
        this.hidden = Set.copyOf(hidden);
    }

    /**
     * The constants of a subgraph: its own initializers {@code dense}, then those of the enclosing
     * graphs, which the subgraph reads by name, except where one of {@code local} (the
     * subgraph's inputs and node outputs) hides them.
     */
    public Constants nested(Map<String, Tensor> dense, Set<String> local) {
        return new Constants(dense, Map.of(), local, this, local);
    }

    private Constants outer(String name) {
        return parent != null && !dense.containsKey(name) && !stored.containsKey(name) && !hidden.contains(name)
                ? parent : null;
    }

    /** Every initializer name of this graph (not of enclosing ones), dense ones first. */
    public Set<String> names() {
        Set<String> all = new LinkedHashSet<>(dense.keySet());
        all.addAll(stored.keySet());
        return all;
    }

    /** Whether {@code name} is a constant here: an initializer of this graph or of an enclosing one. */
    public boolean contains(String name) {
        Constants outer = outer(name);
        return outer != null ? outer.contains(name) : dense.containsKey(name) || stored.containsKey(name);
    }

    /** The shape of an initializer without decoding it, or null when there is none of that name. */
    public int[] shape(String name) {
        Constants outer = outer(name);
        if (outer != null) {
            return outer.shape(name);
        }
        Tensor t = dense.get(name);
        if (t != null) {
            return t.shape();
        }
        EncodedTensor e = stored.get(name);
        return e == null ? null : e.shape();
    }

    /** The initializer as a dense tensor (a stored one is decoded once), or null when there is none. */
    public synchronized Tensor tensor(String name) {
        Constants outer = outer(name);
        if (outer != null) {
            return outer.tensor(name);
        }
        Tensor t = dense.get(name);
        if (t != null) {
            return t;
        }
        EncodedTensor e = stored.get(name);
        return e == null ? null : decoded.computeIfAbsent(name, k -> e.toDense());
    }

    /** Names of the stored initializers decoded so far; each of them now also costs its dense size in memory. */
    public synchronized Set<String> decoded() {
        return Set.copyOf(decoded.keySet());
    }

    /**
     * The initializer as the matrix W of {@code Y = X·Wᵀ}, or null unless it is a float32 constant
     * of rank 1 or more that callers cannot override.
     *
     * @param transposed the tensor holds Wᵀ ({@code [cols, rows]}, rank 2), as MatMul's B does.
     *                   Stored encodings are row-wise along W's input axis only when not
     *                   transposed, so a transposed weight is decoded and transposed once into a
     *                   dense f32 matrix.
     */
    public synchronized WeightMatrix weight(String name, boolean transposed) {
        Constants outer = outer(name);
        if (outer != null) {
            return outer.weight(name, transposed);
        }
        int[] shape = shape(name);
        if (shape == null || overridable.contains(name) || shape.length == 0 || (transposed && shape.length != 2)) {
            return null;
        }
        EncodedTensor e = stored.get(name);
        DataType type = e != null ? e.type() : dense.get(name).type();
        if (type != DataType.FLOAT32) {
            return null;
        }
        String key = (transposed ? "T:" : "N:") + name;
        WeightMatrix w = weights.get(key);
        if (w == null) {
            // a transposed weight's dense copy is not kept: only the transposed matrix is needed
            if (!transposed) {
                w = e != null ? WeightMatrices.of(e) : WeightMatrices.of(dense.get(name));
            } else {
                // 1×B blocks along N are B×1 column blocks of the transposed matrix: no dense copy needed
                w = e != null ? WeightMatrices.transposedOf(e) : null;
                if (w == null) {
                    w = WeightMatrices.of(transpose(e == null ? dense.get(name)
                            : decoded.containsKey(name) ? decoded.get(name) : e.toDense()));
                }
            }
            weights.put(key, w);
        }
        return w;
    }

    private static Tensor transpose(Tensor t) {
        int rows = t.dim(0);
        int cols = t.dim(1);
        float[] src = t.floats();
        float[] out = new float[src.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                out[j * rows + i] = src[i * cols + j];
            }
        }
        return Tensor.ofFloats(new int[] {cols, rows}, out);
    }
}
