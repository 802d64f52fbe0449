package io.sparq.runtime.kernels.simd;

import io.sparq.runtime.kernels.FastMath;
import io.sparq.runtime.kernels.Kernels;
import io.sparq.runtime.kernels.PackedMatrix;
import io.sparq.runtime.kernels.ScalarKernels;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
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
 * <p>int8 codes are widened to float in registers (byte → int → float, then one FMA with the f32
 * activations): on this AVX2 machine that measured faster than quantizing the activation row to
 * int8 and multiplying bytes with short and int widening (86 µs against 97 µs for 1024 × 256), and
 * it adds no activation-quantization error.
 */
public abstract class VectorKernels implements Kernels {
    private static final VectorSpecies<Float> F128 = FloatVector.SPECIES_128;
    private static final VectorSpecies<Float> F256 = FloatVector.SPECIES_256;
    private static final VectorSpecies<Float> F512 = FloatVector.SPECIES_512;
    private static final VectorSpecies<Byte> B64 = ByteVector.SPECIES_64;
    private static final VectorSpecies<Byte> B128 = ByteVector.SPECIES_128;
    /** Floats of A kept hot while the panels of {@link #gemmPacked} pass over them: 256 KiB. */
    private static final int A_BLOCK_FLOATS = 64 * 1024;
    /** Floats of B kept hot per panel of {@link #gemmNT}: 64 KiB. */
    private static final int PANEL_FLOATS = 16 * 1024;
    private static final Kernels SCALAR = new ScalarKernels();
    /** Per-thread raw sums of one panel, for products that scale or cut a panel ({@link #gemmPacked}). */
    private static final ThreadLocal<float[]> PANEL_SUMS = ThreadLocal.withInitial(() -> new float[0]);

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

    // ---------------------------------------------------------------- dense f32

    @Override
    public void gemmNT(int m, int n, int k, float alpha, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                       float beta, float[] c, int cOff, int ldc) {
        int panel = Math.max(4, PANEL_FLOATS / Math.max(1, k)) & ~3;
        for (int j0 = 0; j0 < n; j0 += panel) {
            int j1 = Math.min(n, j0 + panel);
            int i = 0;
            for (; i + 2 <= m; i += 2) {
                int a0 = aOff + i * lda;
                int c0 = cOff + i * ldc;
                int j = j0;
                for (; j + 4 <= j1; j += 4) {
                    dot2x4(k, alpha, a, a0, lda, b, bOff + j * ldb, ldb, beta, c, c0 + j, ldc);
                }
                for (; j < j1; j++) {
                    int bj = bOff + j * ldb;
                    c[c0 + j] = combine(alpha, dot(k, a, a0, b, bj), beta, c[c0 + j]);
                    c[c0 + ldc + j] = combine(alpha, dot(k, a, a0 + lda, b, bj), beta, c[c0 + ldc + j]);
                }
            }
            for (; i < m; i++) {
                int a0 = aOff + i * lda;
                int c0 = cOff + i * ldc;
                int j = j0;
                for (; j + 8 <= j1; j += 8) {
                    dot1x8(k, alpha, a, a0, b, bOff + j * ldb, ldb, beta, c, c0 + j);
                }
                for (; j + 4 <= j1; j += 4) {
                    dot1x4(k, alpha, a, a0, b, bOff + j * ldb, ldb, beta, c, c0 + j);
                }
                for (; j < j1; j++) {
                    c[c0 + j] = combine(alpha, dot(k, a, a0, b, bOff + j * ldb), beta, c[c0 + j]);
                }
            }
        }
    }

    /**
     * The lanes' sum, added in lane order (lanes read with constant indices, so each read compiles
     * to one extract). {@code reduceLanes(ADD)} leaves the order open and JDK 25's C2 reassociates it,
     * so results changed in their last bits once the JIT compiled a kernel and a run did not repeat
     * itself within one JVM.
     */
    private static float sum(FloatVector v) {
        float s = v.lane(0) + v.lane(1) + v.lane(2) + v.lane(3);
        if (v.length() == 4) {
            return s;
        }
        s = s + v.lane(4) + v.lane(5) + v.lane(6) + v.lane(7);
        if (v.length() == 8) {
            return s;
        }
        return s + v.lane(8) + v.lane(9) + v.lane(10) + v.lane(11)
                + v.lane(12) + v.lane(13) + v.lane(14) + v.lane(15);
    }

    /**
     * {@link #sum(FloatVector)} through a store to {@code lanes} (at least {@code v.length()} long):
     * the same additions in the same order, so the same result, but cheaper where a sum ends every
     * few FMAs, as in a sparse row with one or two blocks (about 11 % of a small LSTM's step).
     */
    private static float sum(FloatVector v, float[] lanes) {
        v.intoArray(lanes, 0);
        float s = lanes[0];
        for (int k = 1; k < v.length(); k++) {
            s += lanes[k];
        }
        return s;
    }

    private static float combine(float alpha, float sum, float beta, float old) {
        return beta == 0 ? alpha * sum : alpha * sum + beta * old;
    }

    // ---------------------------------------------------------------- packed B (broadcast A)

    /** Two vectors of columns per panel: a block of 4 A rows keeps 8 accumulators in registers. */
    @Override
    public int panelWidth() {
        return 2 * floats().length();
    }

    /**
     * Register blocks of 4 rows of A × one panel: per reduction step, two vector loads of the panel
     * row, four broadcasts of A and eight FMAs (no horizontal sums, so the order of every sum is
     * fixed by p alone). The block kernels only compute and store raw sums: a full panel with
     * {@code alpha = 1, beta = 0} straight into C, any other into a per-thread panel buffer that is
     * then scaled into C. (With the scaling and the partial-panel branch inside the kernel, C2 laid
     * out its loop by whichever store path was profiled first, and every product ran 2.5× slower
     * after a run of short accumulating ones — measured in fine-tuning.)
     */
    @Override
    public void gemmPacked(int m, float alpha, float[] a, int aOff, int lda, PackedMatrix b, int panel0, int panel1,
                           float beta, float[] c, int cOff, int ldc) {
        int width = panelWidth();
        if (b.width() != width) {
            throw new IllegalArgumentException("B packed in panels of " + b.width() + " columns, these kernels use " + width);
        }
        int k = b.k();
        float[] pb = b.data();
        boolean plain = alpha == 1 && beta == 0;
        // A in blocks of rows that stay in L2 (about 256 KiB) while every panel passes over them:
        // A read once from memory instead of once per panel (the order of each sum is unchanged)
        int rowBlock = Math.max(4, (A_BLOCK_FLOATS / Math.max(1, k)) & ~3);
        // fewer than four rows: four panels side by side, so eight sums are in flight, not two
        int group = m < 4 ? 4 : 1;
        float[] sums = plain && b.n() % width == 0 ? null : panelBuffer(Math.min(m, rowBlock) * width * group);
        for (int i0 = 0; i0 < m; i0 += rowBlock) {
            int mb = Math.min(rowBlock, m - i0);
            int ai = aOff + i0 * lda;
            int ci0 = cOff + i0 * ldc;
            for (int q = panel0; q < panel1; q += group) {
                int g = Math.min(group, panel1 - q);
                int j0 = q * width;
                int cols = Math.min(g * width, b.n() - j0);
                if (plain && cols == g * width) {
                    panelSums(mb, g, k, a, ai, lda, pb, q, c, ci0 + j0, ldc);
                    continue;
                }
                panelSums(mb, g, k, a, ai, lda, pb, q, sums, 0, g * width);
                for (int i = 0; i < mb; i++) {
                    int ci = ci0 + i * ldc + j0;
                    for (int j = 0; j < cols; j++) {
                        float sum = sums[i * g * width + j];
                        c[ci + j] = beta == 0 ? alpha * sum : alpha * sum + beta * c[ci + j];
                    }
                }
            }
        }
    }

