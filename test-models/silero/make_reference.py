"""Makes the streaming reference data for the Silero VAD models in this folder.

Speech is synthesised with espeak-ng, resampled with sox, mixed with seeded Gaussian noise and
cut into the frames each model is fed, the way @ricky0123/vad-web feeds them:

- silero_vad_v5.onnx: 512 samples per call at 16 kHz (256 at 8 kHz), each preceded by the last
  64 (32) samples of the previous frame, zeros before the first; one state tensor [2, 1, 128].
- silero_vad_legacy.onnx: 1536 samples per call at 16 kHz (768 at 8 kHz); states h and c
  [2, 1, 64].

ONNX Runtime (CPU, one thread) runs every frame in order, carrying the state it returns into the
next call, and the per-call inputs and outputs are written to <model>.<rate>.npz:

  input     float32 [frames, 1, samples]   what each call is fed
  sr        int64   []                     the sample rate input
  <state>   float32 [...]                  the initial state(s), zeros
  output:<name>  float32 [frames, ...]     each call's output, stacked on a new first axis

Needs espeak-ng, sox (run with -R, so its dither repeats), numpy and onnxruntime. Run from anywhere:
    python3 test-models/silero/make_reference.py
"""

import os
import subprocess
import tempfile
import wave
import zipfile

import numpy as np
import onnxruntime as ort

HERE = os.path.dirname(os.path.abspath(__file__))
TEXT = "Voice activity detection runs on every frame. Silence follows."
SEED = 8


def speech(rate):
    """espeak-ng speech resampled to `rate` Hz mono, as float32 in [-1, 1]."""
    with tempfile.TemporaryDirectory() as tmp:
        raw = os.path.join(tmp, "speech.wav")
        out = os.path.join(tmp, "speech_%d.wav" % rate)
        subprocess.run(["espeak-ng", "-v", "en-us", "-s", "160", "-w", raw, TEXT], check=True)
        subprocess.run(["sox", "-R", raw, "-r", str(rate), "-c", "1", "-b", "16", out, "gain", "-6"], check=True)
        with wave.open(out) as w:
            pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    return pcm.astype(np.float32) / 32768.0


def stream(rate, seconds):
    """Noise, then speech over noise, then noise: `seconds` long in total."""
    rng = np.random.default_rng(SEED + rate)
    total = int(seconds * rate)
    voice = speech(rate)[: total - rate // 2]
    audio = np.zeros(total, dtype=np.float32)
    start = rate // 4
    audio[start:start + len(voice)] = voice[: total - start]
    audio += rng.normal(0.0, 0.01, total).astype(np.float32)
    return np.clip(audio, -1.0, 1.0).astype(np.float32)


def frames(audio, size, context):
    calls = []
    tail = np.zeros(context, dtype=np.float32)
    for i in range(len(audio) // size):
        frame = audio[i * size:(i + 1) * size]
        calls.append(np.concatenate([tail, frame])[None, :])
        tail = frame[len(frame) - context:] if context else tail
    return np.stack(calls).astype(np.float32)


def run(model, inputs, sr, states):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(os.path.join(HERE, model), options, providers=["CPUExecutionProvider"])
    output_names = [o.name for o in session.get_outputs()]
    state_out = {"state": "stateN", "h": "hn", "c": "cn"}
    current = dict(states)
    results = {name: [] for name in output_names}
    for x in inputs:
        feeds = {"input": x, "sr": np.array(sr, dtype=np.int64), **current}
        values = dict(zip(output_names, session.run(output_names, feeds)))
        for name in output_names:
            results[name].append(values[name])
        current = {k: values[v] for k, v in state_out.items() if k in current}
    data = {"input": inputs, "sr": np.array(sr, dtype=np.int64)}
    data.update(states)
    data.update({"output:" + k: np.stack(v).astype(np.float32) for k, v in results.items()})
    return data


def savez(path, arrays):
    """np.savez_compressed with a fixed timestamp per entry, so reruns rebuild identical files."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for key, a in arrays.items():
            with z.open(zipfile.ZipInfo(key + ".npy", date_time=(1980, 1, 1, 0, 0, 0)), "w") as f:
                np.lib.format.write_array(f, np.asanyarray(a))


def main():
    cases = [
        # model, rate, seconds, frame, context, initial states
        ("silero_vad_v5", 16000, 3.0, 512, 64, {"state": np.zeros((2, 1, 128), np.float32)}),
        ("silero_vad_v5", 8000, 1.5, 256, 32, {"state": np.zeros((2, 1, 128), np.float32)}),
        ("silero_vad_legacy", 16000, 3.0, 1536, 0,
         {"h": np.zeros((2, 1, 64), np.float32), "c": np.zeros((2, 1, 64), np.float32)}),
        ("silero_vad_legacy", 8000, 1.5, 768, 0,
         {"h": np.zeros((2, 1, 64), np.float32), "c": np.zeros((2, 1, 64), np.float32)}),
    ]
    for model, rate, seconds, size, context, states in cases:
        inputs = frames(stream(rate, seconds), size, context)
        data = run(model + ".onnx", inputs, rate, states)
        path = os.path.join(HERE, "%s.%dk.npz" % (model, rate // 1000))
        savez(path, data)
        probs = data["output:output"].reshape(-1)
        print("%s: %d calls, speech probability min %.3f max %.3f" % (path, len(inputs), probs.min(), probs.max()))


if __name__ == "__main__":
    main()
