"""The accuracy experiment's sweep: prune a dense character LM with `sparq convert` at several
sparsities and schedules, fine-tune it, and score every result on the held-out windows.

    python3 test-models/charlm/sweep.py                       # the whole protocol, 2 runs at a time
    python3 test-models/charlm/sweep.py --only 'cubic-90-*'   # a subset, by run name glob
    python3 test-models/charlm/sweep.py --list                # the runs and which are done

Run from anywhere after train_dense.py has trained the models the runs name. Each run is
`sparq convert MODEL --sparsity S --schedule K --block 1 --quantize int8 --optimize size --data
.cache/finetune.npz --labels .cache/finetune_labels.npz --steps F --batch 32 --seed N
--validation 0.02 --emit-onnx ...` with the fine-tuning budget F = 20 % of the dense model's
training steps (runs/<model>.train.json), each sparq on one kernel thread; after the protocol, the
90 % points again at 50 and 100 % (runs named "-b50", "-b100", tabled apart by figure.py). Held-out bits per
character are measured twice: the fp32 weights (--emit-onnx) through onnxruntime and the int8
.sparq through `sparq run`, both with eval_bpc.py.

Every finished run writes runs/<run>.json (settings, non-zero weights counted in the emitted ONNX,
both bpc figures, bytes, seconds, the fine-tuning curve) and runs/<run>.log (convert's output);
a run whose JSON exists is skipped, so an interrupted sweep carries on where it stopped.
Large files (.sparq, .onnx, logits) stay in .cache/sweep/.
"""
import argparse
import concurrent.futures
import fnmatch
import glob
import json
import math
import os
import shutil
import subprocess
import sys
import time

import numpy as np
import onnx
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
RUNS = os.path.join(HERE, "runs")
WORK = os.path.join(HERE, ".cache", "sweep")
SPARQ = os.path.join(ROOT, "sparq")
# The CLI jar the sweep runs, copied once at its start: `./sparq` rebuilds its jar whenever a source
# is newer, which must not happen under a sweep of hours (or swap classes under a running JVM).
PINNED_JAR = os.path.join(WORK, "sparq-cli.jar")
sys.path.insert(0, HERE)
from eval_bpc import bpc, nll_bits  # noqa: E402

LARGE = "charlm_mid"
# the small dense models with about as many weights as the large one at 95, 90, 75 and 50 %
SMALL = ["charlm_mid_small72", "charlm_mid_small48", "charlm_mid_small121", "charlm_mid_small177"]
SCHEDULES = ["cubic", "narang", "oneshot"]
SEEDS_AT_90 = [1, 2, 3]
BATCH = 32
BUDGET = 0.2   # fine-tuning steps as a share of the dense model's training steps
LONGER_BUDGETS = [0.5, 1.0]   # tried at 90 % after the protocol
# Changes to the gradual schedule tried at 90 %, by the suffix of their run names: "hold" keeps the
# learning rate at its peak until the last mask update (--lr-decay after_pruning); "f100" updates
# the masks 100 times over the ramp instead of the default 20, so each update prunes less at once.
# "sens" takes per-tensor targets from `sparq sensitivity --recipe-out` (one-shot losses on 256
# training windows) that reach the same overall sparsity with the least predicted loss.
# Runs without a suffix decay the learning rate over every step (--lr-decay whole, the default
# before these runs showed "hold" to be better); one-shot pruning settles at step 0, where both agree.
VARIANTS = {"": ["--lr-decay", "whole"], "hold": ["--lr-decay", "after_pruning"],
            "f100": ["--lr-decay", "whole", "--frequency", "STEPS/100"],
            "sens": ["--lr-decay", "whole", "--recipe", "SENSITIVITY"],
            "sens-hold": ["--lr-decay", "after_pruning", "--recipe", "SENSITIVITY"],
            "hold-f100": ["--lr-decay", "after_pruning", "--frequency", "STEPS/100"]}
# "hold-f100" is what convert does by default since these runs; the sweeps at 95, 75 and 50 % and
# the extra seeds run it.


