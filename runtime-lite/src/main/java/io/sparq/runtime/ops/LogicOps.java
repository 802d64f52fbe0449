package io.sparq.runtime.ops;

import io.sparq.format.DataType;
import io.sparq.format.Float16;
import io.sparq.format.Tensor;
import io.sparq.runtime.kernels.Broadcast;
import io.sparq.runtime.kernels.Strided;

/** Comparison and selection glue of exported masks: Equal, Not, Where (NumPy broadcasting). */
final class LogicOps {
    private LogicOps() {
    }

    static Op equal(NodeContext ctx) {
        ctx.requireInputs(2, 2);
        return in -> {
            if (in[0].type() != in[1].type()) {
                throw ctx.badInput("inputs are " + in[0] + " and " + in[1] + "; they must have the same element type");
            }
            int[] shape = broadcast(ctx, in[0], in[1]);
            Object a = Strided.expand(in[0], shape).data();
            Object b = Strided.expand(in[1], shape).data();
            boolean[] out = new boolean[Tensor.sizeOf(shape)];
            if (in[0].type() == DataType.FLOAT16) {
                short[] x = (short[]) a;
                short[] y = (short[]) b;
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float16.toFloat(x[i]) == Float16.toFloat(y[i]);   // -0 == +0, NaN != NaN
                }
            } else if (a instanceof float[] x) {
                float[] y = (float[]) b;
                for (int i = 0; i < out.length; i++) {
                    out[i] = x[i] == y[i];
                }
            } else if (a instanceof double[] x) {
                double[] y = (double[]) b;
                for (int i = 0; i < out.length; i++) {
                    out[i] = x[i] == y[i];
                }
            } else if (a instanceof long[] x) {
                long[] y = (long[]) b;
                for (int i = 0; i < out.length; i++) {
                    out[i] = x[i] == y[i];
                }
            } else if (a instanceof int[] x) {
                int[] y = (int[]) b;
                for (int i = 0; i < out.length; i++) {
                    out[i] = x[i] == y[i];
                }
            } else if (a instanceof short[] x) {
                short[] y = (short[]) b;
                for (int i = 0; i < out.length; i++) {
                    out[i] = x[i] == y[i];
                }
            } else if (a instanceof byte[] x) {
                byte[] y = (byte[]) b;
                for (int i = 0; i < out.length; i++) {
                    out[i] = x[i] == y[i];
                }
            } else {
                boolean[] x = (boolean[]) a;
                boolean[] y = (boolean[]) b;
                for (int i = 0; i < out.length; i++) {
                    out[i] = x[i] == y[i];
                }
            }
            return new Tensor[] {Tensor.ofBools(shape, out)};
        };
    }

    static Op not(NodeContext ctx) {
        ctx.requireInputs(1, 1);
        return in -> {
            ctx.requireType(in[0], 0, DataType.BOOL);
            boolean[] x = in[0].bools();
            boolean[] out = new boolean[x.length];
            for (int i = 0; i < x.length; i++) {
                out[i] = !x[i];
            }
            return new Tensor[] {Tensor.ofBools(in[0].shape(), out)};
        };
    }

    static Op where(NodeContext ctx) {
        ctx.requireInputs(3, 3);
        return in -> {
            ctx.requireType(in[0], 0, DataType.BOOL);
            Tensor x = in[1];
            Tensor y = in[2];
            if (x.type() != y.type()) {
                throw ctx.badInput("X is " + x + " and Y is " + y + "; they must have the same element type");
            }
            int[] shape = broadcast(ctx, in[0], x);
            int[] full = Broadcast.shape(shape, y.shape());
            if (full == null) {
                throw ctx.badInput("cannot broadcast condition " + in[0] + ", X " + x + " and Y " + y
                        + " to one shape");
            }
            // Start from Y everywhere, then copy X over each run of true conditions.
            Object out = Tensor.newArray(x.type(), Tensor.sizeOf(full));
            Strided.copy(y.data(), 0, Strided.broadcastStrides(y.shape(), full), out, 0,
                    Strided.contiguousStrides(full), full);
            boolean[] cond = Strided.expand(in[0], full).bools();
            Object xs = Strided.expand(x, full).data();
            for (int i = 0; i < cond.length; ) {
                if (!cond[i]) {
                    i++;
                    continue;
                }
                int end = i + 1;
                while (end < cond.length && cond[end]) {
                    end++;
                }
                System.arraycopy(xs, i, out, i, end - i);
                i = end;
            }
            return new Tensor[] {Tensor.of(x.type(), full, out)};
        };
    }

    private static int[] broadcast(NodeContext ctx, Tensor a, Tensor b) {
        int[] shape = Broadcast.shape(a.shape(), b.shape());
        if (shape == null) {
            throw ctx.badInput("cannot broadcast " + a + " and " + b + " to one shape");
        }
        return shape;
    }
}
