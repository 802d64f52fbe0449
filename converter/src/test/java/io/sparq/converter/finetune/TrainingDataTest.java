package io.sparq.converter.finetune;

import io.sparq.format.DataType;
import io.sparq.format.Dim;
import io.sparq.format.Graph;
import io.sparq.format.SparqException;
import io.sparq.format.Tensor;
import io.sparq.format.ValueInfo;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Batch-axis detection and stacking of samples along it. */
class TrainingDataTest {
    @Test
    void batchAxisComesFromTheSymbolicDimNamedBatchOrAnOverride() {
        ValueInfo seqFirst = new ValueInfo("x", DataType.FLOAT32, List.of(Dim.symbol("seq"), Dim.symbol("batch"), Dim.of(8)));
        assertEquals(1, TrainingData.batchAxis(seqFirst, Map.of()));
        ValueInfo anonymous = new ValueInfo("x", DataType.FLOAT32, List.of(Dim.symbol("N"), Dim.of(8)));
        SparqException e = assertThrows(SparqException.class, () -> TrainingData.batchAxis(anonymous, Map.of()));
        assertTrue(e.getMessage().contains("give it with --batch-axis x=AXIS"), e.getMessage());
        assertEquals(0, TrainingData.batchAxis(anonymous, Map.of("x", 0)));
    }

    @Test
    void samplesStackAlongTheBatchAxisAndUnstackBack() {
        // 3 samples of per-sample shape [2 (seq), 2]; batch axis 1 as in [seq, batch, features]
        float[] v = new float[12];
        for (int i = 0; i < v.length; i++) {
            v[i] = i;
        }
        Tensor all = Tensor.ofFloats(new int[] {3, 2, 2}, v);
        Tensor batch = TrainingData.stack(all, 1, new int[] {2, 0});
        assertArrayEquals(new int[] {2, 2, 2}, batch.shape());
        // [seq 0: sample 2, sample 0; seq 1: sample 2, sample 0]
        assertArrayEquals(new float[] {8, 9, 0, 1, 10, 11, 2, 3}, batch.floats());
        Tensor back = Tensor.zeros(DataType.FLOAT32, new int[] {2, 2, 2});
        TrainingData.unstack(batch, 1, back, 0);
        assertArrayEquals(new float[] {8, 9, 10, 11, 0, 1, 2, 3}, back.floats());
    }

    @Test
    void inputsAreCheckedAgainstTheModelWithoutItsBatchAxis() {
        Graph g = TestGraphs.projectionTanh(1);
        TrainingData ok = TrainingData.of(Map.of("x", Tensor.zeros(DataType.FLOAT32, new int[] {5, 3, 4})), g, Map.of());
        assertEquals(5, ok.size());
        assertArrayEquals(new int[] {2, 3, 4}, ok.inputBatch(new int[] {0, 1}).get("x").shape());
        assertThrows(SparqException.class,
                () -> TrainingData.of(Map.of("x", Tensor.zeros(DataType.FLOAT32, new int[] {5, 4, 3})), g, Map.of()));
        assertThrows(SparqException.class, () -> TrainingData.of(Map.of(), g, Map.of()));
    }
}
