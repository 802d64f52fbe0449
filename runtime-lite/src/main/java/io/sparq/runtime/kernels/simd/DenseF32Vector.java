package io.sparq.runtime.kernels.simd;

import io.sparq.runtime.kernels.PackedMatrix;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import static io.sparq.runtime.kernels.simd.Lanes.*;

/**
 * Dense float32 products on the Vector API ({@link VectorKernels}; scalar reference:
 * {@code ScalarKernels#gemmNT} and {@code #gemmPacked}): dot products of rows for B given row by row,
 * and register blocks broadcasting A against the column panels of a {@link PackedMatrix}.
 */
final class DenseF32Vector {
    /** Floats of A kept hot while the panels of {@link #gemmPacked} pass over them: 256 KiB. */
    private static final int A_BLOCK_FLOATS = 64 * 1024;
    /** Floats of B kept hot per panel of {@link #gemmNT}: 64 KiB. */
    private static final int PANEL_FLOATS = 16 * 1024;
    /** Per-thread raw sums of one panel, for products that scale or cut a panel ({@link #gemmPacked}). */
    private static final ThreadLocal<float[]> PANEL_SUMS = ThreadLocal.withInitial(() -> new float[0]);

    private DenseF32Vector() {
    }

    static void gemmNT(VectorKernels vk, int m, int n, int k, float alpha, float[] a, int aOff, int lda, float[] b,
                       int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        int panel = Math.max(4, PANEL_FLOATS / Math.max(1, k)) & ~3;
        for (int j0 = 0; j0 < n; j0 += panel) {
            int j1 = Math.min(n, j0 + panel);
            int i = 0;
            for (; i + 2 <= m; i += 2) {
                int a0 = aOff + i * lda;
                int c0 = cOff + i * ldc;
                int j = j0;
                for (; j + 4 <= j1; j += 4) {
                    dot2x4(vk, k, alpha, a, a0, lda, b, bOff + j * ldb, ldb, beta, c, c0 + j, ldc);
                }
                for (; j < j1; j++) {
                    int bj = bOff + j * ldb;
                    c[c0 + j] = combine(alpha, dot(vk, k, a, a0, b, bj), beta, c[c0 + j]);
                    c[c0 + ldc + j] = combine(alpha, dot(vk, k, a, a0 + lda, b, bj), beta, c[c0 + ldc + j]);
                }
            }
            for (; i < m; i++) {
                int a0 = aOff + i * lda;
                int c0 = cOff + i * ldc;
                int j = j0;
                for (; j + 8 <= j1; j += 8) {
                    dot1x8(vk, k, alpha, a, a0, b, bOff + j * ldb, ldb, beta, c, c0 + j);
                }
                for (; j + 4 <= j1; j += 4) {
                    dot1x4(vk, k, alpha, a, a0, b, bOff + j * ldb, ldb, beta, c, c0 + j);
                }
                for (; j < j1; j++) {
                    c[c0 + j] = combine(alpha, dot(vk, k, a, a0, b, bOff + j * ldb), beta, c[c0 + j]);
                }
            }
        }
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
    static void gemmPacked(VectorKernels vk, int m, float alpha, float[] a, int aOff, int lda, PackedMatrix b,
                           int panel0, int panel1, float beta, float[] c, int cOff, int ldc) {
        int width = vk.panelWidth();
        if (b.width() != width) {
            throw new IllegalArgumentException("B packed in panels of " + b.width() + " columns, these kernels use "
                    + width);
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
                    panelSums(vk, mb, g, k, a, ai, lda, pb, q, c, ci0 + j0, ldc);
                    continue;
                }
                panelSums(vk, mb, g, k, a, ai, lda, pb, q, sums, 0, g * width);
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
    private static void panelSums(VectorKernels vk, int m, int g, int k, float[] a, int aOff, int lda, float[] pb,
                                  int q, float[] out, int o0, int ldo) {
        int width = vk.panelWidth();
        if (g == 4) {
            for (int i = 0; i < m; i++) {
                panel1x4(vk, k, a, aOff + i * lda, pb, q * k * width, k * width, out, o0 + i * ldo);
            }
            return;
        }
        for (int t = 0; t < g; t++) {
            int base = (q + t) * k * width;
            int o = o0 + t * width;
            int i = 0;
            for (; i + 4 <= m; i += 4) {
                panel4(vk, k, a, aOff + i * lda, lda, pb, base, out, o + i * ldo, ldo);
            }
            for (; i < m; i++) {
                panel1(vk, k, a, aOff + i * lda, pb, base, out, o + i * ldo);
            }
        }
    }

    private static void panel4(VectorKernels vk, int k, float[] a, int a0, int lda, float[] pb, int b0, float[] out,
                               int o0, int ldo) {
        VectorSpecies<Float> s = vk.floats();
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

    /** One row of A times four consecutive panels ({@code stride} floats apart): {@link #panel1} four times over,
            in one pass. */
    private static void panel1x4(VectorKernels vk, int k, float[] a, int a0, float[] pb, int b0, int stride,
                                 float[] out, int o0) {
        VectorSpecies<Float> s = vk.floats();
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

    private static void panel1(VectorKernels vk, int k, float[] a, int a0, float[] pb, int b0, float[] out, int o0) {
        VectorSpecies<Float> s = vk.floats();
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

    private static float dot(VectorKernels vk, int k, float[] a, int a0, float[] b, int b0) {
        VectorSpecies<Float> s = vk.floats();
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

    private static void dot1x4(VectorKernels vk, int k, float alpha, float[] a, int a0, float[] b, int b0, int ldb,
                               float beta, float[] c, int c0) {
        VectorSpecies<Float> s = vk.floats();
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
    private static void dot1x8(VectorKernels vk, int k, float alpha, float[] a, int a0, float[] b, int b0, int ldb,
                               float beta, float[] c, int c0) {
        VectorSpecies<Float> s = vk.floats();
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

    private static void dot2x4(VectorKernels vk, int k, float alpha, float[] a, int a0, int lda, float[] b, int b0,
                               int ldb, float beta, float[] c, int c0, int ldc) {
        VectorSpecies<Float> s = vk.floats();
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
}
