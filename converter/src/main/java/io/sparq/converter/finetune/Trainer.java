package io.sparq.converter.finetune;

import io.sparq.converter.quantize.FakeQuantizer;
import io.sparq.format.ErrorCode;
import io.sparq.format.Graph;
import io.sparq.format.SparqException;
import io.sparq.format.Tensor;
import io.sparq.format.ValueInfo;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The fine-tuning loop. Per step: constraint.beforeStep → forward → loss → backward → clip
 * global gradient norm → optimizer → constraint.afterUpdate, then progress to the listener.
 * Everything random (validation split, sample order, reshuffled every epoch) comes from one
 * {@link SplittableRandom} seeded by the config, so a run is reproducible bit for bit.
 *
 * <p>With a validation split, the weights with the lowest validation loss are kept and restored
 * at the end (followed by one more constraint.afterUpdate, so the final masks hold).
 */
public final class Trainer {
    private final TrainingGraph model;
    private final FineTuneConfig config;
    private FakeQuantizer fakeQuant;           // null: train the float weights as they are
    private Consumer<TrainingState> checkpoints = state -> { };
    private TrainingState resumeFrom;          // null: start at step 0
    private String resumeSource;

    /** What a run produced. */
    public record Result(long steps, double lastLoss, double bestValidationLoss, long bestStep, boolean cancelled,
                         Graph graph, TrainingCurve curve) {
    }

    public Trainer(TrainingGraph model, FineTuneConfig config) {
        this.model = model;
        this.config = config;
    }

    /**
     * Quantization-aware training: forward and backward passes (training and validation) see the
     * weights rounded as {@code quantizer} says, updates go to the float weights (straight-through).
     */
    public Trainer withFakeQuantization(FakeQuantizer quantizer) {
        this.fakeQuant = quantizer;
        return this;
    }

    /**
     * Hands the run's state to {@code sink} after every validation pass ({@code evalEvery} steps)
     * except the last step's, and when the run is cancelled after at least one step, so that it can
     * be saved and the run continued with {@link #resumeFrom}.
     */
    public Trainer withCheckpoints(Consumer<TrainingState> sink) {
        this.checkpoints = sink;
        return this;
    }

    /**
     * Continues a run from {@code state}, as the checkpoint sink got it from a run with the same
     * model, data, config and constraint; the result is the same as that run's would have been.
     *
     * @param source where the state came from, for messages
     */
    public Trainer resumeFrom(TrainingState state, String source) {
        this.resumeFrom = state;
        this.resumeSource = source;
        return this;
    }

    /** The outputs the loss covers: those the config names, else every graph output. */
    public static List<String> lossOutputs(Graph graph, FineTuneConfig config) {
        return config.outputs().isEmpty() ? graph.outputs().stream().map(ValueInfo::name).toList() : config.outputs();
    }

    /**
     * Trains on {@code data}, which must carry targets for the loss outputs.
     *
     * @param cancel checked before every step; when set, training stops and the result says so
     */
    public Result train(TrainingData data, WeightConstraint constraint, TrainingListener listener, AtomicBoolean cancel) {
        List<String> outputs = lossOutputs(model.graph(), config);
        Map<String, OutputKind> kinds = outputKinds(data, outputs);
        Run run = new Run(data.size());
        Map<String, Tensor> params = model.parameters();
        Optimizer optimizer = config.newOptimizer();
        LearningRate schedule = config.holdLearningRate() ? config.schedule().holdingUntil(constraint.settlesAt())
                : config.schedule();
        if (resumeFrom != null) {
            restore(run, resumeFrom, params, optimizer, constraint);
        }
        long firstStep = run.step;
        for (; run.step < config.steps() && !cancel.get(); run.step++) {
            long step = run.step;
            constraint.beforeStep(step, params);
            int[] batch = run.nextBatch(config.batchSize());
            Map<String, float[]> master = fakeQuant == null ? Map.of() : fakeQuant.roundInPlace(params);
            TrainingGraph.Tape tape = model.forward(data.inputBatch(batch));
            Loss.Value loss = Loss.compute(config.loss(), tape.outputs(), select(data.targetBatch(batch), outputs), kinds);
            Map<String, Tensor> grads = model.backward(tape, loss.gradients());
            FakeQuantizer.restore(params, master);
            Optimizer.clipGlobalNorm(grads, config.clipNorm());
            double lr = schedule.at(step, config.steps());
            optimizer.step(params, grads, lr);
            constraint.afterUpdate(params);
            run.lastLoss = loss.loss();
            boolean evalNow = config.evalEvery() > 0 && (step + 1) % config.evalEvery() == 0;
            double valLoss = run.validation.length > 0 && (evalNow || step + 1 == config.steps())
                    ? validate(run, data, outputs, kinds, params, constraint) : Double.NaN;
            listener.onStep(new TrainingListener.Progress(step, config.steps(), run.lastLoss, lr, valLoss,
                    Duration.ofNanos(System.nanoTime() - run.start)));
            run.curve.add(new TrainingCurve.Point(step, run.lastLoss, valLoss, constraint.sparsity()));
            if (evalNow && step + 1 < config.steps()) {
                checkpoints.accept(run.state(step + 1, params, optimizer, constraint));
            }
        }
        if (cancel.get() && run.step < config.steps() && run.step > firstStep) {
            checkpoints.accept(run.state(run.step, params, optimizer, constraint));
        }
        if (run.best != null) {
            run.best.forEach((name, w) -> System.arraycopy(w, 0, params.get(name).floats(), 0, w.length));
            constraint.afterUpdate(params);
        }
        return new Result(run.step, run.lastLoss, run.bestLoss, run.bestStep, cancel.get() && run.step < config.steps(),
                model.toGraph(), run.curve);
    }