    private static float[] panelBuffer(int size) {
        float[] buffer = PANEL_SUMS.get();
        if (buffer.length < size) {
            buffer = new float[size];
            PANEL_SUMS.set(buffer);
        }
        return buffer;
    }

    /**
     * {@code out[o0 + i·ldo + j] = Σ_p A[i][p]·B[p][q·width + j]} for {@code i < m} and the full width
     * of panels {@code q … q+g-1}.
     */
    private void panelSums(int m, int g, int k, float[] a, int aOff, int lda, float[] pb, int q,
                           float[] out, int o0, int ldo) {
        int width = panelWidth();
        if (g == 4) {
            for (int i = 0; i < m; i++) {
                panel1x4(k, a, aOff + i * lda, pb, q * k * width, k * width, out, o0 + i * ldo);
            }
            return;
        }
        for (int t = 0; t < g; t++) {
            int base = (q + t) * k * width;
            int o = o0 + t * width;
            int i = 0;
            for (; i + 4 <= m; i += 4) {
                panel4(k, a, aOff + i * lda, lda, pb, base, out, o + i * ldo, ldo);
            }
            for (; i < m; i++) {
                panel1(k, a, aOff + i * lda, pb, base, out, o + i * ldo);
            }
        }
    }

    private void panel4(int k, float[] a, int a0, int lda, float[] pb, int b0, float[] out, int o0, int ldo) {
        VectorSpecies<Float> s = floats();
        int l = s.length();
        int a1 = a0 + lda;
        int a2 = a1 + lda;
        int a3 = a2 + lda;
        FloatVector c00 = FloatVector.zero(s);
        FloatVector c01 = c00;
        FloatVector c10 = c00;
        FloatVector c11 = c00;
        FloatVector c20 = c00;
        FloatVector c21 = c00;
        FloatVector c30 = c00;
        FloatVector c31 = c00;
        for (int p = 0; p < k; p++) {
            int bp = b0 + 2 * l * p;
            FloatVector x0 = FloatVector.fromArray(s, pb, bp);
            FloatVector x1 = FloatVector.fromArray(s, pb, bp + l);
            FloatVector w = FloatVector.broadcast(s, a[a0 + p]);
            c00 = w.fma(x0, c00);
            c01 = w.fma(x1, c01);
            w = FloatVector.broadcast(s, a[a1 + p]);
            c10 = w.fma(x0, c10);
            c11 = w.fma(x1, c11);
            w = FloatVector.broadcast(s, a[a2 + p]);
            c20 = w.fma(x0, c20);
            c21 = w.fma(x1, c21);
            w = FloatVector.broadcast(s, a[a3 + p]);
            c30 = w.fma(x0, c30);
            c31 = w.fma(x1, c31);
        }
        c00.intoArray(out, o0);
        c01.intoArray(out, o0 + l);
        c10.intoArray(out, o0 + ldo);
        c11.intoArray(out, o0 + ldo + l);
        c20.intoArray(out, o0 + 2 * ldo);
        c21.intoArray(out, o0 + 2 * ldo + l);
        c30.intoArray(out, o0 + 3 * ldo);
        c31.intoArray(out, o0 + 3 * ldo + l);
    }

    /** One row of A times four consecutive panels ({@code stride} floats apart): {@link #panel1} four times over, in one pass. */
    private void panel1x4(int k, float[] a, int a0, float[] pb, int b0, int stride, float[] out, int o0) {
        VectorSpecies<Float> s = floats();
        int l = s.length();
        int b1 = b0 + stride;
        int b2 = b1 + stride;
        int b3 = b2 + stride;
        FloatVector c00 = FloatVector.zero(s);
        FloatVector c01 = c00;
        FloatVector c10 = c00;
        FloatVector c11 = c00;
        FloatVector c20 = c00;
        FloatVector c21 = c00;
        FloatVector c30 = c00;
        FloatVector c31 = c00;
        for (int p = 0; p < k; p++) {
            int bp = 2 * l * p;
            FloatVector w = FloatVector.broadcast(s, a[a0 + p]);
            c00 = w.fma(FloatVector.fromArray(s, pb, b0 + bp), c00);
            c01 = w.fma(FloatVector.fromArray(s, pb, b0 + bp + l), c01);
            c10 = w.fma(FloatVector.fromArray(s, pb, b1 + bp), c10);
            c11 = w.fma(FloatVector.fromArray(s, pb, b1 + bp + l), c11);
            c20 = w.fma(FloatVector.fromArray(s, pb, b2 + bp), c20);
            c21 = w.fma(FloatVector.fromArray(s, pb, b2 + bp + l), c21);
            c30 = w.fma(FloatVector.fromArray(s, pb, b3 + bp), c30);
            c31 = w.fma(FloatVector.fromArray(s, pb, b3 + bp + l), c31);
        }
        int w2 = 2 * l;
        c00.intoArray(out, o0);
        c01.intoArray(out, o0 + l);
        c10.intoArray(out, o0 + w2);
        c11.intoArray(out, o0 + w2 + l);
        c20.intoArray(out, o0 + 2 * w2);
        c21.intoArray(out, o0 + 2 * w2 + l);
        c30.intoArray(out, o0 + 3 * w2);
        c31.intoArray(out, o0 + 3 * w2 + l);
    }

    private void panel1(int k, float[] a, int a0, float[] pb, int b0, float[] out, int o0) {
        VectorSpecies<Float> s = floats();
        int l = s.length();
        FloatVector c00 = FloatVector.zero(s);
        FloatVector c01 = c00;
        for (int p = 0; p < k; p++) {
            int bp = b0 + 2 * l * p;
            FloatVector w = FloatVector.broadcast(s, a[a0 + p]);
            c00 = w.fma(FloatVector.fromArray(s, pb, bp), c00);
            c01 = w.fma(FloatVector.fromArray(s, pb, bp + l), c01);
        }
        c00.intoArray(out, o0);
        c01.intoArray(out, o0 + l);
    }

    private float dot(int k, float[] a, int a0, float[] b, int b0) {
        VectorSpecies<Float> s = floats();
        int kv = s.loopBound(k);
        FloatVector acc = FloatVector.zero(s);
        for (int p = 0; p < kv; p += s.length()) {
            acc = FloatVector.fromArray(s, a, a0 + p).fma(FloatVector.fromArray(s, b, b0 + p), acc);
        }
        return tail(k, kv, a, a0, b, b0, sum(acc));
    }

    private static float tail(int k, int kv, float[] a, int a0, float[] b, int b0, float sum) {
        for (int p = kv; p < k; p++) {
            sum = Math.fma(a[a0 + p], b[b0 + p], sum);
        }
        return sum;
    }

