package io.sparq.runtime.kernels;

import io.sparq.format.Tensor;
import io.sparq.format.codec.EncodedTensor;

/** Builds the {@link WeightMatrix} kernel that fits a tensor's storage encoding. */
public final class WeightMatrices {
    private WeightMatrices() {
    }

    /**
     * The matrix of a stored tensor, read in place where its encoding has a kernel. A tensor of
     * rank r &gt; 2 is viewed as {@code (d0·…·d(r-2)) × d(r-1)}: the rows of all leading axes.
     */
    public static WeightMatrix of(EncodedTensor stored) {
        return of(stored.toDense());
    }

    /** The matrix of a dense float32 tensor (shared, not copied), viewed as {@link #of(EncodedTensor)} says. */
    public static WeightMatrix of(Tensor dense) {
        int cols = dense.dim(dense.rank() - 1);
        int rows = cols == 0 ? 0 : dense.size() / cols;
        float[] w = dense.floats();
        return new WeightMatrix() {
            @Override
            public int rows() {
                return rows;
            }

            @Override
            public int cols() {
                return cols;
            }

            @Override
            public void multiply(int m, float[] x, int xOff, int ldx, int row0, int row1,
                                 float[] y, int yOff, int ldy, boolean accumulate) {
                for (int i = 0; i < m; i++) {
                    for (int j = row0; j < row1; j++) {
                        float s = 0;
                        for (int p = 0; p < cols; p++) {
                            s += x[xOff + i * ldx + p] * w[j * cols + p];
                        }
                        int yi = yOff + i * ldy + (j - row0);
                        y[yi] = accumulate ? y[yi] + s : s;
                    }
                }
            }

            @Override
            public long storedBytes() {
                return 4L * w.length;
            }
        };
    }
}
