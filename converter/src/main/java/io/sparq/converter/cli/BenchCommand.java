package io.sparq.converter.cli;

import io.sparq.format.DataType;
import io.sparq.format.Dim;
import io.sparq.format.ErrorCode;
import io.sparq.format.SparqException;
import io.sparq.format.Tensor;
import io.sparq.format.ValueInfo;
import io.sparq.runtime.api.Model;
import io.sparq.runtime.api.Session;
import io.sparq.runtime.kernels.KernelThreads;
import io.sparq.runtime.kernels.Vectorization;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/** {@code sparq bench}: latency of one model run in runtime-lite, after warm-up, as median and spread. */
@Command(name = "bench", header = "Measure how long one run of a model takes in runtime-lite.",
        description = {"Runs MODEL (.sparq or .onnx) on the arrays of --inputs (or on generated ones) --warmup times,"
                + " then --runs times, timing each run, and prints the median, the 10th and 90th percentiles,"
                + " the mean and the runs per second.",
            "Without --inputs, float inputs are uniform in [-1, 1) and integer inputs 0; a symbolic dimension is"
                + " set by --dim NAME=SIZE, else 1 (a streaming step for a [seq, batch, features] input).",
            "With --compare ORIGINAL.onnx, ONNX Runtime for Java (when on the class path) runs the original on the"
                + " same inputs with the same thread count in the same process, and the ratio and the largest output"
                + " difference are printed. For careful measurements, see the JMH benchmarks (docs/benchmarks.md)."},
        footerHeading = "%nExamples:%n",
        footer = {
            "  sparq bench model.sparq",
            "  sparq bench model.sparq --dim seq=100 --runs 200 --threads 1",
            "  sparq bench model.sparq --inputs inputs.npz --json",
            "  SPARQ_CLASSPATH=onnxruntime-1.23.2.jar \\",
            "      sparq bench model.sparq --compare model.onnx --threads 1",
            "  SPARQ_CLASSPATH=onnxruntime-1.23.2.jar \\",
            "      sparq bench model.sparq --compare model.onnx --compare model.int8.onnx"})
