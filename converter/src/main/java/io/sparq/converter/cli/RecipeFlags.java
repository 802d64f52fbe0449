package io.sparq.converter.cli;

import io.sparq.converter.Recipe;
import io.sparq.converter.prune.TargetRule;
import picocli.CommandLine;

import java.util.List;
import java.util.Map;

/**
 * The command-line flags a user gave, as recipe settings, so flags and recipe files meet in one
 * {@link Recipe} (flags win). Only flags actually on the command line count: a flag's default
 * must not override what a recipe states.
 */
final class RecipeFlags {
    private RecipeFlags() {
    }

    /**
     * The settings of the matched flags among {@code keys} (flag name to recipe key).
     * {@code --target GLOB=S} values become target rules.
     */
    static Recipe given(CommandLine.ParseResult parsed, Map<String, Recipe.Key> keys) {
        Recipe flags = Recipe.empty();
        for (Map.Entry<String, Recipe.Key> e : keys.entrySet()) {
            CommandLine.Model.OptionSpec option = parsed.matchedOption(e.getKey());
            if (option == null) {
                continue;
            }
            Object value = option.getValue();
            if (e.getValue() == Recipe.Key.TARGETS) {
                @SuppressWarnings("unchecked")
                List<String> specs = (List<String>) value;
                value = specs.stream().map(TargetRule::parse).toList();
            } else if (e.getValue() == Recipe.Key.BATCH_AXES) {
                @SuppressWarnings("unchecked")
                List<String> specs = (List<String>) value;
                value = batchAxes(specs);
            }
            flags = flags.with(e.getValue(), value, e.getKey());
        }
        return flags;
    }

    /** {@code NAME=AXIS} texts as a map. */
    static Map<String, Long> batchAxes(List<String> specs) {
        Map<String, Long> axes = new java.util.LinkedHashMap<>();
        for (String spec : specs) {
            int eq = spec.lastIndexOf('=');
            try {
                if (eq <= 0) {
                    throw new NumberFormatException();
                }
                axes.put(spec.substring(0, eq), Long.parseLong(spec.substring(eq + 1).trim()));
            } catch (NumberFormatException e) {
                throw new io.sparq.format.SparqException(io.sparq.format.ErrorCode.INVALID_ARGUMENT, "--batch-axis "
                        + spec + ": expected NAME=AXIS, an input name and an axis number, e.g. x=1");
            }
        }
        return axes;
    }
}
