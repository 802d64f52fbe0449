package io.sparq.converter.finetune;

/** What the fine-tuning loss compares the model's outputs with. */
public enum LossKind {
    /** Mean squared error against the targets (teacher outputs, or float labels). */
    MSE,
    /** KL(teacher ‖ student) over the last axis of probability-like outputs (distillation). */
    KL,
    /** Cross-entropy against integer class labels (the output's last axis holds the classes). */
    CROSS_ENTROPY
}
