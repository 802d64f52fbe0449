package io.sparq.format.codec;

import io.sparq.format.ErrorCode;
import io.sparq.format.SparqException;

import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** The METADATA section (SPEC.md §4): a count, then key, type tag and value per entry. */
final class MetadataCodec {
    private MetadataCodec() {
    }

    static ByteBuffer write(Map<String, MetaValue> metadata) {
        Out out = new Out();
        out.u32(metadata.size());
        for (Map.Entry<String, MetaValue> e : metadata.entrySet()) {
            String key = e.getKey();
            if (key.isEmpty()) {
                throw new SparqException(ErrorCode.INVALID_ARGUMENT, "metadata key is empty");
            }
            out.str(key, SparqFormat.MAX_NAME_BYTES, ErrorCode.INVALID_ARGUMENT, "metadata key '" + key + "'");
            MetaValue v = e.getValue();
            out.u8(v.type().code());
            Object value = v.value();
            switch (v.type()) {
                case STRING:
                    out.str((String) value, SparqFormat.MAX_STRING_BYTES, ErrorCode.INVALID_ARGUMENT, "metadata '" + key + "'");
                    break;
                case INT64: out.u64((Long) value); break;
                case FLOAT64: out.f64((Double) value); break;
                case BOOL: out.u8((Boolean) value ? 1 : 0); break;
                case BYTES:
                    byte[] b = (byte[]) value;
                    if (b.length > SparqFormat.MAX_STRING_BYTES) {
                        throw new SparqException(ErrorCode.INVALID_ARGUMENT, "metadata '" + key + "' is " + b.length
                                + " bytes, the limit is " + SparqFormat.MAX_STRING_BYTES);
                    }
                    out.u32(b.length);
                    out.bytes(b);
                    break;
                case INT64S:
                    long[] longs = (long[]) value;
                    out.u32(longs.length);
                    for (long l : longs) {
                        out.u64(l);
                    }
                    break;
                case FLOAT64S:
                    double[] doubles = (double[]) value;
                    out.u32(doubles.length);
                    for (double d : doubles) {
                        out.f64(d);
                    }
                    break;
                default:
                    throw new AssertionError(v.type());
            }
            if (out.size() > SparqFormat.MAX_METADATA_BYTES) {
                throw new SparqException(ErrorCode.INVALID_ARGUMENT, "metadata is larger than the limit of "
                        + SparqFormat.MAX_METADATA_BYTES + " bytes");
            }
        }
        return out.toBuffer();
    }

    static Map<String, MetaValue> read(Cursor c) {
        Map<String, MetaValue> metadata = new LinkedHashMap<>();
        int n = c.count("metadata entries", Integer.MAX_VALUE, 6);
        for (int i = 0; i < n; i++) {
            int at = c.pos();
            c.where = "metadata section: entry " + i;
            String key = c.name("key", true);
            c.where = "metadata section: entry " + i + " '" + key + "'";
            int typeAt = c.pos();
            int code = c.u8("type");
            MetaValue.Type type = MetaValue.Type.fromCode(code)
                    .orElseThrow(() -> c.fail(FormatError.BAD_VALUE, typeAt, "unknown metadata type " + code));
            MetaValue v;
            switch (type) {
                case STRING: v = MetaValue.of(c.str("value", SparqFormat.MAX_STRING_BYTES)); break;
                case INT64: v = MetaValue.of(c.i64("value")); break;
                case FLOAT64: v = MetaValue.of(c.f64("value")); break;
                case BOOL:
                    int boolAt = c.pos();
                    int b = c.u8("value");
                    if (b > 1) {
                        throw c.fail(FormatError.BAD_VALUE, boolAt, "bool value is " + b + ", expected 0 or 1");
                    }
                    v = MetaValue.of(b == 1);
                    break;
                case BYTES: {
                    int len = c.count("bytes", SparqFormat.MAX_STRING_BYTES, 1);
                    byte[] bytes = new byte[len];
                    for (int j = 0; j < len; j++) {
                        bytes[j] = (byte) c.u8("byte");
                    }
                    v = MetaValue.of(bytes);
                    break;
                }
                case INT64S: {
                    long[] longs = new long[c.count("int64 values", Integer.MAX_VALUE, 8)];
                    for (int j = 0; j < longs.length; j++) {
                        longs[j] = c.i64("value");
                    }
                    v = MetaValue.of(longs);
                    break;
                }
                case FLOAT64S: {
                    double[] doubles = new double[c.count("float64 values", Integer.MAX_VALUE, 8)];
                    for (int j = 0; j < doubles.length; j++) {
                        doubles[j] = c.f64("value");
                    }
                    v = MetaValue.of(doubles);
                    break;
                }
                default:
                    throw new AssertionError(type);
            }
            if (metadata.put(key, v) != null) {
                throw c.fail(FormatError.DUPLICATE_NAME, at, "duplicate metadata key '" + key + "'");
            }
        }
        c.where = "metadata section";
        c.expectEnd("the metadata");
        return Collections.unmodifiableMap(metadata);
    }
}
