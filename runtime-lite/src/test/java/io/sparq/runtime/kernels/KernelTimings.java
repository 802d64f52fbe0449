package io.sparq.runtime.kernels;

import io.sparq.format.Tensor;
import io.sparq.format.codec.EncodedTensor;
import io.sparq.format.codec.EncodingChoice;
import io.sparq.format.codec.ValueFormat;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

import java.util.Random;
import java.util.function.IntSupplier;

/**
 * Sanity timings of the kernels (not a test, not a benchmark of record): per-call time of a
 * 4096 × 1024 matrix-vector product per encoding, the int8 variants, and the training-sized Gemm
 * shapes. Each measured call runs in its own method after warm-up; the figure is the best of
 * several rounds. Run with {@code java --add-modules jdk.incubator.vector -cp ... KernelTimings}.
 */
public final class KernelTimings {
    private KernelTimings() {
    }

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        KernelThreads.setThreads(threads);
        System.out.println("kernels: " + Vectorization.kernels() + ", threads " + threads);
        Random rnd = new Random(1);
        int rows = args.length > 1 ? Integer.parseInt(args[1]) : 4096;
        int cols = args.length > 2 ? Integer.parseInt(args[2]) : 1024;
        float[] x = WeightMatrixKernelsTest.random(rnd, cols);
        float[] y = new float[rows];
        Tensor dense = Tensor.ofFloats(new int[] {rows, cols}, WeightMatrixKernelsTest.random(rnd, rows * cols));
        matrixVector("dense f32", WeightMatrices.of(dense), x, y);
        matrixVector("dense f16", WeightMatrices.of(EncodedTensor.encode("w", dense, EncodingChoice.denseF16())), x, y);
        matrixVector("dense int8", WeightMatrices.of(EncodedTensor.encode("w", dense, EncodingChoice.denseInt8())), x, y);
        matrixVector("dense int4 G=32", WeightMatrices.of(EncodedTensor.encode("w", dense, EncodingChoice.denseInt4(32))), x, y);
        quantizedActivations(rnd, rows, cols);
        for (int b : new int[] {16, 8, 4}) {
            Tensor sparse = blockSparse(rnd, rows, cols, b, 0.1);
            matrixVector("block-sparse int8 B=" + b + " 90%",
                    WeightMatrices.of(EncodedTensor.encode("w", sparse, EncodingChoice.blockSparse(b, ValueFormat.INT8))), x, y);
            matrixVector("block-sparse f32  B=" + b + " 90%",
                    WeightMatrices.of(EncodedTensor.encode("w", sparse, EncodingChoice.blockSparse(b, ValueFormat.NATIVE))), x, y);
        }
        for (int b : new int[] {16, 8}) {
            Tensor sparse = columnBlockSparse(rnd, rows, cols, b, 0.1);
            matrixVector("column-block int8 B=" + b + " 90%",
                    WeightMatrices.of(EncodedTensor.encode("w", sparse, EncodingChoice.columnBlockSparse(b, ValueFormat.INT8))), x, y);
            matrixVector("column-block f32  B=" + b + " 90%",
                    WeightMatrices.of(EncodedTensor.encode("w", sparse, EncodingChoice.columnBlockSparse(b, ValueFormat.NATIVE))), x, y);
        }
        Tensor sparse = blockSparse(rnd, rows, cols, 1, 0.1);
        matrixVector("csr int8 90%", WeightMatrices.of(EncodedTensor.encode("w", sparse, EncodingChoice.csr(ValueFormat.INT8))), x, y);
        matrixVector("csr f32 90%", WeightMatrices.of(EncodedTensor.encode("w", sparse, EncodingChoice.csr(ValueFormat.NATIVE))), x, y);
        matrixVector("bitmap int8 90%", WeightMatrices.of(EncodedTensor.encode("w", sparse, EncodingChoice.bitmap(ValueFormat.INT8))), x, y);
        if (args.length > 3) {
            // the products of fine-tuning a 2 × LSTM 512 at batch 16, sequence 64 (1024 rows)
            gemm(rnd, 1024, 2048, 512);   // X·Wᵀ
            gemm(rnd, 1024, 512, 2048);   // dX = dZ·W
            gemm(rnd, 2048, 512, 1024);   // dW = dZᵀ·X
            gemm(rnd, 16, 2048, 512);     // one step's h·Rᵀ
            prepacked(rnd, 16, 2048, 512);
            prepacked(rnd, 16, 512, 2048);
        }
    }

    private static void matrixVector(String name, WeightMatrix w, float[] x, float[] y) {
        double us = best(() -> {
            w.multiply(1, x, 0, w.cols(), 0, w.rows(), y, 0, w.rows(), false);
            return (int) y[0];
        });
        System.out.printf("%-28s %9.1f us  (%d KiB)%n", name, us, w.storedBytes() / 1024);
    }

    private static void gemm(Random rnd, int m, int n, int k) {
        float[] a = WeightMatrixKernelsTest.random(rnd, m * k);
        float[] b = WeightMatrixKernelsTest.random(rnd, n * k);
        float[] c = new float[m * n];
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                double us = best(() -> {
                    Gemm.gemm(ta, tb, m, n, k, 1, a, 0, b, 0, 0, c, 0);
                    return (int) c[0];
                });
                System.out.printf("gemm %dx%dx%d transA=%-5b transB=%-5b %10.1f us  %.1f GFLOP/s%n",
                        m, n, k, ta, tb, us, 2.0 * m * n * k / us / 1e3);
            }
        }
    }

    /** One step's recurrent product with R packed once: what fine-tuning runs per time step. */
    private static void prepacked(Random rnd, int m, int n, int k) {
        float[] a = WeightMatrixKernelsTest.random(rnd, m * k);
        PackedMatrix b = Gemm.pack(true, k, n, WeightMatrixKernelsTest.random(rnd, n * k), 0);
        float[] c = new float[m * n];
        double us = best(() -> {
            Gemm.gemm(false, m, 1, a, 0, b, 0, c, 0);
            return (int) c[0];
        });
        System.out.printf("gemm %dx%dx%d B prepacked               %10.1f us  %.1f GFLOP/s%n", m, n, k, us,
                2.0 * m * n * k / us / 1e3);
    }

    /** The alternative int8 kernel: activations quantized to int8, byte products widened to short then int. */
    private static void quantizedActivations(Random rnd, int rows, int cols) {
        byte[] q = new byte[rows * cols];
        rnd.nextBytes(q);
        float[] x = WeightMatrixKernelsTest.random(rnd, cols);
        byte[] xq = new byte[cols];
        float[] y = new float[rows];
        double us = best(() -> {
            float max = 0;
            for (float v : x) {
                max = Math.max(max, Math.abs(v));
            }
            float s = max / 127;
            for (int p = 0; p < cols; p++) {
                xq[p] = (byte) Math.rint(x[p] / s);
            }
            for (int j = 0; j < rows; j += 4) {
                int4(q, j * cols, cols, xq, y, j, s);
            }
            return (int) y[0];
        });
        System.out.printf("%-28s %9.1f us%n", "dense int8, int8 activations", us);
    }

    private static void int4(byte[] q, int q0, int cols, byte[] xq, float[] y, int j, float s) {
        IntVector a0 = IntVector.zero(IntVector.SPECIES_256);
        IntVector a1 = a0;
        IntVector a2 = a0;
        IntVector a3 = a0;
        for (int p = 0; p < cols; p += 8) {
            ShortVector xv = (ShortVector) ByteVector.fromArray(ByteVector.SPECIES_64, xq, p)
                    .convertShape(VectorOperators.B2S, ShortVector.SPECIES_128, 0);
            a0 = a0.add(product(q, q0 + p, xv));
            a1 = a1.add(product(q, q0 + cols + p, xv));
            a2 = a2.add(product(q, q0 + 2 * cols + p, xv));
            a3 = a3.add(product(q, q0 + 3 * cols + p, xv));
        }
        y[j] = a0.reduceLanes(VectorOperators.ADD) * s;
        y[j + 1] = a1.reduceLanes(VectorOperators.ADD) * s;
        y[j + 2] = a2.reduceLanes(VectorOperators.ADD) * s;
        y[j + 3] = a3.reduceLanes(VectorOperators.ADD) * s;
    }

    private static IntVector product(byte[] q, int at, ShortVector xv) {
        ShortVector w = (ShortVector) ByteVector.fromArray(ByteVector.SPECIES_64, q, at)
                .convertShape(VectorOperators.B2S, ShortVector.SPECIES_128, 0);
        return (IntVector) w.mul(xv).convertShape(VectorOperators.S2I, IntVector.SPECIES_256, 0);
    }

    /** Random weights where a fraction {@code density} of the 1×b blocks is non-zero. */
    private static Tensor blockSparse(Random rnd, int rows, int cols, int b, double density) {
        float[] v = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c0 = 0; c0 < cols; c0 += b) {
                if (rnd.nextDouble() < density) {
                    for (int c = c0; c < Math.min(cols, c0 + b); c++) {
                        v[r * cols + c] = rnd.nextFloat() * 2 - 1;
                    }
                }
            }
        }
        return Tensor.ofFloats(new int[] {rows, cols}, v);
    }

    /** B×1 blocks (B rows of one column) kept with probability {@code density}. */
    private static Tensor columnBlockSparse(Random rnd, int rows, int cols, int b, double density) {
        float[] v = new float[rows * cols];
        for (int r0 = 0; r0 < rows; r0 += b) {
            for (int c = 0; c < cols; c++) {
                if (rnd.nextDouble() < density) {
                    for (int r = r0; r < Math.min(rows, r0 + b); r++) {
                        v[r * cols + c] = rnd.nextFloat() * 2 - 1;
                    }
                }
            }
        }
        return Tensor.ofFloats(new int[] {rows, cols}, v);
    }

    /**
     * Best per-call microseconds over 5 rounds of about 0.2 s each, after 3 s of warm-up (Vector API
     * code is very slow until C2 has compiled it, which on a loaded machine takes seconds).
     */
    private static double best(IntSupplier call) {
        int sink = 0;
        long t = System.nanoTime();
        int calls = 0;
        while (System.nanoTime() - t < 3_000_000_000L) {
            sink += call.getAsInt();
            calls++;
        }
        calls = Math.max(1, calls / 15);
        double best = Double.MAX_VALUE;
        for (int round = 0; round < 6; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                sink += call.getAsInt();
            }
            double us = (System.nanoTime() - t0) / 1e3 / calls;
            if (round > 0) {
                best = Math.min(best, us);
            }
        }
        if (sink == 42) {
            System.out.print("");
        }
        return best;
    }
}
