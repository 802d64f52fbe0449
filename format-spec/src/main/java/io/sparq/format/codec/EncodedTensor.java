package io.sparq.format.codec;

import io.sparq.format.DataType;
import io.sparq.format.Tensor;
import io.sparq.format.codec.Encoding.Part;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One tensor as stored: its layout and a read-only view of its bytes, which for a file opened with
 * {@link SparqReader#read(java.nio.file.Path)} lie in the memory-mapped file. Kernels can run on
 * {@link #part} views directly; {@link #toDense()} decodes to a {@link Tensor}.
 */
public final class EncodedTensor {
    private final String name;
    private final TensorLayout layout;
    private final ByteBuffer data;
    private final long fileOffset;

    EncodedTensor(String name, TensorLayout layout, ByteBuffer data, long fileOffset) {
        this.name = name;
        this.layout = layout;
        this.data = data;
        this.fileOffset = fileOffset;
    }

    /**
     * Encodes a dense tensor as {@code choice} asks, quantizing per SPEC.md §6.1 for f16 / int8 /
     * int4 values; throws {@code INVALID_ARGUMENT} when the choice does not apply (e.g. a sparse
     * encoding of an int64 tensor, a non-finite value for a lossy format).
     */
    public static EncodedTensor encode(String name, Tensor dense, EncodingChoice choice) {
        return TensorCodec.encode(name, dense, choice);
    }

    /** The tensor's name; empty for a tensor that is the value of a TENSOR attribute. */
    public String name() {
        return name;
    }

    public TensorLayout layout() {
        return layout;
    }

    /** The element type of the decoded tensor (float32 for every quantized or sparse layout). */
    public DataType type() {
        return layout.type();
    }

    /** A copy of the shape. */
    public int[] shape() {
        return layout.shape();
    }

    /** Bytes of the stored form (what the tensor costs in the file, without alignment padding). */
    public long byteSize() {
        return layout.byteSize();
    }

    /** Absolute offset of the tensor's data in the file it was read from, or -1 if it was encoded in memory. */
    public long fileOffset() {
        return fileOffset;
    }

    /** All the tensor's bytes: a read-only little-endian view positioned at 0. */
    public ByteBuffer data() {
        return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** One array of the tensor (see {@link Encoding#parts()}): a read-only little-endian view positioned at 0. */
    public ByteBuffer part(Part part) {
        if (!layout.encoding().parts().contains(part)) {
            throw new IllegalArgumentException(layout.encoding().displayName() + " tensors have no " + part + " array");
        }
        return data.slice((int) layout.partOffset(part), (int) layout.partLength(part)).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Decodes to a new dense tensor; quantized values come back as code × scale. */
    public Tensor toDense() {
        return TensorCodec.decode(layout, data());
    }

    @Override
    public String toString() {
        return "'" + name + "' " + layout;
    }
}
