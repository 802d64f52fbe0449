"""Makes the audio for pruning Silero VAD v5 (16 kHz) and, optionally, the fine-tuning frames.

Speech is synthesised with espeak-ng (voices, texts and noise differ between the training and the
held-out audio), resampled to 16 kHz with sox and laid out as noise, speech over noise, noise,
speech over noise, noise, ... so both decisions occur often.

Committed (small, int16 PCM, read by SileroPruneTest and by the experiment):
  vad_train.audio.npz     audio int16 [samples]   training audio (white noise)
  vad_heldout.audio.npz   audio int16 [samples]   held-out audio (other voices and texts, brown noise)

With --frames DIR it also writes what `sparq convert --data` and the experiment read (not
committed, larger): the dense model (ONNX Runtime, one thread) runs each stream frame by frame with
its state carried, as an application runs it, and every frame is stored with the state it came in
with:
  DIR/train.npz     input float32 [frames, 576], state float32 [frames, 2, 128]
  DIR/heldout.npz   input float32 [frames, 1, 576] (one stream), state zeros [2, 1, 128],
                    output:output float32 [frames, 1, 1] (the dense model's speech probability)
Frames are 512 new samples preceded by the last 64 samples of the previous frame (zeros at first).

Needs espeak-ng, sox (run with -R, so its dither repeats), numpy; onnxruntime for --frames.
    python3 test-models/silero/make_vad_data.py [--frames /tmp/sparq-silero] [--minutes-train 3]
"""

import argparse
import os
import subprocess
import tempfile
import wave
import zipfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
RATE = 16000
FRAME = 512
CONTEXT = 64

TRAIN_TEXTS = [
    "The quick brown fox jumps over the lazy dog.",
    "Please call Stella and ask her to bring these things with her from the store.",
    "Six spoons of fresh snow peas, five thick slabs of blue cheese.",
    "We also need a small plastic snake and a big toy frog for the kids.",
    "She can scoop these things into three red bags, and we will go meet her.",
    "A large size in stockings is hard to sell.",
    "The birch canoe slid on the smooth planks.",
    "Glue the sheet to the dark blue background.",
]
TRAIN_VOICES = ["en-us", "en", "en+m3", "en-us+f2"]
HELDOUT_TEXTS = [
    "It is easy to tell the depth of a well.",
    "These days a chicken leg is a rare dish.",
    "Rice is often served in round bowls.",
    "The juice of lemons makes fine punch.",
    "Four hours of steady work faced us.",
]
HELDOUT_VOICES = ["en-gb-x-rp", "en+f3", "en-us+m5"]


def speech(text, voice, speed):
    """espeak-ng speech at 16 kHz mono, float32 in [-1, 1]."""
    with tempfile.TemporaryDirectory() as tmp:
        raw = os.path.join(tmp, "speech.wav")
        out = os.path.join(tmp, "speech16.wav")
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", raw, text], check=True)
        subprocess.run(["sox", "-R", raw, "-r", str(RATE), "-c", "1", "-b", "16", out, "gain", "-6"], check=True)
        with wave.open(out) as w:
            pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    return pcm.astype(np.float32) / 32768.0


def noise(rng, n, kind, level):
    if kind == "white":
        x = rng.normal(0.0, 1.0, n)
    else:   # brown: integrated white noise, high-passed by removing a running mean
        x = np.cumsum(rng.normal(0.0, 1.0, n))
        x -= np.convolve(x, np.ones(801) / 801, mode="same")
    return (level * x / (np.std(x) + 1e-9)).astype(np.float32)


