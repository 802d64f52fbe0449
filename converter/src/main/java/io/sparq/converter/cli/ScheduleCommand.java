package io.sparq.converter.cli;

import io.sparq.converter.Recipe;
import io.sparq.converter.data.AtomicFiles;
import io.sparq.converter.prune.NarangSchedule;
import io.sparq.converter.prune.PruneConfig;
import io.sparq.converter.prune.Pruner;
import io.sparq.converter.prune.Schedule;
import io.sparq.converter.prune.ScheduleParams;
import io.sparq.converter.prune.SparsitySchedule;
import io.sparq.converter.prune.TargetRule;
import io.sparq.format.ErrorCode;
import io.sparq.format.Graph;
import io.sparq.format.SparqException;
import io.sparq.format.Tensor;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code sparq schedule}: shows what a pruning schedule does, step by step. */
@Command(name = "schedule", header = "Show a pruning schedule's sparsity (or threshold) per mask update.",
        description = "Prints one row per mask update: the sparsity the schedule sets (cubic, oneshot) or the"
                + " magnitude threshold (narang). With --model, the schedule is applied to the model's prunable"
                + " weights as they are (no training) and the resulting sparsity is shown too, with a per-tensor"
                + " summary. --csv writes every step, not only the updates. See docs/pruning.md.",
        footerHeading = "%nExamples:%n",
        footer = {
            "  sparq schedule --sparsity 0.9 --prune-steps 10000 --frequency 100",
            "  sparq schedule --sparsity 0.9 --steps 2000 --model model.onnx --block 8",
            "  sparq schedule --schedule narang --theta 1e-5 --prune-steps 6000 \\",
            "      --ramp 4000 --csv eps.csv",
            "  sparq schedule --schedule narang --sparsity 0.9 --prune-steps 6000 \\",
            "      --model model.onnx --block 8",
            "  sparq schedule --recipe prune.yaml --model model.onnx"})
