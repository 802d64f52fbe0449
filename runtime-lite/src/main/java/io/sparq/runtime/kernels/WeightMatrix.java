package io.sparq.runtime.kernels;

/**
 * A constant weight matrix {@code W} ({@code rows × cols}, row-major as ONNX stores {@code W},
 * {@code R} and transposed Gemm weights) in one storage encoding, multiplied as
 * {@code Y = X·Wᵀ}. One implementation per encoding; each has a scalar reference and, where the
 * Vector API is enabled, a vector path.
 */
public interface WeightMatrix {
    /** Output features: the number of rows of W. */
    int rows();

    /** Input features: the number of columns of W. */
    int cols();

    /**
     * {@code Y[i][j - row0] (=, or += when accumulate) Σ_p X[i][p]·W[j][p]} for {@code i < m} and
     * {@code row0 ≤ j < row1}.
     *
     * @param x X, row {@code i} at {@code x[xOff + i*ldx ..]} ({@link #cols()} values)
     * @param y Y, element {@code (i, j)} at {@code y[yOff + i*ldy + (j - row0)]}
     */
    void multiply(int m, float[] x, int xOff, int ldx, int row0, int row1,
                  float[] y, int yOff, int ldy, boolean accumulate);

    /** Bytes the stored weights occupy (what one full product streams from memory). */
    long storedBytes();
}
