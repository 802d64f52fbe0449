"""Builds the character-level LSTM language models and data for the pruning experiment.

Run from anywhere:  python3 test-models/charlm/make_charlm.py
Needs the Debian `fortunes` package (text under /usr/share/games/fortunes), torch (CPU), onnx,
onnxruntime and numpy; last run with fortunes 1:1.99.1-7.3, torch 2.13, onnx 1.23.1,
onnxruntime 1.30 and numpy 2.4. Training runs on one thread; seeds are fixed, so a rerun on the
same machine and versions rebuilds the same weights and data.

Writes, next to this script:
  vocab.json                     the 97 symbols, index -> character
  train.npz, train_labels.npz    TRAIN_WINDOWS windows of the train split and their next characters
  heldout.npz, heldout_labels.npz  HELDOUT_WINDOWS windows of the held-out split, likewise
  charlm_large.onnx              embedding 64 -> 2-layer LSTM hidden 512 -> linear to logits
  charlm_small.onnx              the same with hidden 152 (about 10 % of the large one's W, R, linear)
Trained weights are cached in .cache/ (not committed); --retrain ignores the cache.
"""
import argparse
import json
import math
import os
import re
import sys
import time
import unicodedata
import warnings
import zipfile

import numpy as np
import onnx
import onnxruntime as ort
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
CACHE = os.path.join(HERE, ".cache")
FORTUNES = "/usr/share/games/fortunes"

# Vocabulary: newline, printable ASCII 32..126, then one symbol for everything else.
SYMBOLS = ["\n"] + [chr(c) for c in range(32, 127)]
UNK = len(SYMBOLS)
VOCAB = UNK + 1

BLOCK = 10_000            # the corpus is cut into blocks of this many characters ...
HELDOUT_EVERY = 10        # ... and every 10th block (index 9, 19, 29, ...) is held out
SEQ = 64
TRAIN_WINDOWS = 4096
HELDOUT_WINDOWS = 1024

EMBED = 64
LARGE_HIDDEN = 512
SMALL_HIDDEN = 152
BATCH = 32
STEPS = 1000
LR = 2e-3
CLIP = 1.0

OPSET = 17
INPUT, OUTPUT = "tokens", "logits"

warnings.filterwarnings("ignore", message=".*legacy TorchScript-based ONNX export.*")
warnings.filterwarnings("ignore", message=".*batch_size other than 1.*")


def normalise(text):
    """Plain ASCII text: overstrikes resolved, accents dropped, tabs as one space."""
    while True:  # "_\bX" (underline) and "X\bX" (bold) both print as X
        stripped = re.sub(r"[^\n\x08]\x08", "", text)
        if stripped == text:
            break
        text = stripped
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return text.replace("\r", "").replace("\t", " ")


def corpus():
    """The token ids of every plain fortune file, in sorted file-name order, concatenated."""
    names = sorted(n for n in os.listdir(FORTUNES)
                   if not n.endswith((".dat", ".u8")) and os.path.isfile(os.path.join(FORTUNES, n))
                   and not os.path.islink(os.path.join(FORTUNES, n)))
    if not names:
        sys.exit("no fortune files under %s: apt-get install fortunes" % FORTUNES)
    text = ""
    for n in names:
        with open(os.path.join(FORTUNES, n), "rb") as f:
            part = normalise(f.read().decode("utf-8", errors="replace"))
        text += part if part.endswith("\n") else part + "\n"
    index = {s: i for i, s in enumerate(SYMBOLS)}
    ids = np.array([index.get(c, UNK) for c in text], dtype=np.int64)
    return names, ids


def split(ids):
    """(train, held-out): blocks of BLOCK characters, every HELDOUT_EVERY-th one held out, each side concatenated."""
    block = np.arange(len(ids)) // BLOCK
    held = block % HELDOUT_EVERY == HELDOUT_EVERY - 1
    return ids[~held], ids[held]


def windows(stream, starts):
    """Inputs stream[s : s+SEQ] and labels stream[s+1 : s+SEQ+1] for every start s."""
    offsets = np.asarray(starts)[:, None] + np.arange(SEQ)[None, :]
    return stream[offsets], stream[offsets + 1]


class CharLstm(nn.Module):
    """int64 tokens (batch, seq) -> Embedding -> 2-layer LSTM -> Linear -> logits (batch, seq, VOCAB)."""

    def __init__(self, hidden):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, EMBED)
        self.rnn = nn.LSTM(EMBED, hidden, num_layers=2, batch_first=True)
        self.head = nn.Linear(hidden, VOCAB)

    def forward(self, tokens):
        y, _ = self.rnn(self.embed(tokens))
        return self.head(y)


def counts(model):
    """Parameter counts: the prunable matrices (LSTM W, R and the linear weight) and everything."""
    matrices = sum(p.numel() for n, p in model.named_parameters()
                   if n.startswith("rnn.weight_") or n == "head.weight")
    return matrices, sum(p.numel() for p in model.parameters())