def plan():
    """Every run of the protocol, in the order they run: (name, model, sparsity, schedule, seed, variant).

    The 90 % points come first (the papers' claims) with the variants of the gradual schedule
    (VARIANTS), then the small dense models, then 95 %, 75 % and 50 % with the chosen method, then
    two more seeds at 90 %.
    """
    def large(schedule, sparsity, seed=1, variant="", budget=BUDGET):
        return ("%s-%s-%d-s%d%s%s" % (LARGE, schedule, round(100 * sparsity), seed, "-" + variant if variant else "",
                                      budget_suffix(budget)),
                LARGE, sparsity, schedule, seed, variant, budget)

    def dense(model, budget=BUDGET):
        return ("%s-dense-s1%s" % (model, budget_suffix(budget)), model, 0.0, "none", 1, "", budget)

    runs = [dense(LARGE)]
    runs += [large("cubic", 0.9), large("oneshot", 0.9), large("cubic", 0.9, variant="sens"), large("narang", 0.9)]
    runs += [large("cubic", 0.9, variant=v) for v in ("hold", "f100")]
    runs += [dense(small) for small in SMALL]
    runs += [large("narang", 0.9, variant="hold"), large("cubic", 0.9, variant="sens-hold"),
             large("cubic", 0.9, variant="hold-f100"), large("narang", 0.9, variant="hold-f100")]
    for sparsity in (0.95, 0.75, 0.5):
        runs += [large("cubic", sparsity, variant="hold-f100"), large("oneshot", sparsity),
                 large("narang", sparsity, variant="hold-f100")]
    for seed in SEEDS_AT_90[1:]:
        runs += [large("cubic", 0.9, seed, "hold-f100"), large("oneshot", 0.9, seed)]
    # the budget at 90 %: half and all of the dense model's steps, against the small dense models
    # of 90 and 95 % fine-tuned as long (so each has trained as many steps as the large one)
    for budget in LONGER_BUDGETS:
        runs += [large("cubic", 0.9, variant="hold-f100", budget=budget), large("oneshot", 0.9, budget=budget),
                 dense(SMALL[1], budget), dense(SMALL[0], budget)]
    return runs


def budget_suffix(budget):
    """Run names carry the budget when it is not the protocol's 20 %: "-b50" for half the dense steps."""
    return "" if budget == BUDGET else "-b%d" % round(100 * budget)


def nonzeros(onnx_path):
    """(non-zero, total) weights of the LSTM W and R inputs and the MatMul/Gemm weights."""
    model = onnx.load(onnx_path)
    inits = {i.name: i for i in model.graph.initializer}
    names = set()
    for node in model.graph.node:
        if node.op_type in ("LSTM", "GRU", "RNN"):
            names.update(node.input[1:3])
        elif node.op_type in ("MatMul", "Gemm"):
            names.update(n for n in node.input[:2] if n in inits)
    nz = total = 0
    for n in names:
        if n in inits:
            a = numpy_helper.to_array(inits[n])
            nz += int(np.count_nonzero(a))
            total += a.size
    return nz, total


