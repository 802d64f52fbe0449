"""Streams held-out frames through a specialized Silero VAD v5 ONNX model (inputs `input`, `state`;
no `sr`) with its own state carried, and compares each frame's speech probability with the dense
model's recorded in the held-out file: decision agreement (p > 0.5) and max / mean |delta p|.
    python3 eval_vad.py MODEL.onnx HELDOUT.npz
prints: agreement max_abs mean_abs
"""
import sys

import numpy as np
import onnxruntime as ort


def main(model, heldout):
    d = np.load(heldout)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    s = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
    names = [i.name for i in s.get_inputs()]
    state = d["state"]
    probs = []
    for x in d["input"]:
        feeds = {"input": x, "state": state}
        if "sr" in names:
            feeds["sr"] = np.array(16000, np.int64)
        p, state = s.run(["output", "stateN"], feeds)
        probs.append(p.reshape(-1)[0])
    p = np.array(probs)
    ref = d["output:output"].reshape(-1)
    print("%.4f %.4f %.4f" % (np.mean((p > 0.5) == (ref > 0.5)), np.max(np.abs(p - ref)), np.mean(np.abs(p - ref))))


if __name__ == "__main__":
    main(*sys.argv[1:])
