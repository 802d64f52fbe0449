package io.sparq.runtime.api;

import java.util.Objects;

/**
 * One recurrent state of a streaming model: the graph input that takes the state and the graph
 * output that returns it, updated, for the next step (Silero VAD: {@code state} and
 * {@code stateN}; an LSTM node: its {@code initial_h} input and {@code Y_h} output).
 */
public record StateBinding(String input, String output) {
    public StateBinding {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(output, "output");
    }

    /** The state fed to graph input {@code input} and returned by graph output {@code output}. */
    public static StateBinding of(String input, String output) {
        return new StateBinding(input, output);
    }

    @Override
    public String toString() {
        return input + " <- " + output;
    }
}
