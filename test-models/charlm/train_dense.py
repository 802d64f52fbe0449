"""Trains a dense character LM of the pruning protocol (docs/pruning.md, "The accuracy experiment").

    python3 test-models/charlm/train_dense.py --hidden 256 --name charlm_mid --plateau
    python3 test-models/charlm/train_dense.py --hidden 72 --name charlm_mid_small72 --steps 12000

Same architecture, text and split as make_charlm.py (Embedding 97x64 -> 2 x LSTM H -> Linear),
one torch thread, batch 32 random windows of 64 + 1 characters of the train split, Adam at a
constant learning rate 2e-3, gradient-norm clip 1.0. Every 1,000 steps the held-out bits per
character (heldout.npz, the same windows eval_bpc.py scores) are measured and logged.

--plateau trains until the held-out bpc improves by less than 0.5 % over the last 1,000 steps
(at most --max-steps); --steps N trains exactly N steps (the small dense models get the large
model's step count plus its fine-tuning budget, see experiment_sweep.sh).

Writes <name>.onnx next to this script (the export committed), runs/<name>.train.log (the curve)
and runs/<name>.train.json (steps, held-out bpc, seconds); the weights are cached in
.cache/<name>.pt (not committed) and reused unless --retrain. Also writes the fine-tuning data
of the experiment to .cache/finetune.npz and .cache/finetune_labels.npz if missing: 65,536
windows at random starts of the train split (numpy default_rng(4321)), far more text than the
4,096 windows of train.npz, so a fine-tuning budget of thousands of steps does not loop over a
small sample.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_charlm as mc  # noqa: E402  (the corpus, split, windows, model and export)

RUNS = os.path.join(HERE, "runs")
BATCH = 32
LR = 2e-3
EVAL_EVERY = 1000
PLATEAU = 0.005            # stop when held-out bpc improves by less than this share per EVAL_EVERY steps
FINETUNE_WINDOWS = 65_536


def heldout_bpc(model, tokens, labels):
    model.eval()
    nll, count = 0.0, 0
    with torch.no_grad():
        for b in range(0, len(tokens), 128):
            logits = model(torch.from_numpy(tokens[b:b + 128]))
            y = torch.from_numpy(labels[b:b + 128])
            nll += nn.functional.cross_entropy(logits.reshape(-1, mc.VOCAB), y.reshape(-1), reduction="sum").item()
            count += y.numel()
    model.train()
    return nll / count / math.log(2)


def finetune_data(train_ids):
    x_path = os.path.join(mc.CACHE, "finetune.npz")
    y_path = os.path.join(mc.CACHE, "finetune_labels.npz")
    if os.path.exists(x_path) and os.path.exists(y_path):
        return
    rng = np.random.default_rng(4321)
    x, y = mc.windows(train_ids, rng.integers(0, len(train_ids) - mc.SEQ, FINETUNE_WINDOWS))
    os.makedirs(mc.CACHE, exist_ok=True)
    mc.savez(x_path, {mc.INPUT: x})
    mc.savez(y_path, {mc.OUTPUT: y})
    print("fine-tuning data: %d windows in %s" % (FINETUNE_WINDOWS, x_path))


def main(args):
    _, ids = mc.corpus()
    train_ids, _ = mc.split(ids)
    finetune_data(train_ids)
    held_x = np.load(os.path.join(HERE, "heldout.npz"))[mc.INPUT]
    held_y = np.load(os.path.join(HERE, "heldout_labels.npz"))[mc.OUTPUT]
    torch.set_num_threads(1)
    os.makedirs(RUNS, exist_ok=True)
    cache = os.path.join(mc.CACHE, args.name + ".pt")
    summary_path = os.path.join(RUNS, args.name + ".train.json")
    torch.manual_seed(args.seed)
    model = mc.CharLstm(args.hidden)
    if os.path.exists(cache) and not args.retrain:
        model.load_state_dict(torch.load(cache))
        print("%s: weights from %s" % (args.name, cache))
    else:
        summary = train(model, args, train_ids, held_x, held_y)
        os.makedirs(mc.CACHE, exist_ok=True)
        torch.save(model.state_dict(), cache)
        with open(summary_path, "w") as f:
            json.dump(summary, f, indent=1)
            f.write("\n")
    model.eval()
    matrices, total = mc.counts(model)
    mc.export(model, args.name, held_x)
    print("%s: hidden %d, %d weights in W, R and the linear (%d parameters); held-out %.4f bpc"
          % (args.name, args.hidden, matrices, total, heldout_bpc(model, held_x, held_y)))


def train(model, args, train_ids, held_x, held_y):
    optimiser = torch.optim.Adam(model.parameters(), lr=LR)
    data = torch.from_numpy(train_ids)
    generator = torch.Generator().manual_seed(args.seed)
    loss_fn = nn.CrossEntropyLoss()
    log = open(os.path.join(RUNS, args.name + ".train.log"), "w")
    began, running, curve = time.time(), 0.0, []
    limit = args.steps if args.steps else args.max_steps
    model.train()
    step = 0
    while step < limit:
        step += 1
        starts = torch.randint(0, len(data) - mc.SEQ - 1, (BATCH,), generator=generator)
        chunk = data[starts[:, None] + torch.arange(mc.SEQ + 1)[None, :]]
        loss = loss_fn(model(chunk[:, :-1]).reshape(-1, mc.VOCAB), chunk[:, 1:].reshape(-1))
        optimiser.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), mc.CLIP)
        optimiser.step()
        running += loss.item()
        if step % EVAL_EVERY == 0:
            held = heldout_bpc(model, held_x, held_y)
            curve.append({"step": step, "train_bpc": running / EVAL_EVERY / math.log(2), "heldout_bpc": held,
                          "seconds": round(time.time() - began, 1)})
            running = 0.0
            gain = (curve[-2]["heldout_bpc"] - held) / curve[-2]["heldout_bpc"] if len(curve) > 1 else float("nan")
            line = "%s step %6d  train %.4f bpc  held-out %.4f bpc  gain %+.2f%%  %.0f s" % (
                args.name, step, curve[-1]["train_bpc"], held, 100 * gain, time.time() - began)
            print(line, flush=True)
            log.write(line + "\n")
            log.flush()
            if not args.steps and len(curve) > 1 and gain < PLATEAU:
                break
    log.close()
    return {"name": args.name, "hidden": args.hidden, "seed": args.seed, "batch": BATCH, "lr": LR,
            "steps": step, "rule": "fixed" if args.steps else "plateau < 0.5 % per 1000 steps",
            "heldout_bpc": curve[-1]["heldout_bpc"] if curve else None, "seconds": round(time.time() - began),
            "torch": torch.__version__, "curve": curve}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hidden", type=int, required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument("--seed", type=int, default=1)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--plateau", action="store_true", help="train until held-out bpc gains < 0.5 %% per 1000 steps")
    group.add_argument("--steps", type=int, help="train exactly this many steps")
    parser.add_argument("--max-steps", type=int, default=40_000)
    parser.add_argument("--retrain", action="store_true", help="train even if .cache/ holds weights")
    args = parser.parse_args()
    mc.ARGS = args
    main(args)
