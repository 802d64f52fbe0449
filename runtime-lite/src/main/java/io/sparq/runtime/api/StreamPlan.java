package io.sparq.runtime.api;

import io.sparq.format.DataType;
import io.sparq.format.Dim;
import io.sparq.format.ErrorCode;
import io.sparq.format.Graph;
import io.sparq.format.SparqException;
import io.sparq.format.Tensor;
import io.sparq.format.ValueInfo;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link Streaming} specification checked against one model: the state pairs, the fixed inputs,
 * the per-frame inputs, and how to build a stream's starting state. Immutable.
 */
final class StreamPlan {
    private final List<StateBinding> bindings;
    private final Map<String, ValueInfo> stateInputs = new LinkedHashMap<>();
    private final Map<String, Tensor> fixed;
    private final Map<String, Tensor> initial;
    private final List<ValueInfo> frameInputs = new ArrayList<>();
    private final Map<String, ValueInfo> declared = new LinkedHashMap<>();

    StreamPlan(Streaming spec, Graph graph, List<ValueInfo> required) {
        graph.inputs().forEach(v -> declared.put(v.name(), v));
        this.bindings = spec.declared() == null ? StatePairing.detect(graph, required)
                : StatePairing.check(spec.declared(), graph);
        bindings.forEach(b -> stateInputs.put(b.input(), declared.get(b.input())));
        for (String name : spec.fixed().keySet()) {
            if (!declared.containsKey(name)) {
                throw new SparqException(ErrorCode.INVALID_ARGUMENT, "fixed input: unknown input name '" + name
                        + "', expected one of " + declared.keySet());
            }
            if (stateInputs.containsKey(name)) {
                throw new SparqException(ErrorCode.INVALID_ARGUMENT, "input '" + name + "' is fixed, but it is "
                        + "also a state (" + binding(name) + "); give a state's start with Streaming.initial");
            }
        }
        for (String name : spec.initial().keySet()) {
            if (!stateInputs.containsKey(name)) {
                throw new SparqException(ErrorCode.INVALID_ARGUMENT, "initial state for '" + name
                        + "', which is not a state input; the state inputs are " + stateInputs.keySet());
            }
        }
        this.fixed = spec.fixed();
        this.initial = spec.initial();
        required.stream().filter(v -> !stateInputs.containsKey(v.name()) && !fixed.containsKey(v.name()))
                .forEach(frameInputs::add);
    }

    List<StateBinding> bindings() {
        return bindings;
    }

    /** The inputs each step must be given. */
    List<ValueInfo> frameInputs() {
        return frameInputs;
    }

    /**
     * The feeds of one step: the fixed inputs, {@code frame} (checked not to hold a state or fixed
     * input) and {@code state}.
     */
    Map<String, Tensor> feeds(Map<String, Tensor> frame, Map<String, Tensor> state) {
        Map<String, Tensor> feeds = new LinkedHashMap<>(fixed);
        for (Map.Entry<String, Tensor> e : frame.entrySet()) {
            String name = e.getKey();
            if (stateInputs.containsKey(name)) {
                throw new SparqException(ErrorCode.INVALID_ARGUMENT, "input '" + name + "' is a state the session "
                        + "carries (" + binding(name) + "); step takes only " + names(frameInputs)
                        + ", and reset() restarts the state");
            }
            if (fixed.containsKey(name)) {
                throw new SparqException(ErrorCode.INVALID_ARGUMENT, "input '" + name + "' is fixed for this "
                        + "session; step takes only " + names(frameInputs));
            }
            feeds.put(name, e.getValue());
        }
        feeds.putAll(state);
        return feeds;
    }

    /** The single per-frame input, for {@link Session#step(Tensor)}. */
    String onlyFrameInput() {
        if (frameInputs.size() != 1) {
            throw new SparqException(ErrorCode.INVALID_ARGUMENT, "step(Tensor) needs a model with exactly one "
                    + "per-frame input, this one has " + frameInputs.size() + ": " + names(frameInputs)
                    + "; use step(Map)");
        }
        return frameInputs.get(0).name();
    }

    /**
     * A stream's starting state: the {@link Streaming#initial} values, else zeros of each state
     * input's declared shape, symbolic dimensions sized as {@code feeds} (fixed and per-frame
     * inputs) size them, other unknown dimensions 1.
     */
    Map<String, Tensor> start(Map<String, Tensor> feeds) {
        Map<String, Integer> symbols = new HashMap<>();
        feeds.forEach((name, t) -> {
            ValueInfo info = declared.get(name);
            if (info != null && info.shape() != null && info.shape().size() == t.rank()) {
                for (int d = 0; d < t.rank(); d++) {
                    if (info.shape().get(d).symbol() != null) {
                        symbols.putIfAbsent(info.shape().get(d).symbol(), t.dim(d));
                    }
                }
            }
        });
        Map<String, Tensor> state = new LinkedHashMap<>();
        for (ValueInfo info : stateInputs.values()) {
            Tensor given = initial.get(info.name());
            if (given != null) {
                state.put(info.name(), given);
                continue;
            }
            if (info.shape() == null) {
                throw new SparqException(ErrorCode.INVALID_ARGUMENT, "state input '" + info.name() + "' has no "
                        + "declared shape, so its zero start is unknown; give it with Streaming.initial");
            }
            int[] shape = new int[info.shape().size()];
            for (int d = 0; d < shape.length; d++) {
                Dim dim = info.shape().get(d);
                shape[d] = dim.isFixed() ? dim.value() : dim.symbol() != null ? symbols.getOrDefault(dim.symbol(), 1) : 1;
            }
            state.put(info.name(), Tensor.zeros(info.type() == null ? DataType.FLOAT32 : info.type(), shape));
        }
        return state;
    }

    private String binding(String stateInput) {
        return bindings.stream().filter(b -> b.input().equals(stateInput)).findFirst().orElseThrow().toString();
    }

    private static List<String> names(List<ValueInfo> values) {
        return values.stream().map(ValueInfo::name).toList();
    }
}
