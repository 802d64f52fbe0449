package io.sparq.converter.encode;

import io.sparq.format.codec.Encoding;

/**
 * Relative cost of one matrix-vector product per storage encoding, used by
 * {@link EncodingPlanner.Objective#SPEED}. Cost = {@code perStoredValue × stored values +
 * perElement × all elements}, in units of one dense multiply-add; the value format (f32, f16,
 * int8, int4) is the same for every candidate of a tensor, so it does not enter.
 *
 * <p>The defaults ({@link #DEFAULT}) encode what the kernels do: block-sparse runs a dense inner
 * loop over each kept block (small blocks pay more per-block overhead), CSR does a gather per
 * value, bitmap additionally scans one bit per element. With them, CSR beats dense above about
 * 67 % unstructured sparsity, block-sparse 16 beats dense as soon as its padding-free share of
 * zeros exceeds about 9 %. Replace the numbers with measured kernel costs
 * (docs/benchmarks.md) without touching the planner.
 *
 * @param blockSparse cost per stored value of block-sparse with B = 4, 8, 16 (index as
 *                    {@link SparsityProfile#BLOCK_SIZES})
 */
public record SpeedCostModel(double dense, double[] blockSparse, double csr, double bitmap, double bitmapPerElement) {
    /** The documented defaults (docs/quantization.md). */
    public static final SpeedCostModel DEFAULT = new SpeedCostModel(1.0, new double[] {1.5, 1.25, 1.1}, 3.0, 3.0, 0.05);

    public SpeedCostModel {
        if (blockSparse.length != SparsityProfile.BLOCK_SIZES.length) {
            throw new IllegalArgumentException("blockSparse needs one cost per block size "
                    + java.util.Arrays.toString(SparsityProfile.BLOCK_SIZES));
        }
        blockSparse = blockSparse.clone();
    }

    @Override
    public double[] blockSparse() {
        return blockSparse.clone();
    }

    /** Estimated cost of one product with the tensor stored as {@code encoding} (block size B for block-sparse). */
    public double cost(SparsityProfile p, Encoding encoding, int blockSize) {
        switch (encoding) {
            case DENSE:
                return dense * p.elements();
            case BLOCK_SPARSE:
                for (int k = 0; k < SparsityProfile.BLOCK_SIZES.length; k++) {
                    if (SparsityProfile.BLOCK_SIZES[k] == blockSize) {
                        return blockSparse[k] * p.keptBlocks(blockSize) * blockSize;
                    }
                }
                throw new IllegalArgumentException("block size " + blockSize);
            case CSR:
                return csr * p.stored();
            case BITMAP:
                return bitmap * p.stored() + bitmapPerElement * p.elements();
            default:
                throw new AssertionError(encoding);
        }
    }
}
