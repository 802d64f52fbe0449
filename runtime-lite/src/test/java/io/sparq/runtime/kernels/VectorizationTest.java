package io.sparq.runtime.kernels;

import io.sparq.runtime.kernels.simd.VectorKernels;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one-time choice between scalar and vector kernels. */
class VectorizationTest {
    @Test
    void propertyScalarSelectsTheScalarKernelsEvenWithTheVectorModule() {
        List<String> notices = new ArrayList<>();
        assertInstanceOf(ScalarKernels.class, Vectorization.choose("scalar", true, notices::add));
        assertEquals(List.of(), notices);
    }

    @Test
    void missingModuleFallsBackToScalarAndNamesTheFlag() {
        for (String requested : new String[] {null, "vector"}) {
            List<String> notices = new ArrayList<>();
            assertInstanceOf(ScalarKernels.class, Vectorization.choose(requested, false, notices::add));
            assertEquals(1, notices.size());
            assertTrue(notices.get(0).contains("--add-modules jdk.incubator.vector"), notices.get(0));
        }
    }

    @Test
    void vectorKernelsAreChosenWhenTheModuleIsEnabled() {
        // the build runs tests with --add-modules jdk.incubator.vector (root pom, surefire argLine)
        assertTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent());
        List<String> notices = new ArrayList<>();
        Kernels chosen = Vectorization.choose(null, true, notices::add);
        assertInstanceOf(VectorKernels.class, chosen);
        assertEquals(List.of(), notices);
        assertInstanceOf(VectorKernels.class, Vectorization.kernels());
        assertFalse(chosen instanceof ScalarKernels);
    }

    @Test
    void unknownChoiceIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Vectorization.choose("avx", true, s -> { }));
        assertTrue(e.getMessage().contains("sparq.kernels=avx"), e.getMessage());
    }
}