    private void dot1x4(int k, float alpha, float[] a, int a0, float[] b, int b0, int ldb, float beta, float[] c, int c0) {
        VectorSpecies<Float> s = floats();
        int kv = s.loopBound(k);
        int b1 = b0 + ldb;
        int b2 = b1 + ldb;
        int b3 = b2 + ldb;
        FloatVector s0 = FloatVector.zero(s);
        FloatVector s1 = s0;
        FloatVector s2 = s0;
        FloatVector s3 = s0;
        for (int p = 0; p < kv; p += s.length()) {
            FloatVector x = FloatVector.fromArray(s, a, a0 + p);
            s0 = x.fma(FloatVector.fromArray(s, b, b0 + p), s0);
            s1 = x.fma(FloatVector.fromArray(s, b, b1 + p), s1);
            s2 = x.fma(FloatVector.fromArray(s, b, b2 + p), s2);
            s3 = x.fma(FloatVector.fromArray(s, b, b3 + p), s3);
        }
        c[c0] = combine(alpha, tail(k, kv, a, a0, b, b0, sum(s0)), beta, c[c0]);
        c[c0 + 1] = combine(alpha, tail(k, kv, a, a0, b, b1, sum(s1)), beta, c[c0 + 1]);
        c[c0 + 2] = combine(alpha, tail(k, kv, a, a0, b, b2, sum(s2)), beta, c[c0 + 2]);
        c[c0 + 3] = combine(alpha, tail(k, kv, a, a0, b, b3, sum(s3)), beta, c[c0 + 3]);
    }

    /**
     * Eight rows of B against one row of A: a matrix-vector product streams B from memory, and eight
     * concurrent row streams keep more loads in flight than four (each row's sum is the same FMA
     * chain and lane sum as in {@link #dot1x4}, so the bits do not depend on which one ran).
     */
    private void dot1x8(int k, float alpha, float[] a, int a0, float[] b, int b0, int ldb, float beta, float[] c, int c0) {
        VectorSpecies<Float> s = floats();
        int kv = s.loopBound(k);
        int b1 = b0 + ldb;
        int b2 = b1 + ldb;
        int b3 = b2 + ldb;
        int b4 = b3 + ldb;
        int b5 = b4 + ldb;
        int b6 = b5 + ldb;
        int b7 = b6 + ldb;
        FloatVector s0 = FloatVector.zero(s);
        FloatVector s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
        for (int p = 0; p < kv; p += s.length()) {
            FloatVector x = FloatVector.fromArray(s, a, a0 + p);
            s0 = x.fma(FloatVector.fromArray(s, b, b0 + p), s0);
            s1 = x.fma(FloatVector.fromArray(s, b, b1 + p), s1);
            s2 = x.fma(FloatVector.fromArray(s, b, b2 + p), s2);
            s3 = x.fma(FloatVector.fromArray(s, b, b3 + p), s3);
            s4 = x.fma(FloatVector.fromArray(s, b, b4 + p), s4);
            s5 = x.fma(FloatVector.fromArray(s, b, b5 + p), s5);
            s6 = x.fma(FloatVector.fromArray(s, b, b6 + p), s6);
            s7 = x.fma(FloatVector.fromArray(s, b, b7 + p), s7);
        }
        c[c0] = combine(alpha, tail(k, kv, a, a0, b, b0, sum(s0)), beta, c[c0]);
        c[c0 + 1] = combine(alpha, tail(k, kv, a, a0, b, b1, sum(s1)), beta, c[c0 + 1]);
        c[c0 + 2] = combine(alpha, tail(k, kv, a, a0, b, b2, sum(s2)), beta, c[c0 + 2]);
        c[c0 + 3] = combine(alpha, tail(k, kv, a, a0, b, b3, sum(s3)), beta, c[c0 + 3]);
        c[c0 + 4] = combine(alpha, tail(k, kv, a, a0, b, b4, sum(s4)), beta, c[c0 + 4]);
        c[c0 + 5] = combine(alpha, tail(k, kv, a, a0, b, b5, sum(s5)), beta, c[c0 + 5]);
        c[c0 + 6] = combine(alpha, tail(k, kv, a, a0, b, b6, sum(s6)), beta, c[c0 + 6]);
        c[c0 + 7] = combine(alpha, tail(k, kv, a, a0, b, b7, sum(s7)), beta, c[c0 + 7]);
    }

    private void dot2x4(int k, float alpha, float[] a, int a0, int lda, float[] b, int b0, int ldb,
                        float beta, float[] c, int c0, int ldc) {
        VectorSpecies<Float> s = floats();
        int kv = s.loopBound(k);
        int a1 = a0 + lda;
        int b1 = b0 + ldb;
        int b2 = b1 + ldb;
        int b3 = b2 + ldb;
        FloatVector s00 = FloatVector.zero(s);
        FloatVector s01 = s00;
        FloatVector s02 = s00;
        FloatVector s03 = s00;
        FloatVector s10 = s00;
        FloatVector s11 = s00;
        FloatVector s12 = s00;
        FloatVector s13 = s00;
        for (int p = 0; p < kv; p += s.length()) {
            FloatVector x0 = FloatVector.fromArray(s, a, a0 + p);
            FloatVector x1 = FloatVector.fromArray(s, a, a1 + p);
            FloatVector w = FloatVector.fromArray(s, b, b0 + p);
            s00 = x0.fma(w, s00);
            s10 = x1.fma(w, s10);
            w = FloatVector.fromArray(s, b, b1 + p);
            s01 = x0.fma(w, s01);
            s11 = x1.fma(w, s11);
            w = FloatVector.fromArray(s, b, b2 + p);
            s02 = x0.fma(w, s02);
            s12 = x1.fma(w, s12);
            w = FloatVector.fromArray(s, b, b3 + p);
            s03 = x0.fma(w, s03);
            s13 = x1.fma(w, s13);
        }
        int c1 = c0 + ldc;
        c[c0] = combine(alpha, tail(k, kv, a, a0, b, b0, sum(s00)), beta, c[c0]);
        c[c0 + 1] = combine(alpha, tail(k, kv, a, a0, b, b1, sum(s01)), beta, c[c0 + 1]);
        c[c0 + 2] = combine(alpha, tail(k, kv, a, a0, b, b2, sum(s02)), beta, c[c0 + 2]);
        c[c0 + 3] = combine(alpha, tail(k, kv, a, a0, b, b3, sum(s03)), beta, c[c0 + 3]);
        c[c1] = combine(alpha, tail(k, kv, a, a1, b, b0, sum(s10)), beta, c[c1]);
        c[c1 + 1] = combine(alpha, tail(k, kv, a, a1, b, b1, sum(s11)), beta, c[c1 + 1]);
        c[c1 + 2] = combine(alpha, tail(k, kv, a, a1, b, b2, sum(s12)), beta, c[c1 + 2]);
        c[c1 + 3] = combine(alpha, tail(k, kv, a, a1, b, b3, sum(s13)), beta, c[c1 + 3]);
    }

    // ---------------------------------------------------------------- dense f16

    /**
     * The scalar table-lookup loop: widening binary16 in registers needs bit reinterpretation and
     * shifts that JDK 17's Vector API leaves uncompiled (measured 100× slower than scalar).
     */
    @Override
    public void denseF16(short[] w, int cols, int m, float[] x, int xOff, int ldx, int row0, int row1,
                         float[] y, int yOff, int ldy, boolean accumulate) {
        SCALAR.denseF16(w, cols, m, x, xOff, ldx, row0, row1, y, yOff, ldy, accumulate);
    }

