"""Trains a small LSTM sequence classifier in PyTorch and exports it as the quick start's inputs.

Writes, next to this script:
  classifier.onnx      the dense model, as torch.onnx.export(model, args, f) writes it (input
  classifier.onnx.data x [1, 24, 16], output linear [1, 6]; the weights in the .data file)
  train.npz            x: 1,024 training sequences (sparq convert --data)
  test.npz             x: 256 held-out sequences (sparq verify --inputs, sparq run)
  test_labels.npz      linear: their classes (sparq verify --labels), keyed by the output's name
  samples.f32          the first 4 held-out sequences as raw little-endian float32 (Classify.java)

The task: each sequence is noise with one of six 16-dimensional patterns faded in somewhere
along the time axis; the class is the pattern. python3 export_model.py (torch, onnx, onnxscript, numpy).
"""
import pathlib

import numpy as np
import onnx
import torch

here = pathlib.Path(__file__).resolve().parent
torch.manual_seed(0)
rng = np.random.default_rng(0)
FEATURES, TIME, CLASSES, HIDDEN = 16, 24, 6, 256
patterns = rng.normal(size=(CLASSES, FEATURES)).astype(np.float32)


def sequences(n):
    labels = rng.integers(0, CLASSES, size=n)
    x = rng.normal(scale=1.0, size=(n, TIME, FEATURES)).astype(np.float32)
    for i, c in enumerate(labels):
        start = rng.integers(0, TIME - 8)
        x[i, start:start + 8] += 0.8 * patterns[c]
    return x, labels.astype(np.int64)


class Classifier(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(FEATURES, HIDDEN, batch_first=True)
        self.head = torch.nn.Linear(HIDDEN, CLASSES)

    def forward(self, x):
        y, _ = self.lstm(x)
        return self.head(y[:, -1])


train_x, train_y = sequences(1024)
test_x, test_y = sequences(256)
model = Classifier()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
for step in range(400):
    idx = rng.integers(0, len(train_x), size=64)
    loss = torch.nn.functional.cross_entropy(model(torch.from_numpy(train_x[idx])), torch.from_numpy(train_y[idx]))
    opt.zero_grad()
    loss.backward()
    opt.step()
model.eval()
with torch.no_grad():
    accuracy = (model(torch.from_numpy(test_x)).argmax(1).numpy() == test_y).mean()
print(f"held-out accuracy {accuracy:.3f}")

# the exporter's plain default call (torch >= 2.9: the dynamo exporter): static shapes [1, 24, 16],
# weights in classifier.onnx.data, the output named after the last op ("linear")
torch.onnx.export(model, (torch.from_numpy(test_x[:1]),), str(here / "classifier.onnx"))
output = onnx.load(str(here / "classifier.onnx"), load_external_data=False).graph.output[0].name
np.savez(here / "train.npz", x=train_x)
np.savez(here / "test.npz", x=test_x)
np.savez(here / "test_labels.npz", **{output: test_y})
test_x[:4].astype("<f4").tofile(here / "samples.f32")
print("classes of samples.f32:", test_y[:4].tolist())
