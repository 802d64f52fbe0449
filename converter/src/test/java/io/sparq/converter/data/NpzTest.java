package io.sparq.converter.data;

import io.sparq.format.DataType;
import io.sparq.format.ErrorCode;
import io.sparq.format.SparqException;
import io.sparq.format.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import static io.sparq.converter.data.Fixtures.assertSameTensor;
import static io.sparq.converter.data.Fixtures.expected;
import static io.sparq.converter.data.Fixtures.file;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reads archives np.savez / np.savez_compressed wrote, round trips, writes atomically, rejects bad archives. */
class NpzTest {
    @ParameterizedTest
    @ValueSource(strings = {"savez.npz", "savez_compressed.npz"})
    void readsNumpyArchives(String name) {
        LinkedHashMap<String, Tensor> arrays = Npz.read(file(name));
        assertEquals(List.of("x", "lengths", "mask", "scalar", "output:y"), List.copyOf(arrays.keySet()));
        assertSameTensor(expected("f4"), arrays.get("x"));
        assertSameTensor(expected("i8"), arrays.get("lengths"));
        assertSameTensor(expected("b1"), arrays.get("mask"));
        assertSameTensor(Tensor.scalar(2.5f), arrays.get("scalar"));
        assertSameTensor(expected("f8"), arrays.get("output:y"));
    }

    @Test
    void archivesUseTheEntryMethodsNumpyUses() throws IOException {
        try (ZipFile stored = new ZipFile(file("savez.npz").toFile());
             ZipFile deflated = new ZipFile(file("savez_compressed.npz").toFile())) {
            assertEquals(ZipEntry.STORED, stored.getEntry("x.npy").getMethod());
            assertEquals(ZipEntry.DEFLATED, deflated.getEntry("x.npy").getMethod());
        }
    }

