package io.sparq.examples.vad;

import io.sparq.runtime.api.Model;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Streaming voice activity detection: feeds a 16 kHz mono WAV file to Silero VAD v5 (a
 * {@code .sparq} file on the class path) one 32 ms window at a time, as audio would arrive from a
 * microphone, and prints each speech segment as soon as it has ended.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp ... io.sparq.examples.vad.StreamingVad speech.wav</pre>
 */
public final class StreamingVad {
    static final String MODEL = "/silero_vad_v5.sparq";

    private StreamingVad() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: StreamingVad FILE.wav   (16 kHz, mono, 16-bit PCM)");
            System.exit(2);
        }
        Wav.Audio audio = Wav.read(Path.of(args[0]));
        if (audio.sampleRate() != SileroVad.SAMPLE_RATE) {
            System.err.printf("%s: %d Hz; this example expects %d Hz (sox in.wav -r 16000 out.wav)%n",
                    args[0], audio.sampleRate(), SileroVad.SAMPLE_RATE);
            System.exit(2);
        }
        Model model = loadModel();                    // immutable: one per application, shared by all streams
        try (SileroVad vad = new SileroVad(model)) {  // one per stream
            System.out.printf("%s: %.2f s of audio; state carried by the session: %s%n",
                    Path.of(args[0]).getFileName(), audio.seconds(), vad.states());
            segments(vad, audio.samples(), segment -> System.out.println("speech " + segment));
        }
    }

    /** Silero VAD v5 from the class path. */
    static Model loadModel() {
        try (InputStream in = StreamingVad.class.getResourceAsStream(MODEL)) {
            if (in == null) {
                throw new IllegalStateException(MODEL + " is not on the class path");
            }
            return Model.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Streams {@code samples} through {@code vad} window by window, reporting each segment when it ends. */
    static List<SpeechSegmenter.Segment> segments(SileroVad vad, float[] samples,
                                                  java.util.function.Consumer<SpeechSegmenter.Segment> onSegment) {
        SpeechSegmenter segmenter = SpeechSegmenter.sileroDefaults(SileroVad.SAMPLE_RATE, SileroVad.WINDOW);
        List<SpeechSegmenter.Segment> found = new ArrayList<>();
        for (int at = 0; at < samples.length; at += SileroVad.WINDOW) {
            float[] window = Arrays.copyOfRange(samples, at, Math.min(at + SileroVad.WINDOW, samples.length));
            Optional<SpeechSegmenter.Segment> ended = segmenter.accept(vad.probability(window));
            ended.ifPresent(found::add);
            ended.ifPresent(onSegment);
        }
        Optional<SpeechSegmenter.Segment> last = segmenter.finish(samples.length);
        last.ifPresent(found::add);
        last.ifPresent(onSegment);
        return found;
    }
}