final class ScheduleCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.ArgGroup(validate = false, heading = "%nPruning (as convert takes them):%n")
    PruneFlags prune = new PruneFlags();

    @Option(names = "--steps", paramLabel = "N",
            description = "Training steps, as convert's --steps: the ramp (--prune-steps) defaults to 3/4 of them."
                    + " Default: 1000.")
    Long steps;

    @Option(names = "--initial-sparsity", paramLabel = "S", defaultValue = "0",
            description = "cubic s_i, the sparsity of the first update. Default: ${DEFAULT-VALUE}.")
    double initialSparsity;

    @Option(names = "--begin", paramLabel = "STEP", defaultValue = "0",
            description = "First step that prunes (cubic t0, narang start_itr, oneshot step). Default: ${DEFAULT-VALUE}.")
    long begin;

    @Option(names = "--ramp", paramLabel = "STEP", description = "narang ramp_itr (absolute step). Default: begin +"
            + " prune-steps / 2.")
    Long ramp;

    @Option(names = "--theta", paramLabel = "θ", description = "narang θ, the threshold's growth per step before ramp_itr.")
    Double theta;

    @Option(names = "--phi", paramLabel = "φ", defaultValue = "1.5",
            description = "narang slope after ramp_itr as a multiple of θ. Default: ${DEFAULT-VALUE}.")
    double phi;

    @Option(names = "--model", paramLabel = "MODEL", description = "Apply the schedule to this model's prunable weights (.onnx or .sparq).")
    Path modelFile;

    @Option(names = "--csv", paramLabel = "FILE", description = "Write every step (not only the updates) as CSV.")
    Path csv;

    /** The flags that may refine a recipe, and the recipe settings they stand for. */
    private static final Map<String, Recipe.Key> RECIPE_KEYS = PruneFlags.withRecipeKeys(
            Map.entry("--steps", Recipe.Key.TUNE_STEPS), Map.entry("--initial-sparsity", Recipe.Key.INITIAL_SPARSITY),
            Map.entry("--begin", Recipe.Key.BEGIN), Map.entry("--ramp", Recipe.Key.RAMP),
            Map.entry("--theta", Recipe.Key.THETA), Map.entry("--phi", Recipe.Key.PHI));

    @Override
    public Integer call() {
        PruneConfig config = config();
        Schedule schedule = config.schedule();
        Pruner pruner = null;
        Map<String, Tensor> weights = null;
        if (modelFile != null) {
            Graph graph = ModelFiles.load(modelFile);
            pruner = Pruner.forGraph(graph, config);
            weights = new LinkedHashMap<>();
            for (String name : pruner.tensorNames()) {
                Tensor t = graph.initializers().get(name);
                weights.put(name, Tensor.ofFloats(t.shape(), t.floats().clone()));
            }
        } else if (schedule instanceof NarangSchedule n && n.derivesTheta()) {
            throw usage("narang with --sparsity derives θ from each tensor's weights: give --model, or give --theta");
        } else if (prune.targets != null || prune.embeddings || given("--block") || given("--block-axis")) {
            throw usage("--target, --embeddings, --block and --block-axis need --model");
        }

        List<String> header = new ArrayList<>(List.of("step"));
        boolean perTensorThreshold = schedule instanceof NarangSchedule n && n.derivesTheta();
        if (schedule instanceof SparsitySchedule) {
            header.add("sparsity");
        } else if (perTensorThreshold) {
            header.add("ramp");
            pruner.tensorNames().forEach(name -> header.add("threshold:" + name));
        } else {
            header.add("threshold");
        }
        if (pruner != null) {
            header.add("estimated_sparsity");
        }

        List<String[]> updates = new ArrayList<>();
        List<String[]> all = new ArrayList<>();
        String[] current = null;
        for (long step = 0; step <= schedule.endStep(); step++) {
            boolean update = schedule.isUpdateStep(step);
            if (update || current == null) {
                if (update && pruner != null) {
                    pruner.beforeStep(step, weights);
                }
                current = row(schedule, pruner, update ? step : -1, header.size());
            }
            String[] r = current.clone();
            r[0] = Long.toString(step);
            all.add(r);
            if (update) {
                updates.add(r);
            }
        }

        PrintWriter out = spec.commandLine().getOut();
        out.println(describe(schedule, config));
        out.println();
        printTable(out, header, updates, 0);
        if (pruner != null) {
            out.println();
            List<String[]> rows = new ArrayList<>();
            for (Pruner.TensorReport r : pruner.report()) {
                rows.add(new String[] {r.name(), r.role(), Arrays.toString(r.shape()),
                    Double.isNaN(r.target()) ? "-" : fmt(r.target()), fmt(r.achieved())});
            }
            printTable(out, List.of("tensor", "role", "shape", "target", "at_end"), rows, 3);
        }
        if (csv != null) {
            writeCsv(header, all);
            out.println();
            out.println("wrote " + csv + " (" + all.size() + " steps)");
        }
        out.flush();
        return ExitCode.OK;
    }

    /** The pruning convert would run with the same flags (or recipe): every value through {@link Recipe}. */
    private PruneConfig config() {
        // every given flag is checked against its range, whether or not this schedule reads it
        Recipe flags = RecipeFlags.given(spec.commandLine().getParseResult(), RECIPE_KEYS);
        Recipe stated = (prune.recipe == null ? Recipe.empty() : Recipe.load(prune.recipe)).overriddenBy(flags);
        if (!stated.prunes()) {
            throw usage(prune.recipe == null ? "give --sparsity S (or --schedule narang --theta θ)"
                    : "recipe " + prune.recipe + " prunes nothing: it states no sparsity (or narang theta)");
        }
        if (given("--steps") && !given("--prune-steps") && prune.recipe == null) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("sparq: note: --steps is the number of training steps, as in convert; the ramp is"
                    + " --prune-steps (by default 3/4 of --steps, a whole number of --frequency steps)");
            err.flush();
        }
        return stated.withDefaults(true).pruning();
    }

    private boolean given(String option) {
        return spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    /** The row in force from {@code step} (an update step, or -1 for "before the first update"). */
    private static String[] row(Schedule schedule, Pruner pruner, long step, int columns) {
        String[] r = new String[columns];
        int c = 1;
        if (schedule instanceof SparsitySchedule s) {
            r[c++] = fmt(step < 0 ? 0 : s.sparsityAt(step));
        } else if (schedule instanceof NarangSchedule n) {
            if (n.derivesTheta()) {
                r[c++] = fmt(step < 0 ? 0 : n.rampFraction(step));
                for (String name : pruner.tensorNames()) {
                    NarangSchedule own = (NarangSchedule) pruner.scheduleOf(name);
                    r[c++] = step < 0 || own.derivesTheta() ? "0" : sci(own.thresholdAt(step));
                }
            } else {
                r[c++] = sci(step < 0 ? 0 : n.thresholdAt(step));
            }
        }
        if (pruner != null) {
            r[c] = fmt(pruner.overallSparsity());
        }
        return r;
    }

    static String describe(Schedule schedule, PruneConfig config) {
        return schedule.describe() + (config.blockSize() == 1 ? "" : ", blocks 1x" + config.blockSize());
    }

    /** Prints aligned columns: the first {@code textColumns} left-aligned, numbers right-aligned. */
    private static void printTable(PrintWriter out, List<String> header, List<String[]> rows, int textColumns) {
        int[] width = new int[header.size()];
        for (int c = 0; c < width.length; c++) {
            width[c] = header.get(c).length();
            for (String[] r : rows) {
                width[c] = Math.max(width[c], r[c].length());
            }
        }
        List<String[]> lines = new ArrayList<>();
        lines.add(header.toArray(String[]::new));
        lines.addAll(rows);
        for (String[] r : lines) {
            StringBuilder sb = new StringBuilder();
            for (int c = 0; c < width.length; c++) {
                String pad = " ".repeat(width[c] - r[c].length());
                sb.append(c == 0 ? "" : "  ").append(c < textColumns ? r[c] + pad : pad + r[c]);
            }
            out.println(sb.toString().stripTrailing());
        }
    }

    private void writeCsv(List<String> header, List<String[]> rows) {
        AtomicFiles.write(csv, stream -> {
            Writer w = new OutputStreamWriter(stream, StandardCharsets.UTF_8);
            w.write(String.join(",", header.stream().map(ScheduleCommand::csvField).toList()));
            w.write('\n');
            for (String[] r : rows) {
                w.write(String.join(",", r));
                w.write('\n');
            }
            w.flush();
        });
    }

    private static String csvField(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    private static String sci(double v) {
        return String.format(Locale.ROOT, "%.4e", v);
    }

    private static SparqException usage(String message) {
        return new SparqException(ErrorCode.INVALID_ARGUMENT, message);
    }
}
