package io.sparq.converter.prune;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Masks against a brute-force reference: which units are masked, how many, and that ties cannot break the count. */
class TensorMaskTest {
    private static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = (float) r.nextGaussian();
        }
        return w;
    }

    @Test
    void unstructuredMasksExactlyTheSmallestMagnitudes() {
        float[] w = random(1000, 1);
        TensorMask mask = new TensorMask(new int[] {10, 100}, 1);
        mask.maskToSparsity(w, 0.37);
        float[] pruned = w.clone();
        mask.apply(pruned);
        float[] sorted = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            sorted[i] = Math.abs(w[i]);
        }
        Arrays.sort(sorted);
        float cut = sorted[370];  // the 371st smallest magnitude survives, the 370 below it go
        int zeros = 0;
        for (int i = 0; i < w.length; i++) {
            boolean gone = pruned[i] == 0;
            zeros += gone ? 1 : 0;
            assertEquals(Math.abs(w[i]) < cut, gone, "element " + i + " |w| = " + Math.abs(w[i]));
            if (!gone) {
                assertEquals(w[i], pruned[i]);
            }
        }
        assertEquals(370, zeros);
        assertEquals(0.37, mask.sparsity(), 1e-12);
    }

    /** Row blocks: B consecutive rows of one column go together (the last group of rows is shorter), by RMS. */
    @Test
    void rowBlocksMaskWholeColumnsOfARowGroup() {
        int rows = 37;
        int cols = 9;
        float[] w = random(rows * cols, 4);
        TensorMask mask = new TensorMask(new int[] {rows, cols}, 8, true);
        mask.maskToSparsity(w, 0.6);
        float[] pruned = w.clone();
        mask.apply(pruned);
        int zeros = 0;
        double[] rms = new double[(rows + 7) / 8 * cols];
        for (int g = 0; g * 8 < rows; g++) {
            for (int c = 0; c < cols; c++) {
                int n = Math.min(8, rows - g * 8);
                boolean first = pruned[g * 8 * cols + c] == 0;
                double sum = 0;
                for (int r = g * 8; r < g * 8 + n; r++) {
                    assertEquals(first, pruned[r * cols + c] == 0, "group " + g + " column " + c + " is masked whole");
                    sum += (double) w[r * cols + c] * w[r * cols + c];
                    zeros += pruned[r * cols + c] == 0 ? 1 : 0;
                }
                rms[g * cols + c] = first ? -Math.sqrt(sum / n) : Math.sqrt(sum / n);
            }
        }
        assertTrue(Math.abs(zeros - 0.6 * rows * cols) <= 8, "masked " + zeros);
        double keptMin = Arrays.stream(rms).filter(v -> v > 0).min().orElseThrow();
        double prunedMax = -Arrays.stream(rms).filter(v -> v <= 0).min().orElseThrow();
        assertTrue(prunedMax <= keptMin, "the smallest-RMS blocks go first: " + prunedMax + " > " + keptMin);
    }

    @Test
    void tiesDoNotChangeTheCount() {
        float[] w = new float[999];
        Arrays.fill(w, 0.5f);
        TensorMask mask = new TensorMask(new int[] {27, 37}, 1);
        mask.maskToSparsity(w, 0.5);
        assertEquals(500, mask.maskedElements());  // round(499.5)
        for (int b : new int[] {4, 8, 16}) {
            TensorMask blocks = new TensorMask(new int[] {27, 37}, b);
            blocks.maskToSparsity(w, 0.5);
            assertTrue(Math.abs(blocks.maskedElements() - 499.5) <= b, "block " + b + ": " + blocks.maskedElements());
        }
    }

    @Test
    void blocksAreWholeAndChosenBySmallestRms() {
        int[][] shapes = {{3, 5, 13}, {64, 32}, {7, 16}, {2, 9}};
        for (int[] shape : shapes) {
            int cols = shape[shape.length - 1];
            int n = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
            for (int b : new int[] {4, 8, 16}) {
                for (double s : new double[] {0.1, 0.33, 0.5, 0.9}) {
                    float[] w = random(n, 31L * b + n);
                    TensorMask mask = new TensorMask(shape, b);
                    mask.maskToSparsity(w, s);
                    float[] pruned = w.clone();
                    mask.apply(pruned);
                    String what = Arrays.toString(shape) + " B=" + b + " s=" + s;
                    assertTrue(Math.abs(mask.maskedElements() - s * n) <= b, what + ": " + mask.maskedElements());
                    double maxPrunedRms = 0;
                    double minKeptRms = Double.POSITIVE_INFINITY;
                    long zeros = 0;
                    for (int row = 0; row < n / cols; row++) {
                        for (int c0 = 0; c0 < cols; c0 += b) {
                            int len = Math.min(b, cols - c0);
                            int from = row * cols + c0;
                            double sum = 0;
                            boolean allZero = true;
                            boolean untouched = true;
                            for (int i = from; i < from + len; i++) {
                                sum += (double) w[i] * w[i];
                                allZero &= pruned[i] == 0;
                                untouched &= pruned[i] == w[i];
                            }
                            assertTrue(allZero || untouched, what + ": block at " + from + " is partly pruned");
                            double rms = Math.sqrt(sum / len);
                            if (allZero) {
                                zeros += len;
                                maxPrunedRms = Math.max(maxPrunedRms, rms);
                            } else {
                                minKeptRms = Math.min(minKeptRms, rms);
                            }
                        }
                    }
                    assertEquals(mask.maskedElements(), zeros, what);
                    assertTrue(maxPrunedRms <= minKeptRms, what + ": pruned a block of RMS " + maxPrunedRms
                            + " while keeping one of " + minKeptRms);
                }
            }
        }
    }

    @Test
    void thresholdMasksOnlyGrowAndQuantileHitsTheTarget() {
        float[] w = random(4096, 7);
        TensorMask mask = new TensorMask(new int[] {64, 64}, 8);
        double q = mask.quantile(w, 0.8);
        mask.maskBelow(w, q);
        assertTrue(Math.abs(mask.maskedElements() - 0.8 * 4096) <= 8, "masked " + mask.maskedElements());
        long before = mask.maskedElements();
        mask.maskBelow(w, 0);  // a lower threshold unmasks nothing
        assertEquals(before, mask.maskedElements());
    }

    @Test
    void maskedWeightsBecomePositiveZero() {
        float[] w = {-0.0f, -1e-9f, 3f, -4f};
        TensorMask mask = new TensorMask(new int[] {1, 4}, 1);
        mask.maskToSparsity(w, 0.5);
        mask.apply(w);
        assertEquals(0, Float.floatToRawIntBits(w[0]));
        assertEquals(0, Float.floatToRawIntBits(w[1]));
        assertEquals(3f, w[2]);
        assertEquals(-4f, w[3]);
    }
}