    // ---------------------------------------------------------------- dense int8 (per row or per group)

    @Override
    public void denseInt8(byte[] q, float[] scales, int group, int cols, int m, float[] x, int xOff, int ldx,
                          int row0, int row1, float[] y, int yOff, int ldy, boolean accumulate) {
        int groups = (cols + group - 1) / group;
        int j = row0;
        for (; j + 4 <= row1; j += 4) {
            for (int i = 0; i < m; i++) {
                int8RowsX4(q, scales, group, groups, cols, x, xOff + i * ldx, j, y, yOff + i * ldy + j - row0, accumulate);
            }
        }
        for (; j < row1; j++) {
            for (int i = 0; i < m; i++) {
                int8Row(q, scales, group, groups, cols, x, xOff + i * ldx, j, y, yOff + i * ldy + j - row0, accumulate);
            }
        }
    }

    private FloatVector codes(byte[] q, int at) {
        return (FloatVector) ByteVector.fromArray(bytes(), q, at).convertShape(VectorOperators.B2F, floats(), 0);
    }

    private void int8Row(byte[] q, float[] scales, int group, int groups, int cols, float[] x, int xi, int j,
                         float[] y, int yi, boolean accumulate) {
        VectorSpecies<Float> s = floats();
        int l = s.length();
        int q0 = j * cols;
        int sc = j * groups;
        FloatVector t0 = FloatVector.zero(s);
        float r0 = 0;
        for (int g = 0; g < groups; g++) {
            int p0 = g * group;
            int p1 = Math.min(cols, p0 + group);
            int pv = p0 + s.loopBound(p1 - p0);
            FloatVector g0 = FloatVector.zero(s);
            for (int p = p0; p < pv; p += l) {
                g0 = FloatVector.fromArray(s, x, xi + p).fma(codes(q, q0 + p), g0);
            }
            t0 = g0.fma(FloatVector.broadcast(s, scales[sc + g]), t0);
            if (pv < p1) {
                r0 += codeTail(q, q0, x, xi, pv, p1) * scales[sc + g];
            }
        }
        store(y, yi, sum(t0) + r0, accumulate);
    }

    /** Four rows at once: the same operations per row as {@link #int8Row}, interleaved. */
    private void int8RowsX4(byte[] q, float[] scales, int group, int groups, int cols, float[] x, int xi, int j,
                          float[] y, int yi, boolean accumulate) {
        VectorSpecies<Float> s = floats();
        int l = s.length();
        int q0 = j * cols;
        int q1 = q0 + cols;
        int q2 = q1 + cols;
        int q3 = q2 + cols;
        int sc0 = j * groups;
        FloatVector t0 = FloatVector.zero(s);
        FloatVector t1 = t0;
        FloatVector t2 = t0;
        FloatVector t3 = t0;
        float r0 = 0;
        float r1 = 0;
        float r2 = 0;
        float r3 = 0;
        for (int g = 0; g < groups; g++) {
            int p0 = g * group;
            int p1 = Math.min(cols, p0 + group);
            int pv = p0 + s.loopBound(p1 - p0);
            FloatVector g0 = FloatVector.zero(s);
            FloatVector g1 = g0;
            FloatVector g2 = g0;
            FloatVector g3 = g0;
            for (int p = p0; p < pv; p += l) {
                FloatVector xv = FloatVector.fromArray(s, x, xi + p);
                g0 = xv.fma(codes(q, q0 + p), g0);
                g1 = xv.fma(codes(q, q1 + p), g1);
                g2 = xv.fma(codes(q, q2 + p), g2);
                g3 = xv.fma(codes(q, q3 + p), g3);
            }
            float s0 = scales[sc0 + g];
            float s1 = scales[sc0 + groups + g];
            float s2 = scales[sc0 + 2 * groups + g];
            float s3 = scales[sc0 + 3 * groups + g];
            t0 = g0.fma(FloatVector.broadcast(s, s0), t0);
            t1 = g1.fma(FloatVector.broadcast(s, s1), t1);
            t2 = g2.fma(FloatVector.broadcast(s, s2), t2);
            t3 = g3.fma(FloatVector.broadcast(s, s3), t3);
            if (pv < p1) {
                r0 += codeTail(q, q0, x, xi, pv, p1) * s0;
                r1 += codeTail(q, q1, x, xi, pv, p1) * s1;
                r2 += codeTail(q, q2, x, xi, pv, p1) * s2;
                r3 += codeTail(q, q3, x, xi, pv, p1) * s3;
            }
        }
        store(y, yi, sum(t0) + r0, accumulate);
        store(y, yi + 1, sum(t1) + r1, accumulate);
        store(y, yi + 2, sum(t2) + r2, accumulate);
        store(y, yi + 3, sum(t3) + r3, accumulate);
    }

    private static float codeTail(byte[] q, int q0, float[] x, int xi, int p0, int p1) {
        float sum = 0;
        for (int p = p0; p < p1; p++) {
            sum = Math.fma(x[xi + p], q[q0 + p], sum);
        }
        return sum;
    }

    // ---------------------------------------------------------------- block-sparse 1×B

    // One loop per block size and value type, written out: the Vector API compiles to SIMD only
    // where the species is a compile-time constant, and a shared loop taking the species as an
    // argument is compiled on its own (and too big to inline) before its callers are.

    @Override
    public void blockSparseF32(int blockSize, int[] rowPtr, int[] blockCol, float[] values, int cols,
                               int m, float[] x, int xOff, int ldx, int row0, int row1,
                               float[] y, int yOff, int ldy, boolean accumulate) {
        switch (blockSize) {
            case 4: blockF32x4(rowPtr, blockCol, values, cols, m, x, xOff, ldx, row0, row1, y, yOff, ldy, accumulate); break;
            case 8: blockF32x8(rowPtr, blockCol, values, cols, m, x, xOff, ldx, row0, row1, y, yOff, ldy, accumulate); break;
            default: blockF32x16(rowPtr, blockCol, values, cols, m, x, xOff, ldx, row0, row1, y, yOff, ldy, accumulate);
        }
    }

    @Override
    public void blockSparseInt8(int blockSize, int[] rowPtr, int[] blockCol, byte[] q, float[] scales, int cols,
                                int m, float[] x, int xOff, int ldx, int row0, int row1,
                                float[] y, int yOff, int ldy, boolean accumulate) {
        switch (blockSize) {
            case 4: blockInt8x4(rowPtr, blockCol, q, scales, cols, m, x, xOff, ldx, row0, row1, y, yOff, ldy, accumulate); break;
            case 8: blockInt8x8(rowPtr, blockCol, q, scales, cols, m, x, xOff, ldx, row0, row1, y, yOff, ldy, accumulate); break;
            default: blockInt8x16(rowPtr, blockCol, q, scales, cols, m, x, xOff, ldx, row0, row1, y, yOff, ldy, accumulate);
        }
    }