def train(name, hidden, train_ids, seed):
    path = os.path.join(CACHE, name + ".pt")
    torch.manual_seed(seed)
    model = CharLstm(hidden)
    if os.path.exists(path) and not ARGS.retrain:
        model.load_state_dict(torch.load(path))
        print("%s: weights from %s" % (name, path))
        return model.eval()
    optimiser = torch.optim.Adam(model.parameters(), lr=LR)
    # cosine decay to 0 over the fixed step budget
    schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda s: 0.5 * (1 + math.cos(math.pi * s / STEPS)))
    data = torch.from_numpy(train_ids)
    generator = torch.Generator().manual_seed(seed)
    loss_fn = nn.CrossEntropyLoss()
    began, running = time.time(), 0.0
    model.train()
    for step in range(1, STEPS + 1):
        starts = torch.randint(0, len(data) - SEQ - 1, (BATCH,), generator=generator)
        offsets = starts[:, None] + torch.arange(SEQ + 1)[None, :]
        chunk = data[offsets]
        logits = model(chunk[:, :-1])
        loss = loss_fn(logits.reshape(-1, VOCAB), chunk[:, 1:].reshape(-1))
        optimiser.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), CLIP)
        optimiser.step()
        schedule.step()
        running += loss.item()
        if step % 100 == 0:
            print("%s step %5d  train %.3f bpc  %.0f s" % (name, step, running / 100 / math.log(2), time.time() - began),
                  flush=True)
            running = 0.0
    print("%s: %d steps in %.0f s" % (name, STEPS, time.time() - began))
    os.makedirs(CACHE, exist_ok=True)
    torch.save(model.state_dict(), path)
    return model.eval()


def savez(path, arrays):
    """np.savez_compressed with a fixed timestamp per entry, so reruns rebuild identical files."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for key, a in arrays.items():
            info = zipfile.ZipInfo(key + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with z.open(info, "w") as f:
                np.lib.format.write_array(f, np.asanyarray(a))


def session(path):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    return ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])


def export(model, name, sample):
    path = os.path.join(HERE, name + ".onnx")
    with torch.no_grad():
        torch.onnx.export(model, (torch.from_numpy(sample[:3, :5]),), path,
                          input_names=[INPUT], output_names=[OUTPUT],
                          dynamic_axes={INPUT: {0: "batch", 1: "seq"}, OUTPUT: {0: "batch", 1: "seq"}},
                          opset_version=OPSET, dynamo=False)
    onnx.checker.check_model(onnx.load(path), full_check=True)
    s = session(path)
    worst = 0.0
    for tokens in (sample[:16], sample[16:18, :7]):  # the second also checks other batch and seq sizes
        (got,) = s.run(None, {INPUT: tokens})
        with torch.no_grad():
            expected = model(torch.from_numpy(tokens)).numpy()
        worst = max(worst, float(np.abs(got - expected).max()))
    print("%s: onnxruntime vs torch max abs diff %.2e, %d bytes" % (name, worst, os.path.getsize(path)))
    if worst > 1e-4:
        sys.exit("%s: onnxruntime disagrees with torch" % name)
    return path, worst


def main():
    names, ids = corpus()
    train_ids, heldout_ids = split(ids)
    print("%d files, %d characters (%d unknown): train %d, held-out %d"
          % (len(names), len(ids), int((ids == UNK).sum()), len(train_ids), len(heldout_ids)))
    with open(os.path.join(HERE, "vocab.json"), "w") as f:
        json.dump(SYMBOLS + ["<unk>"], f, indent=0)
        f.write("\n")

    rng = np.random.default_rng(1234)
    train_x, train_y = windows(train_ids, rng.integers(0, len(train_ids) - SEQ, TRAIN_WINDOWS))
    # evenly spaced, non-overlapping windows over the whole held-out split
    heldout_x, heldout_y = windows(heldout_ids, np.linspace(0, len(heldout_ids) - SEQ - 1, HELDOUT_WINDOWS).astype(np.int64))
    for file, key, a in (("train", INPUT, train_x), ("train_labels", OUTPUT, train_y),
                         ("heldout", INPUT, heldout_x), ("heldout_labels", OUTPUT, heldout_y)):
        savez(os.path.join(HERE, file + ".npz"), {key: a})

    torch.set_num_threads(1)
    sys.path.insert(0, HERE)
    from eval_bpc import bpc
    for name, hidden, seed in (("charlm_large", LARGE_HIDDEN, 1), ("charlm_small", SMALL_HIDDEN, 2)):
        model = train(name, hidden, train_ids, seed)
        matrices, total = counts(model)
        path, _ = export(model, name, heldout_x)
        print("%s: hidden %d, %d parameters in W, R and the linear, %d in all; held-out %.4f bpc"
              % (name, hidden, matrices, total, bpc(path, heldout_x, heldout_y)), flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--retrain", action="store_true", help="train even if .cache/ holds weights")
    ARGS = parser.parse_args()
    main()
