package io.sparq.converter.data;

import io.sparq.format.ErrorCode;
import io.sparq.format.SparqException;
import io.sparq.format.Tensor;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Reads and writes NumPy {@code .npz} archives: a zip file with one {@code <name>.npy} entry per
 * array, stored ({@code np.savez}) or deflated ({@code np.savez_compressed}). Names are given
 * without the {@code .npy} suffix, in archive order. Written archives use stored entries, as
 * {@code np.savez} does, so large arrays are not slowed down by compressing float noise.
 */
public final class Npz {
    private static final String SUFFIX = ".npy";

    private Npz() {
    }

    /** Reads every array of {@code file}, keyed by name in archive order; entry CRCs are checked. */
    public static LinkedHashMap<String, Tensor> read(Path file) {
        LinkedHashMap<String, Tensor> arrays = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            long fileSize = Files.size(file);
            for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
                ZipEntry entry = e.nextElement();
                String entryName = entry.getName();
                if (!entryName.endsWith(SUFFIX)) {
                    throw new SparqException(ErrorCode.CORRUPT_FILE, file + ": entry '" + entryName
                            + "' is not a .npy array (every entry of a .npz must end in .npy)");
                }
                String name = entryName.substring(0, entryName.length() - SUFFIX.length());
                String where = file + ", array '" + name + "'";
                if (arrays.containsKey(name)) {
                    throw new SparqException(ErrorCode.CORRUPT_FILE, where + ": appears twice in the archive");
                }
                CRC32 crc = new CRC32();
                try (InputStream in = new CheckedInputStream(
                        new BufferedInputStream(zip.getInputStream(entry), 1 << 16), crc)) {
                    // a stored entry's bytes are in the file; a deflated entry's size is only what the archive claims
                    boolean sizeIsReal = entry.getMethod() == ZipEntry.STORED && entry.getSize() <= fileSize;
                    arrays.put(name, Npy.read(in, where, entry.getSize(), sizeIsReal));
                } catch (IOException ex) {
                    throw Npy.failure(where, ex);
                }
                if (entry.getCrc() != -1 && crc.getValue() != entry.getCrc()) {
                    throw new SparqException(ErrorCode.CORRUPT_FILE, where + ": CRC-32 is "
                            + Long.toHexString(crc.getValue()) + ", the archive says " + Long.toHexString(entry.getCrc()));
                }
            }
        } catch (ZipException e) {
            throw new SparqException(ErrorCode.CORRUPT_FILE, file + ": not a readable .npz (zip) archive: "
                    + e.getMessage(), e);
        } catch (IOException e) {
            throw Npy.failure(file.toString(), e);
        }
        return arrays;
    }

    /**
     * Writes {@code arrays} as a {@code .npz} that {@code np.load} reads, atomically: the archive is
     * built in a temporary sibling and moved over {@code file} only once complete.
     */
    public static void write(Path file, Map<String, Tensor> arrays) {
        for (Map.Entry<String, Tensor> a : arrays.entrySet()) {
            if (a.getKey() == null || a.getKey().isEmpty() || a.getValue() == null) {
                throw new SparqException(ErrorCode.INVALID_ARGUMENT, file + ": array names must be non-empty and "
                        + "arrays non-null, got '" + a.getKey() + "' -> " + a.getValue());
            }
        }
        AtomicFiles.write(file, out -> {
            ZipOutputStream zip = new ZipOutputStream(out);
            for (Map.Entry<String, Tensor> a : arrays.entrySet()) {
                Tensor tensor = a.getValue();
                // stored entries need their size and CRC before the data: one extra pass computes the CRC
                CRC32 crc = new CRC32();
                Npy.writeTo(new CheckedOutputStream(OutputStream.nullOutputStream(), crc), tensor);
                ZipEntry entry = new ZipEntry(a.getKey() + SUFFIX);
                entry.setMethod(ZipEntry.STORED);
                entry.setSize(Npy.byteSize(tensor));
                entry.setCompressedSize(Npy.byteSize(tensor));
                entry.setCrc(crc.getValue());
                zip.putNextEntry(entry);
                Npy.writeTo(zip, tensor);
                zip.closeEntry();
            }
            zip.finish();
        });
    }
}
