package io.sparq.examples.vad;

import io.sparq.format.Tensor;
import io.sparq.runtime.api.Model;
import io.sparq.runtime.api.Session;
import io.sparq.runtime.api.StateBinding;
import io.sparq.runtime.api.Streaming;

import java.util.Arrays;
import java.util.List;

/**
 * Silero VAD v5 on one audio stream: one speech probability per 512-sample window of 16 kHz audio
 * (32 ms). Not thread-safe, like the {@link Session} it holds; make one per stream.
 */
final class SileroVad implements AutoCloseable {
    static final int SAMPLE_RATE = 16_000;
    static final int WINDOW = 512;
    /** v5 sees the last 64 samples of the previous window in front of each window (zeros at first). */
    private static final int CONTEXT = 64;

    private final Session session;
    private final float[] context = new float[CONTEXT];

    /**
     * The session carries the model's recurrent state ({@code state} in, {@code stateN} out)
     * from window to window and feeds the fixed sample rate; only the audio goes in per step.
     */
    SileroVad(Model model) {
        this.session = model.newSession(Streaming.detect().fix("sr", Tensor.scalar((long) SAMPLE_RATE)));
    }

    /** The state pairs the session found in the model. */
    List<StateBinding> states() {
        return session.stateBindings();
    }

    /** The probability that {@code window} (512 samples, fewer at the end of a stream) holds speech. */
    float probability(float[] window) {
        float[] input = new float[CONTEXT + WINDOW];          // input float32 [1, 576]
        System.arraycopy(context, 0, input, 0, CONTEXT);
        System.arraycopy(window, 0, input, CONTEXT, Math.min(window.length, WINDOW));
        System.arraycopy(input, input.length - CONTEXT, context, 0, CONTEXT);
        Tensor out = session.step(Tensor.ofFloats(new int[] {1, input.length}, input)).get("output");
        return out.floats()[0];                               // output float32 [1, 1]
    }

    /** Starts a new stream: state and context back to zeros. */
    void reset() {
        session.reset();
        Arrays.fill(context, 0f);
    }

    @Override
    public void close() {
        session.close();
    }
}
