package io.sparq.runtime.api;

import io.sparq.format.Tensor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How a {@link Session} streams a recurrent model with {@link Session#step}: which graph inputs
 * carry state from one step to the next (and which outputs return it), which inputs are fixed for
 * the whole stream, and the state a stream starts from. Immutable: {@link #fix} and
 * {@link #initial} return a new specification.
 *
 * <p>Every graph input is one of three kinds: a <em>state</em> input, fed by the session with
 * the previous step's output of its {@link StateBinding}; a <em>fixed</em> input, given once here
 * (Silero VAD's sample rate {@code sr}); or a <em>per-frame</em> input, passed to every
 * {@code step} call.
 *
 * <p>{@link #detect()} pairs state inputs with outputs automatically, by graph structure first:
 * a graph input read directly as {@code initial_h} (or {@code initial_c}) of an LSTM, GRU or RNN
 * node pairs with that node's {@code Y_h} (or {@code Y_c}) when it is a graph output. The inputs
 * and outputs left over pair by name, when their names are equal once a state role word is
 * dropped ({@code h}/{@code hn}, {@code h0}/{@code h_n}, {@code state}/{@code stateN},
 * {@code state_in}/{@code state_out}) and their element types and declared shapes agree. A name
 * that could pair more than one way is an error asking for the pairs to be declared with
 * {@link #of(StateBinding...)}.
 *
 * <p>A state without an {@link #initial} value starts as zeros of its input's declared shape; a
 * symbolic dimension takes the size the per-frame or fixed inputs give the same symbol, and any
 * dimension still unknown is 1 (one stream).
 */
public final class Streaming {
    private final List<StateBinding> bindings;   // null: detect
    private final Map<String, Tensor> fixed;
    private final Map<String, Tensor> initial;

    private Streaming(List<StateBinding> bindings, Map<String, Tensor> fixed, Map<String, Tensor> initial) {
        this.bindings = bindings;
        this.fixed = Collections.unmodifiableMap(fixed);
        this.initial = Collections.unmodifiableMap(initial);
    }

    /** State pairs detected from the model's graph (see the class description). */
    public static Streaming detect() {
        return new Streaming(null, new LinkedHashMap<>(), new LinkedHashMap<>());
    }

    /** Exactly these state pairs, no detection; none at all makes {@code step} a plain run. */
    public static Streaming of(StateBinding... bindings) {
        return new Streaming(List.of(bindings), new LinkedHashMap<>(), new LinkedHashMap<>());
    }

    /** Exactly these state pairs, keyed by state input name, valued by the output that updates it. */
    public static Streaming of(Map<String, String> inputToOutput) {
        return of(inputToOutput.entrySet().stream().map(e -> StateBinding.of(e.getKey(), e.getValue()))
                .toArray(StateBinding[]::new));
    }

    /** This specification with graph input {@code input} fed {@code value} on every step. */
    public Streaming fix(String input, Tensor value) {
        Map<String, Tensor> f = new LinkedHashMap<>(fixed);
        f.put(Objects.requireNonNull(input, "input"), Objects.requireNonNull(value, "value"));
        return new Streaming(bindings, f, new LinkedHashMap<>(initial));
    }

    /**
     * This specification with state input {@code stateInput} starting at {@code value} (at the
     * first step and after every {@link Session#reset()}) instead of zeros.
     */
    public Streaming initial(String stateInput, Tensor value) {
        Map<String, Tensor> i = new LinkedHashMap<>(initial);
        i.put(Objects.requireNonNull(stateInput, "stateInput"), Objects.requireNonNull(value, "value"));
        return new Streaming(bindings, new LinkedHashMap<>(fixed), i);
    }

    /** The declared state pairs, or null when they are to be detected. */
    List<StateBinding> declared() {
        return bindings;
    }

    Map<String, Tensor> fixed() {
        return fixed;
    }

    Map<String, Tensor> initial() {
        return initial;
    }
}
