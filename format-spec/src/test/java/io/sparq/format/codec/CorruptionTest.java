package io.sparq.format.codec;

import io.sparq.format.ErrorCode;
import io.sparq.format.Graph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Damaged golden files: a changed byte anywhere, or a cut at any length, is rejected with
 * {@code CORRUPT_FILE} (never another exception, never an out-of-memory error). With the CRCs
 * repaired after the change, the structural checks alone must still either reject the file
 * cleanly or yield a file whose every tensor decodes.
 */
class CorruptionTest {
    private static final int[] MASKS = {0x01, 0x80, 0xFF};

    static List<String> files() {
        return GoldenFiles.cases().stream().map(GoldenFiles.Case::file).toList();
    }

    private static void assertRejected(byte[] bytes, String what) {
        try {
            SparqReader.read(bytes);
        } catch (FormatException e) {
            assertEquals(ErrorCode.CORRUPT_FILE, e.code());
            assertTrue(e.getMessage().contains(" at byte "), e.getMessage());
            return;
        } catch (Throwable t) {
            throw new AssertionError(what + " threw " + t, t);
        }
        fail(what + " was accepted");
    }

    @ParameterizedTest
    @MethodSource("files")
    void everyChangedByteIsRejected(String name) {
        byte[] good = GoldenFileTest.golden(name);
        for (int i = 0; i < good.length; i++) {
            for (int mask : MASKS) {
                byte[] bad = good.clone();
                bad[i] ^= (byte) mask;
                assertRejected(bad, name + " byte " + i + " ^ 0x" + Integer.toHexString(mask));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("files")
    void everyTruncationAndExtensionIsRejected(String name) {
        byte[] good = GoldenFileTest.golden(name);
        for (int length = 0; length < good.length; length++) {
            assertRejected(Arrays.copyOf(good, length), name + " cut to " + length + " bytes");
        }
        assertRejected(Arrays.copyOf(good, good.length + 1), name + " with one byte appended");
        assertRejected(Arrays.copyOf(good, good.length + 64), name + " with 64 bytes appended");
    }

    @ParameterizedTest
    @MethodSource("files")
    void changesBehindRepairedChecksumsAreRejectedOrDecodeCleanly(String name) {
        byte[] good = GoldenFileTest.golden(name);
        int rejected = 0;
        int total = 0;
        for (int i = 0; i < good.length; i++) {
            for (int mask : MASKS) {
                byte[] bad = good.clone();
                bad[i] ^= (byte) mask;
                FileSurgery.fixCrcs(bad);
                String what = name + " byte " + i + " ^ 0x" + Integer.toHexString(mask) + " (CRCs repaired)";
                total++;
                try {
                    SparqFile file = SparqReader.read(bad);
                    // a changed dimension of a sparse tensor may declare a huge (valid) dense size: decode only small ones
                    long elements = file.tensors().values().stream().mapToLong(t -> t.layout().elements()).sum();
                    if (elements <= 1 << 22) {
                        Graph dense = file.denseGraph();
                        assertTrue(file.tensors().keySet().containsAll(dense.initializers().keySet()), what);
                    }
                } catch (FormatException e) {
                    assertEquals(ErrorCode.CORRUPT_FILE, e.code());
                    rejected++;
                } catch (Throwable t) {
                    throw new AssertionError(what + " threw " + t, t);
                }
            }
        }
        // most bytes are structure: lengths, codes, names, offsets; only values may change freely
        assertTrue(rejected > total / 3, name + ": only " + rejected + " of " + total + " changes were rejected");
    }
}
