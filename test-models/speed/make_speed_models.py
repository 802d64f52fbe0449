"""Builds the models of the speed matrix (docs/benchmarks.md) and their ONNX Runtime int8 versions.

Run from anywhere:  python3 test-models/speed/make_speed_models.py [OUT_DIR]
Needs torch (CPU), onnx and onnxruntime; last run with torch 2.13, onnx 1.23, onnxruntime 1.30.

Writes into OUT_DIR (default: test-models/speed/generated, not committed; the models are 19-34 MB):
  lstm128_1024_head.onnx  LSTM 128 -> 1024 + Linear(1024 -> 64) + LogSoftmax, the streaming model of
                          the speed matrix: inputs x (seq, batch, 128), h0, c0 (1, batch, 1024); outputs
                          logp (seq, batch, 64), hn, cn
  lstm1024.onnx           LSTM 1024 -> 1024 with state inputs and outputs, no head
  gru1024.onnx            GRU 1024 -> 1024 likewise
and, for each of those and for the committed test-models/charlm/charlm_large.onnx, NAME.int8.onnx:
onnxruntime.quantization.quantize_dynamic with its defaults (int8 weights, DynamicQuantizeLSTM /
MatMulInteger; GRU stays fp32 in ORT 1.30), what a user gets from ONNX Runtime in one line. The
quick start classifier's baselines are made by run-speed-matrix.sh (from the dense ONNX that sparq
emits for it, which runs at any batch).

Weights are PyTorch's default initialisation under fixed seeds, so reruns give the same models.
"""
import os
import sys
import warnings

import numpy as np
import onnx
import torch
from onnxruntime.quantization import QuantType, quantize_dynamic
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OPSET = 17
warnings.filterwarnings("ignore", message=".*legacy TorchScript-based ONNX export.*")
warnings.filterwarnings("ignore", message=".*batch_size other than 1.*")


class LstmHead(nn.Module):
    """One LSTM layer and a per-step linear head with log-softmax; the state goes in and out."""

    def __init__(self, inputs, hidden, classes):
        super().__init__()
        self.rnn = nn.LSTM(inputs, hidden)
        self.head = nn.Linear(hidden, classes)

    def forward(self, x, h0, c0):
        y, (h, c) = self.rnn(x, (h0, c0))
        return torch.log_softmax(self.head(y), dim=-1), h, c


class Recurrent(nn.Module):
    """One LSTM or GRU layer, state in and out."""

    def __init__(self, kind, inputs, hidden):
        super().__init__()
        self.kind = kind
        self.rnn = (nn.LSTM if kind == "lstm" else nn.GRU)(inputs, hidden)

    def forward(self, x, h0, c0=None):
        if self.kind == "lstm":
            y, (h, c) = self.rnn(x, (h0, c0))
            return y, h, c
        y, h = self.rnn(x, h0)
        return y, h


def export(model, name, inputs, hidden, out_dir, with_cell):
    path = os.path.join(out_dir, name + ".onnx")
    x = torch.randn(1, 1, inputs)
    h0 = torch.zeros(1, 1, hidden)
    args = (x, h0, torch.zeros(1, 1, hidden)) if with_cell else (x, h0)
    names = ["x", "h0", "c0"] if with_cell else ["x", "h0"]
    outs = ["y", "hn", "cn"] if with_cell else ["y", "hn"]
    axes = {"x": {0: "seq", 1: "batch"}, "h0": {1: "batch"}, "y": {0: "seq", 1: "batch"}, "hn": {1: "batch"}}
    if with_cell:
        axes.update({"c0": {1: "batch"}, "cn": {1: "batch"}})
    torch.onnx.export(model.eval(), args, path, input_names=names, output_names=outs, opset_version=OPSET,
                      dynamic_axes=axes, dynamo=False)
    onnx.checker.check_model(onnx.load(path), full_check=True)
    return path


def quantize(src, dst):
    quantize_dynamic(src, dst, weight_type=QuantType.QInt8)
    print(f"{dst}: {os.path.getsize(dst):,} bytes (from {os.path.getsize(src):,})")


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "generated")
    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(14)
    made = [export(LstmHead(128, 1024, 64), "lstm128_1024_head", 128, 1024, out_dir, True)]
    torch.manual_seed(15)
    made.append(export(Recurrent("lstm", 1024, 1024), "lstm1024", 1024, 1024, out_dir, True))
    torch.manual_seed(16)
    made.append(export(Recurrent("gru", 1024, 1024), "gru1024", 1024, 1024, out_dir, False))
    for path in made:
        quantize(path, path[:-len(".onnx")] + ".int8.onnx")
    quantize(os.path.join(ROOT, "test-models", "charlm", "charlm_large.onnx"), os.path.join(out_dir, "charlm_large.int8.onnx"))


if __name__ == "__main__":
    np.random.seed(0)
    main()
