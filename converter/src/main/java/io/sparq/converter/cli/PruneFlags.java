package io.sparq.converter.cli;

import io.sparq.converter.Recipe;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The pruning flags {@code convert} and {@code schedule} share, declared once: the same names,
 * help and recipe settings in both commands, so {@code sparq schedule} with convert's pruning
 * flags shows the ramp convert would run.
 */
final class PruneFlags {
    @Option(names = "--sparsity", paramLabel = "S", description = "Final sparsity of every prunable weight, 0 <= S < 1.")
    Double sparsity;

    @Option(names = "--schedule", paramLabel = "KIND", defaultValue = "cubic",
            description = "cubic (Zhu & Gupta), narang (threshold ramp of Narang et al.) or oneshot (prune, then"
                    + " fine-tune with fixed masks). Default: ${DEFAULT-VALUE}.")
    String schedule;

    @Option(names = "--prune-steps", paramLabel = "N",
            description = "Steps over which the sparsity ramps up. Default: 3/4 of --steps, so the last quarter"
                    + " fine-tunes with the final masks.")
    Long pruneSteps;

    @Option(names = "--frequency", paramLabel = "STEPS",
            description = "Steps between mask updates. Default: the ramp / 100 (at least 1).")
    Long frequency;

    @Option(names = "--block", paramLabel = "B", defaultValue = "16",
            description = "Mask granularity: 1xB blocks along the input axis, B = 4, 8, 16, which the fast kernels"
                    + " run; or 1, unstructured (the most accurate, and as small, but at 90 %% no faster than"
                    + " dense int8). Default: ${DEFAULT-VALUE}.")
    int block;

    @Option(names = "--block-axis", paramLabel = "AXIS", defaultValue = "input",
            description = "Which way blocks lie: input (1xB, along a row) or output (Bx1, B outputs of one input,"
                    + " stored as column_block_sparse, whose kernels run fastest). Default: ${DEFAULT-VALUE}.")
    String blockAxis;

    @Option(names = "--target", paramLabel = "GLOB=S",
            description = "Per-tensor sparsity by initializer-name glob, e.g. 'onnx::LSTM_1*=0.95'; later ones win.")
    List<String> targets;

    @Option(names = "--embeddings", description = "Prune embedding tables (Gather) too.")
    boolean embeddings;

    @Option(names = "--recipe", paramLabel = "FILE",
            description = "YAML recipe: pruning, fine-tuning and quantization settings (docs/recipes.md). Flags given"
                    + " too override its values (--target rules are added after its targets).")
    Path recipe;

    /** The recipe settings these flags stand for. */
    private static final Map<String, Recipe.Key> RECIPE_KEYS = Map.of(
            "--sparsity", Recipe.Key.SPARSITY, "--schedule", Recipe.Key.SCHEDULE,
            "--prune-steps", Recipe.Key.STEPS, "--frequency", Recipe.Key.FREQUENCY,
            "--block", Recipe.Key.BLOCK, "--block-axis", Recipe.Key.BLOCK_AXIS,
            "--target", Recipe.Key.TARGETS, "--embeddings", Recipe.Key.EMBEDDINGS);

    /** These flags' recipe keys with a command's own. */
    @SafeVarargs
    static Map<String, Recipe.Key> withRecipeKeys(Map.Entry<String, Recipe.Key>... own) {
        Map<String, Recipe.Key> keys = new LinkedHashMap<>(RECIPE_KEYS);
        for (Map.Entry<String, Recipe.Key> e : own) {
            keys.put(e.getKey(), e.getValue());
        }
        return Map.copyOf(keys);
    }
}
