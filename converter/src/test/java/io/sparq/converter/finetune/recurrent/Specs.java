package io.sparq.converter.finetune.recurrent;

import io.sparq.format.Attribute;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** The attribute combinations the tests run: every family of each op, in every direction and layout. */
final class Specs {
    private Specs() {
    }

    static final String[] DIRECTIONS = {"forward", "reverse", "bidirectional"};

    /** Per op: the attribute families, each applied to a spec whose direction and layout are already set. */
    static List<UnaryOperator<Spec>> families(String op) {
        List<UnaryOperator<Spec>> f = new ArrayList<>();
        f.add(s -> s);
        f.add(s -> s.with("initial_h"));
        f.add(s -> s.lengths(4, 2, 0, 3).with("initial_h"));
        f.add(s -> s.attr(Attribute.of("clip", 0.6f)));
        f.add(s -> s.with("noB").outputs(false, true, true));
        f.add(s -> s.outputs(true, false, false).attr(Attribute.of("hidden_size", 3L)));
        switch (op) {
            case "LSTM" -> {
                f.add(s -> s.with("initial_h").with("initial_c").with("P"));
                f.add(s -> s.lengths(1, 4, 0).with("initial_c").with("P").attr(Attribute.of("clip", 0.8f)));
                f.add(s -> s.attr(Attribute.of("input_forget", 1L)).with("P"));
                f.add(s -> s.outputs(false, false, true).with("initial_c"));
                f.add(s -> acts(s, List.of("HardSigmoid", "Softsign", "ScaledTanh"), List.of("Sigmoid", "Elu", "Tanh"))
                        .attr(Attribute.of("activation_alpha", new float[] {0.3f, 0.9f, 1.2f}))
                        .attr(Attribute.of("activation_beta", new float[] {0.45f, 0.8f})));
            }
            case "GRU" -> {
                f.add(s -> s.attr(Attribute.of("linear_before_reset", 1L)));
                f.add(s -> s.attr(Attribute.of("linear_before_reset", 1L)).lengths(2, 0, 4).with("initial_h")
                        .attr(Attribute.of("clip", 0.7f)));
                f.add(s -> s.attr(Attribute.of("linear_before_reset", 1L)).with("noB"));
                f.add(s -> acts(s, List.of("HardSigmoid", "Affine"), List.of("Sigmoid", "Softplus"))
                        .attr(Attribute.of("activation_alpha", new float[] {0.25f, 0.7f}))
                        .attr(Attribute.of("activation_beta", new float[] {0.5f, 0.1f})));
            }
            default -> {
                f.add(s -> acts(s, List.of("Relu"), List.of("LeakyRelu")).attr(Attribute.of("activation_alpha",
                        new float[] {0.2f})));
                f.add(s -> acts(s, List.of("Elu"), List.of("Softplus")).attr(Attribute.of("activation_alpha",
                        new float[] {0.6f})));
                f.add(s -> acts(s, List.of("ScaledTanh"), List.of("Affine"))
                        .attr(Attribute.of("activation_alpha", new float[] {1.3f, 0.8f}))
                        .attr(Attribute.of("activation_beta", new float[] {0.7f, 0.2f})));
                f.add(s -> acts(s, List.of("Softsign"), List.of("ThresholdedRelu")).attr(Attribute.of(
                        "activation_alpha", new float[] {0.3f})));
                f.add(s -> acts(s, List.of("Sigmoid"), List.of("Tanh")));
            }
        }
        return f;
    }

    /** Sets {@code activations}: {@code forward} for direction 0 and, when bidirectional, {@code backward}. */
    static Spec acts(Spec s, List<String> forward, List<String> backward) {
        List<String> names = new ArrayList<>(forward);
        if (s.directions() == 2) {
            names.addAll(backward);
        }
        return s.attr(Attribute.of("activations", names));
    }

    /** Every family of every op in every direction and layout. */
    static List<Spec> all() {
        List<Spec> out = new ArrayList<>();
        for (String op : new String[] {"LSTM", "GRU", "RNN"}) {
            for (UnaryOperator<Spec> family : families(op)) {
                for (String dir : DIRECTIONS) {
                    for (long layout = 0; layout <= 1; layout++) {
                        Spec s = new Spec(op).attr(Attribute.of("direction", dir));
                        if (layout == 1) {
                            s.attr(Attribute.of("layout", 1L));
                        }
                        out.add(family.apply(s));
                    }
                }
            }
        }
        return out;
    }
}
