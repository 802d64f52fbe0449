package io.sparq.runtime.api;

import io.sparq.format.Dim;
import io.sparq.format.ErrorCode;
import io.sparq.format.Graph;
import io.sparq.format.Node;
import io.sparq.format.SparqException;
import io.sparq.format.ValueInfo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Finds and checks the {@link StateBinding}s of a graph: by recurrent-node structure, then by name
 * convention, as {@link Streaming} describes.
 */
final class StatePairing {
    /** Per recurrent op: (input index, output index) pairs, ONNX numbering: initial_h -> Y_h, initial_c -> Y_c. */
    private static final Map<String, int[][]> RECURRENT = Map.of(
            "LSTM", new int[][] {{5, 1}, {6, 2}},
            "GRU", new int[][] {{5, 1}},
            "RNN", new int[][] {{5, 1}});
    /** Words that mark a name as the state going in, dropped before names are compared. */
    private static final Set<String> INPUT_ROLES = Set.of("0", "in", "init", "initial", "prev", "previous", "old");
    /** Words that mark a name as the state coming out. */
    private static final Set<String> OUTPUT_ROLES = Set.of("n", "1", "out", "next", "new", "final", "last", "updated");

    private StatePairing() {
    }

    /** The state pairs of {@code graph}; {@code inputs} are the inputs a caller must feed. */
    static List<StateBinding> detect(Graph graph, List<ValueInfo> inputs) {
        Map<String, ValueInfo> ins = byName(inputs);
        Map<String, ValueInfo> outs = byName(graph.outputs());
        Map<String, Set<String>> candidates = new LinkedHashMap<>();  // state input -> outputs
        Set<String> structural = new LinkedHashSet<>();                // inputs and outputs paired by structure
        for (Node node : graph.nodes()) {
            int[][] pairs = node.domain().isEmpty() ? RECURRENT.get(node.opType()) : null;
            if (pairs == null) {
                continue;
            }
            for (int[] p : pairs) {
                String in = p[0] < node.inputs().size() ? node.inputs().get(p[0]) : "";
                String out = p[1] < node.outputs().size() ? node.outputs().get(p[1]) : "";
                if (ins.containsKey(in) && outs.containsKey(out)) {
                    candidates.computeIfAbsent(in, k -> new LinkedHashSet<>()).add(out);
                    structural.add(in);
                    structural.add(out);
                }
            }
        }
        for (ValueInfo in : inputs) {
            if (structural.contains(in.name())) {
                continue;
            }
            Set<String> inKeys = keys(in.name(), INPUT_ROLES, false);
            for (ValueInfo out : graph.outputs()) {
                if (structural.contains(out.name()) || out.name().equals(in.name()) || !compatible(in, out)) {
                    continue;
                }
                Set<String> outKeys = keys(out.name(), OUTPUT_ROLES, true);
                outKeys.retainAll(inKeys);
                if (!outKeys.isEmpty()) {
                    candidates.computeIfAbsent(in.name(), k -> new LinkedHashSet<>()).add(out.name());
                }
            }
        }
        List<StateBinding> bindings = new ArrayList<>();
        Map<String, String> inputOf = new LinkedHashMap<>();
        for (Map.Entry<String, Set<String>> e : candidates.entrySet()) {
            if (e.getValue().size() > 1) {
                throw ambiguous("state input '" + e.getKey() + "' could pair with outputs " + e.getValue());
            }
            String out = e.getValue().iterator().next();
            String other = inputOf.put(out, e.getKey());
            if (other != null) {
                throw ambiguous("output '" + out + "' could return the state of inputs '" + other + "' and '"
                        + e.getKey() + "'");
            }
            bindings.add(StateBinding.of(e.getKey(), out));
        }
        return List.copyOf(bindings);
    }

