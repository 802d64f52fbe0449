package io.sparq.converter.quantize;

import io.sparq.format.Tensor;
import io.sparq.format.codec.EncodedTensor;
import io.sparq.format.codec.EncodingChoice;
import io.sparq.format.codec.ValueFormat;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The rounded weights are exactly what the .sparq encoder stores, and the float weights come back untouched. */
class FakeQuantizerTest {
    private static Tensor weights(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] w = new float[6 * 37];
        for (int i = 0; i < w.length; i++) {
            w[i] = i % 5 == 0 ? 0f : (float) (r.nextDouble() * 2 - 1) * (1 + i / 37);   // rows of different ranges, pruned zeros
        }
        return Tensor.ofFloats(new int[] {6, 37}, w);
    }

    private static void assertRoundsLike(QuantizeMode mode, EncodingChoice stored) {
        Tensor t = weights(3);
        float[] expected = EncodedTensor.encode("w", t, stored).toDense().floats();
        Map<String, Tensor> params = new LinkedHashMap<>(Map.of("w", Tensor.ofFloats(t.shape(), t.floats().clone())));
        Map<String, float[]> saved = new FakeQuantizer(mode, List.of("w")).roundInPlace(params);
        assertArrayEquals(expected, params.get("w").floats(), mode + " vs " + stored);
        FakeQuantizer.restore(params, saved);
        assertArrayEquals(t.floats(), params.get("w").floats(), "float weights restored");
    }

    @Test
    void int8RoundsAsTheEncoderStoresPerRow() {
        assertRoundsLike(QuantizeMode.INT8, EncodingChoice.denseInt8());
    }

    @Test
    void int4RoundsAsTheSparseEncodingsStorePerRow() {
        assertRoundsLike(QuantizeMode.INT4, EncodingChoice.csr(ValueFormat.INT4));
    }

    @Test
    void f16RoundsAsTheEncoderStores() {
        assertRoundsLike(QuantizeMode.F16, EncodingChoice.denseF16());
    }

    @Test
    void noneAndUnknownNamesChangeNothing() {
        Tensor t = weights(4);
        Map<String, Tensor> params = new LinkedHashMap<>(Map.of("w", t));
        assertEquals(Map.of(), new FakeQuantizer(QuantizeMode.NONE, List.of("w")).roundInPlace(params));
        assertEquals(Map.of(), new FakeQuantizer(QuantizeMode.INT8, List.of("other")).roundInPlace(params));
        assertArrayEquals(weights(4).floats(), t.floats());
    }
}
