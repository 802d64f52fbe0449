package io.sparq.runtime.kernels;

import io.sparq.format.Tensor;
import io.sparq.format.codec.EncodedTensor;
import io.sparq.format.codec.EncodingChoice;
import io.sparq.format.codec.ValueFormat;
import io.sparq.runtime.kernels.simd.VectorKernels;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * Every encoding's {@link WeightMatrix}, on the scalar kernels and on the vector kernels at 128, 256
 * and 512 bits, against the double-precision product with {@link EncodedTensor#toDense()}: random
 * shapes with vector tails, 0 and several input rows, padded strides, row ranges, and both
 * overwrite and accumulate. No activation is quantized, so the only error is float rounding of a
 * sum of {@code cols} products, bounded by {@code 1e-6 + 2.5e-7·(cols + 4)·Σ|x·w|} (twice the
 * classic γ_n bound for a reordered sum, plus the per-row or per-group scale products).
 */
class WeightMatrixKernelsTest {
    private static final int[][] SHAPES = {
            {0, 5}, {1, 1}, {5, 3}, {9, 17}, {13, 40}, {6, 67}, {21, 33}, {3, 600}, {2, 1100}, {2, 6, 19}};

    static List<Kernels> backends() {
        return List.of(new ScalarKernels(), VectorKernels.forBits(128), VectorKernels.forBits(256),
                VectorKernels.forBits(512));
    }

    static List<EncodingChoice> choices() {
        List<EncodingChoice> all = new ArrayList<>(List.of(EncodingChoice.dense(), EncodingChoice.denseF16(),
                EncodingChoice.denseInt8(), EncodingChoice.denseInt4(16), EncodingChoice.denseInt4(32)));
        for (ValueFormat vf : ValueFormat.values()) {
            for (int b : new int[] {4, 8, 16}) {
                all.add(EncodingChoice.blockSparse(b, vf));
                all.add(EncodingChoice.columnBlockSparse(b, vf));
            }
            all.add(EncodingChoice.csr(vf));
            all.add(EncodingChoice.bitmap(vf));
        }
        return all;
    }

    @Test
    void everyEncodingMatchesTheDenseProductOnEveryBackend() {
        Random rnd = new Random(11);
        for (int[] shape : SHAPES) {
            Tensor dense = sparseRandom(rnd, shape);
            for (EncodingChoice choice : choices()) {
                EncodedTensor stored = EncodedTensor.encode("w", dense, choice);
                Tensor decoded = stored.toDense();
                for (Kernels kernels : backends()) {
                    WeightMatrix w = WeightMatrices.of(stored, kernels);
                    for (int trial = 0; trial < 3; trial++) {
                        check(rnd, w, decoded, stored + " on " + kernels);
                    }
                }
            }
        }
    }

    /**
     * Column blocks and packed dense weights are deterministic by construction: each output is one
     * FMA chain in block (column) order, so every vector width gives the scalar reference's bits
     * exactly, for any input count (the four-input passes, the paired one-input slices, the batch
     * panels, the row blocks of a packed product) and any row range, aligned to a panel or not.
     */
    @Test
    void columnBlocksAndPackedDenseGiveTheScalarBitsOnEveryBackend() {
        Random rnd = new Random(17);
        Kernels scalar = new ScalarKernels();
        for (int[] shape : new int[][] {{5, 3}, {40, 17}, {67, 130}, {256, 64}, {2, 19, 33}}) {
            Tensor dense = sparseRandom(rnd, shape);
            List<EncodingChoice> choices = new ArrayList<>(List.of(EncodingChoice.dense()));
            for (ValueFormat vf : List.of(ValueFormat.INT8, ValueFormat.NATIVE)) {
                for (int b : new int[] {4, 8, 16}) {
                    choices.add(EncodingChoice.columnBlockSparse(b, vf));
                }
            }
            for (EncodingChoice choice : choices) {
                EncodedTensor stored = EncodedTensor.encode("w", dense, choice);
                WeightMatrix reference = WeightMatrices.of(stored, scalar);
                int rows = reference.rows();
                int cols = reference.cols();
                for (Kernels kernels : backends()) {
                    WeightMatrix w = WeightMatrices.of(stored, kernels);
                    for (int m : new int[] {1, 2, 4, 7, 16, 37}) {   // 16 and 37: passes of eight inputs, then four, then one
                        int row0 = rnd.nextBoolean() ? 0 : rnd.nextInt(rows);
                        int row1 = rnd.nextBoolean() ? rows : row0 + rnd.nextInt(rows - row0 + 1);
                        float[] x = random(rnd, m * cols);
                        float[] want = random(rnd, m * (row1 - row0));
                        float[] got = want.clone();
                        boolean accumulate = rnd.nextBoolean();
                        reference.multiply(m, x, 0, cols, row0, row1, want, 0, row1 - row0, accumulate);
                        w.multiply(m, x, 0, cols, row0, row1, got, 0, row1 - row0, accumulate);
                        for (int i = 0; i < want.length; i++) {
                            assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]),
                                    stored + " on " + kernels + " m=" + m + " rows [" + row0 + ", " + row1 + ") element " + i);
                        }
                    }
                }
            }
        }
    }

    /** A [K, N] weight in 1×B blocks used transposed (MatMul) runs as B×1 column blocks of the N × K matrix. */
    @Test
    void transposedBlockSparseRunsAsColumnBlocks() {
        Random rnd = new Random(23);
        for (int[] shape : new int[][] {{5, 3}, {40, 17}, {130, 67}, {64, 256}}) {
            Tensor dense = sparseRandom(rnd, shape);
            for (ValueFormat vf : List.of(ValueFormat.INT8, ValueFormat.NATIVE, ValueFormat.INT4)) {
                for (int b : new int[] {4, 8, 16}) {
                    EncodedTensor stored = EncodedTensor.encode("w", dense, EncodingChoice.blockSparse(b, vf));
                    float[] d = stored.toDense().floats();
                    int k = shape[0];
                    int n = shape[1];
                    float[] t = new float[d.length];
                    for (int i = 0; i < k; i++) {
                        for (int j = 0; j < n; j++) {
                            t[j * k + i] = d[i * n + j];
                        }
                    }
                    Tensor transposed = Tensor.ofFloats(new int[] {n, k}, t);
                    for (Kernels kernels : backends()) {
                        WeightMatrix w = WeightMatrices.transposedOf(stored, kernels);
                        assertInstanceOf(ColumnBlockF32Matrix.class, w);
                        assertEquals(n, w.rows());
                        assertEquals(k, w.cols());
                        for (int trial = 0; trial < 3; trial++) {
                            check(rnd, w, transposed, "transposed " + stored + " on " + kernels);
                        }
                    }
                }
            }
        }
        Tensor any = sparseRandom(rnd, new int[] {8, 8});
        assertEquals(null, WeightMatrices.transposedOf(EncodedTensor.encode("w", any, EncodingChoice.csr(ValueFormat.INT8))));
    }

    @Test
    void factoryPicksTheKernelOfTheEncoding() {
        Tensor dense = sparseRandom(new Random(3), new int[] {8, 32});
        Kernels k = new ScalarKernels();
        assertInstanceOf(PackedF32Matrix.class, WeightMatrices.of(EncodedTensor.encode("w", dense, EncodingChoice.dense()), k));
        assertInstanceOf(PackedF32Matrix.class, WeightMatrices.of(dense, k));
        assertInstanceOf(DenseF16Matrix.class, WeightMatrices.of(EncodedTensor.encode("w", dense, EncodingChoice.denseF16()), k));
        assertInstanceOf(DenseInt8Matrix.class, WeightMatrices.of(EncodedTensor.encode("w", dense, EncodingChoice.denseInt8()), k));
        assertInstanceOf(DenseInt4Matrix.class, WeightMatrices.of(EncodedTensor.encode("w", dense, EncodingChoice.denseInt4(16)), k));
        assertInstanceOf(BlockSparseInt8Matrix.class,
                WeightMatrices.of(EncodedTensor.encode("w", dense, EncodingChoice.blockSparse(8, ValueFormat.INT4)), k));
        assertInstanceOf(BlockSparseF32Matrix.class,
                WeightMatrices.of(EncodedTensor.encode("w", dense, EncodingChoice.blockSparse(8, ValueFormat.F16)), k));
        assertInstanceOf(CsrInt8Matrix.class, WeightMatrices.of(EncodedTensor.encode("w", dense, EncodingChoice.bitmap(ValueFormat.INT8)), k));
        assertInstanceOf(CsrF32Matrix.class, WeightMatrices.of(EncodedTensor.encode("w", dense, EncodingChoice.csr(ValueFormat.NATIVE)), k));
        assertInstanceOf(ColumnBlockInt8Matrix.class,
                WeightMatrices.of(EncodedTensor.encode("w", dense, EncodingChoice.columnBlockSparse(16, ValueFormat.INT4)), k));
        assertInstanceOf(ColumnBlockF32Matrix.class,
                WeightMatrices.of(EncodedTensor.encode("w", dense, EncodingChoice.columnBlockSparse(4, ValueFormat.F16)), k));
    }

    @Test
    void largeProductsSplitAcrossThreadsGiveTheSameResult() {
        Random rnd = new Random(5);
        Tensor dense = sparseRandom(rnd, new int[] {512, 300});
        int before = KernelThreads.threads();
        try {
            for (EncodingChoice choice : List.of(EncodingChoice.dense(), EncodingChoice.denseInt8(),
                    EncodingChoice.blockSparse(8, ValueFormat.INT8), EncodingChoice.csr(ValueFormat.NATIVE),
                    EncodingChoice.columnBlockSparse(16, ValueFormat.INT8), EncodingChoice.columnBlockSparse(8, ValueFormat.NATIVE))) {
                EncodedTensor stored = EncodedTensor.encode("w", dense, choice);
                WeightMatrix w = WeightMatrices.of(stored);
                float[] x = random(rnd, 8 * 300);
                float[] single = new float[8 * 512];
                float[] split = new float[8 * 512];
                KernelThreads.setThreads(1);
                w.multiply(8, x, 0, 300, 0, 512, single, 0, 512, false);
                KernelThreads.setThreads(3);
                w.multiply(8, x, 0, 300, 0, 512, split, 0, 512, false);
                for (int i = 0; i < single.length; i++) {
                    assertEquals(single[i], split[i], 1e-5f * (1 + Math.abs(single[i])), stored + " element " + i);
                }
            }
        } finally {
            KernelThreads.setThreads(before);
        }
    }

    private static void check(Random rnd, WeightMatrix w, Tensor decoded, String what) {
        int rows = w.rows();
        int cols = w.cols();
        float[] wd = decoded.floats();
        int m = rnd.nextInt(10);   // 0 to 9 inputs: the one-input loop, and the four-input passes with a remainder
        int row0 = rows == 0 ? 0 : rnd.nextInt(rows);
        int row1 = row0 + (rows == 0 ? 0 : rnd.nextInt(rows - row0 + 1));
        if (rnd.nextBoolean()) {
            row0 = 0;
            row1 = rows;
        }
        int xOff = rnd.nextInt(3);
        int ldx = cols + rnd.nextInt(3);
        int yOff = rnd.nextInt(3);
        int ldy = row1 - row0 + rnd.nextInt(3);
        boolean accumulate = rnd.nextBoolean();
        float[] x = random(rnd, xOff + m * ldx + 2);
        float[] y = random(rnd, yOff + m * ldy + 2);
        float[] before = y.clone();
        w.multiply(m, x, xOff, ldx, row0, row1, y, yOff, ldy, accumulate);
        for (int i = 0; i < m; i++) {
            for (int j = row0; j < row1; j++) {
                int at = yOff + i * ldy + j - row0;
                double want = accumulate ? before[at] : 0;
                double magnitude = Math.abs(want);
                for (int p = 0; p < cols; p++) {
                    double term = (double) x[xOff + i * ldx + p] * wd[j * cols + p];
                    want += term;
                    magnitude += Math.abs(term);
                }
                assertEquals(want, y[at], 1e-6 + 2.5e-7 * (cols + 4) * magnitude,
                        what + " m=" + m + " rows [" + row0 + ", " + row1 + ") Y[" + i + "][" + j + "]");
            }
        }
        // elements outside the written block are untouched
        for (int at = 0; at < y.length; at++) {
            int rel = at - yOff;
            boolean written = rel >= 0 && m > 0 && rel / Math.max(1, ldy) < m && rel % Math.max(1, ldy) < row1 - row0;
            if (!written) {
                assertEquals(before[at], y[at], what + " wrote outside Y at " + at);
            }
        }
    }

    /** Random values with whole zero 1×4 runs, zero elements and a zero row, so every sparse form has gaps. */
    static Tensor sparseRandom(Random rnd, int[] shape) {
        int n = Tensor.sizeOf(shape);
        int cols = shape[shape.length - 1];
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            boolean runZero = ((i % cols) / 4 + i / Math.max(1, cols)) % 3 == 0;
            v[i] = runZero || rnd.nextInt(4) == 0 ? 0 : rnd.nextFloat() * 2 - 1;
        }
        if (n > cols) {
            java.util.Arrays.fill(v, 0, cols, 0f);
        }
        return Tensor.ofFloats(shape, v);
    }

    static float[] random(Random rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = rnd.nextFloat() * 2 - 1;
        }
        return v;
    }
}
