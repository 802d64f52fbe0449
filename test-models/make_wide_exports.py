"""Exports models with layers wide enough that torch's dynamo exporter keeps its gate reorders.

Run from anywhere:  python3 test-models/make_wide_exports.py
Needs torch (CPU), onnx, onnxscript, onnxruntime and numpy; last run with torch 2.13, onnx 1.23.1,
onnxscript 0.7.2, onnxruntime 1.30 and numpy 2.4.

The exporter's optimizer folds constants of up to 1,024 elements only. In a model with hidden
size 16 every recurrent weight is folded before it is written, so the gate reorder
(Slice -> Concat -> Unsqueeze of torch's parameter) is invisible; from hidden 32 up, as in every
real model, each LSTM/GRU W and R reaches its op through that subgraph and nn.RNN's unrolled
MatMuls read Transposes of torch's parameters. These models have hidden 64, so the importer's
folding, naming and batch generalization are exercised as users meet them.

exports/dynamo_wide/ holds, per model NAME: NAME.onnx + NAME.onnx.data as plain
torch.onnx.export(model, args, f) writes them (static shapes), NAME.npz (the reference input keyed by
input name, onnxruntime's outputs keyed "output:" + output name) and NAME.train.npz (fine-tuning
inputs: SAMPLES samples on a new first axis, each shaped like the input without its batch axis).
"""
import os
import shutil
import warnings

import numpy as np
import onnxruntime as ort
import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "exports", "dynamo_wide")
BATCH, SEQ, SAMPLES, H = 3, 5, 48, 64

warnings.filterwarnings("ignore")


class Recurrent(torch.nn.Module):
    """A recurrent layer (LSTM, GRU or RNN) and a Linear head on every step."""

    def __init__(self, rnn, out):
        super().__init__()
        self.rnn = rnn
        width = rnn.hidden_size * (2 if rnn.bidirectional else 1)
        self.head = torch.nn.Linear(width, out)

    def forward(self, x):
        y, _ = self.rnn(x)
        return self.head(y)


class CharLm(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Embedding(40, 16)
        self.rnn = torch.nn.LSTM(16, H, batch_first=True)
        self.head = torch.nn.Linear(H, 40)

    def forward(self, tokens):
        y, _ = self.rnn(self.embed(tokens))
        return torch.log_softmax(self.head(y), dim=-1)


class ConvGru(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv1d(8, 16, 3, padding=1)
        self.rnn = torch.nn.GRU(16, H, batch_first=True)
        self.head = torch.nn.Linear(H, 4)

    def forward(self, x):                       # x: [batch, channels, time]
        y, _ = self.rnn(torch.relu(self.conv(x)).transpose(1, 2))
        return torch.tanh(self.head(y))


def models():
    """(name, module, example input, batch axis of the input)."""
    return [
        ("lstm_stack2", Recurrent(torch.nn.LSTM(8, H, num_layers=2), 4), torch.randn(SEQ, BATCH, 8), 1),
        ("gru_bidir_batchfirst", Recurrent(torch.nn.GRU(8, H, bidirectional=True, batch_first=True), 5),
         torch.randn(BATCH, SEQ, 8), 0),
        ("rnn_tanh_stack2", Recurrent(torch.nn.RNN(6, H, num_layers=2), 3), torch.randn(SEQ, BATCH, 6), 1),
        ("char_lm", CharLm(), torch.randint(0, 40, (BATCH, SEQ)), 0),
        ("conv_gru", ConvGru(), torch.randn(BATCH, 8, SEQ), 0),
    ]


def savez(path, arrays):
    np.savez(path, **arrays)


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    rng = np.random.default_rng(13)
    for index, (name, module, example, batch_axis) in enumerate(models()):
        torch.manual_seed(2000 + index)
        for p in module.parameters():          # fresh weights per model, independent of construction order
            torch.nn.init.uniform_(p, -0.3, 0.3)
        module.eval()
        path = os.path.join(OUT, name + ".onnx")
        torch.onnx.export(module, (example,), path)
        session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        input_name = session.get_inputs()[0].name
        x = example.numpy()
        outputs = session.run(None, {input_name: x})
        with torch.no_grad():
            expected = module(example).numpy()
        assert np.abs(outputs[0] - expected).max() < 1e-5, name
        savez(os.path.join(OUT, name + ".npz"),
              {input_name: x, **{"output:" + o.name: v for o, v in zip(session.get_outputs(), outputs)}})
        per_sample = [d for a, d in enumerate(x.shape) if a != batch_axis]
        if x.dtype == np.int64:
            train = rng.integers(0, 40, size=[SAMPLES] + per_sample).astype(np.int64)
        else:
            train = rng.standard_normal([SAMPLES] + per_sample).astype(np.float32)
        savez(os.path.join(OUT, name + ".train.npz"), {input_name: train})
        print(name, [i.shape for i in session.get_inputs()], "->", [o.shape for o in session.get_outputs()])


if __name__ == "__main__":
    main()
