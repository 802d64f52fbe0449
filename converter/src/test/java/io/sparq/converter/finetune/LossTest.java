package io.sparq.converter.finetune;

import io.sparq.format.SparqException;
import io.sparq.format.Tensor;
import io.sparq.runtime.kernels.Softmax;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Loss values against hand formulas and loss gradients against central differences (see GradCheck). */
class LossTest {
    private final SplittableRandom rnd = new SplittableRandom(3);

    /** The logits {@code z} turned into what an output of {@code kind} would hold. */
    private static Tensor as(OutputKind kind, Tensor z) {
        if (kind == OutputKind.LOGITS) {
            return z;
        }
        float[] y = new float[z.size()];
        int n = z.dim(z.rank() - 1);
        Softmax.softmax(z.floats(), y, z.size() / n, n, 1, kind == OutputKind.LOG_PROBABILITIES);
        return Tensor.ofFloats(z.shape(), y);
    }

    @ParameterizedTest
    @EnumSource(OutputKind.class)
    void klGradient(OutputKind kind) {
        Tensor y = as(kind, GradCheck.random(rnd, 2, 3, 4));
        Tensor t = as(kind, GradCheck.random(rnd, 2, 3, 4));
        Loss.Value v = Loss.compute(LossKind.KL, Map.of("y", y), Map.of("y", t), Map.of("y", kind));
        GradCheck.check(new Tensor[] {y}, new boolean[] {true}, new Tensor[] {v.gradients().get("y")},
                x -> Loss.compute(LossKind.KL, Map.of("y", x[0]), Map.of("y", t), Map.of("y", kind)).loss());
        Loss.Value self = Loss.compute(LossKind.KL, Map.of("y", t), Map.of("y", t), Map.of("y", kind));
        assertEquals(0, self.loss(), 1e-6, "KL of a distribution with itself");
    }

    @ParameterizedTest
    @EnumSource(OutputKind.class)
    void crossEntropyGradientAndValue(OutputKind kind) {
        Tensor z = GradCheck.random(rnd, 2, 5);
        Tensor y = as(kind, z);
        Tensor labels = Tensor.ofLongs(new int[] {2}, 4, 1);
        Map<String, OutputKind> kinds = Map.of("y", kind);
        Loss.Value v = Loss.compute(LossKind.CROSS_ENTROPY, Map.of("y", y), Map.of("y", labels), kinds);
        Tensor logp = as(OutputKind.LOG_PROBABILITIES, z);
        assertEquals(-(logp.floats()[4] + logp.floats()[5 + 1]) / 2, v.loss(), 1e-6);
        GradCheck.check(new Tensor[] {y}, new boolean[] {true}, new Tensor[] {v.gradients().get("y")},
                x -> Loss.compute(LossKind.CROSS_ENTROPY, Map.of("y", x[0]), Map.of("y", labels), kinds).loss());
    }

    @Test
    void mseGradientAndErrors() {
        Tensor y = GradCheck.random(rnd, 3, 2);
        Tensor t = GradCheck.random(rnd, 3, 2);
        Loss.Value v = Loss.compute(LossKind.MSE, Map.of("y", y), Map.of("y", t), Map.of());
        GradCheck.check(new Tensor[] {y}, new boolean[] {true}, new Tensor[] {v.gradients().get("y")},
                x -> Loss.compute(LossKind.MSE, Map.of("y", x[0]), Map.of("y", t), Map.of()).loss());
        assertThrows(SparqException.class, () -> Loss.compute(LossKind.MSE, Map.of("y", y),
                Map.of("y", GradCheck.random(rnd, 2, 3)), Map.of()));
        assertThrows(SparqException.class, () -> Loss.compute(LossKind.CROSS_ENTROPY, Map.of("y", y),
                Map.of("y", Tensor.ofLongs(new int[] {3}, 0, 2, 1)), Map.of("y", OutputKind.LOGITS)));
    }
}
