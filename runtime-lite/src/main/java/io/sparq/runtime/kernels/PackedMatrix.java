package io.sparq.runtime.kernels;

/**
 * The right-hand operand B ({@code k × n}) of a product, laid out for {@link Kernels#gemmPacked}:
 * panels of {@code width} consecutive columns, each panel stored row after row
 * ({@code data[q·k·width + p·width + jj] = B[p][q·width + jj]}), the last panel padded with zeros.
 * A panel is read front to back once per block of A rows, so the kernel streams it from cache and
 * never reads B with a stride.
 *
 * <p>Packing costs one pass over B; a B used by many products (a recurrent weight, every time step)
 * is packed once and reused.
 */
public final class PackedMatrix {
    private float[] data = new float[0];
    private int k;
    private int n;
    private int width;

    PackedMatrix() {
    }

    /** B packed for {@code kernels}: {@code b} holds B ({@code k × n}) from {@code bOff}, or Bᵀ ({@code n × k}) when {@code transposed}. */
    public static PackedMatrix of(Kernels kernels, boolean transposed, int k, int n, float[] b, int bOff) {
        return new PackedMatrix().repack(kernels.panelWidth(), transposed, k, n, b, bOff);
    }

    /** Packs B into this matrix's storage (grown, never shrunk). */
    PackedMatrix repack(int panelWidth, boolean transposed, int k, int n, float[] b, int bOff) {
        this.k = k;
        this.n = n;
        this.width = panelWidth;
        int panels = panels();
        int size = panels * k * width;
        if (data.length < size) {
            data = new float[size];
        }
        for (int q = 0; q < panels; q++) {
            int base = q * k * width;
            int j0 = q * width;
            int cols = Math.min(width, n - j0);
            if (transposed) {
                // B[p][j] = b[j][p]: each source row is read once, contiguously
                for (int jj = 0; jj < cols; jj++) {
                    int src = bOff + (j0 + jj) * k;
                    for (int p = 0; p < k; p++) {
                        data[base + p * width + jj] = b[src + p];
                    }
                }
            } else {
                for (int p = 0; p < k; p++) {
                    System.arraycopy(b, bOff + p * n + j0, data, base + p * width, cols);
                }
            }
            if (cols < width) {
                for (int p = 0; p < k; p++) {
                    java.util.Arrays.fill(data, base + p * width + cols, base + (p + 1) * width, 0f);
                }
            }
        }
        return this;
    }

    /** Rows of B (the reduction length). */
    public int k() {
        return k;
    }

    /** Columns of B. */
    public int n() {
        return n;
    }

    /** Columns per panel. */
    public int width() {
        return width;
    }

    /** Panels: {@code ceil(n / width)}. */
    public int panels() {
        return (n + width - 1) / width;
    }

    /** The packed values (panel {@code q} starts at {@code q·k·width}), for the kernels; not to be modified. */
    public float[] data() {
        return data;
    }
}
