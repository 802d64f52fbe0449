package io.sparq.examples.vad;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads mono 16-bit PCM WAV files: the one format this example needs, nothing more. */
final class Wav {
    private static final int PCM = 1;
    private static final int EXTENSIBLE = 0xFFFE;

    private Wav() {
    }

    /** Samples scaled to [-1, 1) and their sample rate. */
    record Audio(int sampleRate, float[] samples) {
        double seconds() {
            return (double) samples.length / sampleRate;
        }
    }

    /**
     * Reads a RIFF/WAVE file: a {@code fmt } chunk of PCM (or extensible PCM), one channel,
     * 16 bits per sample, then a {@code data} chunk; other chunks are skipped.
     */
    static Audio read(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() < 12 || b.getInt(0) != fourCc("RIFF") || b.getInt(8) != fourCc("WAVE")) {
            throw new IOException(file + ": not a RIFF/WAVE file");
        }
        b.position(12);
        int sampleRate = -1;
        while (b.remaining() >= 8) {
            int id = b.getInt();
            int size = b.getInt();
            if (size < 0 || size > b.remaining()) {
                throw new IOException(file + ": chunk at offset " + (b.position() - 8) + " claims " + size
                        + " bytes, " + b.remaining() + " remain");
            }
            int body = b.position();
            if (id == fourCc("fmt ")) {
                int format = Short.toUnsignedInt(b.getShort());
                int channels = b.getShort();
                sampleRate = b.getInt();
                b.position(body + 14);
                int bits = b.getShort();
                if ((format != PCM && format != EXTENSIBLE) || channels != 1 || bits != 16) {
                    throw new IOException(file + ": format " + format + ", " + channels + " channel(s), " + bits
                            + " bits per sample; expected PCM (1), 1 channel, 16 bits (sox in.wav -c 1 -b 16 out.wav)");
                }
            } else if (id == fourCc("data")) {
                if (sampleRate < 0) {
                    throw new IOException(file + ": data chunk before the fmt chunk");
                }
                float[] samples = new float[size / 2];
                for (int i = 0; i < samples.length; i++) {
                    samples[i] = b.getShort() / 32768f;
                }
                return new Audio(sampleRate, samples);
            }
            b.position(body + size + (size & 1));      // chunks are padded to an even size
        }
        throw new IOException(file + ": no data chunk");
    }

    private static int fourCc(String id) {
        return id.charAt(0) | id.charAt(1) << 8 | id.charAt(2) << 16 | id.charAt(3) << 24;
    }
}