    private void blockF32x4(int[] rowPtr, int[] blockCol, float[] values, int cols, int m, float[] x, int xOff, int ldx,
                            int row0, int row1, float[] y, int yOff, int ldy, boolean accumulate) {
        VectorSpecies<Float> s = F128;
        float[] lanes = new float[s.length()];
        int l = s.length();
        for (int j = row0; j < row1; j++) {
            int t0 = rowPtr[j];
            int t1 = rowPtr[j + 1];
            for (int i = 0; i < m; i++) {
                int xi = xOff + i * ldx;
                FloatVector acc = FloatVector.zero(s);
                float rest = 0;
                for (int t = t0; t < t1; t++) {
                    int c0 = blockCol[t];
                    int v0 = t * 4;
                    if (c0 + 4 <= cols) {
                        for (int e = 0; e < 4; e += l) {
                            acc = FloatVector.fromArray(s, x, xi + c0 + e).fma(FloatVector.fromArray(s, values, v0 + e), acc);
                        }
                    } else {
                        for (int c = c0; c < cols; c++) {
                            rest = Math.fma(x[xi + c], values[v0 + c - c0], rest);
                        }
                    }
                }
                store(y, yOff + i * ldy + j - row0, sum(acc, lanes) + rest, accumulate);
            }
        }
    }

    private void blockF32x8(int[] rowPtr, int[] blockCol, float[] values, int cols, int m, float[] x, int xOff, int ldx,
                            int row0, int row1, float[] y, int yOff, int ldy, boolean accumulate) {
        VectorSpecies<Float> s = floats8();
        float[] lanes = new float[s.length()];
        int l = s.length();
        for (int j = row0; j < row1; j++) {
            int t0 = rowPtr[j];
            int t1 = rowPtr[j + 1];
            for (int i = 0; i < m; i++) {
                int xi = xOff + i * ldx;
                FloatVector acc = FloatVector.zero(s);
                float rest = 0;
                for (int t = t0; t < t1; t++) {
                    int c0 = blockCol[t];
                    int v0 = t * 8;
                    if (c0 + 8 <= cols) {
                        for (int e = 0; e < 8; e += l) {
                            acc = FloatVector.fromArray(s, x, xi + c0 + e).fma(FloatVector.fromArray(s, values, v0 + e), acc);
                        }
                    } else {
                        for (int c = c0; c < cols; c++) {
                            rest = Math.fma(x[xi + c], values[v0 + c - c0], rest);
                        }
                    }
                }
                store(y, yOff + i * ldy + j - row0, sum(acc, lanes) + rest, accumulate);
            }
        }
    }

    private void blockF32x16(int[] rowPtr, int[] blockCol, float[] values, int cols, int m, float[] x, int xOff, int ldx,
                            int row0, int row1, float[] y, int yOff, int ldy, boolean accumulate) {
        VectorSpecies<Float> s = floats16();
        float[] lanes = new float[s.length()];
        int l = s.length();
        for (int j = row0; j < row1; j++) {
            int t0 = rowPtr[j];
            int t1 = rowPtr[j + 1];
            for (int i = 0; i < m; i++) {
                int xi = xOff + i * ldx;
                FloatVector acc = FloatVector.zero(s);
                float rest = 0;
                for (int t = t0; t < t1; t++) {
                    int c0 = blockCol[t];
                    int v0 = t * 16;
                    if (c0 + 16 <= cols) {
                        for (int e = 0; e < 16; e += l) {
                            acc = FloatVector.fromArray(s, x, xi + c0 + e).fma(FloatVector.fromArray(s, values, v0 + e), acc);
                        }
                    } else {
                        for (int c = c0; c < cols; c++) {
                            rest = Math.fma(x[xi + c], values[v0 + c - c0], rest);
                        }
                    }
                }
                store(y, yOff + i * ldy + j - row0, sum(acc, lanes) + rest, accumulate);
            }
        }
    }

    private void blockInt8x4(int[] rowPtr, int[] blockCol, byte[] q, float[] scales, int cols, int m, float[] x, int xOff,
                             int ldx, int row0, int row1, float[] y, int yOff, int ldy, boolean accumulate) {
        VectorSpecies<Float> s = F128;
        float[] lanes = new float[s.length()];
        VectorSpecies<Byte> bs = B64;
        int l = s.length();
        for (int j = row0; j < row1; j++) {
            int t0 = rowPtr[j];
            int t1 = rowPtr[j + 1];
            for (int i = 0; i < m; i++) {
                int xi = xOff + i * ldx;
                FloatVector acc = FloatVector.zero(s);
                float rest = 0;
                for (int t = t0; t < t1; t++) {
                    int c0 = blockCol[t];
                    int v0 = t * 4;
                    if (c0 + 4 <= cols) {
                        for (int e = 0; e < 4; e += l) {
                            FloatVector w = (FloatVector) ByteVector.fromArray(bs, q, v0 + e).convertShape(VectorOperators.B2F, s, 0);
                            acc = FloatVector.fromArray(s, x, xi + c0 + e).fma(w, acc);
                        }
                    } else {
                        for (int c = c0; c < cols; c++) {
                            rest = Math.fma(x[xi + c], q[v0 + c - c0], rest);
                        }
                    }
                }
                store(y, yOff + i * ldy + j - row0, (sum(acc, lanes) + rest) * scales[j], accumulate);
            }
        }
    }

    private void blockInt8x8(int[] rowPtr, int[] blockCol, byte[] q, float[] scales, int cols, int m, float[] x, int xOff,
                             int ldx, int row0, int row1, float[] y, int yOff, int ldy, boolean accumulate) {
        VectorSpecies<Float> s = floats8();
        float[] lanes = new float[s.length()];
        VectorSpecies<Byte> bs = bytes8();
        int l = s.length();
        for (int j = row0; j < row1; j++) {
            int t0 = rowPtr[j];
            int t1 = rowPtr[j + 1];
            for (int i = 0; i < m; i++) {
                int xi = xOff + i * ldx;
                FloatVector acc = FloatVector.zero(s);
                float rest = 0;
                for (int t = t0; t < t1; t++) {
                    int c0 = blockCol[t];
                    int v0 = t * 8;
                    if (c0 + 8 <= cols) {
                        for (int e = 0; e < 8; e += l) {
                            FloatVector w = (FloatVector) ByteVector.fromArray(bs, q, v0 + e).convertShape(VectorOperators.B2F, s, 0);
                            acc = FloatVector.fromArray(s, x, xi + c0 + e).fma(w, acc);
                        }
                    } else {
                        for (int c = c0; c < cols; c++) {
                            rest = Math.fma(x[xi + c], q[v0 + c - c0], rest);
                        }
                    }
                }
                store(y, yOff + i * ldy + j - row0, (sum(acc, lanes) + rest) * scales[j], accumulate);
            }
        }
    }

