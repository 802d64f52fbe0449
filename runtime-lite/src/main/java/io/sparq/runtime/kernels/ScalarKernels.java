package io.sparq.runtime.kernels;

import io.sparq.format.Float16;

/**
 * The scalar {@link Kernels}: plain loops that every vector kernel is tested against, and the
 * fallback when the Vector API module is not enabled. Sums run over the reduction index in order.
 */
public final class ScalarKernels implements Kernels {
    /** Floats of B kept hot per panel of {@link #gemmNT}: 64 KiB, well inside a typical L2. */
    private static final int PANEL_FLOATS = 16 * 1024;
    /** Every binary16 bit pattern's float value (256 KiB): one load per weight instead of a branchy decode. */
    private static final float[] HALF = new float[1 << 16];

    static {
        for (int h = 0; h < HALF.length; h++) {
            HALF[h] = Float16.toFloat((short) h);
        }
    }

    /** Panel width of {@link #gemmPacked}: any works; 16 keeps a panel row in one cache line. */
    private static final int PANEL_WIDTH = 16;

    @Override
    public int panelWidth() {
        return PANEL_WIDTH;
    }

    @Override
    public void gemmPacked(int m, float alpha, float[] a, int aOff, int lda, PackedMatrix b, int panel0, int panel1,
                           float beta, float[] c, int cOff, int ldc) {
        int k = b.k();
        int width = b.width();
        float[] pb = b.data();
        float[] acc = new float[width];
        for (int q = panel0; q < panel1; q++) {
            int base = q * k * width;
            int j0 = q * width;
            int cols = Math.min(width, b.n() - j0);
            for (int i = 0; i < m; i++) {
                int ai = aOff + i * lda;
                java.util.Arrays.fill(acc, 0f);
                for (int p = 0; p < k; p++) {
                    float av = a[ai + p];
                    int bp = base + p * width;
                    for (int jj = 0; jj < width; jj++) {
                        acc[jj] = Math.fma(av, pb[bp + jj], acc[jj]);
                    }
                }
                int ci = cOff + i * ldc + j0;
                for (int jj = 0; jj < cols; jj++) {
                    c[ci + jj] = beta == 0 ? alpha * acc[jj] : alpha * acc[jj] + beta * c[ci + jj];
                }
            }
        }
    }

    @Override
    public void gemmNT(int m, int n, int k, float alpha, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                       float beta, float[] c, int cOff, int ldc) {
        // four B rows per pass: four independent sums, and each A element is loaded once for all four
        int panel = Math.max(4, PANEL_FLOATS / Math.max(1, k)) & ~3;
        for (int j0 = 0; j0 < n; j0 += panel) {
            int j1 = Math.min(n, j0 + panel);
            for (int i = 0; i < m; i++) {
                int ai = aOff + i * lda;
                int ci = cOff + i * ldc;
                int j = j0;
                for (; j + 4 <= j1; j += 4) {
                    int b0 = bOff + j * ldb;
                    int b1 = b0 + ldb;
                    int b2 = b1 + ldb;
                    int b3 = b2 + ldb;
                    float s0 = 0;
                    float s1 = 0;
                    float s2 = 0;
                    float s3 = 0;
                    for (int p = 0; p < k; p++) {
                        float av = a[ai + p];
                        s0 += av * b[b0 + p];
                        s1 += av * b[b1 + p];
                        s2 += av * b[b2 + p];
                        s3 += av * b[b3 + p];
                    }
                    c[ci + j] = combine(alpha, s0, beta, c[ci + j]);
                    c[ci + j + 1] = combine(alpha, s1, beta, c[ci + j + 1]);
                    c[ci + j + 2] = combine(alpha, s2, beta, c[ci + j + 2]);
                    c[ci + j + 3] = combine(alpha, s3, beta, c[ci + j + 3]);
                }
                for (; j < j1; j++) {
                    int bj = bOff + j * ldb;
                    float s = 0;
                    for (int p = 0; p < k; p++) {
                        s += a[ai + p] * b[bj + p];
                    }
                    c[ci + j] = combine(alpha, s, beta, c[ci + j]);
                }
            }
        }
    }

    static float combine(float alpha, float sum, float beta, float old) {
        return beta == 0 ? alpha * sum : alpha * sum + beta * old;
    }

    @Override
    public void denseF16(short[] w, int cols, int m, float[] x, int xOff, int ldx, int row0, int row1,
                         float[] y, int yOff, int ldy, boolean accumulate) {
        for (int j = row0; j < row1; j++) {
            int wj = j * cols;
            for (int i = 0; i < m; i++) {
                int xi = xOff + i * ldx;
                float s = 0;
                for (int p = 0; p < cols; p++) {
                    s += x[xi + p] * HALF[w[wj + p] & 0xffff];
                }
                store(y, yOff + i * ldy + j - row0, s, accumulate);
            }
        }
    }

    @Override
    public void denseInt8(byte[] q, float[] scales, int group, int cols, int m, float[] x, int xOff, int ldx,
                          int row0, int row1, float[] y, int yOff, int ldy, boolean accumulate) {
        int groups = (cols + group - 1) / group;
        for (int j = row0; j < row1; j++) {
            for (int i = 0; i < m; i++) {
                int xi = xOff + i * ldx;
                float s = 0;
                for (int g = 0; g < groups; g++) {
                    int p0 = g * group;
                    int p1 = Math.min(cols, p0 + group);
                    float gs = 0;
                    for (int p = p0; p < p1; p++) {
                        gs += x[xi + p] * q[j * cols + p];
                    }
                    s += gs * scales[j * groups + g];
                }
                store(y, yOff + i * ldy + j - row0, s, accumulate);
            }
        }
    }