    @Test
    void roundTripsInOrderWithStoredEntries(@TempDir Path dir) throws IOException {
        Random random = new Random(7);
        Map<String, Tensor> arrays = new LinkedHashMap<>();
        for (DataType type : DataType.values()) {
            arrays.put("t_" + type.displayName(), NpyTest.randomTensor(type, new int[] {3, 1 + type.ordinal()}, random));
        }
        arrays.put("output:scalar", Tensor.scalar(1.5f));
        arrays.put("empty", Tensor.zeros(DataType.FLOAT32, new int[] {0, 4}));
        Path f = dir.resolve("round.npz");
        Npz.write(f, arrays);
        LinkedHashMap<String, Tensor> back = Npz.read(f);
        assertEquals(List.copyOf(arrays.keySet()), List.copyOf(back.keySet()));
        arrays.forEach((name, t) -> assertSameTensor(t, back.get(name)));
        try (ZipFile zip = new ZipFile(f.toFile())) {
            assertTrue(zip.stream().allMatch(e -> e.getMethod() == ZipEntry.STORED && e.getName().endsWith(".npy")));
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(f), files.toList(), "only the archive is left in the folder");
        }
    }

    @Test
    void failedWriteKeepsTheOldFileAndLeavesNoTemporary(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("data.npz");
        Files.writeString(f, "old content");
        SparqException e = assertThrows(SparqException.class, () -> AtomicFiles.write(f, out -> {
            out.write(new byte[1000]);
            throw new IOException("disk full");
        }));
        assertEquals(ErrorCode.IO_ERROR, e.code());
        assertTrue(e.getMessage().contains("data.npz") && e.getMessage().contains("disk full"), e.getMessage());
        assertEquals("old content", Files.readString(f));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(f), files.toList());
        }
        Map<String, Tensor> badName = new LinkedHashMap<>();
        badName.put("", Tensor.scalar(1f));
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(SparqException.class, () -> Npz.write(f, badName)).code());
        SparqException noFolder = assertThrows(SparqException.class,
                () -> Npz.write(dir.resolve("absent/x.npz"), Map.of("a", Tensor.scalar(1f))));
        assertEquals(ErrorCode.IO_ERROR, noFolder.code());
        assertEquals("old content", Files.readString(f));
    }

    @Test
    void rejectsFilesThatAreNotArchives(@TempDir Path dir) throws IOException {
        Path notZip = dir.resolve("plain.npz");
        Files.write(notZip, Files.readAllBytes(file("f4.npy")));
        assertCorrupt(() -> Npz.read(notZip), "plain.npz", "not a readable");
        byte[] whole = Files.readAllBytes(file("savez.npz"));
        Path cut = dir.resolve("cut.npz");
        Files.write(cut, Arrays.copyOf(whole, whole.length / 2));
        assertCorrupt(() -> Npz.read(cut), "cut.npz", "");
        SparqException missing = assertThrows(SparqException.class, () -> Npz.read(dir.resolve("absent.npz")));
        assertEquals(ErrorCode.IO_ERROR, missing.code());
    }

    @Test
    void namesTheArrayWhoseDataIsDamaged(@TempDir Path dir) throws IOException {
        byte[] bytes = Files.readAllBytes(file("savez.npz"));
        // flip one data byte of the stored 'mask' entry: header intact, CRC no longer matches
        int at = indexOf(bytes, "mask.npy".getBytes(StandardCharsets.US_ASCII)) + "mask.npy".length() + 20 + 128 + 3;
        bytes[at] ^= 1;
        Path f = dir.resolve("flipped.npz");
        Files.write(f, bytes);
        assertCorrupt(() -> Npz.read(f), "flipped.npz, array 'mask'", "CRC-32");

        Path lying = dir.resolve("lying.npz");
        writeZip(lying, "x.npy", NpyTest.npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000,), }",
                new byte[8]));
        assertCorrupt(() -> Npz.read(lying), "lying.npz, array 'x'", "4000000000 data bytes");

        Path other = dir.resolve("other.npz");
        writeZip(other, "notes.txt", new byte[] {1});
        assertCorrupt(() -> Npz.read(other), "other.npz", "entry 'notes.txt' is not a .npy array");
    }

    @Test
    void unsupportedDtypeNamesFileAndArray(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("complex.npz");
        writeZip(f, "z.npy", Files.readAllBytes(file("unsupported_c8.npy")));
        SparqException e = assertThrows(SparqException.class, () -> Npz.read(f));
        assertEquals(ErrorCode.UNSUPPORTED_MODEL, e.code());
        assertTrue(e.getMessage().contains("complex.npz, array 'z'") && e.getMessage().contains("<c8"), e.getMessage());
    }

    @Test
    void emptyArchiveHasNoArrays(@TempDir Path dir) {
        Path f = dir.resolve("empty.npz");
        Npz.write(f, Map.of());
        assertTrue(Npz.read(f).isEmpty());
    }

    private static void writeZip(Path f, String entryName, byte[] content) throws IOException {
        try (OutputStream out = Files.newOutputStream(f); ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry(entryName));
            zip.write(content);
            zip.closeEntry();
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        throw new AssertionError("not found");
    }

    private static void assertCorrupt(org.junit.jupiter.api.function.Executable call, String name, String detail) {
        SparqException e = assertThrows(SparqException.class, call);
        assertEquals(ErrorCode.CORRUPT_FILE, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains(name) && e.getMessage().contains(detail), e.getMessage());
    }

    /**
     * A deflated entry whose archive directory claims 1.6 GB: the claim is not memory to allocate
     * up front. The array fails as truncated, having allocated about what the entry really holds.
     */
    @Test
    void deflatedEntryClaimingMoreThanItHoldsIsRejectedWithoutAllocatingTheClaim(@TempDir Path dir) throws IOException {
        int claimed = 400_000_000;
        byte[] npy = NpyTest.npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (" + claimed + ",), }",
                new byte[64]);
        Path file = dir.resolve("claims.npz");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            zip.putNextEntry(new ZipEntry("x.npy"));      // deflated, sizes written after the data
            zip.write(npy);
            zip.closeEntry();
        }
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int central = -1;
        for (int i = bytes.length - 4; i >= 0 && central < 0; i--) {
            central = b.getInt(i) == 0x02014b50 ? i : -1;                  // central directory header
        }
        b.putInt(central + 24, npy.length - 64 + claimed * 4);             // its uncompressed size
        Files.write(file, bytes);

        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        SparqException e = assertThrows(SparqException.class, () -> Npz.read(file));
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertEquals(ErrorCode.CORRUPT_FILE, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        assertTrue(allocated < 64 << 20, "allocated " + allocated + " bytes reading a " + bytes.length + "-byte archive");
    }
}
