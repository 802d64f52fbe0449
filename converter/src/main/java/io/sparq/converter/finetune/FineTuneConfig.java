package io.sparq.converter.finetune;

import java.util.List;

/**
 * Every fine-tuning setting. Start from {@link #defaults()} and change fields with {@link #toBuilder()}.
 *
 * @param steps              optimizer steps
 * @param batchSize          samples per step
 * @param learningRate       peak rate, after warm-up
 * @param warmupSteps        linear warm-up length
 * @param decay              decay after warm-up, down to {@code minLearningRate} at the last step
 * @param holdLearningRate   keep the peak rate until the weight constraint settles (the last mask
 *                           update), so the decay spans only the steps after it
 * @param optimizer          ADAM (with beta1, beta2, epsilon, weightDecay) or SGD (with momentum)
 * @param clipNorm           maximum global gradient norm; 0 = no clipping
 * @param seed               seeds the validation split and the sample order; same seed, same weights
 * @param validationFraction share of samples held out for validation (0 = none)
 * @param evalEvery          steps between validation passes (0 = only at the end)
 * @param keepBest           restore the weights with the lowest validation loss at the end
 * @param loss               loss function
 * @param outputs            outputs the loss covers (their losses add); empty = every graph output
 * @param outputKind         how KL / cross-entropy read the outputs; null = from the producing node
 * @param bpttTruncation     truncated BPTT length for recurrent ops; 0 = full
 */
public record FineTuneConfig(long steps, int batchSize, double learningRate, int warmupSteps, LearningRate.Decay decay,
                             boolean holdLearningRate, double minLearningRate, OptimizerKind optimizer, double beta1, double beta2, double epsilon,
                             double weightDecay, double momentum, double clipNorm, long seed, double validationFraction,
                             long evalEvery, boolean keepBest, LossKind loss, List<String> outputs,
                             OutputKind outputKind, int bpttTruncation) {
    /** The optimizer families. */
    public enum OptimizerKind { ADAM, SGD }

    public FineTuneConfig {
        outputs = List.copyOf(outputs);
        require(steps >= 1, "steps = " + steps + ", expected >= 1");
        require(batchSize >= 1, "batch size = " + batchSize + ", expected >= 1");
        require(validationFraction >= 0 && validationFraction < 1, "validation fraction = " + validationFraction
                + ", expected in [0, 1)");
        require(evalEvery >= 0 && clipNorm >= 0 && weightDecay >= 0 && momentum >= 0 && momentum < 1,
                "eval every, clip norm and weight decay must be >= 0 and momentum in [0, 1)");
        require(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1 && epsilon > 0,
                "Adam needs beta1, beta2 in [0, 1) and epsilon > 0");
        new LearningRate(learningRate, warmupSteps, decay, minLearningRate);   // validates the schedule
        new TrainingOptions(bpttTruncation);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /**
     * 1000 Adam steps of batch 16 at 1e-3 (5 % warm-up, held until the last mask update, then a cosine decay to
     * 0), clip 1.0, 10 % validation every 100 steps, KL.
     */
    public static FineTuneConfig defaults() {
        return new FineTuneConfig(1000, 16, 1e-3, 50, LearningRate.Decay.COSINE, true, 0, OptimizerKind.ADAM, 0.9, 0.999,
                1e-8, 0, 0.9, 1.0, 0, 0.1, 100, true, LossKind.KL, List.of(), null, 0);
    }

    public LearningRate schedule() {
        return new LearningRate(learningRate, warmupSteps, decay, minLearningRate);
    }

    public Optimizer newOptimizer() {
        return optimizer == OptimizerKind.ADAM ? Optimizer.adam(beta1, beta2, epsilon, weightDecay)
                : Optimizer.sgd(momentum);
    }

    public TrainingOptions trainingOptions() {
        return new TrainingOptions(bpttTruncation);
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Mutable copy of a configuration. */
    public static final class Builder {
        private long steps;
        private int batchSize;
        private double learningRate;
        private int warmupSteps;
        private LearningRate.Decay decay;
        private boolean holdLearningRate;
        private double minLearningRate;
        private OptimizerKind optimizer;
        private double beta1;
        private double beta2;
        private double epsilon;
        private double weightDecay;
        private double momentum;
        private double clipNorm;
        private long seed;
        private double validationFraction;
        private long evalEvery;
        private boolean keepBest;
        private LossKind loss;
        private List<String> outputs;
        private OutputKind outputKind;
        private int bpttTruncation;

        private Builder(FineTuneConfig c) {
            steps = c.steps;
            batchSize = c.batchSize;
            learningRate = c.learningRate;
            warmupSteps = c.warmupSteps;
            decay = c.decay;
            holdLearningRate = c.holdLearningRate;
            minLearningRate = c.minLearningRate;
            optimizer = c.optimizer;
            beta1 = c.beta1;
            beta2 = c.beta2;
            epsilon = c.epsilon;
            weightDecay = c.weightDecay;
            momentum = c.momentum;
            clipNorm = c.clipNorm;
            seed = c.seed;
            validationFraction = c.validationFraction;
            evalEvery = c.evalEvery;
            keepBest = c.keepBest;
            loss = c.loss;
            outputs = c.outputs;
            outputKind = c.outputKind;
            bpttTruncation = c.bpttTruncation;
        }

        public Builder steps(long v) { steps = v; return this; }
        public Builder batchSize(int v) { batchSize = v; return this; }
        public Builder learningRate(double v) { learningRate = v; return this; }
        public Builder warmupSteps(int v) { warmupSteps = v; return this; }
        public Builder decay(LearningRate.Decay v) { decay = v; return this; }
        public Builder holdLearningRate(boolean v) { holdLearningRate = v; return this; }
        public Builder minLearningRate(double v) { minLearningRate = v; return this; }
        public Builder optimizer(OptimizerKind v) { optimizer = v; return this; }
        public Builder adam(double b1, double b2, double eps) { beta1 = b1; beta2 = b2; epsilon = eps; return this; }
        public Builder weightDecay(double v) { weightDecay = v; return this; }
        public Builder momentum(double v) { momentum = v; return this; }
        public Builder clipNorm(double v) { clipNorm = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder validationFraction(double v) { validationFraction = v; return this; }
        public Builder evalEvery(long v) { evalEvery = v; return this; }
        public Builder keepBest(boolean v) { keepBest = v; return this; }
        public Builder loss(LossKind v) { loss = v; return this; }
        public Builder outputs(List<String> v) { outputs = v; return this; }
        public Builder outputKind(OutputKind v) { outputKind = v; return this; }
        public Builder bpttTruncation(int v) { bpttTruncation = v; return this; }

        public FineTuneConfig build() {
            return new FineTuneConfig(steps, batchSize, learningRate, warmupSteps, decay, holdLearningRate, minLearningRate, optimizer,
                    beta1, beta2, epsilon, weightDecay, momentum, clipNorm, seed, validationFraction, evalEvery,
                    keepBest, loss, outputs, outputKind, bpttTruncation);
        }
    }
}
