package io.sparq.runtime.kernels;

import io.sparq.format.DataType;
import io.sparq.format.Float16;
import io.sparq.format.Tensor;
import io.sparq.format.codec.EncodedTensor;
import io.sparq.format.codec.Encoding;
import io.sparq.format.codec.Encoding.Part;
import io.sparq.format.codec.IndexFormat;
import io.sparq.format.codec.TensorLayout;
import io.sparq.format.codec.ValueFormat;

import java.nio.ByteBuffer;

/**
 * Builds the {@link WeightMatrix} kernel that fits a tensor's storage encoding (SPEC.md §6).
 *
 * <p>The stored arrays are copied once, at load, into Java arrays the kernels index directly
 * (the Vector API of JDK 17 loads from arrays; a memory-mapped file would need a per-load bounds
 * and byte-order check). The copies keep the stored precision, with these widenings: indices
 * become {@code int} (block indices become first columns); int4 codes become one byte each;
 * f16 values of the sparse encodings become float; a {@code bitmap} becomes a column list (CSR),
 * because consuming packed values by bit mask needs a vector expand that JDK 17 lacks.
 *
 * <p>A tensor of rank r &gt; 2 is viewed as {@code (d0·…·d(r-2)) × d(r-1)}: the rows of all
 * leading axes, so recurrent ops can multiply the row range of one direction or gate.
 */
public final class WeightMatrices {
    /** Bytes past the last int8 code that vector loads may touch. */
    private static final int CODE_PADDING = 16;

    private WeightMatrices() {
    }

    /** The matrix of a stored float32 tensor, on the kernels chosen by {@link Vectorization}. */
    public static WeightMatrix of(EncodedTensor stored) {
        return of(stored, Vectorization.kernels());
    }

    /**
     * The matrix of a dense float32 tensor, viewed as {@link #of(EncodedTensor)} says: copied once
     * into the panels the kernels stream ({@link PackedF32Matrix}), so a weight gives the same bits
     * whether it is a constant or computed by the graph.
     */
    public static WeightMatrix of(Tensor dense) {
        return of(dense, Vectorization.kernels());
    }

    /**
     * The matrix of a stored 2-D weight {@code [K, N]} used transposed (MatMul's B, Gemm's B without
     * {@code transB}): rows = the N outputs. A {@code block_sparse} tensor's 1×B blocks run along N,
     * so in the transposed view they are B×1 column blocks and become a {@link ColumnBlockF32Matrix}
     * (int8 / int4 codes times their row scale, as {@link EncodedTensor#toDense()} gives them);
     * null for any other encoding, which the caller decodes and transposes.
     */
    public static WeightMatrix transposedOf(EncodedTensor stored) {
        return transposedOf(stored, Vectorization.kernels());
    }

    static WeightMatrix transposedOf(EncodedTensor stored, Kernels kernels) {
        TensorLayout layout = stored.layout();
        if (layout.encoding() != Encoding.BLOCK_SPARSE || layout.shape().length != 2 || layout.type() != DataType.FLOAT32) {
            return null;
        }
        int b = layout.blockSize();
        int k = (int) layout.rows();       // inputs: the stored rows
        int n = (int) layout.cols();       // outputs
        int count = (int) layout.count();
        int[] rowPtr = ints(stored.part(Part.ROW_PTR), k + 1);
        int[] blockCol = indices(stored.part(Part.INDICES), layout.index(), count);
        float[] stored32 = new float[count * b];
        ValueFormat vf = layout.values();
        if (vf == ValueFormat.INT8 || vf == ValueFormat.INT4) {
            byte[] q = codes(stored, vf, count * b);
            float[] scales = floats(stored.part(Part.SCALES), k);
            for (int r = 0; r < k; r++) {
                for (int t = rowPtr[r]; t < rowPtr[r + 1]; t++) {
                    for (int e = 0; e < b; e++) {
                        stored32[t * b + e] = q[t * b + e] * scales[r];
                    }
                }
            }
        } else {
            stored32 = values(stored, vf, count * b);
        }
        // regroup the blocks by block column (the output group), inputs ascending within a group
        int groups = (int) layout.blocksPerRow();
        int[] groupPtr = new int[groups + 1];
        for (int t = 0; t < count; t++) {
            groupPtr[blockCol[t] + 1]++;
        }
        for (int g = 0; g < groups; g++) {
            groupPtr[g + 1] += groupPtr[g];
        }
        int[] next = java.util.Arrays.copyOf(groupPtr, groups);
        int[] col = new int[count];
        float[] values = new float[count * b];
        for (int r = 0; r < k; r++) {
            for (int t = rowPtr[r]; t < rowPtr[r + 1]; t++) {
                int at = next[blockCol[t]]++;
                col[at] = r;
                System.arraycopy(stored32, t * b, values, at * b, b);
            }
        }
        return new ColumnBlockF32Matrix(kernels, b, groupPtr, col, values, n, k);
    }

