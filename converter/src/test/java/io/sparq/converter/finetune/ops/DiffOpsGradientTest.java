package io.sparq.converter.finetune.ops;

import io.sparq.converter.finetune.DiffOp;
import io.sparq.format.Attribute;
import io.sparq.format.Node;
import io.sparq.format.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.SplittableRandom;

import static io.sparq.converter.finetune.GradCheck.check;
import static io.sparq.converter.finetune.GradCheck.create;
import static io.sparq.converter.finetune.GradCheck.node;
import static io.sparq.converter.finetune.GradCheck.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Every differentiable op's backward rule against central finite differences (see GradCheck for tolerances). */
class DiffOpsGradientTest {
    private final SplittableRandom rnd = new SplittableRandom(42);
    private static final boolean[] ALL2 = {true, true};

    private static Tensor longs(int[] shape, long... v) {
        return Tensor.ofLongs(shape, v);
    }

    @ParameterizedTest
    @CsvSource({"0,0,2", "0,1,2", "1,0,1", "1,1,0", "0,0,3", "1,0,4", "0,1,-1"})
    void gemm(int transA, int transB, int cShape) {
        Node n = node("Gemm", cShape < 0 ? 2 : 3, 1, Attribute.of("transA", (long) transA),
                Attribute.of("transB", (long) transB), Attribute.of("alpha", 0.7f), Attribute.of("beta", 1.3f));
        int m = 3;
        int k = 4;
        int nn = 5;
        Tensor a = transA == 1 ? random(rnd, k, m) : random(rnd, m, k);
        Tensor b = transB == 1 ? random(rnd, nn, k) : random(rnd, k, nn);
        Tensor c = switch (cShape) {
            case 0 -> random(rnd);              // scalar
            case 1 -> random(rnd, m, 1);
            case 2 -> random(rnd, nn);          // bias row, the usual Linear export
            case 3 -> random(rnd, m, nn);
            case 4 -> random(rnd, 1, nn);
            default -> null;
        };
        DiffOp op = create(n, 17);
        if (c == null) {
            check(op, new Tensor[] {a, b}, ALL2);
        } else {
            check(op, new Tensor[] {a, b, c}, new boolean[] {true, true, true});
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"2,3|3,4", "2,3,4|4,5", "2,1,3,4|3,4,2", "4|2,4,3", "2,3,4|4", "3,1,2,4|1,4,3", "4|4"})
    void matMul(String shapes) {
        String[] s = shapes.split("\\|");
        check(create(node("MatMul", 2, 1), 17), new Tensor[] {random(rnd, dims(s[0])), random(rnd, dims(s[1]))}, ALL2);
    }

