"""Fine-tuning speed, sparq against PyTorch, on the char LM (2 x LSTM 512, batch 16 x 64).

Run from the repository root:  python3 test-models/charlm/trainer_speed.py [STEPS]
Needs torch (CPU) and numpy; the sparq side runs ./sparq (which builds itself on first use).

Both sides do the same work per step: a forward and backward pass of charlm_large's architecture
on 16 windows of 64 tokens from train.npz against train_labels.npz (cross-entropy), an Adam update
(lr 1e-3) and 90 % magnitude masks re-applied to the LSTM W / R and Linear weights (sparq prunes
in 1x16 blocks along a cubic ramp, PyTorch keeps fixed unstructured masks: the mask work is a small
share of either). Each side runs at 1 and 2 threads; sparq's steps/s is the steps it reports
divided by the fine-tuning time it reports (its fixed cost, import to written file, is printed
beside), PyTorch's is timed after 3 warm-up steps. Prints one Markdown table.
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

    for _ in range(3):
        step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return steps / (time.perf_counter() - start)


def seconds(text):
    """'1m05s' or '13s' or '850ms' as seconds."""
    m = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?(?:(\d+)ms)?", text)
    h, mi, s, ms = (float(g) if g else 0 for g in m.groups())
    return h * 3600 + mi * 60 + s + ms / 1000


def sparq_steps_per_second(threads, steps):
    out = os.path.join(tempfile.mkdtemp(), "charlm.sparq")
    env = dict(os.environ, SPARQ_PROGRESS="lines", SPARQ_JAVA_OPTS=f"-Dsparq.threads={threads}")
    cmd = [os.path.join(ROOT, "sparq"), "convert", os.path.join(HERE, "charlm_large.onnx"), "-o", out,
           "--sparsity", str(SPARSITY), "--data", os.path.join(HERE, "train.npz"),
           "--labels", os.path.join(HERE, "train_labels.npz"), "--steps", str(steps), "--batch", str(BATCH),
           "--validation", "0.01"]
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    total = time.perf_counter() - start
    took = re.search(r"step (\d+)/\d+ .* took (\S+)", done.stderr)
    training = seconds(took.group(2))
    return int(took.group(1)) / training, total - training


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