    static WeightMatrix of(Tensor dense, Kernels kernels) {
        if (dense.type() != DataType.FLOAT32) {
            throw new IllegalArgumentException("a weight matrix must be float32, this tensor is " + dense.type().displayName());
        }
        int cols = dense.rank() == 0 ? 1 : dense.dim(dense.rank() - 1);
        int rows = cols == 0 ? 0 : dense.size() / cols;
        return new PackedF32Matrix(kernels, dense.floats(), rows, cols);
    }

    static WeightMatrix of(EncodedTensor stored, Kernels kernels) {
        TensorLayout layout = stored.layout();
        if (layout.type() != DataType.FLOAT32) {
            throw new IllegalArgumentException("weight '" + stored.name() + "' must be float32, it is "
                    + layout.type().displayName());
        }
        int rows = (int) layout.rows();
        int cols = (int) layout.cols();
        ValueFormat vf = layout.values();
        return switch (layout.encoding()) {
            case DENSE -> dense(stored, kernels, rows, cols);
            case BLOCK_SPARSE -> {
                int b = layout.blockSize();
                int count = (int) layout.count();
                int[] rowPtr = ints(stored.part(Part.ROW_PTR), rows + 1);
                int[] blockCol = indices(stored.part(Part.INDICES), layout.index(), count);
                for (int t = 0; t < count; t++) {
                    blockCol[t] *= b;
                }
                if (vf == ValueFormat.INT8 || vf == ValueFormat.INT4) {
                    yield new BlockSparseInt8Matrix(kernels, b, rowPtr, blockCol, codes(stored, vf, count * b),
                            floats(stored.part(Part.SCALES), rows), rows, cols);
                }
                yield new BlockSparseF32Matrix(kernels, b, rowPtr, blockCol, values(stored, vf, count * b), rows, cols);
            }
            case COLUMN_BLOCK_SPARSE -> {
                int b = layout.blockSize();
                int count = (int) layout.count();
                int groups = (int) layout.rowGroups();
                int[] groupPtr = ints(stored.part(Part.ROW_PTR), groups + 1);
                int[] col = indices(stored.part(Part.INDICES), layout.index(), count);
                if (vf == ValueFormat.INT8 || vf == ValueFormat.INT4) {
                    float[] scales = new float[groups * b];   // zero past the last row, as the codes there
                    stored.part(Part.SCALES).asFloatBuffer().get(scales, 0, rows);
                    yield new ColumnBlockInt8Matrix(kernels, b, groupPtr, col, codes(stored, vf, count * b), scales, rows, cols);
                }
                yield new ColumnBlockF32Matrix(kernels, b, groupPtr, col, values(stored, vf, count * b), rows, cols);
            }
            case CSR -> {
                int count = (int) layout.count();
                int[] rowPtr = ints(stored.part(Part.ROW_PTR), rows + 1);
                int[] col = indices(stored.part(Part.INDICES), layout.index(), count);
                if (layout.index() == IndexFormat.U8_DELTA) {
                    for (int r = 0; r < rows; r++) {
                        for (int t = rowPtr[r] + 1; t < rowPtr[r + 1]; t++) {
                            col[t] += col[t - 1] + 1;
                        }
                    }
                }
                yield csr(stored, kernels, vf, rowPtr, col, rows, cols);
            }
            case BITMAP -> {
                int count = (int) layout.count();
                ByteBuffer bits = stored.part(Part.BITMAP);
                int rowBytes = (cols + 7) / 8;
                int[] rowPtr = new int[rows + 1];
                int[] col = new int[count];
                int t = 0;
                for (int r = 0; r < rows; r++) {
                    for (int c = 0; c < cols; c++) {
                        if ((bits.get(r * rowBytes + c / 8) >> (c % 8) & 1) != 0) {
                            col[t++] = c;
                        }
                    }
                    rowPtr[r + 1] = t;
                }
                yield csr(stored, kernels, vf, rowPtr, col, rows, cols);
            }
        };
    }