    /** How the loss reads each output; fails when the data has no targets for one. */
    private Map<String, OutputKind> outputKinds(TrainingData data, List<String> outputs) {
        Map<String, OutputKind> kinds = new HashMap<>();
        for (String o : outputs) {
            if (!data.targetNames().contains(o)) {
                throw new SparqException(ErrorCode.INVALID_ARGUMENT, "no targets for loss output '" + o
                        + "'; the data has targets for " + data.targetNames());
            }
            kinds.put(o, config.outputKind() != null ? config.outputKind() : OutputKind.of(model.producer(o)));
        }
        return kinds;
    }

    /**
     * The validation loss now (on the weights as quantization-aware training rounds them); keeps the
     * weights as the best so far when the constraint has settled and the loss is the lowest.
     */
    private double validate(Run run, TrainingData data, List<String> outputs, Map<String, OutputKind> kinds,
                            Map<String, Tensor> params, WeightConstraint constraint) {
        Map<String, float[]> floats = fakeQuant == null ? Map.of() : fakeQuant.roundInPlace(params);
        double valLoss = evaluate(data, run.validation, outputs, kinds);
        FakeQuantizer.restore(params, floats);
        if (config.keepBest() && run.step >= constraint.settlesAt() && !(valLoss >= run.bestLoss)) {
            run.best = snapshot(params);
            run.bestLoss = valLoss;
            run.bestStep = run.step;
        }
        return valLoss;
    }

    /** Continues {@code run} from a checkpoint's state, after checking it belongs to this run. */
    private void restore(Run run, TrainingState r, Map<String, Tensor> params, Optimizer optimizer,
                         WeightConstraint constraint) {
        if (r.step() < 0 || r.step() > config.steps() || r.cursor() < 0 || r.cursor() > run.train.length
                || r.shuffles() < 0 || r.shuffles() > r.step() * config.batchSize()) {
            throw doesNotFit("step " + r.step() + ", reshuffle " + r.shuffles() + ", position " + r.cursor()
                    + " are not a point of this run (" + config.steps() + " steps, " + run.train.length
                    + " training samples)");
        }
        requireSameWeights(r.weights(), params, "weights");
        r.weights().forEach((name, w) -> System.arraycopy(w, 0, params.get(name).floats(), 0, w.length));
        if (!r.best().isEmpty()) {
            requireSameWeights(r.best(), params, "best weights");
            run.best = new LinkedHashMap<>();
            for (String name : params.keySet()) {
                run.best.put(name, r.best().get(name).clone());
            }
        }
        try {
            optimizer.restore(r.optimizer());
            constraint.restore(r.constraint());
        } catch (IllegalArgumentException e) {
            throw doesNotFit(e.getMessage());
        }
        for (long i = 0; i < r.shuffles(); i++) {
            shuffle(run.train, run.random);
        }
        run.shuffles = r.shuffles();
        run.cursor = r.cursor();
        run.step = r.step();
        run.lastLoss = r.lastLoss();
        run.bestLoss = r.bestLoss();
        run.bestStep = r.bestStep();
        run.start -= r.elapsedNanos();
        run.curve = TrainingCurve.of(r.curve());
    }