    private void blockInt8x16(int[] rowPtr, int[] blockCol, byte[] q, float[] scales, int cols, int m, float[] x, int xOff,
                             int ldx, int row0, int row1, float[] y, int yOff, int ldy, boolean accumulate) {
        VectorSpecies<Float> s = floats16();
        float[] lanes = new float[s.length()];
        VectorSpecies<Byte> bs = bytes16();
        int l = s.length();
        for (int j = row0; j < row1; j++) {
            int t0 = rowPtr[j];
            int t1 = rowPtr[j + 1];
            int i = 0;
            // four inputs per pass share each block's int8-to-float conversion (batches, sequences);
            // every output is still one FMA chain in block order, so the bits match the one-input loop
            for (; i + 4 <= m; i += 4) {
                int x0 = xOff + i * ldx;
                int x1 = x0 + ldx;
                int x2 = x1 + ldx;
                int x3 = x2 + ldx;
                FloatVector a0 = FloatVector.zero(s);
                FloatVector a1 = a0;
                FloatVector a2 = a0;
                FloatVector a3 = a0;
                float r0 = 0;
                float r1 = 0;
                float r2 = 0;
                float r3 = 0;
                for (int t = t0; t < t1; t++) {
                    int c0 = blockCol[t];
                    int v0 = t * 16;
                    if (c0 + 16 <= cols) {
                        for (int e = 0; e < 16; e += l) {
                            FloatVector w = (FloatVector) ByteVector.fromArray(bs, q, v0 + e).convertShape(VectorOperators.B2F, s, 0);
                            int c = c0 + e;
                            a0 = FloatVector.fromArray(s, x, x0 + c).fma(w, a0);
                            a1 = FloatVector.fromArray(s, x, x1 + c).fma(w, a1);
                            a2 = FloatVector.fromArray(s, x, x2 + c).fma(w, a2);
                            a3 = FloatVector.fromArray(s, x, x3 + c).fma(w, a3);
                        }
                    } else {
                        for (int c = c0; c < cols; c++) {
                            float w = q[v0 + c - c0];
                            r0 = Math.fma(x[x0 + c], w, r0);
                            r1 = Math.fma(x[x1 + c], w, r1);
                            r2 = Math.fma(x[x2 + c], w, r2);
                            r3 = Math.fma(x[x3 + c], w, r3);
                        }
                    }
                }
                int yi = yOff + i * ldy + j - row0;
                store(y, yi, (sum(a0, lanes) + r0) * scales[j], accumulate);
                store(y, yi + ldy, (sum(a1, lanes) + r1) * scales[j], accumulate);
                store(y, yi + 2 * ldy, (sum(a2, lanes) + r2) * scales[j], accumulate);
                store(y, yi + 3 * ldy, (sum(a3, lanes) + r3) * scales[j], accumulate);
            }
            for (; i < m; i++) {
                int xi = xOff + i * ldx;
                FloatVector acc = FloatVector.zero(s);
                float rest = 0;
                for (int t = t0; t < t1; t++) {
                    int c0 = blockCol[t];
                    int v0 = t * 16;
                    if (c0 + 16 <= cols) {
                        for (int e = 0; e < 16; e += l) {
                            FloatVector w = (FloatVector) ByteVector.fromArray(bs, q, v0 + e).convertShape(VectorOperators.B2F, s, 0);
                            acc = FloatVector.fromArray(s, x, xi + c0 + e).fma(w, acc);
                        }
                    } else {
                        for (int c = c0; c < cols; c++) {
                            rest = Math.fma(x[xi + c], q[v0 + c - c0], rest);
                        }
                    }
                }
                store(y, yOff + i * ldy + j - row0, (sum(acc, lanes) + rest) * scales[j], accumulate);
            }
        }
    }

    // ---------------------------------------------------------------- CSR

    @Override
    public void csrF32(int[] rowPtr, int[] col, float[] values, int m, float[] x, int xOff, int ldx, int row0, int row1,
                       float[] y, int yOff, int ldy, boolean accumulate) {
        VectorSpecies<Float> s = floats();
        float[] lanes = new float[s.length()];
        int l = s.length();
        for (int j = row0; j < row1; j++) {
            int t0 = rowPtr[j];
            int t1 = rowPtr[j + 1];
            int tv = t0 + s.loopBound(t1 - t0);
            for (int i = 0; i < m; i++) {
                int xi = xOff + i * ldx;
                FloatVector acc = FloatVector.zero(s);
                for (int t = t0; t < tv; t += l) {
                    acc = FloatVector.fromArray(s, x, xi, col, t).fma(FloatVector.fromArray(s, values, t), acc);
                }
                float sum = sum(acc, lanes);
                for (int t = tv; t < t1; t++) {
                    sum = Math.fma(x[xi + col[t]], values[t], sum);
                }
                store(y, yOff + i * ldy + j - row0, sum, accumulate);
            }
        }
    }

    @Override
    public void csrInt8(int[] rowPtr, int[] col, byte[] q, float[] scales, int m, float[] x, int xOff, int ldx,
                        int row0, int row1, float[] y, int yOff, int ldy, boolean accumulate) {
        VectorSpecies<Float> s = floats();
        float[] lanes = new float[s.length()];
        int l = s.length();
        for (int j = row0; j < row1; j++) {
            int t0 = rowPtr[j];
            int t1 = rowPtr[j + 1];
            int tv = t0 + s.loopBound(t1 - t0);
            for (int i = 0; i < m; i++) {
                int xi = xOff + i * ldx;
                FloatVector acc = FloatVector.zero(s);
                for (int t = t0; t < tv; t += l) {
                    acc = FloatVector.fromArray(s, x, xi, col, t).fma(codes(q, t), acc);
                }
                float sum = sum(acc, lanes);
                for (int t = tv; t < t1; t++) {
                    sum = Math.fma(x[xi + col[t]], q[t], sum);
                }
                store(y, yOff + i * ldy + j - row0, sum * scales[j], accumulate);
            }
        }
    }

    // ---------------------------------------------------------------- column blocks (B×1)
    //
    // A group of B rows is B / L slices of L rows (L = lanes of floats16(); B a multiple of L, smaller
    // blocks run the scalar reference, which gives the same bits). A slice keeps one accumulator per
    // input in a register: each block is one broadcast input times L weights added into it, so no
    // lanes are ever summed across. The weight loads are written out in each loop rather than called:
    // C2 does not inline a helper that it already compiled large on its own, and a vector crossing a
    // call is boxed (measured 100× slower on the f32 kernel after the int8 one had run).

    @Override
    public void columnBlockF32(int blockSize, int[] groupPtr, int[] col, float[] values,
                               int m, float[] x, int xOff, int ldx, int row0, int row1,
                               float[] y, int yOff, int ldy, boolean accumulate) {
        VectorSpecies<Float> s = floats16();
        int l = s.length();
        if (blockSize % l != 0) {
            SCALAR.columnBlockF32(blockSize, groupPtr, col, values, m, x, xOff, ldx, row0, row1, y, yOff, ldy, accumulate);
            return;
        }
        for (int r = firstSlice(blockSize, l, row0); r < row1; r += l) {
            int g = r / blockSize;
            int v = r - g * blockSize;   // offset of the slice's rows in each block
            int t0 = groupPtr[g];
            int t1 = groupPtr[g + 1];
            int i = 0;
            for (; i + 2 <= m; i += 2) {
                int x0 = xOff + i * ldx;
                int x1 = x0 + ldx;
                FloatVector a0 = FloatVector.zero(s);
                FloatVector a1 = a0;
                for (int t = t0; t < t1; t++) {
                    FloatVector w = FloatVector.fromArray(s, values, t * blockSize + v);
                    int c = col[t];
                    a0 = FloatVector.broadcast(s, x[x0 + c]).fma(w, a0);
                    a1 = FloatVector.broadcast(s, x[x1 + c]).fma(w, a1);
                }
                put(a0, y, yOff + i * ldy, r, row0, row1, accumulate);
                put(a1, y, yOff + (i + 1) * ldy, r, row0, row1, accumulate);
            }
            if (i < m) {
                int xi = xOff + i * ldx;
                FloatVector a = FloatVector.zero(s);
                for (int t = t0; t < t1; t++) {
                    a = FloatVector.broadcast(s, x[xi + col[t]]).fma(FloatVector.fromArray(s, values, t * blockSize + v), a);
                }
                put(a, y, yOff + i * ldy, r, row0, row1, accumulate);
            }
        }
    }