    private static WeightMatrix dense(EncodedTensor stored, Kernels kernels, int rows, int cols) {
        TensorLayout layout = stored.layout();
        int n = rows * cols;
        switch (layout.values()) {
            case F16: {
                short[] w = new short[n];
                stored.part(Part.VALUES).asShortBuffer().get(w);
                return new DenseF16Matrix(kernels, w, rows, cols);
            }
            case INT8: {
                byte[] q = new byte[n + CODE_PADDING];
                stored.part(Part.VALUES).get(q, 0, n);
                return new DenseInt8Matrix(kernels, q, floats(stored.part(Part.SCALES), rows), rows, cols);
            }
            case INT4: {
                int g = layout.blockSize();
                int groups = (cols + g - 1) / g;
                ByteBuffer packed = stored.part(Part.VALUES);
                int rowBytes = (cols + 1) / 2;
                byte[] q = new byte[n + CODE_PADDING];
                for (int r = 0; r < rows; r++) {
                    for (int c = 0; c < cols; c++) {
                        q[r * cols + c] = nibble(packed.get(r * rowBytes + c / 2), c);
                    }
                }
                return new DenseInt4Matrix(kernels, q, floats(stored.part(Part.SCALES), rows * groups), g, rows, cols);
            }
            default:
                return of(stored.toDense(), kernels);
        }
    }

    private static WeightMatrix csr(EncodedTensor stored, Kernels kernels, ValueFormat vf, int[] rowPtr, int[] col,
                                    int rows, int cols) {
        if (vf == ValueFormat.INT8 || vf == ValueFormat.INT4) {
            return new CsrInt8Matrix(kernels, rowPtr, col, codes(stored, vf, col.length),
                    floats(stored.part(Part.SCALES), rows), rows, cols);
        }
        return new CsrF32Matrix(kernels, rowPtr, col, values(stored, vf, col.length), rows, cols);
    }

    /** Sign-extended 4-bit code {@code i} of a packed run (even index in the low nibble). */
    private static byte nibble(byte packed, int i) {
        return (byte) ((i & 1) == 0 ? (byte) (packed << 4) >> 4 : packed >> 4);
    }

    private static byte[] codes(EncodedTensor stored, ValueFormat vf, int count) {
        ByteBuffer v = stored.part(Part.VALUES);
        byte[] q = new byte[count + CODE_PADDING];
        if (vf == ValueFormat.INT8) {
            v.get(q, 0, count);
        } else {
            for (int i = 0; i < count; i++) {
                q[i] = nibble(v.get(i / 2), i);
            }
        }
        return q;
    }

    private static float[] values(EncodedTensor stored, ValueFormat vf, int count) {
        ByteBuffer v = stored.part(Part.VALUES);
        float[] out = new float[count];
        if (vf == ValueFormat.F16) {
            for (int i = 0; i < count; i++) {
                out[i] = Float16.toFloat(v.getShort(2 * i));
            }
        } else {
            v.asFloatBuffer().get(out);
        }
        return out;
    }

    private static int[] ints(ByteBuffer b, int n) {
        int[] out = new int[n];
        b.asIntBuffer().get(out);
        return out;
    }

    private static float[] floats(ByteBuffer b, int n) {
        float[] out = new float[n];
        b.asFloatBuffer().get(out);
        return out;
    }

    private static int[] indices(ByteBuffer b, IndexFormat format, int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = switch (format) {
                case U8, U8_DELTA -> Byte.toUnsignedInt(b.get(i));
                case U16 -> Short.toUnsignedInt(b.getShort(2 * i));
                case U32 -> b.getInt(4 * i);
                case NONE -> throw new IllegalArgumentException("no index array to read");
            };
        }
        return out;
    }
}
