package io.sparq.converter.finetune;

/**
 * Settings the differentiable ops need.
 *
 * @param bpttTruncation truncated BPTT: a recurrent op's state gradient is cut every this many
 *                       time steps (the state itself still flows through); 0 = full BPTT
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