def sensitivity_recipe(model, sparsity):
    """`sparq sensitivity`'s per-tensor targets for an overall sparsity, made once and kept in .cache/sweep."""
    path = os.path.join(WORK, "%s-sensitivity-%d.yaml" % (model, round(100 * sparsity)))
    if not os.path.exists(path):
        subprocess.run(SPARQ_CMD + ["sensitivity", os.path.join(HERE, model + ".onnx"),
                                    "--data", os.path.join(HERE, "train.npz"), "--labels", os.path.join(HERE, "train_labels.npz"),
                                    "--block", "1", "--samples", "256", "--sparsities", "0.5,0.75,0.9,0.95,0.98",
                                    "--overall", str(sparsity), "--recipe-out", path],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return path


def dense_steps(model):
    with open(os.path.join(RUNS, model + ".train.json")) as f:
        return json.load(f)["steps"]


def run(name, model, sparsity, schedule, seed, variant, steps):
    began = time.time()
    os.makedirs(WORK, exist_ok=True)
    out = os.path.join(WORK, name + ".sparq")
    emitted = os.path.join(WORK, name + ".onnx")
    cmd = SPARQ_CMD + ["convert", os.path.join(HERE, model + ".onnx"), "-o", out, "--sparsity", str(sparsity),
           "--block", "1", "--quantize", "int8", "--optimize", "size",
           "--data", os.path.join(HERE, ".cache", "finetune.npz"),
           "--labels", os.path.join(HERE, ".cache", "finetune_labels.npz"),
           "--steps", str(steps), "--batch", str(BATCH), "--seed", str(seed), "--validation", "0.02",
           "--emit-onnx", emitted, "--json"]
    if schedule != "none":
        cmd += ["--schedule", schedule]
    ramp = steps * 3 // 4
    cmd += [str(max(1, ramp // 100)) if a == "STEPS/100" else sensitivity_recipe(model, sparsity) if a == "SENSITIVITY"
            else a for a in VARIANTS.get(variant, [])]
    env = dict(os.environ, SPARQ_PROGRESS="lines")
    with open(os.path.join(RUNS, name + ".log"), "w") as log:
        log.write("$ sparq " + " ".join(os.path.relpath(c, ROOT) if c.startswith(ROOT) else c for c in cmd[len(SPARQ_CMD):])
                  + "\n")
        log.flush()
        done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=log, text=True, env=env)
    if done.returncode != 0:
        raise RuntimeError("%s: sparq convert exited %d, see runs/%s.log" % (name, done.returncode, name))
    report = json.loads(done.stdout)
    held_x = np.load(os.path.join(HERE, "heldout.npz"))["tokens"]
    held_y = np.load(os.path.join(HERE, "heldout_labels.npz"))["logits"]
    fp32 = bpc(emitted, held_x, held_y)
    logits = os.path.join(WORK, name + ".logits.npz")
    subprocess.run(SPARQ_CMD + ["run", out, "--inputs", os.path.join(HERE, "heldout.npz"), "-o", logits], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    int8 = nll_bits(np.load(logits)["logits"], held_y) / held_y.size
    nz, total = nonzeros(emitted)
    result = {"run": name, "model": model, "schedule": schedule, "sparsity": sparsity, "seed": seed, "variant": variant,
              "steps": steps, "batch": BATCH, "dense_steps": dense_steps(model),
              "nonzeros": nz, "weights": total, "heldout_bpc_fp32": round(fp32, 5),
              "heldout_bpc_int8": round(int8, 5), "sparq_bytes": os.path.getsize(out),
              "seconds": round(time.time() - began), "fine_tuning": report.get("fine_tuning")}
    with open(os.path.join(RUNS, name + ".json"), "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    return "%s: %.4f bpc fp32, %.4f int8, %d non-zeros, %d s" % (name, fp32, int8, nz, result["seconds"])


SPARQ_CMD = ["java", "--add-modules", "jdk.incubator.vector", "-Dsparq.threads=1", "-jar", PINNED_JAR]


def pin_jar():
    """Builds the CLI jar if needed (through ./sparq) and copies it to PINNED_JAR."""
    subprocess.run([SPARQ, "version"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    jar = glob.glob(os.path.join(ROOT, "converter", "target", "sparq-converter-*-cli.jar"))[0]
    os.makedirs(WORK, exist_ok=True)
    shutil.copyfile(jar, PINNED_JAR + ".tmp")
    os.replace(PINNED_JAR + ".tmp", PINNED_JAR)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="*", help="run name glob")
    parser.add_argument("--jobs", type=int, default=2, help="runs at a time (each on one thread)")
    parser.add_argument("--list", action="store_true")
    args = parser.parse_args()
    todo = []
    for name, model, sparsity, schedule, seed, variant, budget in plan():
        done = os.path.exists(os.path.join(RUNS, name + ".json"))
        if args.list:
            print("%-34s %s" % (name, "done" if done else "to do"))
        elif not done and fnmatch.fnmatch(name, args.only):
            steps = int(math.ceil(budget * dense_steps(LARGE) / 100) * 100)
            todo.append((name, model, sparsity, schedule, seed, variant, steps))
    if args.list:
        return
    os.makedirs(RUNS, exist_ok=True)
    pin_jar()
    print("%d runs to do, %d at a time" % (len(todo), args.jobs), flush=True)
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        for line in pool.map(attempt, todo):
            print(line, flush=True)


def attempt(r):
    """One run; a failure is reported and the others go on."""
    try:
        return run(*r)
    except Exception as e:  # noqa: BLE001  (a sweep of hours must not stop at one failed run)
        return "FAILED %s" % e


if __name__ == "__main__":
    main()