    private static int[] dims(String s) {
        return java.util.Arrays.stream(s.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    @ParameterizedTest
    @CsvSource({"Add,2:3:4,4", "Sub,3:1,1:4", "Mul,2:1:4,3:1", "Div,4,2:3:4", "Mul,2:3,2:3", "Sub,,2:2"})
    void arithmetic(String op, String a, String b) {
        Tensor x = random(rnd, a == null ? new int[0] : dims(a.replace(':', ',')));
        Tensor y = random(rnd, dims(b.replace(':', ',')));
        if (op.equals("Div")) {
            // keep the divisor in [0.5, 1.05) in magnitude, away from the pole at 0
            float[] v = y.floats();
            for (int i = 0; i < v.length; i++) {
                v[i] = Math.copySign(0.5f + Math.abs(v[i]) / 2, v[i]);
            }
        }
        check(create(node(op, 2, 1), 17), new Tensor[] {x, y}, ALL2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Relu", "Tanh", "Sigmoid", "LeakyRelu", "Identity"})
    void unary(String op) {
        Node n = op.equals("LeakyRelu") ? node(op, 1, 1, Attribute.of("alpha", 0.1f)) : node(op, 1, 1);
        check(create(n, 17), new Tensor[] {random(rnd, 3, 4)}, new boolean[] {true});
    }

    @ParameterizedTest
    @CsvSource({"Softmax,13,-1", "Softmax,13,1", "LogSoftmax,13,-1", "LogSoftmax,13,0", "Softmax,11,1", "LogSoftmax,11,1"})
    void softmax(String op, int opset, long axis) {
        Tensor x = random(rnd, 2, 3, 4);
        check(create(node(op, 1, 1, Attribute.of("axis", axis)), opset), new Tensor[] {x}, new boolean[] {true});
    }

    @Test
    void transpose() {
        check(create(node("Transpose", 1, 1, Attribute.of("perm", new long[] {2, 0, 1})), 17),
                new Tensor[] {random(rnd, 2, 3, 4)}, new boolean[] {true});
        check(create(node("Transpose", 1, 1), 17), new Tensor[] {random(rnd, 2, 3, 4)}, new boolean[] {true});
    }

    @Test
    void views() {
        check(create(node("Reshape", 2, 1), 17), new Tensor[] {random(rnd, 2, 3, 4), longs(new int[] {2}, -1, 4)},
                new boolean[] {true, false});
        check(create(node("Flatten", 1, 1, Attribute.of("axis", 2L)), 17), new Tensor[] {random(rnd, 2, 3, 4)},
                new boolean[] {true});
        check(create(node("Squeeze", 2, 1), 17), new Tensor[] {random(rnd, 2, 1, 4), longs(new int[] {1}, 1)},
                new boolean[] {true, false});
        check(create(node("Unsqueeze", 1, 1, Attribute.of("axes", new long[] {0, 3})), 11),
                new Tensor[] {random(rnd, 2, 4)}, new boolean[] {true});
    }

    @Test
    void concatAndSplit() {
        check(create(node("Concat", 3, 1, Attribute.of("axis", 1L)), 17),
                new Tensor[] {random(rnd, 2, 1, 3), random(rnd, 2, 2, 3), random(rnd, 2, 3, 3)},
                new boolean[] {true, false, true});
        check(create(node("Split", 2, 3, Attribute.of("axis", -1L)), 17),
                new Tensor[] {random(rnd, 2, 4), longs(new int[] {3}, 1, 2, 1)}, new boolean[] {true, false});
    }

    @Test
    void splitWithOneOutputOffTheLossPath() {
        DiffOp op = create(node("Split", 1, 2, Attribute.of("axis", 0L)), 17);
        Tensor x = random(rnd, 4, 2);
        DiffOp.Forward f = op.forward(new Tensor[] {x});
        Tensor g = random(rnd, 2, 2);
        Tensor dx = op.backward(f, new Tensor[] {null, g}, new boolean[] {true})[0];
        float[] expected = new float[8];
        System.arraycopy(g.floats(), 0, expected, 4, 4);
        assertArrayEquals(expected, dx.floats());
    }

    @Test
    void slice() {
        Tensor x = random(rnd, 3, 6);
        check(create(node("Slice", 5, 1), 17), new Tensor[] {x, longs(new int[] {2}, 5, 0), longs(new int[] {2}, 0, 3),
                longs(new int[] {2}, 1, 0), longs(new int[] {2}, -2, 1)}, new boolean[] {true, false, false, false, false});
        check(create(node("Slice", 1, 1, Attribute.of("starts", new long[] {1}), Attribute.of("ends", new long[] {-1})), 9),
                new Tensor[] {x}, new boolean[] {true});
    }

    @Test
    void gatherEmbeddingAccumulatesRepeatedRows() {
        Tensor table = random(rnd, 5, 3);
        Tensor ids = longs(new int[] {2, 3}, 0, 2, 2, 4, 2, -1);
        DiffOp op = create(node("Gather", 2, 1), 17);
        check(op, new Tensor[] {table, ids}, new boolean[] {true, false});
        DiffOp.Forward f = op.forward(new Tensor[] {table, ids});
        assertNull(op.backward(f, new Tensor[] {random(rnd, 2, 3, 3)}, new boolean[] {true, true})[1],
                "indices have no gradient");
        check(create(node("Gather", 2, 1, Attribute.of("axis", 1L)), 17),
                new Tensor[] {random(rnd, 2, 4), longs(new int[] {3}, 3, 3, 0)}, new boolean[] {true, false});
    }

    @Test
    void expand() {
        check(create(node("Expand", 2, 1), 17), new Tensor[] {random(rnd, 3, 1), longs(new int[] {3}, 2, 3, 4)},
                new boolean[] {true, false});
    }

    @Test
    void dropoutIsTheIdentity() {
        DiffOp op = create(node("Dropout", 1, 2), 17);
        Tensor x = random(rnd, 2, 3);
        DiffOp.Forward f = op.forward(new Tensor[] {x});
        assertSame(x, f.outputs()[0]);
        check(op, new Tensor[] {x}, new boolean[] {true});
    }

    /** 1-D (Silero's encoder: kernel 3, pads 1, stride 2) and 2-D, grouped, dilated, SAME-padded, with and without bias. */
    @Test
    void conv() {
        check(create(node("Conv", 3, 1, Attribute.of("pads", new long[] {1, 1}), Attribute.of("strides", new long[] {2})), 16),
                new Tensor[] {random(rnd, 2, 3, 7), random(rnd, 4, 3, 3), random(rnd, 4)}, new boolean[] {true, true, true});
        check(create(node("Conv", 2, 1), 16), new Tensor[] {random(rnd, 1, 5, 4), random(rnd, 2, 5, 1)}, ALL2);
        check(create(node("Conv", 3, 1, Attribute.of("group", 2L), Attribute.of("dilations", new long[] {2, 1}),
                        Attribute.of("auto_pad", "SAME_UPPER")), 16),
                new Tensor[] {random(rnd, 1, 4, 5, 4), random(rnd, 6, 2, 2, 3), random(rnd, 6)}, new boolean[] {true, true, true});
    }

    @Test
    void reduceMean() {
        check(create(node("ReduceMean", 1, 1), 16), new Tensor[] {random(rnd, 2, 3)}, new boolean[] {true});
        check(create(node("ReduceMean", 1, 1, Attribute.of("axes", new long[] {-1}), Attribute.of("keepdims", 0L)), 16),
                new Tensor[] {random(rnd, 2, 3, 4)}, new boolean[] {true});
        check(create(node("ReduceMean", 2, 1), 18), new Tensor[] {random(rnd, 2, 3, 4), longs(new int[] {2}, 0, 2)},
                new boolean[] {true, false});
    }

    @Test
    void castPassesFloatGradientsOnly() {
        check(create(node("Cast", 1, 1, Attribute.of("to", 1L)), 16), new Tensor[] {random(rnd, 2, 3)}, new boolean[] {true});
        DiffOp toInt = create(node("Cast", 1, 1, Attribute.of("to", 7L)), 16);
        DiffOp.Forward f = toInt.forward(new Tensor[] {random(rnd, 2)});
        assertNull(toInt.backward(f, new Tensor[] {random(rnd, 2)}, new boolean[] {true})[0]);
    }
}