    /**
     * Where a run stands: the split and sample order (all drawn from one random stream seeded by
     * the config), the step, the best weights so far and the curve; what a checkpoint saves.
     */
    private final class Run {
        final SplittableRandom random = new SplittableRandom(config.seed());
        final int[] validation;
        final int[] train;
        int cursor;
        long shuffles;
        long step;
        double lastLoss = Double.NaN;
        Map<String, float[]> best;
        double bestLoss = Double.NaN;
        long bestStep = -1;
        long start = System.nanoTime();
        TrainingCurve curve = new TrainingCurve();

        Run(int samples) {
            int[] order = permutation(samples, random);
            int held = (int) Math.round(samples * config.validationFraction());
            if (held >= samples) {
                throw new SparqException(ErrorCode.INVALID_ARGUMENT, samples + " sample(s) leave none for training after a "
                        + config.validationFraction() + " validation split");
            }
            validation = java.util.Arrays.copyOfRange(order, 0, held);
            train = java.util.Arrays.copyOfRange(order, held, order.length);
            cursor = train.length;
        }

        /** The next batch's samples, reshuffling the training samples whenever they run out. */
        int[] nextBatch(int size) {
            int[] batch = new int[Math.min(size, train.length)];
            for (int i = 0; i < batch.length; i++) {
                if (cursor == train.length) {
                    shuffle(train, random);
                    shuffles++;
                    cursor = 0;
                }
                batch[i] = train[cursor++];
            }
            return batch;
        }

        /** What a checkpoint keeps to continue this run at {@code atStep}. */
        TrainingState state(long atStep, Map<String, Tensor> params, Optimizer optimizer, WeightConstraint constraint) {
            return new TrainingState(atStep, shuffles, cursor, lastLoss, snapshot(params), optimizer.state(),
                    constraint.state(), best == null ? Map.of() : best, bestLoss, bestStep, System.nanoTime() - start,
                    curve.flat());
        }
    }

    /** Mean loss over {@code samples} (weighted by batch size), without updating anything. */
    public double evaluate(TrainingData data, int[] samples, List<String> outputs, Map<String, OutputKind> kinds) {
        double sum = 0;
        for (int from = 0; from < samples.length; from += config.batchSize()) {
            int[] batch = java.util.Arrays.copyOfRange(samples, from, Math.min(samples.length, from + config.batchSize()));
            Map<String, Tensor> y = model.run(data.inputBatch(batch));
            sum += batch.length * Loss.compute(config.loss(), y, select(data.targetBatch(batch), outputs), kinds).loss();
        }
        return sum / samples.length;
    }

    private static Map<String, Tensor> select(Map<String, Tensor> all, List<String> names) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        names.forEach(n -> out.put(n, all.get(n)));
        return out;
    }

    /** Checks that {@code saved} has exactly the weights of {@code params}, with their sizes. */
    private void requireSameWeights(Map<String, float[]> saved, Map<String, Tensor> params, String what) {
        if (!saved.keySet().equals(params.keySet())) {
            throw doesNotFit("its " + what + " are " + new java.util.TreeSet<>(saved.keySet()) + ", this run trains "
                    + new java.util.TreeSet<>(params.keySet()));
        }
        for (Map.Entry<String, Tensor> p : params.entrySet()) {
            float[] w = saved.get(p.getKey());
            if (w.length != p.getValue().size()) {
                throw doesNotFit("its " + what + " '" + p.getKey() + "' has " + w.length + " elements, expected "
                        + p.getValue().size());
            }
        }
    }

    private SparqException doesNotFit(String why) {
        return new SparqException(ErrorCode.CORRUPT_FILE, resumeSource + ": does not fit this run: " + why);
    }

    private static Map<String, float[]> snapshot(Map<String, Tensor> params) {
        Map<String, float[]> copy = new LinkedHashMap<>();
        params.forEach((k, v) -> copy.put(k, v.floats().clone()));
        return copy;
    }

    private static int[] permutation(int n, SplittableRandom random) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        shuffle(p, random);
        return p;
    }

    /** Fisher–Yates. */
    private static void shuffle(int[] a, SplittableRandom random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
