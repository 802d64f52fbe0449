package io.sparq.runtime.kernels.simd;

import io.sparq.runtime.kernels.Kernels;
import io.sparq.runtime.kernels.PackedMatrix;
import io.sparq.runtime.kernels.ScalarKernels;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Kernels} on the Vector API at one vector width (128, 256 or 512 bits): fused multiply-adds,
 * several independent accumulators (one per output element of a register block) and a scalar tail.
 *
 * <p>The Vector API compiles to SIMD instructions only when the species is a compile-time
 * constant, so the width is fixed per subclass ({@link #forBits}), each returning static species
 * from its accessors; in a running program only one width is in use and the accessors inline.
 *
 * <p>This class holds the width (the species) and hands each product to the class of its encoding,
 * each of which names its scalar reference in {@link ScalarKernels}: {@link DenseF32Vector},
 * {@link DenseInt8Vector}, {@link BlockSparseVector}, {@link CsrVector}, {@link ColumnBlockVector},
 * {@link GateVector}. They take this object for its species; the accessors are tiny and inline, so
 * every species is a compile-time constant in their loops.
 *
 * <p>int8 codes are widened to float in registers (byte → int → float, then one FMA with the f32
 * activations): on this AVX2 machine that measured faster than quantizing the activation row to
 * int8 and multiplying bytes with short and int widening (86 µs against 97 µs for 1024 × 256), and
 * it adds no activation-quantization error.
 */
public abstract class VectorKernels implements Kernels {
    static final VectorSpecies<Float> F128 = FloatVector.SPECIES_128;
    private static final VectorSpecies<Float> F256 = FloatVector.SPECIES_256;
    private static final VectorSpecies<Float> F512 = FloatVector.SPECIES_512;
    static final VectorSpecies<Byte> B64 = ByteVector.SPECIES_64;
    private static final VectorSpecies<Byte> B128 = ByteVector.SPECIES_128;
    /** The reference, for what the vector classes leave to it (block sizes below a vector, binary16). */
    static final Kernels SCALAR = new ScalarKernels();

    VectorKernels() {
    }

    /** The kernels at the platform's preferred vector width, or null when it has no SIMD of at least 128 bits. */
    public static Kernels preferred() {
        int bits = FloatVector.SPECIES_PREFERRED.vectorBitSize();
        return bits < 128 ? null : forBits(Math.min(bits, 512));
    }

    /** The kernels at a given vector width (128, 256 or 512; wider than the hardware runs, slowly, in Java). */
    public static Kernels forBits(int bits) {
        switch (bits) {
            case 128: return new W128();
            case 256: return new W256();
            case 512: return new W512();
            default: throw new IllegalArgumentException("vector width " + bits + " bits, expected 128, 256 or 512");
        }
    }

    /** L float lanes: the full width. */
    abstract VectorSpecies<Float> floats();

    /** L byte lanes, or 8 when L = 4 (the narrowest byte vector; the upper half is ignored). */
    abstract VectorSpecies<Byte> bytes();

    /** min(8, L) float lanes and their bytes: one 1×8 block. */
    abstract VectorSpecies<Float> floats8();

    abstract VectorSpecies<Byte> bytes8();

    /** min(16, L) float lanes and their bytes: one 1×16 block. */
    abstract VectorSpecies<Float> floats16();

    abstract VectorSpecies<Byte> bytes16();

    /** L int8 codes from {@code q[at]} widened to floats (byte → int → float, in registers). */
    final FloatVector codes(byte[] q, int at) {
        return (FloatVector) ByteVector.fromArray(bytes(), q, at).convertShape(VectorOperators.B2F, floats(), 0);
    }

    @Override
    public void gemmNT(int m, int n, int k, float alpha, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                       float beta, float[] c, int cOff, int ldc) {
        DenseF32Vector.gemmNT(this, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    /** Two vectors of columns per panel: a block of 4 A rows keeps 8 accumulators in registers. */
    @Override
    public int panelWidth() {
        return 2 * floats().length();
    }

    @Override
    public void gemmPacked(int m, float alpha, float[] a, int aOff, int lda, PackedMatrix b, int panel0, int panel1,
                           float beta, float[] c, int cOff, int ldc) {
        DenseF32Vector.gemmPacked(this, m, alpha, a, aOff, lda, b, panel0, panel1, beta, c, cOff, ldc);
    }

    /**
     * The scalar table-lookup loop: widening binary16 in registers needs bit reinterpretation and
     * shifts that JDK 17's Vector API leaves uncompiled (measured 100× slower than scalar).
     */
    @Override
    public void denseF16(short[] w, int cols, int m, float[] x, int xOff, int ldx, int row0, int row1,
                         float[] y, int yOff, int ldy, boolean accumulate) {
        SCALAR.denseF16(w, cols, m, x, xOff, ldx, row0, row1, y, yOff, ldy, accumulate);
    }

    @Override
    public void denseInt8(byte[] q, float[] scales, int group, int cols, int m, float[] x, int xOff, int ldx,
                          int row0, int row1, float[] y, int yOff, int ldy, boolean accumulate) {
        DenseInt8Vector.denseInt8(this, q, scales, group, cols, m, x, xOff, ldx, row0, row1, y, yOff, ldy, accumulate);
    }

    @Override
    public void blockSparseF32(int blockSize, int[] rowPtr, int[] blockCol, float[] values, int cols,
                               int m, float[] x, int xOff, int ldx, int row0, int row1,
                               float[] y, int yOff, int ldy, boolean accumulate) {
        BlockSparseVector.blockSparseF32(this, blockSize, rowPtr, blockCol, values, cols, m, x, xOff, ldx, row0, row1,
                y, yOff, ldy, accumulate);
    }

    @Override
    public void blockSparseInt8(int blockSize, int[] rowPtr, int[] blockCol, byte[] q, float[] scales, int cols,
                                int m, float[] x, int xOff, int ldx, int row0, int row1,
                                float[] y, int yOff, int ldy, boolean accumulate) {
        BlockSparseVector.blockSparseInt8(this, blockSize, rowPtr, blockCol, q, scales, cols, m, x, xOff, ldx,
                row0, row1, y, yOff, ldy, accumulate);
    }

    @Override
    public void csrF32(int[] rowPtr, int[] col, float[] values, int m, float[] x, int xOff, int ldx, int row0, int row1,
                       float[] y, int yOff, int ldy, boolean accumulate) {
        CsrVector.csrF32(this, rowPtr, col, values, m, x, xOff, ldx, row0, row1, y, yOff, ldy, accumulate);
    }

    @Override
    public void csrInt8(int[] rowPtr, int[] col, byte[] q, float[] scales, int m, float[] x, int xOff, int ldx,
                        int row0, int row1, float[] y, int yOff, int ldy, boolean accumulate) {
        CsrVector.csrInt8(this, rowPtr, col, q, scales, m, x, xOff, ldx, row0, row1, y, yOff, ldy, accumulate);
    }

    @Override
    public void columnBlockF32(int blockSize, int[] groupPtr, int[] col, float[] values,
                               int m, float[] x, int xOff, int ldx, int row0, int row1,
                               float[] y, int yOff, int ldy, boolean accumulate) {
        ColumnBlockVector.columnBlockF32(this, blockSize, groupPtr, col, values, m, x, xOff, ldx, row0, row1,
                y, yOff, ldy, accumulate);
    }

    @Override
    public void columnBlockInt8(int blockSize, int[] groupPtr, int[] col, byte[] q, float[] scales, int cols,
                                int m, float[] x, int xOff, int ldx, int row0, int row1,
                                float[] y, int yOff, int ldy, boolean accumulate) {
        ColumnBlockVector.columnBlockInt8(this, blockSize, groupPtr, col, q, scales, cols, m, x, xOff, ldx,
                row0, row1, y, yOff, ldy, accumulate);
    }

    @Override
    public void sigmoid(float[] v, int off, int n) {
        GateVector.sigmoid(this, v, off, n);
    }

    @Override
    public void tanh(float[] v, int off, int n) {
        GateVector.tanh(this, v, off, n);
    }

    @Override
    public String toString() {
        return "vector " + floats().vectorBitSize() + "-bit";
    }

    private static final class W128 extends VectorKernels {
        @Override VectorSpecies<Float> floats() { return F128; }
        @Override VectorSpecies<Byte> bytes() { return B64; }
        @Override VectorSpecies<Float> floats8() { return F128; }
        @Override VectorSpecies<Byte> bytes8() { return B64; }
        @Override VectorSpecies<Float> floats16() { return F128; }
        @Override VectorSpecies<Byte> bytes16() { return B64; }
    }

    private static final class W256 extends VectorKernels {
        @Override VectorSpecies<Float> floats() { return F256; }
        @Override VectorSpecies<Byte> bytes() { return B64; }
        @Override VectorSpecies<Float> floats8() { return F256; }
        @Override VectorSpecies<Byte> bytes8() { return B64; }
        @Override VectorSpecies<Float> floats16() { return F256; }
        @Override VectorSpecies<Byte> bytes16() { return B64; }
    }

    private static final class W512 extends VectorKernels {
        @Override VectorSpecies<Float> floats() { return F512; }
        @Override VectorSpecies<Byte> bytes() { return B128; }
        @Override VectorSpecies<Float> floats8() { return F256; }
        @Override VectorSpecies<Byte> bytes8() { return B64; }
        @Override VectorSpecies<Float> floats16() { return F512; }
        @Override VectorSpecies<Byte> bytes16() { return B128; }
    }
}