    /** Checks declared pairs: names exist, each is used once, element types and shapes agree. */
    static List<StateBinding> check(List<StateBinding> declared, Graph graph) {
        Map<String, ValueInfo> ins = byName(graph.inputs());
        Map<String, ValueInfo> outs = byName(graph.outputs());
        Set<String> usedIn = new LinkedHashSet<>();
        Set<String> usedOut = new LinkedHashSet<>();
        for (StateBinding b : declared) {
            ValueInfo in = ins.get(b.input());
            ValueInfo out = outs.get(b.output());
            if (in == null) {
                throw new SparqException(ErrorCode.INVALID_ARGUMENT, "state " + b + ": unknown input name '"
                        + b.input() + "', expected one of " + ins.keySet());
            }
            if (out == null) {
                throw new SparqException(ErrorCode.INVALID_ARGUMENT, "state " + b + ": unknown output name '"
                        + b.output() + "', expected one of " + outs.keySet());
            }
            if (!usedIn.add(b.input()) || !usedOut.add(b.output())) {
                throw new SparqException(ErrorCode.INVALID_ARGUMENT, "state " + b + ": input '" + b.input()
                        + "' or output '" + b.output() + "' is in more than one state pair of " + declared);
            }
            if (!compatible(in, out)) {
                throw new SparqException(ErrorCode.INVALID_ARGUMENT, "state " + b + ": output " + out
                        + " cannot feed input " + in + " (element type or shape differ)");
            }
        }
        return List.copyOf(declared);
    }

    /** Whether an output of {@code out}'s declaration can be fed to {@code in}: unknown parts agree with anything. */
    static boolean compatible(ValueInfo in, ValueInfo out) {
        if (in.type() != null && out.type() != null && in.type() != out.type()) {
            return false;
        }
        if (in.shape() == null || out.shape() == null) {
            return true;
        }
        if (in.shape().size() != out.shape().size()) {
            return false;
        }
        for (int d = 0; d < in.shape().size(); d++) {
            Dim a = in.shape().get(d);
            Dim b = out.shape().get(d);
            if (a.isFixed() && b.isFixed() && a.value() != b.value()) {
                return false;
            }
        }
        return true;
    }

    /**
     * The forms of a name that pair: its words (split at separators, lower-to-upper case changes
     * and letter-digit changes, lower-cased) without role words, joined; for outputs also the name
     * without a trailing {@code n} ({@code hn} returns {@code h}).
     */
    static Set<String> keys(String name, Set<String> roles, boolean output) {
        Set<String> keys = new LinkedHashSet<>();
        addKey(keys, name, roles);
        if (output && name.length() > 1 && (name.endsWith("n") || name.endsWith("N"))) {
            addKey(keys, name.substring(0, name.length() - 1), roles);
        }
        return keys;
    }

    private static void addKey(Set<String> keys, String name, Set<String> roles) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            char prev = i == 0 ? 0 : name.charAt(i - 1);
            boolean boundary = !Character.isLetterOrDigit(c)
                    || (Character.isUpperCase(c) && Character.isLowerCase(prev))
                    || (Character.isDigit(c) != Character.isDigit(prev) && Character.isLetterOrDigit(prev));
            if (boundary && word.length() > 0) {
                words.add(word.toString().toLowerCase(Locale.ROOT));
                word.setLength(0);
            }
            if (Character.isLetterOrDigit(c)) {
                word.append(c);
            }
        }
        if (word.length() > 0) {
            words.add(word.toString().toLowerCase(Locale.ROOT));
        }
        words.removeIf(roles::contains);
        if (!words.isEmpty()) {
            keys.add(String.join("_", words));
        }
    }

    private static SparqException ambiguous(String what) {
        return new SparqException(ErrorCode.INVALID_ARGUMENT, "cannot pair the model's state inputs and outputs: "
                + what + "; declare the pairs with Streaming.of(StateBinding.of(input, output), ...)");
    }

    private static Map<String, ValueInfo> byName(List<ValueInfo> values) {
        Map<String, ValueInfo> m = new LinkedHashMap<>();
        values.forEach(v -> m.put(v.name(), v));
        return m;
    }
}
