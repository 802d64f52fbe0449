package io.sparq.converter;

import io.sparq.converter.encode.EncodingPlanner;
import io.sparq.converter.finetune.FineTuneConfig;
import io.sparq.converter.finetune.LossKind;
import io.sparq.converter.prune.NarangSchedule;
import io.sparq.converter.prune.PruneConfig;
import io.sparq.converter.prune.ScheduleParams;
import io.sparq.converter.prune.TargetRule;
import io.sparq.converter.quantize.QuantizeMode;
import io.sparq.format.ErrorCode;
import io.sparq.format.SparqException;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.DoublePredicate;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The settings of a conversion as a user states them: in a YAML recipe file, by command-line
 * flags, or both (flags override the recipe). Pruning settings sit at the top level, fine-tuning
 * and quantization in their own sections (docs/recipes.md):
 *
 * <pre>
 *   schedule: cubic        # cubic | narang | oneshot
 *   sparsity: 0.9
 *   block: 8
 *   targets:               # later globs win
 *     "onnx::LSTM_*": 0.95
 *   fine_tune:
 *     steps: 2000
 *     lr: 0.001
 *   quantize:
 *     mode: int8
 * </pre>
 *
 * A recipe holds only what was stated; {@link #withDefaults} fills in the rest, and that complete
 * recipe is what a conversion runs and stores in the {@code .sparq} metadata, so the file says
 * exactly how it was made and can be converted again from it. Unknown keys, wrong types and
 * unknown choices are errors naming the key, so a typo cannot fall back to a default.
 */
public final class Recipe {
    /** Every setting a recipe may hold. */
    public enum Key {
        SCHEDULE("schedule", Type.STRING, Range.ANY, "cubic", "narang", "oneshot"),
        SPARSITY("sparsity", Type.NUMBER, Range.FRACTION),
        INITIAL_SPARSITY("initial_sparsity", Type.NUMBER, Range.FRACTION),
        BEGIN("begin", Type.INTEGER, Range.atLeast(0)),
        STEPS("steps", Type.INTEGER, Range.atLeast(1)),
        FREQUENCY("frequency", Type.INTEGER, Range.atLeast(1)),
        RAMP("ramp", Type.INTEGER, Range.atLeast(0)),
        THETA("theta", Type.NUMBER, Range.atLeast(0)),
        PHI("phi", Type.NUMBER, Range.POSITIVE),
        BLOCK("block", Type.INTEGER, Range.BLOCK_SIZES),
        BLOCK_AXIS("block_axis", Type.STRING, Range.ANY, "input", "output"),
        EMBEDDINGS("embeddings", Type.BOOLEAN, Range.ANY),
        TARGETS("targets", Type.TARGETS, Range.ANY),
        TUNE_STEPS("fine_tune.steps", Type.INTEGER, Range.atLeast(1)),
        BATCH("fine_tune.batch", Type.INTEGER, Range.atLeast(1)),
        LR("fine_tune.lr", Type.NUMBER, Range.POSITIVE),
        LR_DECAY("fine_tune.lr_decay", Type.STRING, Range.ANY, "whole", "after_pruning"),
        LOSS("fine_tune.loss", Type.STRING, Range.ANY, "auto", "kl", "mse", "ce"),
        BPTT("fine_tune.bptt", Type.INTEGER, Range.atLeast(0)),
        SEED("fine_tune.seed", Type.INTEGER, Range.ANY),
        VALIDATION("fine_tune.validation", Type.NUMBER, Range.FRACTION),
        BATCH_AXES("batch_axes", Type.AXES, Range.ANY),
        QUANTIZE("quantize.mode", Type.STRING, Range.ANY, "int8", "int4", "f16", "none"),
        OPTIMIZE("quantize.optimize", Type.STRING, Range.ANY, "speed", "size"),
        QAT("quantize.qat", Type.BOOLEAN, Range.ANY);

        private final String path;
        private final Type type;
        private final Range range;
        private final List<String> choices;

        Key(String path, Type type, Range range, String... choices) {
            this.path = path;
            this.type = type;
            this.range = range;
            this.choices = List.of(choices);
        }

        /** The key as written in a recipe; a section's keys as {@code section.key}. */
        public String path() {
            return path;
        }

        String section() {
            int dot = path.indexOf('.');
            return dot < 0 ? "" : path.substring(0, dot);
        }

        String leaf() {
            return path.substring(path.indexOf('.') + 1);
        }
    }

    private enum Type { NUMBER, INTEGER, STRING, BOOLEAN, TARGETS, AXES }

    /** The values a numeric setting allows, and how an error message states them. */
    private record Range(DoublePredicate allows, String allowed) {
        static final Range ANY = new Range(v -> true, "any value");
        static final Range FRACTION = new Range(v -> v >= 0 && v < 1, "0 <= value < 1");
        static final Range POSITIVE = new Range(v -> v > 0, "> 0");
        static final Range BLOCK_SIZES = new Range(v -> v == 1 || v == 4 || v == 8 || v == 16, "1, 4, 8 or 16");

        /** Whole numbers from {@code min} up to {@link Integer#MAX_VALUE} (counts become ints downstream). */
        static Range atLeast(long min) {
            return new Range(v -> v >= min && v <= Integer.MAX_VALUE, ">= " + min);
        }
    }

    private static final Map<String, Key> BY_PATH = Arrays.stream(Key.values())
            .collect(Collectors.toMap(Key::path, Function.identity()));
    private static final List<String> SECTIONS = List.of("fine_tune", "quantize");

    /** Fine-tuning defaults when the recipe and flags leave them out. */
    public static final long DEFAULT_TUNE_STEPS = 1000;
    /** When the learning rate decays: over every step after warm-up, or only after the last mask update. */
    public static final String DEFAULT_LR_DECAY = "after_pruning";
    /**
     * Mask updates over the ramp when the frequency is not given: many small steps rather than a few
     * large ones (char LM, 90 %: 100 updates ended 0.06–0.09 bpc better than 20).
     */
    static final long MASK_UPDATES = 100;

    private final Map<Key, Object> values;

    private Recipe(Map<Key, Object> values) {
        this.values = values;
    }

    /** A recipe that states nothing. */
    public static Recipe empty() {
        return new Recipe(new EnumMap<>(Key.class));
    }

    /** Reads and checks a recipe file. */
    public static Recipe load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new SparqException(ErrorCode.IO_ERROR, "cannot read recipe " + file + ": " + e.getMessage(), e);
        }
        return parse(text, file.toString());
    }

    /** Parses recipe text; {@code source} names it in error messages. */
    public static Recipe parse(String text, String source) {
        Object doc;
        try {
            doc = new Load(LoadSettings.builder().setLabel(source).setAllowDuplicateKeys(false).build()).loadFromString(text);
        } catch (YamlEngineException e) {
            throw bad(source, "not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (!(doc instanceof Map<?, ?> map)) {
            throw bad(source, "expected a mapping of settings (schedule, sparsity, fine_tune, quantize, ...), got "
                    + (doc == null ? "an empty document" : doc.getClass().getSimpleName()));
        }
        Recipe recipe = empty();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String name = String.valueOf(e.getKey());
            if (SECTIONS.contains(name)) {
                if (!(e.getValue() instanceof Map<?, ?> section)) {
                    throw bad(source, "'" + name + "' must be a mapping of its settings, e.g. "
                            + (name.equals("quantize") ? "'mode: int8'" : "'steps: 2000'") + ", got " + e.getValue());
                }
                for (Map.Entry<?, ?> s : section.entrySet()) {
                    recipe.set(source, name + "." + s.getKey(), s.getValue());
                }
            } else {
                recipe.set(source, name, e.getValue());
            }
        }
        return recipe;
    }

    private void set(String source, String path, Object raw) {
        Key key = BY_PATH.get(path);
        if (key == null) {
            List<String> known = new ArrayList<>(BY_PATH.keySet());
            known.sort(null);
            throw bad(source, "unknown key '" + path + "', expected one of " + known);
        }
        try {
            values.put(key, convert(key, raw));
        } catch (IllegalArgumentException e) {
            throw bad(source, e.getMessage());
        }
    }

    /**
     * Turns a value as YAML or a flag gives it into the key's type: Double, Long, String (one of
     * the key's choices, lower case), Boolean or a list of target rules.
     */
    private static Object convert(Key key, Object raw) {
        return convert(key, raw, "'" + key.path + "'");
    }

    /** As {@link #convert(Key, Object)}, then checks the value is in the key's range; {@code name} names it in errors. */
    private static Object convert(Key key, Object raw, String name) {
        Object value = convertType(key, raw, name);
        if (value instanceof Number n && !key.range.allows().test(n.doubleValue())) {
            throw new IllegalArgumentException(name + " must be " + key.range.allowed() + ", got " + describe(raw));
        }
        return value;
    }

    private static Object convertType(Key key, Object raw, String name) {
        switch (key.type) {
            case NUMBER -> {
                if (raw instanceof Number n && Double.isFinite(n.doubleValue())) {
                    return n.doubleValue();
                }
                throw new IllegalArgumentException(name + " must be a number, got " + describe(raw));
            }
            case INTEGER -> {
                if (raw instanceof Integer || raw instanceof Long) {
                    return ((Number) raw).longValue();
                }
                if (raw instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15) {
                    return d.longValue();   // 2e4 written for 20000
                }
                throw new IllegalArgumentException(name + " must be a whole number, got " + describe(raw));
            }
            case STRING -> {
                String s = raw instanceof String str ? str.trim().toLowerCase(Locale.ROOT) : null;
                if (s == null || !key.choices.contains(s)) {
                    throw new IllegalArgumentException(name + " must be one of " + String.join(", ", key.choices)
                            + ", got " + describe(raw));
                }
                return s;
            }
            case BOOLEAN -> {
                if (raw instanceof Boolean b) {
                    return b;
                }
                throw new IllegalArgumentException(name + " must be true or false, got " + describe(raw));
            }
            case TARGETS -> {
                if (raw instanceof List<?> list && list.stream().allMatch(TargetRule.class::isInstance)) {
                    return List.copyOf(list);
                }
                if (!(raw instanceof Map<?, ?> globs)) {
                    throw new IllegalArgumentException(name + " must map tensor-name globs to sparsities,"
                            + " e.g. \"onnx::LSTM_*\": 0.95, got " + describe(raw));
                }
                List<TargetRule> rules = new ArrayList<>();
                for (Map.Entry<?, ?> e : globs.entrySet()) {
                    if (!(e.getValue() instanceof Number n)) {
                        throw new IllegalArgumentException("target '" + e.getKey() + "': sparsity must be a number, got "
                                + describe(e.getValue()));
                    }
                    try {
                        rules.add(new TargetRule(String.valueOf(e.getKey()), n.doubleValue()));
                    } catch (SparqException ex) {
                        throw new IllegalArgumentException(ex.getMessage(), ex);
                    }
                }
                return List.copyOf(rules);
            }
            case AXES -> {
                if (!(raw instanceof Map<?, ?> axes)) {
                    throw new IllegalArgumentException(name + " must map input names to axes, e.g. x: 1, got " + describe(raw));
                }
                Map<String, Long> out = new LinkedHashMap<>();
                for (Map.Entry<?, ?> e : axes.entrySet()) {
                    if (!(e.getValue() instanceof Integer || e.getValue() instanceof Long) || ((Number) e.getValue()).longValue() < 0) {
                        throw new IllegalArgumentException("batch axis of '" + e.getKey() + "' must be an axis >= 0, got "
                                + describe(e.getValue()));
                    }
                    out.put(String.valueOf(e.getKey()), ((Number) e.getValue()).longValue());
                }
                return Collections.unmodifiableMap(out);
            }
            default -> throw new AssertionError(key.type);
        }
    }

    /** The batch axis by input name that the recipe gives (empty: inferred from the model). */
    public Map<String, Integer> batchAxes() {
        @SuppressWarnings("unchecked")
        Map<String, Long> axes = (Map<String, Long>) values.getOrDefault(Key.BATCH_AXES, Map.of());
        Map<String, Integer> out = new LinkedHashMap<>();
        axes.forEach((k, v) -> out.put(k, v.intValue()));
        return out;
    }

    private static String describe(Object raw) {
        return raw instanceof String s ? "'" + s + "'" : String.valueOf(raw);
    }

    /** This recipe with one setting changed; the value is checked as a recipe value is. */
    public Recipe with(Key key, Object value) {
        return with(key, value, "'" + key.path + "'");
    }

    /**
     * This recipe with one setting changed by a command-line flag; the value is checked as a recipe
     * value is, and an error names the flag.
     */
    public Recipe with(Key key, Object value, String flag) {
        Map<Key, Object> copy = new EnumMap<>(Key.class);
        copy.putAll(values);
        try {
            copy.put(key, convert(key, value, flag));
        } catch (IllegalArgumentException e) {
            throw new SparqException(ErrorCode.INVALID_ARGUMENT, e.getMessage(), e);
        }
        return new Recipe(copy);
    }

    /**
     * This recipe with {@code other}'s settings on top: other's values win, except that target
     * rules are appended (so they win where both match a tensor, later rules winning).
     */
    public Recipe overriddenBy(Recipe other) {
        Map<Key, Object> merged = new EnumMap<>(Key.class);
        merged.putAll(values);
        other.values.forEach((k, v) -> {
            if (k == Key.TARGETS && merged.containsKey(k)) {
                List<TargetRule> rules = new ArrayList<>(targets());
                rules.addAll(other.targets());
                merged.put(k, List.copyOf(rules));
            } else {
                merged.put(k, v);
            }
        });
        return new Recipe(merged);
    }

    public boolean has(Key key) {
        return values.containsKey(key);
    }

    /** Whether the recipe asks for pruning: a sparsity, or a narang θ. */
    public boolean prunes() {
        return has(Key.SPARSITY) || has(Key.THETA) || !targets().isEmpty();
    }

    /**
     * The complete recipe: every setting that applies, with the defaults filled in — the ramp
     * over the first three quarters of the fine-tuning steps (one step without fine-tuning), a
     * mask update every 1/100 of the ramp, 1×16 blocks, int8 when pruning. Settings that do not
     * apply (fine-tuning without data, cubic keys on a narang schedule) are left out.
     *
     * @param fineTuning whether the conversion fine-tunes (has training data)
     */
    public Recipe withDefaults(boolean fineTuning) {
        Map<Key, Object> v = new EnumMap<>(Key.class);
        v.putAll(values);
        boolean prunes = prunes();
        if (fineTuning) {
            v.putIfAbsent(Key.TUNE_STEPS, DEFAULT_TUNE_STEPS);
            v.putIfAbsent(Key.BATCH, 16L);
            v.putIfAbsent(Key.LR, 1e-3);
            v.putIfAbsent(Key.LR_DECAY, DEFAULT_LR_DECAY);
            v.putIfAbsent(Key.LOSS, "auto");
            v.putIfAbsent(Key.BPTT, 0L);
            v.putIfAbsent(Key.SEED, 0L);
            v.putIfAbsent(Key.VALIDATION, 0.1);
        } else {
            v.keySet().removeIf(k -> k.section().equals("fine_tune"));
        }
        if (prunes) {
            String kind = (String) v.computeIfAbsent(Key.SCHEDULE, k -> "cubic");
            v.putIfAbsent(Key.BEGIN, 0L);
            if (!kind.equals("oneshot")) {
                boolean rampStated = v.containsKey(Key.STEPS);
                boolean frequencyStated = v.containsKey(Key.FREQUENCY);
                long ramp = rampStated ? (Long) v.get(Key.STEPS)
                        : fineTuning ? Math.max(1, (Long) v.get(Key.TUNE_STEPS) * 3 / 4) : 1;
                long frequency = frequencyStated ? (Long) v.get(Key.FREQUENCY) : Math.max(1, ramp / MASK_UPDATES);
                if (!(rampStated && frequencyStated) && frequency > 0) {
                    ramp = Math.max(frequency, ramp / frequency * frequency);   // cubic wants a whole number of updates
                }
                v.put(Key.STEPS, ramp);
                v.put(Key.FREQUENCY, frequency);
            }
            if (kind.equals("cubic")) {
                v.putIfAbsent(Key.INITIAL_SPARSITY, 0.0);
            }
            if (kind.equals("narang")) {
                v.putIfAbsent(Key.PHI, NarangSchedule.DEFAULT_PHI);
                v.putIfAbsent(Key.RAMP, (Long) v.get(Key.BEGIN) + (Long) v.get(Key.STEPS) / 2);
            }
            v.putIfAbsent(Key.BLOCK, 16L);
            v.putIfAbsent(Key.BLOCK_AXIS, "input");
            v.putIfAbsent(Key.EMBEDDINGS, false);
        }
        v.putIfAbsent(Key.QUANTIZE, prunes ? "int8" : "none");
        v.putIfAbsent(Key.OPTIMIZE, "speed");
        v.putIfAbsent(Key.QAT, false);
        return new Recipe(v);
    }

    /** The pruning this recipe asks for, or null if it does not prune; call on {@link #withDefaults}. */
    public PruneConfig pruning() {
        if (!prunes()) {
            return null;
        }
        if (!has(Key.SPARSITY) && !has(Key.THETA)) {
            throw new SparqException(ErrorCode.INVALID_ARGUMENT, "targets need a sparsity too (the default for the"
                    + " other prunable tensors; 0 keeps them dense)");
        }
        ScheduleParams params = new ScheduleParams((String) require(Key.SCHEDULE), (Double) values.get(Key.SPARSITY),
                number(Key.INITIAL_SPARSITY, 0), integer(Key.BEGIN, 0), (Long) values.get(Key.STEPS),
                integer(Key.FREQUENCY, ScheduleParams.DEFAULT_FREQUENCY), (Long) values.get(Key.RAMP),
                (Double) values.get(Key.THETA), number(Key.PHI, NarangSchedule.DEFAULT_PHI));
        return new PruneConfig(params.toSchedule(), Math.toIntExact(integer(Key.BLOCK, 16)),
                Boolean.TRUE.equals(values.get(Key.EMBEDDINGS)), targets(), "output".equals(values.get(Key.BLOCK_AXIS)));
    }

    /** The fine-tuning run, or null without fine-tuning settings; call on {@link #withDefaults}. */
    public FineTuneConfig fineTune() {
        if (!has(Key.TUNE_STEPS)) {
            return null;
        }
        long steps = integer(Key.TUNE_STEPS, DEFAULT_TUNE_STEPS);
        if (steps < 1) {
            throw new SparqException(ErrorCode.INVALID_ARGUMENT, "fine_tune.steps must be >= 1, got " + steps);
        }
        return FineTuneConfig.defaults().toBuilder()
                .steps(steps)
                .batchSize(Math.toIntExact(integer(Key.BATCH, 16)))
                .learningRate(number(Key.LR, 1e-3))
                .holdLearningRate("after_pruning".equals(values.getOrDefault(Key.LR_DECAY, DEFAULT_LR_DECAY)))
                .warmupSteps((int) Math.min(steps / 20, Integer.MAX_VALUE))
                .loss(switch ((String) values.getOrDefault(Key.LOSS, "auto")) {
                    case "kl" -> LossKind.KL;
                    case "mse" -> LossKind.MSE;
                    case "ce" -> LossKind.CROSS_ENTROPY;
                    default -> null;
                })
                .bpttTruncation(Math.toIntExact(integer(Key.BPTT, 0)))
                .seed(integer(Key.SEED, 0))
                .validationFraction(number(Key.VALIDATION, 0.1))
                .evalEvery(Math.max(1, steps / 20))
                .build();
    }

    /** How weights are quantized and encoded; call on {@link #withDefaults}. */
    public EncodingPlanner.Options encoding() {
        return EncodingPlanner.Options.of(QuantizeMode.parse((String) require(Key.QUANTIZE)),
                        EncodingPlanner.Objective.parse((String) require(Key.OPTIMIZE)))
                .withEmbeddings(prunes() && Boolean.TRUE.equals(values.get(Key.EMBEDDINGS)));
    }

    /** Whether fine-tuning sees the weights as they will be quantized. */
    public boolean quantizationAware() {
        return Boolean.TRUE.equals(values.get(Key.QAT));
    }

    public List<TargetRule> targets() {
        @SuppressWarnings("unchecked")
        List<TargetRule> rules = (List<TargetRule>) values.getOrDefault(Key.TARGETS, List.of());
        return rules;
    }

    /** The recipe as YAML, in the layout {@link #parse} reads; {@code parse(toYaml())} equals this recipe. */
    public String toYaml() {
        Map<String, Object> top = new LinkedHashMap<>();
        for (Key k : Key.values()) {
            if (!values.containsKey(k)) {
                continue;
            }
            Object v = values.get(k);
            if (k == Key.TARGETS) {
                Map<String, Object> globs = new LinkedHashMap<>();
                targets().forEach(r -> globs.put(r.glob(), r.sparsity()));
                v = globs;
            }
            if (k.section().isEmpty()) {
                top.put(k.path, v);
            } else {
                @SuppressWarnings("unchecked")
                Map<String, Object> section = (Map<String, Object>) top.computeIfAbsent(k.section(), s -> new LinkedHashMap<>());
                section.put(k.leaf(), v);
            }
        }
        if (top.isEmpty()) {
            return "{}\n";
        }
        return new Dump(DumpSettings.builder().setDefaultFlowStyle(FlowStyle.BLOCK).build()).dumpToString(top);
    }

    private Object require(Key key) {
        Object v = values.get(key);
        if (v == null) {
            throw new IllegalStateException(key.path + " not set; call withDefaults first");
        }
        return v;
    }

    private double number(Key key, double fallback) {
        Object v = values.get(key);
        return v == null ? fallback : (Double) v;
    }

    private long integer(Key key, long fallback) {
        Object v = values.get(key);
        return v == null ? fallback : (Long) v;
    }

    private static SparqException bad(String source, String message) {
        return new SparqException(ErrorCode.INVALID_ARGUMENT, "recipe " + source + ": " + message);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Recipe r && values.equals(r.values);
    }

    @Override
    public int hashCode() {
        return Objects.hash(values);
    }

    @Override
    public String toString() {
        return toYaml();
    }
}
