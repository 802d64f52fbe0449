package io.sparq.runtime.kernels;

import java.util.function.Consumer;

/**
 * Picks the {@link Kernels} once per JVM: the Vector API kernels ({@code kernels.simd}) when the
 * {@code jdk.incubator.vector} module is enabled ({@code java --add-modules jdk.incubator.vector}),
 * else the scalar ones, with a one-time warning naming that flag. The system property
 * {@code sparq.kernels=scalar|vector} forces a choice.
 *
 * <p>The SIMD classes are loaded by name only after the module is found, so the runtime links and
 * runs without it.
 */
public final class Vectorization {
    /** The flag that enables the SIMD kernels, as named in the fallback warning. */
    public static final String ENABLE_FLAG = "--add-modules jdk.incubator.vector";
    private static final String SIMD_CLASS = "io.sparq.runtime.kernels.simd.VectorKernels";
    private static final System.Logger LOG = System.getLogger(Vectorization.class.getName());
    private static final Kernels KERNELS = choose(System.getProperty("sparq.kernels"),
            ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(),
            notice -> LOG.log(System.Logger.Level.WARNING, notice));

    static {
        LOG.log(System.Logger.Level.DEBUG, "sparq kernels: {0}", KERNELS);
    }

    private Vectorization() {
    }

    /** The kernels of the current {@link KernelScope}, else those chosen at start-up. */
    public static Kernels kernels() {
        Kernels scoped = KernelScope.currentKernels();
        return scoped != null ? scoped : KERNELS;
    }

    /**
     * The kernels for {@code "scalar"} or {@code "vector"} (the Vector API kernels when this JVM
     * has the module and the CPU a vector unit, else the scalar ones, with the fallback notice
     * logged once per call).
     */
    public static Kernels named(String requested) {
        return choose(requested, ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(),
                notice -> LOG.log(System.Logger.Level.WARNING, notice));
    }

    /**
     * The kernels for a requested implementation ({@code "scalar"}, {@code "vector"} or null for the
     * best available) given whether the Vector API module is present; {@code notice} receives the
     * one message explaining a fallback to scalar code.
     */
    static Kernels choose(String requested, boolean vectorModule, Consumer<String> notice) {
        if (requested != null && !requested.equals("scalar") && !requested.equals("vector")) {
            throw new IllegalArgumentException("sparq.kernels=" + requested + ", expected scalar or vector");
        }
        if ("scalar".equals(requested)) {
            return new ScalarKernels();
        }
        if (!vectorModule) {
            notice.accept("sparq: SIMD kernels are off because the Vector API module is not enabled; "
                    + "run java with " + ENABLE_FLAG + " for faster inference");
            return new ScalarKernels();
        }
        Kernels vector = loadVectorKernels();
        if (vector == null) {
            notice.accept("sparq: SIMD kernels are off: this CPU has no vector unit of at least 128 bits");
            return new ScalarKernels();
        }
        return vector;
    }

    private static Kernels loadVectorKernels() {
        try {
            return (Kernels) Class.forName(SIMD_CLASS).getMethod("preferred").invoke(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalStateException("cannot load the SIMD kernels " + SIMD_CLASS, e);
        }
    }
}