final class BenchCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "The model to time (.sparq or .onnx).")
    Path modelFile;

    @Option(names = "--inputs", paramLabel = "FILE",
            description = "Inputs: a .npz keyed by input name, or a .npy for a model with one input.")
    Path inputsFile;

    @Option(names = "--dim", paramLabel = "NAME=SIZE",
            description = "Size of a symbolic input dimension for generated inputs (repeatable; default 1).")
    Map<String, Integer> dims = new LinkedHashMap<>();

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "50",
            description = "Untimed runs first, so the JIT compiles the kernels (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--warmup-seconds", paramLabel = "S", defaultValue = "2",
            description = "Keep warming up until S seconds have passed too: the JIT settles by time, not by"
                    + " run count, and a fast model needs thousands of runs; then on while runs still get"
                    + " faster or the heap still grows, up to 10 s more (default: ${DEFAULT-VALUE}; 0 = runs only).")
    double warmupSeconds;

    @Option(names = "--runs", paramLabel = "N", defaultValue = "200",
            description = "Timed runs (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--threads", paramLabel = "N",
            description = "Kernel threads (default: the number of processors).")
    Integer threads;

    @Option(names = "--compare", paramLabel = "ORIGINAL.onnx",
            description = "Also time ONNX Runtime on this model (the dense original, or its ONNX Runtime int8"
                    + " version; repeatable, each timed in the same process) and print the speed ratio; needs ONNX"
                    + " Runtime for Java on the class path (docs/cli.md).")
    List<Path> compare = new ArrayList<>();

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    /** Timings of the runs, in microseconds. */
    record Result(double median, double p10, double p90, double mean, double min, int runs, int warmups,
                  long pageFaults) {
        static Result of(double[] micros) {
            return of(micros, 0, 0);
        }

        static Result of(double[] micros, int warmups, long pageFaults) {
            double[] s = micros.clone();
            Arrays.sort(s);
            return new Result(quantile(s, 0.5), quantile(s, 0.1), quantile(s, 0.9),
                    Arrays.stream(s).average().orElse(Double.NaN), s[0], s.length, warmups, pageFaults);
        }

        /** Whether the timed runs touched fresh memory pages: the heap still growing, the times likely high. */
        boolean heapGrew() {
            return pageFaults > FRESH_PAGES;
        }

        /** Linear interpolation between the closest ranks. */
        static double quantile(double[] sorted, double q) {
            double at = q * (sorted.length - 1);
            int lo = (int) Math.floor(at);
            int hi = Math.min(sorted.length - 1, lo + 1);
            return sorted[lo] + (at - lo) * (sorted[hi] - sorted[lo]);
        }
    }

    @Override
    public Integer call() {
        if (warmup < 0 || runs < 1 || !(warmupSeconds >= 0)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--warmup and --warmup-seconds must be >= 0 and --runs >= 1, got " + warmup + ", " + warmupSeconds
                            + " and " + runs);
        }
        if (threads != null && threads < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--threads must be >= 1, got " + threads);
        }
        dims.forEach((name, size) -> {
            if (size == null || size < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--dim " + name + " must be >= 1, got " + size);
            }
        });
        int before = KernelThreads.threads();
        try {
            if (threads != null) {
                KernelThreads.setThreads(threads);
            }
            if (!compare.isEmpty() && !onnxRuntimeAvailable()) {
                throw new SparqException(ErrorCode.INVALID_ARGUMENT, "--compare runs ONNX Runtime for Java, which is not"
                        + " on the class path; add its jar, e.g. SPARQ_CLASSPATH=onnxruntime-1.23.2.jar ./sparq bench ..."
                        + " (how to get it: docs/cli.md, bench)");
            }
            Model model = ModelFiles.model(modelFile);
            Map<String, Tensor> feeds = inputsFile != null ? RunCommand.readInputs(inputsFile, model.inputs())
                    : generatedInputs(model.inputs());
            Result sparq;
            Map<String, Tensor> sparqOutputs;
            try (Session session = model.newSession()) {
                sparq = time(() -> session.run(feeds));
                sparqOutputs = session.run(feeds);
            }
            compare.forEach(ModelFiles::requireFile);
            List<Baseline> baselines = new ArrayList<>();
            for (Path original : compare) {
                try (OrtBaseline ort = new OrtBaseline(original, KernelThreads.threads(), feeds)) {
                    Result timing = time(ort::run);
                    baselines.add(new Baseline(original, timing, maxDifference(sparqOutputs, ort.run())));
                }
            }
            print(feeds, sparq, baselines);
            return ExitCode.OK;
        } finally {
            KernelThreads.setThreads(before);
        }
    }

    /** Whether ONNX Runtime for Java is on the class path (checked without loading {@link OrtBaseline}). */
    private static boolean onnxRuntimeAvailable() {
        try {
            Class.forName("ai.onnxruntime.OrtEnvironment", false, BenchCommand.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** ONNX Runtime's timing on one model and the largest |sparq − ONNX Runtime| over the float outputs both have. */
    record Baseline(Path model, Result timing, double maxDifference) {
    }

    /** Longest extra warm-up while the JIT or the heap has not settled. */
    private static final double SETTLE_SECONDS = 10;
    /** A window of runs this much faster than the one before means the JIT has not settled yet. */
    private static final double STILL_IMPROVING = 0.95;
    /** More page faults than this in a window of runs (1 MiB of fresh pages) means the heap is still growing. */
    private static final long FRESH_PAGES = 256;

    /**
     * Timings of {@code --runs} calls after untimed ones: at least {@code --warmup}, for at least
     * {@code --warmup-seconds}, then on in windows of runs while either the window's median is
     * clearly below the one before (the JIT still compiling: Vector API code runs 10–1000× slower
     * before C2 has compiled it) or the window touched fresh memory pages (the heap still growing:
     * where first touches are slow, as on virtual machines that back guest memory lazily, about
     * 15 µs a page, a JVM spends its first seconds in page faults), at most
     * {@link #SETTLE_SECONDS} more.
     */
    private Result time(Runnable run) {
        long until = System.nanoTime() + (long) (warmupSeconds * 1e9);
        int warmups = 0;
        while (warmups < warmup || System.nanoTime() < until) {
            run.run();
            warmups++;
        }
        if (warmupSeconds > 0) {
            int window = Math.max(10, runs / 10);
            long settleUntil = System.nanoTime() + (long) (SETTLE_SECONDS * 1e9);
            double previous = Double.POSITIVE_INFINITY;
            while (System.nanoTime() < settleUntil) {
                Result settling = timedResult(run, window, 0);
                warmups += window;
                if (settling.median() >= STILL_IMPROVING * previous && !settling.heapGrew()) {
                    break;
                }
                previous = settling.median();
            }
        }
        return timedResult(run, runs, warmups);
    }

    /** {@code count} timed runs, with the page faults they took. */
    private static Result timedResult(Runnable run, int count, int warmups) {
        long faults = PageFaults.minor();
        double[] micros = timed(run, count);
        return Result.of(micros, warmups, PageFaults.minor() - faults);
    }

    private static double[] timed(Runnable run, int count) {
        double[] micros = new double[count];
        for (int i = 0; i < count; i++) {
            long t0 = System.nanoTime();
            run.run();
            micros[i] = (System.nanoTime() - t0) / 1e3;
        }
        return micros;
    }

    private static double maxDifference(Map<String, Tensor> ours, Map<String, Tensor> theirs) {
        double max = Double.NaN;
        for (Map.Entry<String, Tensor> e : theirs.entrySet()) {
            Tensor mine = ours.get(e.getKey());
            if (mine == null || mine.type() != DataType.FLOAT32 || !Arrays.equals(mine.shape(), e.getValue().shape())) {
                continue;
            }
            double d = VerifyCommand.compare(e.getKey(), mine, e.getValue()).maxAbsError();
            max = Double.isNaN(max) ? d : Math.max(max, d);
        }
        return max;
    }

    private Map<String, Tensor> generatedInputs(List<ValueInfo> inputs) {
        SplittableRandom random = new SplittableRandom(1);
        Map<String, Tensor> feeds = new LinkedHashMap<>();
        for (ValueInfo in : inputs) {
            int[] shape = new int[in.shape().size()];
            for (int d = 0; d < shape.length; d++) {
                Dim dim = in.shape().get(d);
                shape[d] = dim.isFixed() ? dim.value() : dims.getOrDefault(dim.symbol(), 1);
            }
            Tensor t = Tensor.zeros(in.type(), shape);
            if (in.type() == DataType.FLOAT32) {
                float[] v = t.floats();
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) random.nextDouble(-1, 1);
                }
            } else if (in.type().isFloatingPoint()) {
                throw new SparqException(ErrorCode.INVALID_ARGUMENT, "input " + in + " is " + in.type()
                        + "; pass its values with --inputs");
            }
            feeds.put(in.name(), t);
        }
        List<String> unknown = dims.keySet().stream()
                .filter(name -> inputs.stream().flatMap(i -> i.shape().stream()).noneMatch(d -> name.equals(d.symbol())))
                .toList();
        if (!unknown.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--dim " + unknown + " names no symbolic"
                    + " dimension of the inputs " + inputs);
        }
        return feeds;
    }

    private static void warnIfHeapGrew(PrintWriter out, Result r) {
        if (r.heapGrew()) {
            out.printf(Locale.ROOT, "note     %,d page faults during the timed runs: the process was still taking fresh"
                    + " memory, which slows runs on some machines; run again or raise --warmup-seconds%n", r.pageFaults());
        }
    }

    private void print(Map<String, Tensor> feeds, Result r, List<Baseline> baselines) {
        PrintWriter out = spec.commandLine().getOut();
        Map<String, int[]> shapes = new LinkedHashMap<>();
        feeds.forEach((k, v) -> shapes.put(k, v.shape()));
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("model", modelFile.toString());
            doc.put("kernels", Vectorization.kernels().toString());
            doc.put("threads", KernelThreads.threads());
            Map<String, Object> in = new LinkedHashMap<>();
            shapes.forEach((k, v) -> in.put(k, Arrays.stream(v).boxed().toList()));
            doc.put("inputs", in);
            doc.put("warmup", r.warmups());
            doc.put("runs", r.runs());
            doc.put("median_us", r.median());
            doc.put("p10_us", r.p10());
            doc.put("p90_us", r.p90());
            doc.put("mean_us", r.mean());
            doc.put("min_us", r.min());
            doc.put("runs_per_second", 1e6 / r.median());
            doc.put("page_faults", r.pageFaults());
            List<Object> all = new ArrayList<>();
            for (Baseline baseline : baselines) {
                Map<String, Object> ort = new LinkedHashMap<>();
                ort.put("model", baseline.model().toString());
                ort.put("warmup", baseline.timing().warmups());
                ort.put("median_us", baseline.timing().median());
                ort.put("p10_us", baseline.timing().p10());
                ort.put("p90_us", baseline.timing().p90());
                ort.put("mean_us", baseline.timing().mean());
                ort.put("min_us", baseline.timing().min());
                ort.put("page_faults", baseline.timing().pageFaults());
                ort.put("speedup", baseline.timing().median() / r.median());
                ort.put("speedup_p10", baseline.timing().p10() / r.p10());
                ort.put("max_abs_difference", Double.isNaN(baseline.maxDifference()) ? null : baseline.maxDifference());
                all.add(ort);
            }
            if (!all.isEmpty()) {
                doc.put("onnxruntime", all.get(0));    // the first --compare, as before
                doc.put("comparisons", all);           // every --compare, in order
            }
            out.println(Json.write(doc));
        } else {
            out.println("model    " + modelFile);
            out.println("kernels  " + Vectorization.kernels() + ", " + KernelThreads.threads() + " thread(s)");
            shapes.forEach((k, v) -> out.println("input    " + k + " " + Arrays.toString(v)));
            out.printf(Locale.ROOT, "runs     %d after %d warm-up runs%n%n", r.runs(), r.warmups());
            out.printf(Locale.ROOT, "median   %10.1f µs   (%.1f runs/s)%n", r.median(), 1e6 / r.median());
            out.printf(Locale.ROOT, "p10–p90  %10.1f – %.1f µs%n", r.p10(), r.p90());
            out.printf(Locale.ROOT, "mean     %10.1f µs%n", r.mean());
            out.printf(Locale.ROOT, "min      %10.1f µs%n", r.min());
            warnIfHeapGrew(out, r);
            for (Baseline baseline : baselines) {
                Result o = baseline.timing();
                out.printf(Locale.ROOT, "%nONNX Runtime on %s, %d thread(s)%n", baseline.model(), KernelThreads.threads());
                out.printf(Locale.ROOT, "median   %10.1f µs   (%.1f runs/s)%n", o.median(), 1e6 / o.median());
                out.printf(Locale.ROOT, "p10–p90  %10.1f – %.1f µs%n", o.p10(), o.p90());
                warnIfHeapGrew(out, o);
                double ratio = o.median() / r.median();
                out.printf(Locale.ROOT, "%nsparq    %s than ONNX Runtime (median)%n",
                        ratio >= 1 ? String.format(Locale.ROOT, "%.2fx faster", ratio)
                                : String.format(Locale.ROOT, "%.2fx slower", 1 / ratio));
                out.println(Double.isNaN(baseline.maxDifference()) ? "outputs  no float output in common to compare"
                        : String.format(Locale.ROOT, "outputs  max |sparq - ONNX Runtime| = %.3g", baseline.maxDifference()));
            }
        }
        out.flush();
    }
}
