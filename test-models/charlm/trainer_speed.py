"""Fine-tuning speed, sparq against PyTorch, on the char LM (2 x LSTM 512, batch 16 x 64).

Run from the repository root:  python3 test-models/charlm/trainer_speed.py [STEPS]
Needs torch (CPU) and numpy; the sparq side runs ./sparq (which builds itself on first use).

Both sides do the same work per step: a forward and backward pass of charlm_large's architecture
on 16 windows of 64 tokens from train.npz against train_labels.npz (cross-entropy), an Adam update
(lr 1e-3) and 90 % magnitude masks re-applied to the LSTM W / R and Linear weights (sparq prunes
in 1x16 blocks along a cubic ramp, PyTorch keeps fixed unstructured masks: the mask work is a small
share of either). Each side runs at 1 and 2 threads and is timed after 3 warm-up steps (sparq's
from its progress lines as they arrive; its fixed cost, import to written file without the steps,
is printed beside); neither validates. Prints one Markdown table.
"""
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
VOCAB, EMBED, HIDDEN, BATCH, SEQ, SPARSITY = 97, 64, 512, 16, 64, 0.9
WARMUP = 3   # steps run before timing, on both sides


class CharLm(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Embedding(VOCAB, EMBED)
        self.lstm = torch.nn.LSTM(EMBED, HIDDEN, num_layers=2, batch_first=True)
        self.head = torch.nn.Linear(HIDDEN, VOCAB)

    def forward(self, tokens):
        y, _ = self.lstm(self.embed(tokens))
        return self.head(y)


def torch_steps_per_second(threads, steps, tokens, labels):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = CharLm()
    weights = [p for n, p in model.named_parameters() if "weight" in n and "embed" not in n]
    masks = []
    for w in weights:
        cut = w.detach().abs().flatten().kthvalue(int(SPARSITY * w.numel())).values
        masks.append((w.detach().abs() > cut).float())
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    rng = np.random.default_rng(0)

    def step():
        idx = rng.integers(0, len(tokens), size=BATCH)
        x = torch.from_numpy(tokens[idx])
        y = torch.from_numpy(labels[idx])
        loss = torch.nn.functional.cross_entropy(model(x).reshape(-1, VOCAB), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        with torch.no_grad():
            for w, m in zip(weights, masks):
                w.mul_(m)

    for _ in range(WARMUP):
        step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return steps / (time.perf_counter() - start)


def sparq_steps_per_second(threads, steps):
    """Steps/s of sparq's fine-tuning after WARMUP steps (as PyTorch's), and its fixed cost in s.

    No validation split (PyTorch validates nothing either): with one, sparq validates every
    max(1, steps / 20) steps. The progress lines are timed as they arrive.
    """
    out = os.path.join(tempfile.mkdtemp(), "charlm.sparq")
    env = dict(os.environ, SPARQ_PROGRESS="lines", SPARQ_JAVA_OPTS=f"-Dsparq.threads={threads}")
    cmd = [os.path.join(ROOT, "sparq"), "convert", os.path.join(HERE, "charlm_large.onnx"), "-o", out,
           "--sparsity", str(SPARSITY), "--data", os.path.join(HERE, "train.npz"),
           "--labels", os.path.join(HERE, "train_labels.npz"), "--steps", str(steps + WARMUP), "--batch", str(BATCH),
           "--validation", "0"]
    start = time.perf_counter()
    seen = {}
    with subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) as proc:
        for line in proc.stderr:
            m = re.search(r"step (\d+)/\d+ ", line)
            if m:
                seen[int(m.group(1))] = time.perf_counter()
    if proc.returncode != 0 or steps + WARMUP not in seen:
        sys.exit(f"sparq convert failed ({proc.returncode}): {' '.join(cmd)}")
    total = time.perf_counter() - start
    first = min(k for k in seen if k >= WARMUP)   # progress lines may skip steps
    last = steps + WARMUP
    return (last - first) / (seen[last] - seen[first]), total - (seen[last] - seen[min(seen)])


def main():
    steps = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    tokens = np.load(os.path.join(HERE, "train.npz"))["tokens"]
    labels = np.load(os.path.join(HERE, "train_labels.npz"))["logits"]
    print(f"char LM 2 x LSTM {HIDDEN}, batch {BATCH} x {SEQ}, {steps} steps, torch {torch.__version__}")
    print()
    print("| threads | PyTorch steps/s | sparq steps/s | sparq ÷ PyTorch | sparq fixed cost s |")
    print("|---|---|---|---|---|")
    for threads in (1, 2):
        pt = torch_steps_per_second(threads, steps, tokens, labels)
        sq, fixed = sparq_steps_per_second(threads, steps)
        print(f"| {threads} | {pt:.2f} | {sq:.2f} | {sq / pt:.2f}x | {fixed:.1f} |", flush=True)


if __name__ == "__main__":
    main()