    @Override
    public void columnBlockInt8(int blockSize, int[] groupPtr, int[] col, byte[] q, float[] scales, int cols,
                                int m, float[] x, int xOff, int ldx, int row0, int row1,
                                float[] y, int yOff, int ldy, boolean accumulate) {
        int l = floats16().length();
        if (blockSize % l != 0) {
            SCALAR.columnBlockInt8(blockSize, groupPtr, col, q, scales, cols, m, x, xOff, ldx, row0, row1, y, yOff, ldy, accumulate);
            return;
        }
        // each slice (or pair of slices) in its own small method: C2 compiles those whole, with every
        // vector operation intrinsified, where one large method had parts fall back to Java code
        for (int r = firstSlice(blockSize, l, row0); r < row1; r += l) {
            if (m == 1 && r + l < row1) {
                int8Pair(blockSize, groupPtr, col, q, scales, x, xOff, r, r + l, row0, row1, y, yOff, accumulate);
                r += l;
            } else {
                int8Slice(blockSize, groupPtr, col, q, scales, m, x, xOff, ldx, r, row0, row1, y, yOff, ldy, accumulate);
            }
        }
    }

    /** One input, slices {@code r} and {@code r2}: two independent FMA chains, to overlap their latencies. */
    private void int8Pair(int blockSize, int[] groupPtr, int[] col, byte[] q, float[] scales, float[] x, int xOff,
                          int r, int r2, int row0, int row1, float[] y, int yOff, boolean accumulate) {
        VectorSpecies<Float> s = floats16();
        VectorSpecies<Byte> bs = bytes16();
        int g = r / blockSize;
        int v = r - g * blockSize;
        int t0 = groupPtr[g];
        int t1 = groupPtr[g + 1];
        int g2 = r2 / blockSize;
        int v2 = r2 - g2 * blockSize;
        int u0 = groupPtr[g2];
        int u1 = groupPtr[g2 + 1];
        FloatVector a = FloatVector.zero(s);
        FloatVector a2 = a;
        int n = Math.min(t1 - t0, u1 - u0);
        for (int k = 0; k < n; k++) {
            int t = t0 + k;
            int u = u0 + k;
            FloatVector w = (FloatVector) ByteVector.fromArray(bs, q, t * blockSize + v).convertShape(VectorOperators.B2F, s, 0);
            FloatVector w2 = (FloatVector) ByteVector.fromArray(bs, q, u * blockSize + v2).convertShape(VectorOperators.B2F, s, 0);
            a = FloatVector.broadcast(s, x[xOff + col[t]]).fma(w, a);
            a2 = FloatVector.broadcast(s, x[xOff + col[u]]).fma(w2, a2);
        }
        for (int t = t0 + n; t < t1; t++) {
            FloatVector w = (FloatVector) ByteVector.fromArray(bs, q, t * blockSize + v).convertShape(VectorOperators.B2F, s, 0);
            a = FloatVector.broadcast(s, x[xOff + col[t]]).fma(w, a);
        }
        for (int u = u0 + n; u < u1; u++) {
            FloatVector w2 = (FloatVector) ByteVector.fromArray(bs, q, u * blockSize + v2).convertShape(VectorOperators.B2F, s, 0);
            a2 = FloatVector.broadcast(s, x[xOff + col[u]]).fma(w2, a2);
        }
        put(a.mul(FloatVector.fromArray(s, scales, r)), y, yOff, r, row0, row1, accumulate);
        put(a2.mul(FloatVector.fromArray(s, scales, r2)), y, yOff, r2, row0, row1, accumulate);
    }

    /**
     * Eight inputs from {@code x[xOff]} ({@code ldx} apart) of slice {@code r}, blocks {@code [t0, t1)}:
     * its own small method, as {@link #int8Pair}, so that C2 compiles it whole with every vector
     * operation intrinsified, and {@link #int8Slice} stays small enough to inline.
     */
    private void int8Eight(int blockSize, int[] col, byte[] q, int t0, int t1, int v, float[] x, int xOff, int ldx,
                           int r, int row0, int row1, float[] y, int yOff, int ldy, float[] scales, boolean accumulate) {
        VectorSpecies<Float> s = floats16();
        VectorSpecies<Byte> bs = bytes16();
        FloatVector scale = FloatVector.fromArray(s, scales, r);
        int x0 = xOff;
        int x1 = x0 + ldx;
        int x2 = x1 + ldx;
        int x3 = x2 + ldx;
        int x4 = x3 + ldx;
        int x5 = x4 + ldx;
        int x6 = x5 + ldx;
        int x7 = x6 + ldx;
        FloatVector a0 = FloatVector.zero(s);
        FloatVector a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (int t = t0; t < t1; t++) {
            FloatVector w = (FloatVector) ByteVector.fromArray(bs, q, t * blockSize + v).convertShape(VectorOperators.B2F, s, 0);
            int c = col[t];
            a0 = FloatVector.broadcast(s, x[x0 + c]).fma(w, a0);
            a1 = FloatVector.broadcast(s, x[x1 + c]).fma(w, a1);
            a2 = FloatVector.broadcast(s, x[x2 + c]).fma(w, a2);
            a3 = FloatVector.broadcast(s, x[x3 + c]).fma(w, a3);
            a4 = FloatVector.broadcast(s, x[x4 + c]).fma(w, a4);
            a5 = FloatVector.broadcast(s, x[x5 + c]).fma(w, a5);
            a6 = FloatVector.broadcast(s, x[x6 + c]).fma(w, a6);
            a7 = FloatVector.broadcast(s, x[x7 + c]).fma(w, a7);
        }
        int yi = yOff;
        put(a0.mul(scale), y, yi, r, row0, row1, accumulate);
        put(a1.mul(scale), y, yi + ldy, r, row0, row1, accumulate);
        put(a2.mul(scale), y, yi + 2 * ldy, r, row0, row1, accumulate);
        put(a3.mul(scale), y, yi + 3 * ldy, r, row0, row1, accumulate);
        put(a4.mul(scale), y, yi + 4 * ldy, r, row0, row1, accumulate);
        put(a5.mul(scale), y, yi + 5 * ldy, r, row0, row1, accumulate);
        put(a6.mul(scale), y, yi + 6 * ldy, r, row0, row1, accumulate);
        put(a7.mul(scale), y, yi + 7 * ldy, r, row0, row1, accumulate);
    }

