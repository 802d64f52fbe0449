package io.sparq.converter.finetune;

import io.sparq.converter.finetune.ops.ArithmeticDiff;
import io.sparq.converter.finetune.ops.CastDiff;
import io.sparq.converter.finetune.ops.ConvDiff;
import io.sparq.converter.finetune.ops.DropoutDiff;
import io.sparq.converter.finetune.ops.GemmDiff;
import io.sparq.converter.finetune.ops.MatMulDiff;
import io.sparq.converter.finetune.ops.MovementDiff;
import io.sparq.converter.finetune.ops.NoGradientDiff;
import io.sparq.converter.finetune.ops.ReduceMeanDiff;
import io.sparq.converter.finetune.ops.SoftmaxDiff;
import io.sparq.converter.finetune.ops.UnaryDiff;
import io.sparq.converter.finetune.recurrent.RecurrentDiffs;

import java.util.Collections;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Differentiable ops by ONNX op type (default domain), plus the op types whose outputs never carry
 * a gradient (shape arithmetic, constants, comparisons, casts). Ops in neither set still run
 * forward through runtime-lite, but only where no trained weight needs a gradient through them.
 */
public final class DiffRegistry {
    private final TreeMap<String, DiffOpFactory> factories = new TreeMap<>();
    private final TreeSet<String> noGradient = new TreeSet<>();

    /** Adds (or replaces) the differentiable form of {@code opType}. */
    public DiffRegistry register(String opType, DiffOpFactory factory) {
        factories.put(opType, factory);
        noGradient.remove(opType);
        return this;
    }

    /** Declares that {@code opType}'s outputs are constant with respect to the weights. */
    public DiffRegistry registerNoGradient(String opType) {
        factories.put(opType, NoGradientDiff.factory());
        noGradient.add(opType);
        return this;
    }

    /** The factory for a node of the default ONNX domain, if registered. */
    public Optional<DiffOpFactory> lookup(String domain, String opType) {
        if (!domain.isEmpty() && !domain.equals("ai.onnx")) {
            return Optional.empty();
        }
        return Optional.ofNullable(factories.get(opType));
    }

    /** Whether {@code opType} was registered with {@link #registerNoGradient}. */
    public boolean isNoGradient(String opType) {
        return noGradient.contains(opType);
    }

    /** Op types with a backward rule, sorted. */
    public Set<String> differentiableOpTypes() {
        TreeSet<String> s = new TreeSet<>(factories.keySet());
        s.removeAll(noGradient);
        return Collections.unmodifiableSet(s);
    }

    /** A new registry with every built-in differentiable op (callers may add to it). */
    public static DiffRegistry standard() {
        DiffRegistry r = new DiffRegistry();
        r.register("Gemm", GemmDiff.factory());
        r.register("MatMul", MatMulDiff.factory());
        r.register("Add", ArithmeticDiff.of(ArithmeticDiff.Fn.ADD));
        r.register("Sub", ArithmeticDiff.of(ArithmeticDiff.Fn.SUB));
        r.register("Mul", ArithmeticDiff.of(ArithmeticDiff.Fn.MUL));
        r.register("Div", ArithmeticDiff.of(ArithmeticDiff.Fn.DIV));
        r.register("Relu", UnaryDiff.relu());
        r.register("Tanh", UnaryDiff.tanh());
        r.register("Sigmoid", UnaryDiff.sigmoid());
        r.register("LeakyRelu", UnaryDiff.leakyRelu());
        r.register("Softmax", SoftmaxDiff.softmax());
        r.register("LogSoftmax", SoftmaxDiff.logSoftmax());
        r.register("Dropout", DropoutDiff.factory());
        for (String view : new String[] {"Identity", "Reshape", "Flatten", "Squeeze", "Unsqueeze"}) {
            r.register(view, MovementDiff.view());
        }
        for (String move : new String[] {"Transpose", "Slice", "Gather", "Expand", "Split"}) {
            r.register(move, MovementDiff.of());
        }
        r.register("Concat", MovementDiff.concat());
        r.register("Conv", ConvDiff.factory());
        r.register("ReduceMean", ReduceMeanDiff.factory());
        r.register("Cast", CastDiff.factory());
        for (String op : new String[] {"Shape", "Size", "Constant", "ConstantOfShape", "Range", "Equal", "Not"}) {
            r.registerNoGradient(op);
        }
        registerRecurrent(r);
        return r;
    }

    /** LSTM, GRU and RNN with backpropagation through time ({@code finetune.recurrent}). */
    private static void registerRecurrent(DiffRegistry r) {
        r.register("LSTM", RecurrentDiffs.lstm());
        r.register("GRU", RecurrentDiffs.gru());
        r.register("RNN", RecurrentDiffs.rnn());
    }
}
