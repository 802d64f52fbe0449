package io.sparq.format.codec;

import com.code_intelligence.jazzer.junit.FuzzTest;
/**
 * Coverage-guided fuzzing of {@link SparqReader}: whatever the bytes, reading either succeeds or
 * throws the documented {@link FormatException}; no other exception, no OutOfMemoryError, no hang.
 *
 * <p>{@code mvn verify} replays the inputs in {@code SparqReaderFuzzTestInputs/} (the golden files
 * and every input that once failed) and then fuzzes for a few seconds in its own JVM; see
 * docs/robustness.md for the longer run.
 */
class SparqReaderFuzzTest {
    private static final long MAX_DECODED_ELEMENTS = 1 << 22;

    @FuzzTest(maxDuration = "10s")
    void readsOrRejects(byte[] data) {
        readOrReject(data);
        // random bytes almost never carry valid CRC32Cs; repaired ones reach the structure checks
        readOrReject(FileSurgery.fixCrcs(data.clone()));
    }

    private static void readOrReject(byte[] bytes) {
        SparqFile file;
        try {
            file = SparqReader.read(bytes);
        } catch (FormatException rejected) {
            return;
        }
        // an accepted file's tensors decode; sparse ones only up to a size a test heap holds, since a
        // few bytes of CSR may legitimately stand for a dense tensor of SparqFormat.MAX_ELEMENTS
        for (EncodedTensor t : file.tensors().values()) {
            if (t.layout().elements() <= MAX_DECODED_ELEMENTS) {
                t.toDense();
            }
        }
    }
}
