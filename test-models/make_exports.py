"""Exports the test models of make_models.py the other ways users export them, into exports/.

Run from anywhere:  python3 test-models/make_exports.py
Needs torch (CPU), onnx, onnxscript, onnxruntime and numpy; last run with torch 2.13, onnx 1.23.1,
onnxscript 0.7.2, onnxruntime 1.30 and numpy 2.4.

make_models.py exports every model with the TorchScript exporter and dynamic axes named "batch"
and "seq". Since torch 2.9 a plain torch.onnx.export(model, args, f) runs the dynamo exporter
instead, and users name their axes as they like, so each folder of exports/ holds the same
modules (same weights: same seeds) exported one other way:

  dynamo_static/   torch.onnx.export(model, args, f): the exporter's defaults (opset 20, IR 10,
                   static shapes, weights in f + ".data" as the exporter writes them)
  dynamo_dynamic/  the same with dynamic_shapes marking the batch axis torch.export.Dim.DYNAMIC
                   (named s27, s77, ... by the exporter); torch.export specializes the sequence
                   length of nn.LSTM / nn.GRU / nn.RNN, so the sequence axis stays static
  legacy_renamed/  dynamo=False, opset 17, dynamic axes named T/N or seq_len/bsz instead of seq/batch
  legacy_static/   dynamo=False, opset 17, no dynamic axes
  onnx_ir14/       a legacy export rebuilt with onnx.helper.make_model's defaults under onnx 1.23
                   (IR 14, ai.onnx opset 28); its outputs are onnxruntime's on the same graph saved
                   as IR 10 / opset 22 (onnxruntime 1.30 reads IR <= 13, opsets <= 26)

Per model NAME, each folder holds NAME.onnx (and NAME.onnx.data for dynamo exports), NAME.npz
(reference inputs keyed by input name; onnxruntime's outputs keyed "output:" + output name) and
NAME.train.npz (fine-tuning inputs: TRAIN_SAMPLES samples on a new first axis, each shaped like
the input without its batch axis, the sequence axis TRAIN_SEQ long where it is dynamic and as
exported where it is static).
"""
import os
import shutil
import warnings

import numpy as np
import onnx
import onnxruntime as ort
import torch
from torch.export import Dim

from make_models import MODELS, OTHER_BATCH, OTHER_SEQ, B, S, check_against_torch, \
    reference_input, savez

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "exports")
LEGACY_OPSET = 17
TRAIN_SAMPLES, TRAIN_SEQ = 96, 12

# The six models exported in every form; the dynamo folders hold all nine.
CORE = ["lstm_stack2_bidir", "gru_bidir_softmax", "lstm_batchfirst_logsoftmax", "rnn_tanh_stack2",
        "char_lm", "conv_gru"]
# legacy_renamed: sequence-first models get T/N (time, batch), the others seq_len/bsz
RENAMES = {
    "lstm_stack2_bidir": {S: "T", B: "N"},
    "rnn_tanh_stack2": {S: "T", B: "N"},
    "conv_gru": {S: "T", B: "N"},
    "gru_bidir_softmax": {S: "seq_len", B: "bsz"},
    "lstm_batchfirst_logsoftmax": {S: "seq_len", B: "bsz"},
    "char_lm": {S: "seq_len", B: "bsz"},
}
IR14_MODEL = "lstm_stack2_bidir"
# which axis roles (B batch, S sequence) are symbolic in each variant's exports
DYNAMIC_ROLES = {"dynamo_static": set(), "dynamo_dynamic": {B}, "legacy_renamed": {B, S}, "legacy_static": set(),
                 "onnx_ir14": {B, S}}

warnings.filterwarnings("ignore", message=".*legacy TorchScript-based ONNX export.*")
warnings.filterwarnings("ignore", message=".*batch_size other than 1.*")
warnings.filterwarnings("ignore", message=".*were assigned during export.*")
warnings.filterwarnings("ignore", category=FutureWarning)


def session(path):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    return ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])


def export_dynamo(module, args, m, path, dynamic):
    if not dynamic:
        torch.onnx.export(module, args, path)          # what a new user writes
        return
    shapes = {n: {axis: Dim.DYNAMIC for axis, role in axes.items() if role == B} for n, _, axes in m["inputs"]}
    torch.onnx.export(module, args, path, dynamic_shapes=shapes)


def export_legacy(module, args, m, path, names):
    """names maps make_models' axis roles (B, S) to the names written; None exports static shapes."""
    def renamed(axes):
        return {axis: names[role] for axis, role in axes.items()}
    dynamic_axes = None if names is None else {
        **{n: renamed(axes) for n, _, axes in m["inputs"]}, **{n: renamed(axes) for n, axes in m["outputs"]}}
    torch.onnx.export(module, args, path, input_names=[n for n, _, _ in m["inputs"]],
                      output_names=[n for n, _ in m["outputs"]], dynamic_axes=dynamic_axes,
                      opset_version=LEGACY_OPSET, dynamo=False)


