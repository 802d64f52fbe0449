package io.sparq.format.codec;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The value names one graph defines and uses, for the name rules both the writer and the reader
 * enforce: a value is defined once per graph, non-empty node names are unique per graph, and every
 * used name is defined by this graph or an enclosing one (in any order, so graphs need not be
 * topologically sorted).
 */
final class Scope {
    private final Scope parent;
    private final Set<String> defined = new HashSet<>();
    private final Set<String> nodeNames = new HashSet<>();
    private final Map<String, Long> uses = new LinkedHashMap<>();

    Scope(Scope parent) {
        this.parent = parent;
    }

    /** False when the name is already defined in this graph. */
    boolean define(String value) {
        return defined.add(value);
    }

    /** False when a node of this graph already has this (non-empty) name. */
    boolean addNode(String nodeName) {
        return nodeName.isEmpty() || nodeNames.add(nodeName);
    }

    /** Records a use of a value name (empty names mark omitted optional inputs and are ignored). */
    void use(String value, long offset) {
        if (!value.isEmpty()) {
            uses.putIfAbsent(value, offset);
        }
    }

    /**
     * Ends the graph: uses it does not define pass to the enclosing graph; for the main graph the
     * first name nothing defines is returned (with the offset of its first use), or null.
     */
    Map.Entry<String, Long> close() {
        for (Map.Entry<String, Long> use : uses.entrySet()) {
            if (!defined.contains(use.getKey())) {
                if (parent == null) {
                    return use;
                }
                parent.use(use.getKey(), use.getValue());
            }
        }
        return null;
    }
}
