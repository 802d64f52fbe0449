package io.sparq.converter.finetune;

/**
 * Settings the differentiable ops need.
 *
 * @param bpttTruncation backpropagate through at most this many time steps of a recurrent op
 *                       (counted back from each step's loss contribution); 0 = full BPTT
 */
public record TrainingOptions(int bpttTruncation) {
    public TrainingOptions {
        if (bpttTruncation < 0) {
            throw new IllegalArgumentException("bpttTruncation = " + bpttTruncation + ", expected >= 0");
        }
    }

    public static TrainingOptions defaults() {
        return new TrainingOptions(0);
    }
}
