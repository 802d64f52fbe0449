package io.sparq.runtime.kernels;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link DenseMatMul} against a plain triple loop in double precision. */
class DenseMatMulTest {
    @ParameterizedTest(name = "m={0} n={1} k={2} bias={3}")
    @CsvSource({
            "1, 1, 1, false",
            "1, 7, 5, true",      // matrix-vector with a tail of 3 columns
            "3, 4, 0, true",      // empty dot products: bias only
            "5, 9, 33, false",
            "2, 13, 5000, true",  // panels of 4 rows of B: several panels plus a tail
            "17, 64, 64, true",
    })
    void matchesNaiveProduct(int m, int n, int k, boolean withBias) {
        Random rnd = new Random(31L * m + 7L * n + k);
        // offsets and row strides larger than the rows, as when C is one gate block of a wider buffer
        int aOff = 3;
        int lda = k + 2;
        int bOff = 5;
        int ldb = k + 1;
        int cOff = 1;
        int ldc = n + 4;
        float[] a = random(rnd, aOff + m * lda);
        float[] b = random(rnd, bOff + n * ldb);
        float[] bias = withBias ? random(rnd, 2 + n) : null;
        float[] c = random(rnd, cOff + m * ldc);
        float[] before = c.clone();

        DenseMatMul.multiplyTransposed(m, n, k, a, aOff, lda, b, bOff, ldb, bias, 2, c, cOff, ldc);

        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double want = bias == null ? 0 : bias[2 + j];
                double magnitude = Math.abs(want);
                for (int p = 0; p < k; p++) {
                    double term = (double) a[aOff + i * lda + p] * b[bOff + j * ldb + p];
                    want += term;
                    magnitude += Math.abs(term);
                }
                // fp32 accumulation: error grows with k * eps * sum |terms|
                double tolerance = 1e-6 + (k + 1) * 1.2e-7 * magnitude;
                assertEquals(want, c[cOff + i * ldc + j], tolerance, "C[" + i + "][" + j + "]");
            }
        }
        for (int idx = 0; idx < c.length; idx++) {
            int rel = idx - cOff;
            boolean inside = rel >= 0 && rel / ldc < m && rel % ldc < n;
            if (!inside) {
                assertEquals(before[idx], c[idx], "C outside the m x n block must stay untouched, index " + idx);
            }
        }
    }

    private static float[] random(Random rnd, int length) {
        float[] v = new float[length];
        for (int i = 0; i < length; i++) {
            v[i] = rnd.nextFloat() * 2 - 1;
        }
        return v;
    }
}
