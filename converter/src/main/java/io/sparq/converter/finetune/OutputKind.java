package io.sparq.converter.finetune;

import io.sparq.format.Node;

/** How a classifier output's last axis is to be read by the KL and cross-entropy losses. */
public enum OutputKind {
    PROBABILITIES,
    LOG_PROBABILITIES,
    /** Unnormalised scores; the loss applies log-softmax itself. */
    LOGITS;

    /**
     * Read from the node producing the output: Softmax gives probabilities, LogSoftmax log
     * probabilities, anything else is taken as logits.
     */
    public static OutputKind of(Node producer) {
        if (producer == null) {
            return LOGITS;
        }
        return switch (producer.opType()) {
            case "Softmax" -> PROBABILITIES;
            case "LogSoftmax" -> LOG_PROBABILITIES;
            default -> LOGITS;
        };
    }
}
