package io.sparq.format.codec;

import io.sparq.format.Attribute;
import io.sparq.format.DataType;
import io.sparq.format.Dim;
import io.sparq.format.Graph;
import io.sparq.format.Node;
import io.sparq.format.Tensor;
import io.sparq.format.ValueInfo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The inputs of the golden files in {@code src/test/resources/v1/} and the program that wrote them.
 * {@link GoldenFileTest} checks each file against values written out by hand from these inputs and
 * checks that the writer still produces the same bytes.
 *
 * <p>Version-1 files are frozen: the program only writes files that do not exist yet. To add a
 * case, add it to {@link #cases()} and run, from the repository root:
 * <pre>
 *   mvn -q -o -pl format-spec test-compile
 *   java -cp format-spec/target/classes:format-spec/target/test-classes \
 *        io.sparq.format.codec.GoldenFiles format-spec/src/test/resources/v1
 * </pre>
 * A change that makes an existing file fail its test is a format change: it needs a new version
 * and a new folder of golden files (SPEC.md §2), never a rewritten v1 file.
 */
final class GoldenFiles {
    private GoldenFiles() {
    }

    /** One golden file: what was written and how. */
    record Case(String file, Graph graph, Map<String, EncodingChoice> encodings, Map<String, MetaValue> metadata) {
        @Override
        public String toString() {
            return file;
        }
    }

    static List<Case> cases() {
        return List.of(
                new Case("dense_f32.sparq", gemm(), Map.of(), metadata()),
                single("dense_f16.sparq", Tensor.ofFloats(new int[] {2, 4},
                        1f, -2.5f, 0.1f, 65504f,
                        1e-7f, -0f, 3.140625f, 1024.5f), EncodingChoice.denseF16()),
                single("dense_int8.sparq", Tensor.ofFloats(new int[] {2, 4},
                        127f, -64.5f, 0f, 3.25f,
                        63.5f, -10.25f, 1.75f, 0.2f), EncodingChoice.denseInt8()),
                single("dense_int4.sparq", Tensor.ofFloats(new int[] {2, 19},
                        7, -7, 3.5f, 2.5f, -1.5f, 0, 1, -1, 6, -6, 5, -5, 4, -4, 0.4f, 0.6f, /* | */ 1.75f, -3.5f, 0.5f,
                        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* | */ 0, 0, 14), EncodingChoice.denseInt4(16)),
                single("block_sparse_f32.sparq", Tensor.ofFloats(new int[] {3, 10},
                        1, 0, 0, 0, 0, 0, 0, 0, 0, 2,
                        0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                        0, 0, 0, 0, 3, 0, -4, 0, 0, 0), EncodingChoice.blockSparse(4, ValueFormat.NATIVE)),
                single("block_sparse_int8.sparq", Tensor.ofFloats(new int[] {2, 16},
                        0, 0, 0, 0, 0, 0, 0, 0, 127, 0, -3, 0, 0, 0, 0, 1.5f,
                        -63.5f, 0.25f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), EncodingChoice.blockSparse(8, ValueFormat.INT8)),
                single("csr_f32.sparq", Tensor.ofFloats(new int[] {3, 6},
                        0, 1.5f, 0, 0, -2, 0,
                        0, 0, 0, 0, 0, 0,
                        7, 0, 0, 0, 0, 8), EncodingChoice.csr(ValueFormat.NATIVE)),
                single("csr_f16_u16.sparq", csrWide(), EncodingChoice.csr(ValueFormat.F16)),
                single("bitmap_f32.sparq", Tensor.ofFloats(new int[] {3, 10},
                        1, 0, 0, 0, 0, 0, 0, 0, 0, -1,
                        0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                        0, 0, 0, 0.5f, 0, 0, 0, 0, 4, 0), EncodingChoice.bitmap(ValueFormat.NATIVE)),
                single("bitmap_int4.sparq", Tensor.ofFloats(new int[] {2, 5},
                        0, 3.5f, 0, -7, 0,
                        0.5f, 0, 0, 0, -3.5f), EncodingChoice.bitmap(ValueFormat.INT4)),
                new Case("graph_attributes.sparq", attributes(), Map.of(), Map.of()),
                // format 1.1: B × 1 blocks along the rows; the second group sticks out past the last row
                single("column_block_sparse_int8.sparq", Tensor.ofFloats(new int[] {6, 3},
                        0, 127, 0,
                        0, 0, 0,
                        0, -63.5f, 0,
                        0, 0, 0,
                        254, 0, 0,
                        0, 0, -31.75f), EncodingChoice.columnBlockSparse(4, ValueFormat.INT8)),
                edgeCases());
    }

    private static Case single(String file, Tensor w, EncodingChoice choice) {
        return new Case(file, Graphs.ofTensors(Map.of("w", w)), Map.of("w", choice), Map.of());
    }

    private static Tensor csrWide() {
        float[] x = new float[2 * 300];
        x[3] = 0.5f;
        x[290] = -1.5f;       // gap of 286 columns: too wide for u8 deltas
        x[300 + 299] = 2f;
        return Tensor.ofFloats(new int[] {2, 300}, x);
    }

    /** Y = X · Wᵀ + B with a shape constant; every metadata type. */
    private static Graph gemm() {
        Map<String, Tensor> init = new LinkedHashMap<>();
        init.put("W", Tensor.ofFloats(new int[] {3, 4},
                0.5f, -1.25f, 2f, 0f,
                3f, 0.125f, -0.75f, 1f,
                0f, 0f, 0f, -2.5f));
        init.put("B", Tensor.ofFloats(new int[] {3}, 0.1f, -0.2f, 0.3f));
        init.put("shape", Tensor.ofLongs(new int[] {2}, -1, 3));
        return new Graph("gemm",
                List.of(new ValueInfo("X", DataType.FLOAT32, List.of(Dim.symbol("batch"), Dim.of(4)))),
                List.of(new ValueInfo("Y", DataType.FLOAT32, List.of(Dim.symbol("batch"), Dim.of(3)))),
                List.of(Graphs.node("fc", "Gemm", List.of("X", "W", "B"), List.of("fc_out"),
                                Attribute.of("transB", 1L), Attribute.of("alpha", 1f)),
                        Graphs.node("reshape", "Reshape", List.of("fc_out", "shape"), List.of("Y"))),
                init, Map.of("", 17), Map.of("producer_name", "golden"));
    }

    private static Map<String, MetaValue> metadata() {
        Map<String, MetaValue> m = new LinkedHashMap<>();
        m.put("sparq.producer", MetaValue.of("sparq golden v1"));
        m.put("sparq.source.sha256", MetaValue.of("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        m.put("sparq.tensor.W.sparsity", MetaValue.of(0.25));
        m.put("sparq.tensor.W.nonzeros", MetaValue.of(9L));
        m.put("pruned", MetaValue.of(false));
        m.put("salt", MetaValue.of(new byte[] {1, 2, (byte) 0xFE}));
        m.put("steps", MetaValue.of(new long[] {0, 100, 1000}));
        m.put("sparsity_curve", MetaValue.of(new double[] {0, 0.5, 0.25}));
        return m;
    }

    /** Every attribute kind, an If with a subgraph that has its own initializer, symbolic and unknown dims. */
    static Graph attributes() {
        Graph thenBranch = new Graph("then", List.of(), List.of(new ValueInfo("t_out", DataType.FLOAT32, null)),
                List.of(Graphs.node("t_add", "Add", List.of("h", "t_bias"), List.of("t_out"))),
                Map.of("t_bias", Tensor.ofFloats(new int[] {2}, 0.5f, -0.5f)), Map.of(), Map.of());
        Graph elseBranch = new Graph("else", List.of(), List.of(new ValueInfo("e_out", null, null)),
                List.of(Graphs.node("e_id", "Identity", List.of("h"), List.of("e_out"))), Map.of(), Map.of(), Map.of());
        List<Node> nodes = List.of(
                Graphs.node("const", "Constant", List.of(), List.of("k"), Attribute.of("value", Tensor.ofLongs(new int[] {2}, 1, 2))),
                Graphs.node("rnn", "RNN", List.of("x", "Wr", "Rr", "", "", ""), List.of("", "h"),
                        Attribute.of("hidden_size", 2L),
                        Attribute.of("clip", 2.5f),
                        Attribute.of("direction", "forward"),
                        Attribute.of("activation_alpha", new float[] {0.25f, -1f}),
                        Attribute.of("pads", new long[] {0, -1, 1L << 40}),
                        Attribute.of("activations", List.of("Tanh", "Relu"))),
                Graphs.node("if", "If", List.of("cond"), List.of("out"),
                        Attribute.of("then_branch", thenBranch), Attribute.of("else_branch", elseBranch)),
                new Node("", "Shape", "com.example", List.of("k"), List.of("k_shape"), Map.of()));
        Map<String, Tensor> init = new LinkedHashMap<>();
        init.put("Wr", Tensor.ofFloats(new int[] {1, 2, 3}, 1, 2, 3, 4, 5, 6));
        init.put("Rr", Tensor.ofFloats(new int[] {1, 2, 2}, -1, 0, 0, -1));
        Map<String, Integer> opsets = new LinkedHashMap<>();
        opsets.put("", 22);
        opsets.put("com.example", 3);
        return new Graph("attributes",
                List.of(new ValueInfo("x", DataType.FLOAT32, List.of(Dim.symbol("seq"), Dim.unknown(), Dim.of(3))),
                        new ValueInfo("cond", DataType.BOOL, List.of())),
                List.of(new ValueInfo("out", DataType.FLOAT32, null), new ValueInfo("k_shape", DataType.INT64, List.of(Dim.of(1)))),
                nodes, init, opsets, Map.of("doc", "every attribute kind"));
    }

    /** Empty tensors, a 0-d tensor, all-zero rows and fully pruned tensors, non-float tensors. */
    private static Case edgeCases() {
        Map<String, Tensor> t = new LinkedHashMap<>();
        Map<String, EncodingChoice> e = new LinkedHashMap<>();
        t.put("empty", Tensor.ofFloats(new int[] {0}));
        t.put("empty_rows", Tensor.ofFloats(new int[] {3, 0}));
        e.put("empty_rows", EncodingChoice.csr(ValueFormat.INT8));
        t.put("scalar", Tensor.scalar(2.5f));
        e.put("scalar", EncodingChoice.blockSparse(4, ValueFormat.NATIVE));
        t.put("pruned", Tensor.ofFloats(new int[] {4, 5}, new float[20]));
        e.put("pruned", EncodingChoice.csr(ValueFormat.NATIVE));
        t.put("pruned_bitmap", Tensor.ofFloats(new int[] {2, 3}, new float[6]));
        e.put("pruned_bitmap", EncodingChoice.bitmap(ValueFormat.F16));
        t.put("zero_rows", Tensor.ofFloats(new int[] {3, 2}, 0, 0, 127, -127, 0, 0));
        e.put("zero_rows", EncodingChoice.denseInt8());
        t.put("shape", Tensor.ofLongs(new int[] {2}, -1, 4));
        t.put("flags", Tensor.ofBools(new int[] {3}, true, false, true));
        return new Case("edge_cases.sparq", Graphs.ofTensors(t), e, Map.of("note", MetaValue.of("edge cases")));
    }

    /** Writes the cases whose files do not exist yet into the folder given as the only argument. */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        Files.createDirectories(dir);
        for (Case c : cases()) {
            Path file = dir.resolve(c.file());
            if (Files.exists(file)) {
                System.out.println("kept    " + file);
            } else {
                SparqWriter.write(file, c.graph(), c.encodings(), c.metadata());
                System.out.println("written " + file + " (" + Files.size(file) + " bytes)");
            }
        }
    }
}