def resized(m, rng, dynamic_roles):
    """Inputs with OTHER_BATCH / OTHER_SEQ in place of the axes whose role is dynamic in the export."""
    sizes = {B: OTHER_BATCH, S: OTHER_SEQ}
    return {n: reference_input(n, tuple(sizes[axes[i]] if axes.get(i) in dynamic_roles else d
                                        for i, d in enumerate(shape)), rng)
            for n, shape, axes in m["inputs"]}


def train_inputs(m, rng, dynamic_roles):
    """TRAIN_SAMPLES samples per input without the batch axis; sequence TRAIN_SEQ where it is symbolic."""
    arrays = {}
    for n, shape, axes in m["inputs"]:
        sample = tuple(TRAIN_SEQ if axes.get(i) == S and S in dynamic_roles else d
                       for i, d in enumerate(shape) if axes.get(i) != B)
        arrays[n] = reference_input(n, (TRAIN_SAMPLES,) + sample, rng)
    return arrays


def ir14_copy(source, path):
    """Rebuilds a model with onnx.helper.make_model's defaults, as tools on onnx >= 1.18 write them."""
    rebuilt = onnx.helper.make_model(onnx.load(source).graph, producer_name="onnx.helper.make_model",
                                     producer_version=onnx.__version__)
    assert rebuilt.ir_version == onnx.IR_VERSION, rebuilt.ir_version
    onnx.save(rebuilt, path)


def runnable_copy(path):
    """onnxruntime 1.30 reads IR <= 13 and ai.onnx opsets <= 26: the same graph saved as IR 10, opset 22.

    Every op of the graph has the meaning at opset 22 it has at the newest opset (the later versions
    only add element types), so the outputs are those of the newer file.
    """
    model = onnx.load(path)
    model.ir_version = 10
    for opset in model.opset_import:
        if opset.domain in ("", "ai.onnx"):
            opset.version = min(opset.version, 22)
    copy = path + ".ir10.onnx"
    onnx.save(model, copy)
    return copy


def build(folder, index, m, variant):
    """variant: 'dynamo_static', 'dynamo_dynamic', 'legacy_renamed', 'legacy_static' or 'onnx_ir14'."""
    torch.manual_seed(1000 + index)                   # the weights of make_models.py's model
    module = m["module"]().eval()
    rng = np.random.default_rng(2000 + index)
    inputs = {n: reference_input(n, shape, rng) for n, shape, _ in m["inputs"]}
    args = tuple(torch.from_numpy(a) for a in inputs.values())
    path = os.path.join(folder, m["name"] + ".onnx")
    dynamic_roles = DYNAMIC_ROLES[variant]
    with torch.no_grad():
        if variant.startswith("dynamo"):
            export_dynamo(module, args, m, path, variant == "dynamo_dynamic")
        elif variant == "legacy_renamed":
            export_legacy(module, args, m, path, RENAMES[m["name"]])
        elif variant == "legacy_static":
            export_legacy(module, args, m, path, None)
        else:
            legacy = path + ".legacy.onnx"
            export_legacy(module, args, m, legacy, {B: B, S: S})
            ir14_copy(legacy, path)
            os.remove(legacy)
    onnx.checker.check_model(path, full_check=True)   # by path: external data is checked too
    if variant == "onnx_ir14":
        copy = runnable_copy(path)
        s = session(copy)
        os.remove(copy)
    else:
        s = session(path)
    feeds = {i.name: a for i, a in zip(s.get_inputs(), inputs.values())}
    results = check_against_torch(module, s, feeds)
    if dynamic_roles:
        other = resized(m, rng, dynamic_roles)
        check_against_torch(module, s, {i.name: a for i, a in zip(s.get_inputs(), other.values())})
    outputs = {"output:" + o.name: r for o, r in zip(s.get_outputs(), results)}
    savez(os.path.join(folder, m["name"] + ".npz"), {**feeds, **outputs})
    train = train_inputs(m, np.random.default_rng(3000 + index), dynamic_roles)
    savez(os.path.join(folder, m["name"] + ".train.npz"),
          {i.name: a for i, a in zip(s.get_inputs(), train.values())})
    model = onnx.load(path, load_external_data=False)
    size = os.path.getsize(path) + (os.path.getsize(path + ".data") if os.path.exists(path + ".data") else 0)
    print("%-16s %-28s IR %2d opset %2d %7d bytes  inputs: %s" % (
        variant, m["name"], model.ir_version, model.opset_import[0].version, size,
        ", ".join("%s%s" % (v.name, [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim])
                  for v in model.graph.input)))


def main():
    variants = [("dynamo_static", MODELS), ("dynamo_dynamic", MODELS),
                ("legacy_renamed", [m for m in MODELS if m["name"] in CORE]),
                ("legacy_static", [m for m in MODELS if m["name"] in CORE]),
                ("onnx_ir14", [m for m in MODELS if m["name"] == IR14_MODEL])]
    for variant, models in variants:
        folder = os.path.join(OUT, variant)
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
        for m in models:
            build(folder, MODELS.index(m), m, variant)


if __name__ == "__main__":
    main()