    @Override
    public void blockSparseF32(int blockSize, int[] rowPtr, int[] blockCol, float[] values, int cols,
                               int m, float[] x, int xOff, int ldx, int row0, int row1,
                               float[] y, int yOff, int ldy, boolean accumulate) {
        for (int j = row0; j < row1; j++) {
            for (int i = 0; i < m; i++) {
                int xi = xOff + i * ldx;
                float s = 0;
                for (int t = rowPtr[j]; t < rowPtr[j + 1]; t++) {
                    int c0 = blockCol[t];
                    int len = Math.min(blockSize, cols - c0);
                    for (int e = 0; e < len; e++) {
                        s += x[xi + c0 + e] * values[t * blockSize + e];
                    }
                }
                store(y, yOff + i * ldy + j - row0, s, accumulate);
            }
        }
    }

    @Override
    public void blockSparseInt8(int blockSize, int[] rowPtr, int[] blockCol, byte[] q, float[] scales, int cols,
                                int m, float[] x, int xOff, int ldx, int row0, int row1,
                                float[] y, int yOff, int ldy, boolean accumulate) {
        for (int j = row0; j < row1; j++) {
            for (int i = 0; i < m; i++) {
                int xi = xOff + i * ldx;
                float s = 0;
                for (int t = rowPtr[j]; t < rowPtr[j + 1]; t++) {
                    int c0 = blockCol[t];
                    int len = Math.min(blockSize, cols - c0);
                    for (int e = 0; e < len; e++) {
                        s += x[xi + c0 + e] * q[t * blockSize + e];
                    }
                }
                store(y, yOff + i * ldy + j - row0, s * scales[j], accumulate);
            }
        }
    }

    @Override
    public void csrF32(int[] rowPtr, int[] col, float[] values, int m, float[] x, int xOff, int ldx, int row0, int row1,
                       float[] y, int yOff, int ldy, boolean accumulate) {
        for (int j = row0; j < row1; j++) {
            for (int i = 0; i < m; i++) {
                int xi = xOff + i * ldx;
                float s = 0;
                for (int t = rowPtr[j]; t < rowPtr[j + 1]; t++) {
                    s += x[xi + col[t]] * values[t];
                }
                store(y, yOff + i * ldy + j - row0, s, accumulate);
            }
        }
    }

    @Override
    public void csrInt8(int[] rowPtr, int[] col, byte[] q, float[] scales, int m, float[] x, int xOff, int ldx,
                        int row0, int row1, float[] y, int yOff, int ldy, boolean accumulate) {
        for (int j = row0; j < row1; j++) {
            for (int i = 0; i < m; i++) {
                int xi = xOff + i * ldx;
                float s = 0;
                for (int t = rowPtr[j]; t < rowPtr[j + 1]; t++) {
                    s += x[xi + col[t]] * q[t];
                }
                store(y, yOff + i * ldy + j - row0, s * scales[j], accumulate);
            }
        }
    }

    @Override
    public void columnBlockF32(int blockSize, int[] groupPtr, int[] col, float[] values,
                               int m, float[] x, int xOff, int ldx, int row0, int row1,
                               float[] y, int yOff, int ldy, boolean accumulate) {
        columnBlock(blockSize, groupPtr, col, values, null, null, m, x, xOff, ldx, row0, row1, y, yOff, ldy, accumulate);
    }

    @Override
    public void columnBlockInt8(int blockSize, int[] groupPtr, int[] col, byte[] q, float[] scales, int cols,
                                int m, float[] x, int xOff, int ldx, int row0, int row1,
                                float[] y, int yOff, int ldy, boolean accumulate) {
        columnBlock(blockSize, groupPtr, col, null, q, scales, m, x, xOff, ldx, row0, row1, y, yOff, ldy, accumulate);
    }

    /** Both column-block kernels: f32 {@code values}, or int8 {@code q} with row {@code scales}. */
    private static void columnBlock(int b, int[] groupPtr, int[] col, float[] values, byte[] q, float[] scales,
                                    int m, float[] x, int xOff, int ldx, int row0, int row1,
                                    float[] y, int yOff, int ldy, boolean accumulate) {
        for (int j = row0; j < row1; j++) {
            int g = j / b;
            int e = j - g * b;
            for (int i = 0; i < m; i++) {
                int xi = xOff + i * ldx;
                float acc = 0;
                for (int t = groupPtr[g]; t < groupPtr[g + 1]; t++) {
                    acc = Math.fma(x[xi + col[t]], values != null ? values[t * b + e] : q[t * b + e], acc);
                }
                store(y, yOff + i * ldy + j - row0, values != null ? acc : acc * scales[j], accumulate);
            }
        }
    }

    @Override
    public void sigmoid(float[] v, int off, int n) {
        for (int i = off; i < off + n; i++) {
            v[i] = FastMath.sigmoid(v[i]);
        }
    }

    @Override
    public void tanh(float[] v, int off, int n) {
        for (int i = off; i < off + n; i++) {
            v[i] = FastMath.tanhf(v[i]);
        }
    }

    private static void store(float[] y, int at, float s, boolean accumulate) {
        y[at] = accumulate ? y[at] + s : s;
    }

    @Override
    public String toString() {
        return "scalar";
    }
}
