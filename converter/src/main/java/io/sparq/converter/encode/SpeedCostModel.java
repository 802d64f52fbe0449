package io.sparq.converter.encode;

import io.sparq.format.codec.Encoding;

/**
 * Relative cost of one matrix-vector product per storage encoding, used by
 * {@link EncodingPlanner.Objective#SPEED}. Cost = {@code perStoredValue × stored values +
 * perElement × all elements}, in units of one dense multiply-add; the value format (f32, f16,
 * int8, int4) is the same for every candidate of a tensor, so it does not enter.
 *
 * <p>The defaults ({@link #DEFAULT}) are runtime-lite's int8 kernels measured on a 4096×1024
 * matrix-vector product (2-core AVX2 machine, 256-bit vectors), per stored value relative to a
 * dense int8 multiply-add (0.17 ns): block-sparse 16 = 2.8, 8 ≈ 5, 4 = 8.1, CSR = 18 (a gather
 * per value); bitmap runs as CSR. So at 90 % sparsity 1×16 and 1×4 blocks beat dense int8 while
 * unstructured CSR does not (it needs about 95 %). Dense f32 costs about 3.5× dense int8 per
 * element, so for {@code --quantize none} these costs understate the sparse encodings' gain.
 * Pass other measurements with {@code Options.withSpeedCosts} without touching the planner.
 *
 * <p>Column blocks (B×1, {@code column_block_sparse}) need no sum across vector lanes per row: on
 * a 2-core AMD EPYC with AVX-512 (512-bit kernels, {@code KernelTimings}, a loaded machine) a
 * 4096 × 1152 int8 product at 90 % in 16×1 blocks took 25-30 µs, against 140 µs in 1×16 blocks and
 * 283 µs dense: per stored value about what dense int8 costs per element. The default 1.25 for
 * B = 16 adds a margin for the index per block and the noise of that measurement, so dense int8
 * stays the choice unless column blocks store at most about 80 % of the elements (at 90 %
 * unstructured sparsity 16×1 blocks still hold 81 %). B = 4 and 8 run the scalar reference wherever
 * the vector is wider than B, so they keep the 1×B costs.
 *
 * @param blockSparse  cost per stored value of block-sparse with B = 4, 8, 16 (index as
 *                     {@link SparsityProfile#BLOCK_SIZES})
 * @param columnBlocks cost per stored value of column-block-sparse with B = 4, 8, 16
 */
public record SpeedCostModel(double dense, double[] blockSparse, double csr, double bitmap, double bitmapPerElement,
                             double[] columnBlocks) {
    /** The documented defaults (docs/quantization.md). */
    public static final SpeedCostModel DEFAULT = new SpeedCostModel(1.0, new double[] {8.1, 5.0, 2.8}, 18.0, 18.0, 0.05,
            new double[] {8.1, 5.0, 1.25});

    /** Costs without column blocks' own measurements: they cost as much as 1×B blocks. */
    public SpeedCostModel(double dense, double[] blockSparse, double csr, double bitmap, double bitmapPerElement) {
        this(dense, blockSparse, csr, bitmap, bitmapPerElement, blockSparse);
    }

    public SpeedCostModel {
        if (blockSparse.length != SparsityProfile.BLOCK_SIZES.length || columnBlocks.length != SparsityProfile.BLOCK_SIZES.length) {
            throw new IllegalArgumentException("blockSparse and columnBlocks need one cost per block size "
                    + java.util.Arrays.toString(SparsityProfile.BLOCK_SIZES));
        }
        blockSparse = blockSparse.clone();
        columnBlocks = columnBlocks.clone();
    }

    @Override
    public double[] blockSparse() {
        return blockSparse.clone();
    }

    @Override
    public double[] columnBlocks() {
        return columnBlocks.clone();
    }

    /** Estimated cost of one product with the tensor stored as {@code encoding} (block size B for block-sparse). */
    public double cost(SparsityProfile p, Encoding encoding, int blockSize) {
        return switch (encoding) {
            case DENSE -> dense * p.elements();
            case BLOCK_SPARSE -> blockSparse[sizeIndex(blockSize)] * p.keptBlocks(blockSize) * blockSize;
            case COLUMN_BLOCK_SPARSE -> columnBlocks[sizeIndex(blockSize)] * p.keptColumnBlocks(blockSize) * blockSize;
            case CSR -> csr * p.stored();
            case BITMAP -> bitmap * p.stored() + bitmapPerElement * p.elements();
        };
    }

    private static int sizeIndex(int blockSize) {
        for (int k = 0; k < SparsityProfile.BLOCK_SIZES.length; k++) {
            if (SparsityProfile.BLOCK_SIZES[k] == blockSize) {
                return k;
            }
        }
        throw new IllegalArgumentException("block size " + blockSize);
    }
}