def stream(texts, voices, seed, kind, seconds):
    """Alternating noise gaps and utterances over continuous noise, about `seconds` long."""
    rng = np.random.default_rng(seed)
    parts = [np.zeros(int(RATE * rng.uniform(0.5, 1.0)), np.float32)]
    i = 0
    while sum(len(p) for p in parts) < seconds * RATE:
        voice = voices[i % len(voices)]
        gain = rng.uniform(0.4, 1.0)
        parts.append(gain * speech(texts[i % len(texts)], voice, int(rng.integers(140, 190))))
        parts.append(np.zeros(int(RATE * rng.uniform(0.4, 1.5)), np.float32))
        i += 1
    audio = np.concatenate(parts)[: int(seconds * RATE)]
    audio = audio + noise(rng, len(audio), kind, rng.uniform(0.005, 0.02))
    return np.clip(audio, -1.0, 1.0)


def to_int16(audio):
    return np.round(audio * 32767).astype(np.int16)


def frames(audio):
    out = []
    tail = np.zeros(CONTEXT, np.float32)
    for i in range(len(audio) // FRAME):
        f = audio[i * FRAME:(i + 1) * FRAME]
        out.append(np.concatenate([tail, f]))
        tail = f[-CONTEXT:]
    return np.stack(out).astype(np.float32)


def run_dense(x):
    """Probabilities and incoming states of the dense model over frames x [n, 576], state carried."""
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    s = ort.InferenceSession(os.path.join(HERE, "silero_vad_v5.onnx"), options, providers=["CPUExecutionProvider"])
    state = np.zeros((2, 1, 128), np.float32)
    states, probs = [], []
    for f in x:
        states.append(state[:, 0, :])
        p, state = s.run(["output", "stateN"], {"input": f[None, :], "state": state, "sr": np.array(RATE, np.int64)})
        probs.append(p)
    return np.stack(states).astype(np.float32), np.stack(probs).astype(np.float32)


def savez(path, arrays, compressed=True):
    """npz with a fixed timestamp per entry, so reruns rebuild identical files."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED if compressed else zipfile.ZIP_STORED) as z:
        for key, a in arrays.items():
            with z.open(zipfile.ZipInfo(key + ".npy", date_time=(1980, 1, 1, 0, 0, 0)), "w") as f:
                np.lib.format.write_array(f, np.asanyarray(a))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--frames", help="also write train.npz and heldout.npz (frames with states) here")
    ap.add_argument("--train-seconds", type=float, default=120.0, help="training audio for --frames")
    ap.add_argument("--heldout-seconds", type=float, default=60.0, help="held-out audio for --frames")
    args = ap.parse_args()
    small_train = stream(TRAIN_TEXTS, TRAIN_VOICES, 101, "white", 6.0)
    small_heldout = stream(HELDOUT_TEXTS, HELDOUT_VOICES, 202, "brown", 4.0)
    savez(os.path.join(HERE, "vad_train.audio.npz"), {"audio": to_int16(small_train)})
    savez(os.path.join(HERE, "vad_heldout.audio.npz"), {"audio": to_int16(small_heldout)})
    if args.frames:
        os.makedirs(args.frames, exist_ok=True)
        train = stream(TRAIN_TEXTS, TRAIN_VOICES, 303, "white", args.train_seconds)
        heldout = stream(HELDOUT_TEXTS, HELDOUT_VOICES, 404, "brown", args.heldout_seconds)
        x = frames(to_int16(train).astype(np.float32) / 32767)
        states, probs = run_dense(x)
        savez(os.path.join(args.frames, "train.npz"), {"input": x, "state": states}, compressed=False)
        h = frames(to_int16(heldout).astype(np.float32) / 32767)
        _, hp = run_dense(h)
        savez(os.path.join(args.frames, "heldout.npz"), {"input": h[:, None, :], "state": np.zeros((2, 1, 128), np.float32),
                                                       "output:output": hp}, compressed=False)
        print("train: %d frames, %.0f %% speech; held-out: %d frames, %.0f %% speech (dense model, p > 0.5)"
              % (len(x), 100 * np.mean(probs > 0.5), len(h), 100 * np.mean(hp > 0.5)))


if __name__ == "__main__":
    main()