    /**
     * Slice {@code r} for {@code m} inputs: eight (then four) per pass share each block's int8-to-float
     * conversion, each input's element broadcast from its own row, so batches and sequences need no
     * transposed copy of the inputs and every result is stored as one vector of L rows. (A panel
     * kernel with the inputs along the lanes, transposing 16 inputs and scattering 16 × 16 sums per
     * group, measured about 18 % slower on the quick start at batch 64.)
     */
    private void int8Slice(int blockSize, int[] groupPtr, int[] col, byte[] q, float[] scales, int m, float[] x, int xOff,
                           int ldx, int r, int row0, int row1, float[] y, int yOff, int ldy, boolean accumulate) {
        VectorSpecies<Float> s = floats16();
        VectorSpecies<Byte> bs = bytes16();
        int g = r / blockSize;
        int v = r - g * blockSize;
        int t0 = groupPtr[g];
        int t1 = groupPtr[g + 1];
        FloatVector scale = FloatVector.fromArray(s, scales, r);
        int i = 0;
        for (; i + 8 <= m; i += 8) {
            int8Eight(blockSize, col, q, t0, t1, v, x, xOff + i * ldx, ldx, r, row0, row1, y, yOff + i * ldy, ldy,
                    scales, accumulate);
        }
        for (; i + 4 <= m; i += 4) {
            int x0 = xOff + i * ldx;
            int x1 = x0 + ldx;
            int x2 = x1 + ldx;
            int x3 = x2 + ldx;
            FloatVector a0 = FloatVector.zero(s);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            for (int t = t0; t < t1; t++) {
                FloatVector w = (FloatVector) ByteVector.fromArray(bs, q, t * blockSize + v).convertShape(VectorOperators.B2F, s, 0);
                int c = col[t];
                a0 = FloatVector.broadcast(s, x[x0 + c]).fma(w, a0);
                a1 = FloatVector.broadcast(s, x[x1 + c]).fma(w, a1);
                a2 = FloatVector.broadcast(s, x[x2 + c]).fma(w, a2);
                a3 = FloatVector.broadcast(s, x[x3 + c]).fma(w, a3);
            }
            int yi = yOff + i * ldy;
            put(a0.mul(scale), y, yi, r, row0, row1, accumulate);
            put(a1.mul(scale), y, yi + ldy, r, row0, row1, accumulate);
            put(a2.mul(scale), y, yi + 2 * ldy, r, row0, row1, accumulate);
            put(a3.mul(scale), y, yi + 3 * ldy, r, row0, row1, accumulate);
        }
        for (; i < m; i++) {
            int xi = xOff + i * ldx;
            FloatVector a = FloatVector.zero(s);
            for (int t = t0; t < t1; t++) {
                FloatVector w = (FloatVector) ByteVector.fromArray(bs, q, t * blockSize + v).convertShape(VectorOperators.B2F, s, 0);
                a = FloatVector.broadcast(s, x[xi + col[t]]).fma(w, a);
            }
            put(a.mul(scale), y, yOff + i * ldy, r, row0, row1, accumulate);
        }
    }

    // ---------------------------------------------------------------- gate non-linearities
    // FastMath's algorithm operation for operation (see there), so the bits equal the scalar ones.

    @Override
    public void sigmoid(float[] v, int off, int n) {
        gate(v, off, n, false);
        for (int i = off + floats().loopBound(n); i < off + n; i++) {
            v[i] = FastMath.sigmoid(v[i]);
        }
    }

    @Override
    public void tanh(float[] v, int off, int n) {
        gate(v, off, n, true);
        for (int i = off + floats().loopBound(n); i < off + n; i++) {
            v[i] = FastMath.tanhf(v[i]);
        }
    }

    /**
     * Sigmoid or tanh of the whole vectors of {@code v[off .. off+n)}. exp is written out here, not
     * called: a helper taking and returning vectors was compiled apart and ran its conversions in
     * Java code.
     */
    private void gate(float[] v, int off, int n, boolean tanh) {
        VectorSpecies<Float> s = floats();
        FloatVector one = FloatVector.broadcast(s, 1f);
        FloatVector round = FloatVector.broadcast(s, FastMath.ROUND);
        int roundBits = Float.floatToRawIntBits(FastMath.ROUND);
        int end = off + s.loopBound(n);
        for (int i = off; i < end; i += s.length()) {
            FloatVector x = FloatVector.fromArray(s, v, i);
            FloatVector a = x.abs();
            // e = exp(z) as FastMath.exp: z = 2|x| for tanh, -x for sigmoid
            FloatVector z = (tanh ? a.add(a) : x.neg()).max(FastMath.EXP_LO).min(FastMath.EXP_HI);
            FloatVector t = z.mul(FastMath.LOG2E).add(round);   // ROUND + n exactly
            FloatVector k = t.sub(round);
            FloatVector r = k.fma(FloatVector.broadcast(s, -FastMath.LN2_HI), z);
            r = k.fma(FloatVector.broadcast(s, -FastMath.LN2_LO), r);
            FloatVector p = FloatVector.broadcast(s, FastMath.C7).fma(r, FloatVector.broadcast(s, FastMath.C6));
            p = p.fma(r, FloatVector.broadcast(s, FastMath.C5));
            p = p.fma(r, FloatVector.broadcast(s, FastMath.C4));
            p = p.fma(r, FloatVector.broadcast(s, FastMath.C3));
            p = p.fma(r, FloatVector.broadcast(s, FastMath.C2));
            p = p.fma(r, one);
            p = p.fma(r, one);
            // 2^n from its bits: n = bits(t) - bits(ROUND), exponent field n + 127
            FloatVector pow2 = t.reinterpretAsInts().add(127 - roundBits).lanewise(VectorOperators.LSHL, 23)
                    .reinterpretAsFloats();
            FloatVector e = p.mul(pow2);
            if (tanh) {
                FloatVector big = one.sub(FloatVector.broadcast(s, 2f).div(e.add(one)));
                FloatVector x2 = x.mul(x);
                FloatVector small = x2.fma(FloatVector.broadcast(s, FastMath.T5), FloatVector.broadcast(s, FastMath.T3))
                        .mul(x2).fma(x, x);
                FloatVector y = big.blend(one, a.compare(VectorOperators.GT, FastMath.TANH_ONE));
                y = y.blend(y.neg(), x.compare(VectorOperators.LT, 0f));
                y.blend(small, a.compare(VectorOperators.LT, FastMath.TANH_SMALL)).intoArray(v, i);
            } else {
                one.div(one.add(e)).intoArray(v, i);
            }
        }
    }

    /** The first row of the first L-row slice of a B-row group that holds a row of {@code [row0, …)}. */
    private static int firstSlice(int blockSize, int l, int row0) {
        int first = row0 / blockSize * blockSize;
        return first + (row0 - first) / l * l;
    }

    /**
     * Stores (or adds) the sums of rows {@code r … r+L-1} into the Y row starting at {@code yRow}
     * (element j at {@code yRow + j - row0}), keeping only rows in {@code [row0, row1)}.
     */
    private void put(FloatVector v, float[] y, int yRow, int r, int row0, int row1, boolean accumulate) {
        VectorSpecies<Float> s = floats16();
        int at = yRow + r - row0;
        if (r >= row0 && r + s.length() <= row1) {
            (accumulate ? FloatVector.fromArray(s, y, at).add(v) : v).intoArray(y, at);
        } else {
            putPart(v, y, at, r, row0, row1, accumulate);   // kept out of line so that put stays small enough to inline
        }
    }

    /** {@link #put} of a slice that sticks out of {@code [row0, row1)}. */
    private void putPart(FloatVector v, float[] y, int at, int r, int row0, int row1, boolean accumulate) {
        VectorSpecies<Float> s = floats16();
        VectorMask<Float> inRange = s.indexInRange(r - row0, row1 - row0);
        (accumulate ? FloatVector.fromArray(s, y, at, inRange).add(v) : v).intoArray(y, at, inRange);
    }

    private static void store(float[] y, int at, float s, boolean accumulate) {
        y[at] = accumulate ? y[at] + s : s;
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
