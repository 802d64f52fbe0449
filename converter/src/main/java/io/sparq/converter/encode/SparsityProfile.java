package io.sparq.converter.encode;

import io.sparq.format.DataType;
import io.sparq.format.Tensor;
import io.sparq.format.codec.Encoding;
import io.sparq.format.codec.IndexFormat;
import io.sparq.format.codec.TensorLayout;
import io.sparq.format.codec.ValueFormat;

/**
 * The zero structure of a float32 weight seen as a matrix ({@code rows} = product of the leading
 * axes, {@code cols} = last axis), measured once so that the stored size of every encoding can be
 * computed without encoding. An element counts as stored when its bits are not +0.0, as the codec
 * decides (SPEC.md §6).
 *
 * @param stored         elements that are not +0.0
 * @param keptBlocks     for each block size of {@link #BLOCK_SIZES}, the 1×B blocks along the last
 *                       axis holding a stored element
 * @param keptColumnBlocks for each block size of {@link #BLOCK_SIZES}, the B×1 blocks (B consecutive
 *                       rows of one column, {@code column_block_sparse}) holding a stored element
 * @param gapsFitU8      whether every CSR column gap fits the one-byte delta index
 * @param blockStructure the largest B such that every 1×B block is either all zero or fully
 *                       stored and at least one is all zero (block-sparse B then stores no
 *                       padding zeros); 0 when there is no such B
 */
public record SparsityProfile(int[] shape, long rows, long cols, long stored, long[] keptBlocks,
                              long[] keptColumnBlocks, boolean gapsFitU8, int blockStructure) {
    /** Block sizes of the block-sparse encoding, smallest first. */
    public static final int[] BLOCK_SIZES = TensorLayout.allowedBlockSizes(Encoding.BLOCK_SPARSE, ValueFormat.INT8);

    public SparsityProfile {
        shape = shape.clone();
        keptBlocks = keptBlocks.clone();
        keptColumnBlocks = keptColumnBlocks.clone();
    }

    /** Measures a float32 tensor. */
    public static SparsityProfile of(Tensor t) {
        float[] x = t.floats();
        int[] shape = t.shape();
        int cols = shape.length == 0 ? 1 : shape[shape.length - 1];
        long rows = cols == 0 ? 0 : x.length / cols;
        long stored = 0;
        boolean gapsFit = true;
        long[] kept = new long[BLOCK_SIZES.length];
        long[] full = new long[BLOCK_SIZES.length];
        for (long r = 0; r < rows; r++) {
            int base = (int) (r * cols);
            int prev = -1;
            for (int c = 0; c < cols; c++) {
                if (isStored(x[base + c])) {
                    stored++;
                    gapsFit &= c - prev - 1 <= 0xFF;
                    prev = c;
                }
            }
            for (int k = 0; k < BLOCK_SIZES.length; k++) {
                int b = BLOCK_SIZES[k];
                for (int from = 0; from < cols; from += b) {
                    int to = Math.min(cols, from + b);
                    int n = 0;
                    for (int c = from; c < to; c++) {
                        n += isStored(x[base + c]) ? 1 : 0;
                    }
                    kept[k] += n > 0 ? 1 : 0;
                    full[k] += n == to - from ? 1 : 0;
                }
            }
        }
        long[] keptColumns = new long[BLOCK_SIZES.length];
        for (int k = 0; k < BLOCK_SIZES.length; k++) {
            int b = BLOCK_SIZES[k];
            for (long r0 = 0; r0 < rows; r0 += b) {
                for (int c = 0; c < cols; c++) {
                    boolean any = false;
                    for (long r = r0; r < Math.min(rows, r0 + b) && !any; r++) {
                        any = isStored(x[(int) (r * cols + c)]);
                    }
                    keptColumns[k] += any ? 1 : 0;
                }
            }
        }
        int structure = 0;
        for (int k = 0; k < BLOCK_SIZES.length; k++) {
            long blocks = rows * ((cols + BLOCK_SIZES[k] - 1) / BLOCK_SIZES[k]);
            if (kept[k] == full[k] && kept[k] < blocks) {
                structure = BLOCK_SIZES[k];
            }
        }
        return new SparsityProfile(shape, rows, cols, stored, kept, keptColumns, gapsFit, structure);
    }

    private static boolean isStored(float v) {
        return Float.floatToRawIntBits(v) != 0;
    }

    public long elements() {
        return rows * cols;
    }

    /** Share of elements that are zero, in [0, 1]. */
    public double sparsity() {
        return elements() == 0 ? 0 : 1 - (double) stored / elements();
    }

    /** The 1×B blocks holding a stored element, for B one of {@link #BLOCK_SIZES}. */
    public long keptBlocks(int blockSize) {
        for (int k = 0; k < BLOCK_SIZES.length; k++) {
            if (BLOCK_SIZES[k] == blockSize) {
                return keptBlocks[k];
            }
        }
        throw new IllegalArgumentException("block size " + blockSize + " is not one of the block-sparse sizes");
    }

    /** The B×1 blocks (B rows of one column) holding a stored element, for B one of {@link #BLOCK_SIZES}. */
    public long keptColumnBlocks(int blockSize) {
        for (int k = 0; k < BLOCK_SIZES.length; k++) {
            if (BLOCK_SIZES[k] == blockSize) {
                return keptColumnBlocks[k];
            }
        }
        throw new IllegalArgumentException("block size " + blockSize + " is not one of the block-sparse sizes");
    }

    /**
     * The layout the codec produces for this tensor under {@code encoding}, {@code values} and
     * {@code blockSize}; its {@link TensorLayout#byteSize()} is the stored size.
     */
    public TensorLayout layout(Encoding encoding, ValueFormat values, int blockSize) {
        IndexFormat index = switch (encoding) {
            case BLOCK_SPARSE -> smallest((cols + blockSize - 1) / blockSize);
            case COLUMN_BLOCK_SPARSE -> smallest(cols);
            case CSR -> gapsFitU8 ? IndexFormat.U8_DELTA : cols <= 0x10000 ? IndexFormat.U16 : IndexFormat.U32;
            case DENSE, BITMAP -> IndexFormat.NONE;
        };
        long count = switch (encoding) {
            case BLOCK_SPARSE -> keptBlocks(blockSize);
            case COLUMN_BLOCK_SPARSE -> keptColumnBlocks(blockSize);
            case CSR, BITMAP -> stored;
            case DENSE -> 0;
        };
        return new TensorLayout(DataType.FLOAT32, shape, encoding, values, index, blockSize, count);
    }

    /** The narrowest absolute index format for indices below {@code limit}. */
    private static IndexFormat smallest(long limit) {
        return limit <= 0x100 ? IndexFormat.U8 : limit <= 0x10000 ? IndexFormat.U16 : IndexFormat.U32;
    }
}
