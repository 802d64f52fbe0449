"""Builds the small dense test models in models/ and their reference data.

Run from anywhere:  python3 test-models/make_models.py
Needs torch (CPU), onnx and onnxruntime; it was last run with torch 2.13, onnx 1.23.1,
onnxruntime 1.30 and numpy 2.4.

For every model NAME it writes
  models/NAME.onnx  exported with the TorchScript exporter (dynamo=False), opset 17, with
                    dynamic axes named "batch" and "seq" (the only symbolic dims used)
  models/NAME.npz   reference inputs keyed by graph input name, and the onnxruntime (CPU)
                    outputs for them keyed "output:" + graph output name
Seeds are fixed, so a rerun rebuilds the same weights and inputs.
"""
import os
import warnings
import zipfile

import numpy as np
import onnx
import onnxruntime as ort
import torch
from torch import nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "models")
OPSET = 17
BATCH, SEQ = 3, 5          # the reference input
OTHER_BATCH, OTHER_SEQ = 2, 7  # checked here too, so the exported dynamic axes are known to work

# The legacy exporter is chosen on purpose, and its advice to export with batch 1 does not apply:
# the initial states are built from Shape(x), and other batch sizes are checked below.
warnings.filterwarnings("ignore", message=".*legacy TorchScript-based ONNX export.*")
warnings.filterwarnings("ignore", message=".*batch_size other than 1.*")


class LstmStack2Bidir(nn.Module):
    """Sequence-first, 2 stacked bidirectional LSTM layers, linear head per step."""

    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(8, 16, num_layers=2, bidirectional=True)
        self.head = nn.Linear(32, 4)

    def forward(self, x):                      # x: (seq, batch, 8)
        y, _ = self.rnn(x)
        return self.head(y)                    # (seq, batch, 4)


class LstmBatchFirstLogSoftmax(nn.Module):
    """Batch-first, 2 stacked bidirectional LSTM layers, log-softmax over 6 classes per step."""

    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(8, 24, num_layers=2, batch_first=True, bidirectional=True)
        self.head = nn.Linear(48, 6)

    def forward(self, x):                      # x: (batch, seq, 8)
        y, _ = self.rnn(x)
        return torch.log_softmax(self.head(y), dim=-1)


class GruBidirSoftmax(nn.Module):
    """Batch-first bidirectional GRU, softmax over 5 classes per step."""

    def __init__(self):
        super().__init__()
        self.rnn = nn.GRU(10, 20, batch_first=True, bidirectional=True)
        self.head = nn.Linear(40, 5)

    def forward(self, x):                      # x: (batch, seq, 10)
        y, _ = self.rnn(x)
        return torch.softmax(self.head(y), dim=-1)


class RnnTanhStack2(nn.Module):
    """Sequence-first 2-layer tanh RNN; returns the per-step sigmoid head and the final hidden state."""

    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(6, 16, num_layers=2, nonlinearity="tanh")
        self.head = nn.Linear(16, 3)

    def forward(self, x):                      # x: (seq, batch, 6)
        y, h = self.rnn(x)
        return torch.sigmoid(self.head(y)), h  # (seq, batch, 3), (2, batch, 16)


class RnnReluBidir(nn.Module):
    """Batch-first bidirectional ReLU RNN with a linear head."""

    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(6, 16, nonlinearity="relu", batch_first=True, bidirectional=True)
        self.head = nn.Linear(32, 3)

    def forward(self, x):                      # x: (batch, seq, 6)
        y, _ = self.rnn(x)
        return self.head(y)


class CharLm(nn.Module):
    """Tiny character LM: int64 tokens -> Embedding -> LSTM -> Linear -> log-softmax over the vocabulary."""

    VOCAB = 40

    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(self.VOCAB, 16)
        self.rnn = nn.LSTM(16, 32, batch_first=True)
        self.head = nn.Linear(32, self.VOCAB)

    def forward(self, tokens):                 # tokens: (batch, seq) int64
        y, _ = self.rnn(self.embed(tokens))
        return torch.log_softmax(self.head(y), dim=-1)


