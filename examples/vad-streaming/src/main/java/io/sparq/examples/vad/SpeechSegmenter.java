package io.sparq.examples.vad;

import java.util.Optional;

/**
 * Turns a stream of per-window speech probabilities into speech segments, as Silero's
 * {@code get_speech_timestamps} does, but as the windows arrive: speech starts at the first window
 * at or above {@code threshold}, and ends where the probability fell below {@code negThreshold}
 * once it has stayed below for {@code minSilence}; segments shorter than {@code minSpeech} are
 * dropped, and each is widened by {@code pad} on both sides (not into the previous one).
 * All times are in samples.
 */
final class SpeechSegmenter {
    /** One stretch of speech, in seconds from the start of the stream. */
    record Segment(double start, double end) {
        @Override
        public String toString() {
            return String.format("%.2f s - %.2f s", start, end);
        }
    }

    /** Silero's defaults: threshold 0.5, negative threshold 0.35, 250 ms speech, 100 ms silence, 30 ms pad. */
    static SpeechSegmenter sileroDefaults(int sampleRate, int window) {
        return new SpeechSegmenter(sampleRate, window, 0.5f, 0.35f, sampleRate / 4, sampleRate / 10, sampleRate * 3 / 100);
    }

    private final int sampleRate;
    private final int window;
    private final float threshold;
    private final float negThreshold;
    private final int minSpeech;
    private final int minSilence;
    private final int pad;

    private long position;          // first sample of the next window
    private boolean speaking;
    private long start;             // of the current speech
    private long silenceFrom = -1;  // where the probability fell below negThreshold during speech, or -1
    private long lastEnd;           // end of the last segment reported, padding included

    SpeechSegmenter(int sampleRate, int window, float threshold, float negThreshold, int minSpeech, int minSilence,
                    int pad) {
        this.sampleRate = sampleRate;
        this.window = window;
        this.threshold = threshold;
        this.negThreshold = negThreshold;
        this.minSpeech = minSpeech;
        this.minSilence = minSilence;
        this.pad = pad;
    }

    /** Takes the next window's probability; returns the segment it ends, if any. */
    Optional<Segment> accept(float probability) {
        long at = position;
        position += window;
        if (probability >= threshold) {
            silenceFrom = -1;
            if (!speaking) {
                speaking = true;
                start = at;
            }
            return Optional.empty();
        }
        if (!speaking || probability >= negThreshold) {
            return Optional.empty();                 // between the thresholds nothing changes
        }
        if (silenceFrom < 0) {
            silenceFrom = at;
        }
        if (at - silenceFrom < minSilence) {
            return Optional.empty();
        }
        speaking = false;
        long end = silenceFrom;
        silenceFrom = -1;
        return segment(start, end, Long.MAX_VALUE);
    }

    /** Ends the stream after {@code samples} samples; returns the speech still open, if any. */
    Optional<Segment> finish(long samples) {
        if (!speaking) {
            return Optional.empty();
        }
        speaking = false;
        silenceFrom = -1;
        return segment(start, samples, samples);
    }

    private Optional<Segment> segment(long from, long to, long limit) {
        if (to - from < minSpeech) {
            return Optional.empty();
        }
        long s = Math.max(from - pad, lastEnd);
        long e = Math.min(to + pad, limit);
        lastEnd = e;
        return Optional.of(new Segment((double) s / sampleRate, (double) e / sampleRate));
    }
}
