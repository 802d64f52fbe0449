package io.sparq.converter.prune;

import io.sparq.format.ErrorCode;
import io.sparq.format.SparqException;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a pruning recipe: a YAML mapping with the schedule, the default sparsity, the block size
 * and per-glob overrides (see docs/pruning.md). YAML rather than JSON because recipes are written
 * by hand and want comments; unknown keys are errors so a typo cannot silently fall back to a
 * default.
 *
 * <pre>
 *   schedule: cubic        # cubic | narang | oneshot
 *   sparsity: 0.9
 *   begin: 0
 *   steps: 20000
 *   frequency: 200
 *   block: 8
 *   targets:               # later globs win
 *     "onnx::LSTM_*": 0.95
 *     "head.*": 0
 * </pre>
 */
public final class Recipe {
    private static final Set<String> KEYS = Set.of("schedule", "sparsity", "initial_sparsity", "begin", "steps",
            "frequency", "ramp", "theta", "phi", "block", "embeddings", "targets");

    private Recipe() {
    }

    /** Reads and validates the recipe file. */
    public static PruneConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new SparqException(ErrorCode.IO_ERROR, "cannot read recipe " + file + ": " + e.getMessage(), e);
        }
        return parse(text, file.toString());
    }

    /** Parses recipe text; {@code source} names it in error messages. */
    public static PruneConfig parse(String text, String source) {
        Object doc;
        try {
            doc = new Load(LoadSettings.builder().setLabel(source).setAllowDuplicateKeys(false).build()).loadFromString(text);
        } catch (YamlEngineException e) {
            throw bad(source, "not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (!(doc instanceof Map<?, ?> map)) {
            throw bad(source, "expected a mapping of settings (schedule, sparsity, ...), got "
                    + (doc == null ? "an empty document" : doc.getClass().getSimpleName()));
        }
        for (Object key : map.keySet()) {
            if (!KEYS.contains(String.valueOf(key))) {
                throw bad(source, "unknown key '" + key + "', expected one of " + KEYS.stream().sorted().toList());
            }
        }
        ScheduleParams params = new ScheduleParams(
                map.containsKey("schedule") ? string(source, map, "schedule") : "cubic",
                number(source, map, "sparsity"),
                orDefault(number(source, map, "initial_sparsity"), 0.0),
                orDefault(integer(source, map, "begin"), 0L),
                integer(source, map, "steps"),
                orDefault(integer(source, map, "frequency"), ScheduleParams.DEFAULT_FREQUENCY),
                integer(source, map, "ramp"),
                number(source, map, "theta"),
                orDefault(number(source, map, "phi"), NarangSchedule.DEFAULT_PHI));
        Schedule schedule;
        try {
            schedule = params.toSchedule();
        } catch (SparqException e) {
            throw bad(source, e.getMessage());
        }
        int block = Math.toIntExact(orDefault(integer(source, map, "block"), 16L));
        Object embeddings = map.get("embeddings");
        if (embeddings != null && !(embeddings instanceof Boolean)) {
            throw bad(source, "'embeddings' must be true or false, got " + embeddings);
        }
        List<TargetRule> rules = new ArrayList<>();
        Object targets = map.get("targets");
        if (targets != null) {
            if (!(targets instanceof Map<?, ?> globs)) {
                throw bad(source, "'targets' must map name globs to sparsities, e.g. \"lstm_1.*\": 0.95");
            }
            for (Map.Entry<?, ?> e : globs.entrySet()) {
                if (!(e.getValue() instanceof Number n)) {
                    throw bad(source, "target '" + e.getKey() + "': sparsity must be a number, got " + e.getValue());
                }
                try {
                    rules.add(new TargetRule(String.valueOf(e.getKey()), n.doubleValue()));
                } catch (SparqException ex) {
                    throw bad(source, ex.getMessage());
                }
            }
        }
        try {
            return new PruneConfig(schedule, block, Boolean.TRUE.equals(embeddings), rules);
        } catch (SparqException e) {
            throw bad(source, e.getMessage());
        }
    }

    private static <T> T orDefault(T value, T fallback) {
        return value == null ? fallback : value;
    }

    private static String string(String source, Map<?, ?> map, String key) {
        Object v = map.get(key);
        if (!(v instanceof String s)) {
            throw bad(source, "'" + key + "' must be a string, got " + v);
        }
        return s;
    }

    private static Double number(String source, Map<?, ?> map, String key) {
        Object v = map.get(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Number n)) {
            throw bad(source, "'" + key + "' must be a number, got " + v);
        }
        return n.doubleValue();
    }

    private static Long integer(String source, Map<?, ?> map, String key) {
        Object v = map.get(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Integer || v instanceof Long)) {
            throw bad(source, "'" + key + "' must be a whole number, got " + v);
        }
        return ((Number) v).longValue();
    }

    private static SparqException bad(String source, String message) {
        return new SparqException(ErrorCode.INVALID_ARGUMENT, "recipe " + source + ": " + message);
    }
}