class ConvGru(nn.Module):
    """Conv1d + ReLU front-end over (batch, channels, time), then a GRU and a tanh head per step."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(8, 16, kernel_size=3, padding=1)
        self.rnn = nn.GRU(16, 24)
        self.head = nn.Linear(24, 4)

    def forward(self, x):                      # x: (batch, 8, seq)
        f = torch.relu(self.conv(x)).permute(2, 0, 1)
        y, _ = self.rnn(f)                     # (seq, batch, 24)
        return torch.tanh(self.head(y)).permute(1, 0, 2)


class LstmStreaming(nn.Module):
    """2-layer LSTM with its state as explicit inputs and outputs, for chunk-by-chunk streaming."""

    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(8, 24, num_layers=2)

    def forward(self, x, h0, c0):              # x: (seq, batch, 8); h0, c0: (2, batch, 24)
        y, (hn, cn) = self.rnn(x, (h0, c0))
        return y, hn, cn


class LstmClassifier(nn.Module):
    """Batch-first LSTM whose last step feeds an MLP (ReLU, tanh) and a softmax over 4 classes."""

    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(8, 16, batch_first=True)
        self.mlp = nn.Sequential(nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 8), nn.Tanh(), nn.Linear(8, 4))

    def forward(self, x):                      # x: (batch, seq, 8)
        y, _ = self.rnn(x)
        return torch.softmax(self.mlp(y[:, -1, :]), dim=-1)  # (batch, 4)


def spec(name, module, inputs, outputs):
    """inputs: (name, shape, axis names) with shapes in terms of BATCH/SEQ; outputs: (name, axis names)."""
    return dict(name=name, module=module, inputs=inputs, outputs=outputs)


B, S = "batch", "seq"
MODELS = [
    spec("lstm_stack2_bidir", LstmStack2Bidir,
         [("x", (SEQ, BATCH, 8), {0: S, 1: B})], [("y", {0: S, 1: B})]),
    spec("lstm_batchfirst_logsoftmax", LstmBatchFirstLogSoftmax,
         [("x", (BATCH, SEQ, 8), {0: B, 1: S})], [("log_probs", {0: B, 1: S})]),
    spec("gru_bidir_softmax", GruBidirSoftmax,
         [("x", (BATCH, SEQ, 10), {0: B, 1: S})], [("probs", {0: B, 1: S})]),
    spec("rnn_tanh_stack2", RnnTanhStack2,
         [("x", (SEQ, BATCH, 6), {0: S, 1: B})], [("y", {0: S, 1: B}), ("h_n", {1: B})]),
    spec("rnn_relu_bidir", RnnReluBidir,
         [("x", (BATCH, SEQ, 6), {0: B, 1: S})], [("y", {0: B, 1: S})]),
    spec("char_lm", CharLm,
         [("tokens", (BATCH, SEQ), {0: B, 1: S})], [("log_probs", {0: B, 1: S})]),
    spec("conv_gru", ConvGru,
         [("x", (BATCH, 8, SEQ), {0: B, 2: S})], [("y", {0: B, 1: S})]),
    spec("lstm_streaming", LstmStreaming,
         [("x", (SEQ, BATCH, 8), {0: S, 1: B}), ("h0", (2, BATCH, 24), {1: B}), ("c0", (2, BATCH, 24), {1: B})],
         [("y", {0: S, 1: B}), ("h_n", {1: B}), ("c_n", {1: B})]),
    spec("lstm_classifier", LstmClassifier,
         [("x", (BATCH, SEQ, 8), {0: B, 1: S})], [("probs", {0: B})]),
]


def reference_input(name, shape, rng):
    if name == "tokens":
        return rng.integers(0, CharLm.VOCAB, size=shape, dtype=np.int64)
    return rng.standard_normal(shape).astype(np.float32)


def resized(m, rng):
    """Inputs of the same model with OTHER_BATCH and OTHER_SEQ in place of the named axes."""
    sizes = {B: OTHER_BATCH, S: OTHER_SEQ}
    return {n: reference_input(n, tuple(sizes.get(axes.get(i), d) for i, d in enumerate(shape)), rng)
            for n, shape, axes in m["inputs"]}


def check_against_torch(module, session, inputs):
    results = session.run(None, inputs)
    with torch.no_grad():
        expected = module(*(torch.from_numpy(a) for a in inputs.values()))
    expected = expected if isinstance(expected, tuple) else (expected,)
    for e, r in zip(expected, results):
        np.testing.assert_allclose(r, e.numpy(), rtol=1e-4, atol=1e-5)
    return results


def savez(path, arrays):
    """np.savez with a fixed timestamp per entry, so reruns rebuild identical files."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        for key, a in arrays.items():
            with z.open(zipfile.ZipInfo(key + ".npy", date_time=(1980, 1, 1, 0, 0, 0)), "w") as f:
                np.lib.format.write_array(f, np.asanyarray(a))


def build(index, m):
    torch.manual_seed(1000 + index)
    module = m["module"]().eval()
    rng = np.random.default_rng(2000 + index)
    inputs = {n: reference_input(n, shape, rng) for n, shape, _ in m["inputs"]}
    path = os.path.join(OUT, m["name"] + ".onnx")
    with torch.no_grad():
        torch.onnx.export(
            module, tuple(torch.from_numpy(a) for a in inputs.values()), path,
            input_names=[n for n, _, _ in m["inputs"]],
            output_names=[n for n, _ in m["outputs"]],
            dynamic_axes={**{n: axes for n, _, axes in m["inputs"]}, **{n: axes for n, axes in m["outputs"]}},
            opset_version=OPSET, dynamo=False)
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    results = check_against_torch(module, session, inputs)
    check_against_torch(module, session, resized(m, rng))
    outputs = {"output:" + o.name: r for o, r in zip(session.get_outputs(), results)}
    savez(os.path.join(OUT, m["name"] + ".npz"), {**inputs, **outputs})
    ops = sorted({n.op_type for n in model.graph.node})
    print("%-28s %6d bytes  ops: %s" % (m["name"], os.path.getsize(path), " ".join(ops)))


def main():
    os.makedirs(OUT, exist_ok=True)
    for index, m in enumerate(MODELS):
        build(index, m)


if __name__ == "__main__":
    main()
