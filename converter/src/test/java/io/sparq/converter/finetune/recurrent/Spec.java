package io.sparq.converter.finetune.recurrent;

import io.sparq.converter.finetune.DiffOp;
import io.sparq.converter.finetune.DiffOpFactory;
import io.sparq.converter.finetune.TrainingOptions;
import io.sparq.format.Attribute;
import io.sparq.format.Node;
import io.sparq.format.Tensor;
import io.sparq.runtime.ops.NodeContext;
import io.sparq.runtime.ops.OpRegistry;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * One recurrent node with random inputs for the tests: op type, attributes, sizes, which optional
 * inputs and outputs it has. The builder methods change this instance and return it.
 */
final class Spec {
    static final String[] INPUT_NAMES = {"X", "W", "R", "B", "sequence_lens", "initial_h", "initial_c", "P"};
    static final String[] OUTPUT_NAMES = {"Y", "Y_h", "Y_c"};

    final String op;
    final Map<String, Attribute> attrs = new LinkedHashMap<>();
    int seq = 4;
    int batch = 3;
    int input = 3;
    int hidden = 3;
    boolean bias = true;
    boolean initialH;
    boolean initialC;
    boolean peepholes;
    int[] lengths;                       // null: no sequence_lens input
    boolean[] outputs = {true, true, true};
    String label;

    Spec(String op) {
        this.op = op;
        this.label = op;
        outputs[2] = op.equals("LSTM");
    }

    int gates() {
        return switch (op) {
            case "LSTM" -> 4;
            case "GRU" -> 3;
            default -> 1;
        };
    }

    int directions() {
        Attribute a = attrs.get("direction");
        return a != null && a.value().equals("bidirectional") ? 2 : 1;
    }

    boolean batchFirst() {
        Attribute a = attrs.get("layout");
        return a != null && (Long) a.value() == 1L;
    }

    Spec attr(Attribute a) {
        attrs.put(a.name(), a);
        label += " " + a.name() + "=" + (a.value() instanceof float[] f ? Arrays.toString(f) : a.value());
        return this;
    }

    Spec with(String what) {
        label += " +" + what;
        switch (what) {
            case "initial_h" -> initialH = true;
            case "initial_c" -> initialC = true;
            case "P" -> peepholes = true;
            case "noB" -> bias = false;
            default -> throw new IllegalArgumentException(what);
        }
        return this;
    }

    Spec lengths(int... l) {
        lengths = l;
        batch = l.length;
        label += " lens=" + Arrays.toString(l);
        return this;
    }

    Spec outputs(boolean y, boolean yh, boolean yc) {
        outputs = new boolean[] {y, yh, yc && op.equals("LSTM")};
        label += " outputs=" + (y ? "Y" : "") + (yh ? "Yh" : "") + (outputs[2] ? "Yc" : "");
        return this;
    }

    Node node() {
        boolean[] present = present();
        int count = 0;
        for (int i = 0; i < present.length; i++) {
            if (present[i]) {
                count = i + 1;
            }
        }
        List<String> in = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            in.add(present[i] ? INPUT_NAMES[i] : "");
        }
        int outCount = 0;
        for (int i = 0; i < outputs.length; i++) {
            if (outputs[i]) {
                outCount = i + 1;
            }
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < outCount; i++) {
            out.add(outputs[i] ? OUTPUT_NAMES[i] : "");
        }
        return new Node("n", op, "", in, out, attrs);
    }

    boolean[] present() {
        boolean lstm = op.equals("LSTM");
        return new boolean[] {true, true, true, bias, lengths != null, initialH, lstm && initialC, lstm && peepholes};
    }

    NodeContext context() {
        return new NodeContext(node(), 22, Map.of(), Set.of());
    }

    DiffOp diffOp(TrainingOptions options) {
        DiffOpFactory f = switch (op) {
            case "LSTM" -> RecurrentDiffs.lstm();
            case "GRU" -> RecurrentDiffs.gru();
            default -> RecurrentDiffs.rnn();
        };
        return f.create(context(), options);
    }

    /** runtime-lite's op for the node, run on {@code inputs}. */
    Tensor[] runReference(Tensor[] inputs) {
        NodeContext ctx = context();
        return OpRegistry.standard().lookup("", op).orElseThrow().create(ctx).run(inputs);
    }

    /** Random inputs, {@code null} where omitted, array as long as the node's input list. */
    Tensor[] inputs(Random rnd) {
        int d = directions();
        int gh = gates() * hidden;
        boolean[] present = present();
        int count = node().inputs().size();
        Tensor[] t = new Tensor[count];
        t[0] = random(rnd, batchFirst() ? new int[] {batch, seq, input} : new int[] {seq, batch, input}, 1f);
        t[1] = random(rnd, new int[] {d, gh, input}, 0.7f);
        t[2] = random(rnd, new int[] {d, gh, hidden}, 0.7f);
        int[] state = batchFirst() ? new int[] {batch, d, hidden} : new int[] {d, batch, hidden};
        if (present[3]) {
            t[3] = random(rnd, new int[] {d, 2 * gh}, 0.5f);
        }
        if (present[4]) {
            t[4] = Tensor.ofInts(new int[] {batch}, lengths.clone());
        }
        if (present[5]) {
            t[5] = random(rnd, state, 1f);
        }
        if (present[6]) {
            t[6] = random(rnd, state, 1f);
        }
        if (present[7]) {
            t[7] = random(rnd, new int[] {d, 3 * hidden}, 0.7f);
        }
        return t;
    }

    static Tensor random(Random rnd, int[] shape, float scale) {
        float[] v = new float[Tensor.sizeOf(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = scale * (2 * rnd.nextFloat() - 1);
        }
        return Tensor.ofFloats(shape, v);
    }

    @Override
    public String toString() {
        return label;
    }
}
