"""A cross-check of sparq's fine-tuning: the same one-shot pruning and fine-tuning in PyTorch.

    python3 test-models/charlm/torch_oneshot.py [SPARSITY] [STEPS]

Prunes charlm_mid's cached weights (.cache/charlm_mid.pt) once, per tensor, by magnitude to
SPARSITY (default 0.9) in the LSTM W, R and the output layer (as `sparq convert --block 1` does),
then fine-tunes with the masks fixed for STEPS (default: 20 % of the dense model's steps) on
.cache/finetune.npz as sweep.py's sparq runs do: batch 32, Adam, peak 1e-3 with a 5 % linear warm-up
and a cosine decay to 0, gradient-norm clip 1.0, one torch thread. Prints held-out bpc before and
after, to compare with runs/charlm_mid-oneshot-90-s1.json: when both land close, the gap to the
dense model is the budget's, not sparq's trainer.
"""
import json
import math
import os
import sys

import numpy as np
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_charlm as mc  # noqa: E402
from train_dense import heldout_bpc  # noqa: E402


def main():
    sparsity = float(sys.argv[1]) if len(sys.argv) > 1 else 0.9
    dense_steps = json.load(open(os.path.join(HERE, "runs", "charlm_mid.train.json")))["steps"]
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else int(math.ceil(0.2 * dense_steps / 100) * 100)
    torch.set_num_threads(1)
    torch.manual_seed(1)
    model = mc.CharLstm(256)
    model.load_state_dict(torch.load(os.path.join(mc.CACHE, "charlm_mid.pt")))
    held_x = np.load(os.path.join(HERE, "heldout.npz"))[mc.INPUT]
    held_y = np.load(os.path.join(HERE, "heldout_labels.npz"))[mc.OUTPUT]
    masks = {}
    for name, p in model.named_parameters():
        if name.startswith("rnn.weight_") or name == "head.weight":
            k = int(round(sparsity * p.numel()))
            threshold = p.detach().abs().flatten().kthvalue(k).values
            masks[name] = (p.detach().abs() > threshold).float()
            p.data.mul_(masks[name])
    print("pruned to %.0f %%: held-out %.4f bpc" % (100 * sparsity, heldout_bpc(model, held_x, held_y)), flush=True)
    x = torch.from_numpy(np.load(os.path.join(mc.CACHE, "finetune.npz"))[mc.INPUT])
    y = torch.from_numpy(np.load(os.path.join(mc.CACHE, "finetune_labels.npz"))[mc.OUTPUT])
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-3)
    warmup = steps // 20
    schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda s: (s + 1) / warmup if s < warmup else
                                                 0.5 * (1 + math.cos(math.pi * min(1, (s - warmup) / max(1, steps - 1 - warmup)))))
    generator = torch.Generator().manual_seed(1)
    order = torch.randperm(len(x), generator=generator)
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    for step in range(steps):
        batch = order[(step * 32) % len(x):(step * 32) % len(x) + 32]
        loss = loss_fn(model(x[batch]).reshape(-1, mc.VOCAB), y[batch].reshape(-1))
        optimiser.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), mc.CLIP)
        optimiser.step()
        schedule.step()
        with torch.no_grad():
            for name, p in model.named_parameters():
                if name in masks:
                    p.mul_(masks[name])
    print("fine-tuned %d steps: held-out %.4f bpc" % (steps, heldout_bpc(model, held_x, held_y)))


if __name__ == "__main__":
    main()
