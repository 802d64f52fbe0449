package io.sparq.examples.vad;

import io.sparq.runtime.api.Model;
import io.sparq.runtime.api.StateBinding;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The example on its bundled recording. {@code audio/speech.wav} is two synthesized sentences
 * between stretches of digital silence (see the README); its samples exceed 1 % of full scale from
 * 0.81 s to 2.93 s and from 4.30 s to 5.43 s, and nowhere else. The detector must find exactly
 * those two stretches.
 */
class StreamingVadTest {
    /** Seconds; a window is 32 ms, padding adds 30 ms on each side, and speech fades in and out. */
    private static final double SLACK = 0.15;

    @Test
    void findsTheTwoSpokenSentences() throws Exception {
        Wav.Audio audio = Wav.read(Path.of("audio/speech.wav"));
        assertEquals(16_000, audio.sampleRate());
        Model model = StreamingVad.loadModel();
        try (SileroVad vad = new SileroVad(model)) {
            assertEquals(List.of(StateBinding.of("state", "stateN")), vad.states());
            List<SpeechSegmenter.Segment> first = StreamingVad.segments(vad, audio.samples(), s -> { });
            assertEquals(2, first.size(), "segments " + first);
            assertNear(0.81, first.get(0).start(), "first start");
            assertNear(2.93, first.get(0).end(), "first end");
            assertNear(4.30, first.get(1).start(), "second start");
            assertNear(5.43, first.get(1).end(), "second end");
            vad.reset();
            assertEquals(first, StreamingVad.segments(vad, audio.samples(), s -> { }), "the stream again after reset()");
        }
    }

    private static void assertNear(double expected, double actual, String what) {
        assertTrue(Math.abs(expected - actual) <= SLACK, what + ": " + actual + " s, expected " + expected + " s ± " + SLACK);
    }
}
