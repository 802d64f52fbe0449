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
            }
            flags = flags.with(e.getValue(), value, e.getKey());
        }
        return flags;
    }
}
