package io.sparq.runtime.ops;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/** Operator implementations by ONNX op type (default domain). */
public final class OpRegistry {
    private final Map<String, OpFactory> factories = new TreeMap<>();

    /** Adds (or replaces) the factory for {@code opType}. */
    public OpRegistry register(String opType, OpFactory factory) {
        factories.put(opType, factory);
        return this;
    }

    /** The factory for an op of the default ONNX domain, if sparq runs it. */
    public Optional<OpFactory> lookup(String domain, String opType) {
        if (!domain.isEmpty() && !domain.equals("ai.onnx")) {
            return Optional.empty();
        }
        return Optional.ofNullable(factories.get(opType));
    }

    /** Every supported op type, sorted. */
    public Set<String> opTypes() {
        return java.util.Collections.unmodifiableSet(factories.keySet());
    }

    /** The registry with every built-in operator; built once, shared, read-only by convention. */
    public static OpRegistry standard() {
        return Standard.INSTANCE;
    }

    private static final class Standard {
        static final OpRegistry INSTANCE = build();

        private static OpRegistry build() {
            OpRegistry r = new OpRegistry();
            ElementwiseOps.register(r);
            LinearOps.register(r);
            ShapeOps.register(r);
            NnOps.register(r);
            RecurrentOps.register(r);
            ControlOps.register(r);
            return r;
        }
    }
}
