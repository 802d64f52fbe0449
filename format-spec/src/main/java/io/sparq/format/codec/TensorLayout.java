package io.sparq.format.codec;

import io.sparq.format.DataType;
import io.sparq.format.codec.Encoding.Part;

import java.util.Arrays;

/**
 * Everything that fixes the byte layout of one stored tensor: element type, shape, encoding, value
 * and index formats, block size and the number of stored blocks or elements. Sizes and offsets of
 * every array are computed here and nowhere else (SPEC.md §6).
 *
 * <p>Quantized and sparse encodings see the tensor as a matrix: {@code cols} is the last dimension
 * (the input dimension of a weight), {@code rows} the product of the others; a 0-d tensor is one
 * row of one element.
 *
 * @param blockSize B of BLOCK_SPARSE and COLUMN_BLOCK_SPARSE (4, 8, 16), G of dense INT4 (16, 32, 64, 128),
 *                  otherwise 0
 * @param count     stored blocks (BLOCK_SPARSE, COLUMN_BLOCK_SPARSE) or stored elements (CSR, BITMAP); 0 for DENSE
 */
public record TensorLayout(DataType type, int[] shape, Encoding encoding, ValueFormat values, IndexFormat index,
                           int blockSize, long count) {
    private static final int[] BLOCK_SPARSE_SIZES = {4, 8, 16};
    private static final int[] INT4_GROUP_SIZES = {16, 32, 64, 128};
    private static final int[] NO_BLOCK = {0};

    public TensorLayout {
        shape = shape.clone();
    }

    /** A copy of the shape. */
    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** The block sizes allowed for an encoding and value format; {0} when the block size is unused. */
    public static int[] allowedBlockSizes(Encoding encoding, ValueFormat values) {
        if (encoding == Encoding.BLOCK_SPARSE || encoding == Encoding.COLUMN_BLOCK_SPARSE) {
            return BLOCK_SPARSE_SIZES.clone();
        }
        return encoding == Encoding.DENSE && values == ValueFormat.INT4 ? INT4_GROUP_SIZES.clone() : NO_BLOCK.clone();
    }

    public long elements() {
        long n = 1;
        for (int d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** Product of all dimensions but the last; 1 for a 0-d tensor. */
    public long rows() {
        long r = 1;
        for (int i = 0; i < shape.length - 1; i++) {
            r = Math.multiplyExact(r, shape[i]);
        }
        return r;
    }

    /** The last dimension; 1 for a 0-d tensor. */
    public long cols() {
        return shape.length == 0 ? 1 : shape[shape.length - 1];
    }

    /** Blocks per row: ceil(cols / B) for BLOCK_SPARSE and dense INT4, otherwise 0. */
    public long blocksPerRow() {
        return blockSize == 0 || encoding.groupsRows() ? 0 : ceilDiv(cols(), blockSize);
    }

    /** Row groups of COLUMN_BLOCK_SPARSE: ceil(rows / B), the last one padded with zero rows; otherwise 0. */
    public long rowGroups() {
        return encoding.groupsRows() ? ceilDiv(rows(), blockSize) : 0;
    }

    /** Number of values in the VALUES array: every element, count × B for BLOCK_SPARSE, or count. */
    public long storedValues() {
        return switch (encoding) {
            case DENSE -> elements();
            case BLOCK_SPARSE, COLUMN_BLOCK_SPARSE -> Math.multiplyExact(count, blockSize);
            case CSR, BITMAP -> count;
        };
    }

    /** Length in bytes of one array of this tensor (0 for arrays the encoding does not have). */
    public long partLength(Part part) {
        if (!encoding.parts().contains(part)) {
            return 0;
        }
        long rows = rows();
        return switch (part) {
            case ROW_PTR -> Math.multiplyExact(Math.addExact(encoding.groupsRows() ? rowGroups() : rows, 1), 4);
            case SCALES -> !values.isScaled() ? 0
                    : Math.multiplyExact(encoding == Encoding.DENSE && values == ValueFormat.INT4
                            ? Math.multiplyExact(rows, blocksPerRow()) : rows, 4);
            case INDICES -> Math.multiplyExact(count, index.width());
            case BITMAP -> Math.multiplyExact(rows, ceilDiv(cols(), 8));
            case VALUES -> encoding == Encoding.DENSE && values == ValueFormat.INT4
                    ? Math.multiplyExact(rows, ceilDiv(cols(), 2))   // each row starts on a byte
                    : values.bytesFor(storedValues(), type);
        };
    }

    /** Offset of an array from the tensor's first byte: each array starts at the next multiple of 8. */
    public long partOffset(Part part) {
        long offset = 0;
        for (Part p : encoding.parts()) {
            offset = SparqFormat.align(offset, SparqFormat.PART_ALIGNMENT);
            if (p == part) {
                return offset;
            }
            offset = Math.addExact(offset, partLength(p));
        }
        throw new IllegalArgumentException(encoding.displayName() + " tensors have no " + part + " array");
    }

    /** Total bytes of the tensor's data: the end of its last array. */
    public long byteSize() {
        Part last = encoding.parts().get(encoding.parts().size() - 1);
        return Math.addExact(partOffset(last), partLength(last));
    }

    /** A violated rule of SPEC.md §6 (limit, combination, count), or null when the layout is valid. */
    Problem problem() {
        if (shape.length > SparqFormat.MAX_RANK) {
            return new Problem(FormatError.LIMIT_EXCEEDED, "rank " + shape.length + " exceeds the limit " + SparqFormat.MAX_RANK);
        }
        for (int d : shape) {
            if (d < 0) {
                return new Problem(FormatError.BAD_VALUE, "negative dimension in " + Arrays.toString(shape));
            }
        }
        long n;
        long rows;
        try {
            n = elements();
            rows = rows();
        } catch (ArithmeticException e) {
            n = Long.MAX_VALUE;
            rows = Long.MAX_VALUE;
        }
        if (n > SparqFormat.MAX_ELEMENTS || rows > SparqFormat.MAX_ELEMENTS) {
            return new Problem(FormatError.LIMIT_EXCEEDED, "shape " + Arrays.toString(shape)
                    + " has more than " + SparqFormat.MAX_ELEMENTS + " elements or rows");
        }
        if ((encoding.isSparse() || values != ValueFormat.NATIVE) && type != DataType.FLOAT32) {
            return new Problem(FormatError.BAD_VALUE, describe() + " applies to float32 tensors only, this one is "
                    + type.displayName());
        }
        boolean indexOk = switch (encoding) {
            case BLOCK_SPARSE, COLUMN_BLOCK_SPARSE -> index == IndexFormat.U8 || index == IndexFormat.U16 || index == IndexFormat.U32;
            case CSR -> index == IndexFormat.U8_DELTA || index == IndexFormat.U16 || index == IndexFormat.U32;
            case DENSE, BITMAP -> index == IndexFormat.NONE;
        };
        if (!indexOk) {
            return new Problem(FormatError.BAD_VALUE, "index format " + index.displayName() + " is not allowed for "
                    + encoding.displayName());
        }
        if (Arrays.stream(allowedBlockSizes(encoding, values)).noneMatch(b -> b == blockSize)) {
            return new Problem(FormatError.BAD_VALUE, "block size " + blockSize + " is not allowed for " + describe()
                    + ", expected one of " + Arrays.toString(allowedBlockSizes(encoding, values)));
        }
        long maxCount = switch (encoding) {
            case DENSE -> 0;
            case BLOCK_SPARSE -> rows * blocksPerRow();
            case COLUMN_BLOCK_SPARSE -> rowGroups() * cols();
            case CSR, BITMAP -> n;
        };
        if (count < 0 || count > maxCount) {
            return new Problem(FormatError.BAD_VALUE, "stored " + (blockSize != 0 && encoding.isSparse() ? "block" : "element")
                    + " count " + Long.toUnsignedString(count) + " is outside [0, " + maxCount + "]");
        }
        return null;
    }

    private String describe() {
        return encoding.displayName() + "/" + values.displayName();
    }

    private static long ceilDiv(long a, long b) {
        return a / b + (a % b == 0 ? 0 : 1);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorLayout && equalsLayout((TensorLayout) o);
    }

    private boolean equalsLayout(TensorLayout l) {
        return type == l.type && Arrays.equals(shape, l.shape) && encoding == l.encoding && values == l.values
                && index == l.index && blockSize == l.blockSize && count == l.count;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(type, Arrays.hashCode(shape), encoding, values, index, blockSize, count);
    }

    /** E.g. {@code float32[4, 16] csr/int8 u8_delta count=12}. */
    @Override
    public String toString() {
        return type.displayName() + Arrays.toString(shape) + " " + describe()
                + (index == IndexFormat.NONE ? "" : " " + index.displayName())
                + (blockSize == 0 ? "" : " block=" + blockSize)
                + (encoding.isSparse() ? " count=" + count : "");
    }

    /** Why a layout is invalid, with the {@link FormatError} a reader reports for it. */
    record Problem(FormatError error, String message) {
    }
}
