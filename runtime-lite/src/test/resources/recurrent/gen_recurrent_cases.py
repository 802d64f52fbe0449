#!/usr/bin/env python3
"""Generates the LSTM/GRU/RNN reference cases that RecurrentOpsTest runs (the *.case files here).

Rerun from the repository root after changing a case (needs numpy, onnx, onnxruntime):

    python3 runtime-lite/src/test/resources/recurrent/gen_recurrent_cases.py

Each case is one ONNX node with random inputs; the expected outputs come from ONNX Runtime.
The cases cover what the ONNX conformance suite does not: activations with alpha/beta and
per-direction lists, clip, input_forget, peepholes, sequence_lens (including a zero length)
together with initial states and bidirectional runs, linear_before_reset both ways, omitted
outputs, and layout = 1.

layout = 1: ONNX Runtime refuses batch-first recurrent nodes, and onnx.reference's
ReferenceEvaluator ignores sequence_lens, activations and clip. So a layout-1 case is computed
by ONNX Runtime on the equivalent layout-0 node (X, initial_h, initial_c transposed in, Y, Y_h,
Y_c transposed out, which is exactly what layout = 1 means in the spec). That mapping is itself
checked against ReferenceEvaluator on the layout-1 node, with the features the evaluator
ignores switched off, before any case is written.

Case file format (line based, '#' starts a comment line):
    op LSTM|GRU|RNN
    attr <name> int|float|string|ints|floats|strings <value(s)...>
    input <name> <dtype> <d0,d1,...> <values...>     one line per node input, in order;
    input -                                          an omitted optional input
    output <name> float32 <dims> <values...>          one line per node output, in order;
    output -                                          an omitted output
Values are written in the shortest form that reads back to the same float32.
"""
import os

import numpy as np
import onnx
import onnxruntime as ort
from onnx import helper, TensorProto
from onnx.reference import ReferenceEvaluator

HERE = os.path.dirname(os.path.abspath(__file__))
OPSET = 22
GATES = {"LSTM": 4, "GRU": 3, "RNN": 1}
INPUT_NAMES = {
    "LSTM": ["X", "W", "R", "B", "sequence_lens", "initial_h", "initial_c", "P"],
    "GRU": ["X", "W", "R", "B", "sequence_lens", "initial_h"],
    "RNN": ["X", "W", "R", "B", "sequence_lens", "initial_h"],
}
OUTPUT_NAMES = {"LSTM": ["Y", "Y_h", "Y_c"], "GRU": ["Y", "Y_h"], "RNN": ["Y", "Y_h"]}
rng = np.random.default_rng(20240611)


def make_model(op, attrs, inputs, outputs):
    """inputs: node-ordered list of arrays or None; outputs: names to request ('' = omitted)."""
    in_names = [n if a is not None else "" for n, a in zip(INPUT_NAMES[op], inputs)]
    while in_names and in_names[-1] == "":
        in_names.pop()
    node = helper.make_node(op, in_names, outputs, **attrs)
    graph_inputs = [
        helper.make_tensor_value_info(n, helper.np_dtype_to_tensor_dtype(a.dtype), a.shape)
        for n, a in zip(INPUT_NAMES[op], inputs) if a is not None
    ]
    graph_outputs = [helper.make_tensor_value_info(n, TensorProto.FLOAT, None) for n in outputs if n]
    graph = helper.make_graph([node], "g", graph_inputs, graph_outputs)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], ir_version=10)


def feeds(op, inputs):
    return {n: a for n, a in zip(INPUT_NAMES[op], inputs) if a is not None}


def to_layout0(op, inputs):
    swapped = list(inputs)
    for i, name in enumerate(INPUT_NAMES[op][:len(swapped)]):
        if name in ("X", "initial_h", "initial_c") and swapped[i] is not None:
            swapped[i] = np.ascontiguousarray(np.swapaxes(swapped[i], 0, 1))
    return swapped


def from_layout0(name, y):
    # Y: [seq, dirs, batch, hidden] -> [batch, seq, dirs, hidden]; states: [dirs, batch, h] -> [batch, dirs, h]
    return np.ascontiguousarray(np.transpose(y, (2, 0, 1, 3)) if name == "Y" else np.swapaxes(y, 0, 1))


def run_onnxruntime(op, attrs, inputs, outputs):
    if attrs.get("layout", 0) == 1:
        attrs0 = {k: v for k, v in attrs.items() if k != "layout"}
        got = run_onnxruntime(op, attrs0, to_layout0(op, inputs), outputs)
        return [from_layout0(n, y) for n, y in zip([n for n in outputs if n], got)]
    model = make_model(op, attrs, inputs, outputs)
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, feeds(op, inputs))


def check_layout_mapping():
    """ORT on the transposed layout-0 node must equal ReferenceEvaluator on the layout-1 node."""
    for op in ("LSTM", "GRU", "RNN"):
        for direction in ("forward", "reverse", "bidirectional"):
            dirs = 2 if direction == "bidirectional" else 1
            batch, seq, inp, hid = 2, 3, 3, 4
            g = GATES[op]
            inputs = [
                rnd(batch, seq, inp), rnd(dirs, g * hid, inp), rnd(dirs, g * hid, hid), rnd(dirs, 2 * g * hid),
                None, rnd(batch, dirs, hid)] + ([rnd(batch, dirs, hid), rnd(dirs, 3 * hid)] if op == "LSTM" else [])
            outputs = OUTPUT_NAMES[op]
            attrs = dict(hidden_size=hid, direction=direction, layout=1)
            ours = run_onnxruntime(op, attrs, inputs, outputs)
            ref = ReferenceEvaluator(make_model(op, attrs, inputs, outputs)).run(None, feeds(op, inputs))
            for a, b in zip(ours, ref):
                np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5, err_msg=f"{op} {direction} layout mapping")


def rnd(*shape, scale=0.5):
    return (rng.uniform(-1.0, 1.0, size=shape) * scale).astype(np.float32)


def fmt(values):
    return " ".join(str(v) for v in np.asarray(values, dtype=np.float32).ravel())


def attr_line(name, value):
    if isinstance(value, str):
        return f"attr {name} string {value}"
    if isinstance(value, int):
        return f"attr {name} int {value}"
    if isinstance(value, float):
        return f"attr {name} float {np.float32(value)}"
    if all(isinstance(v, str) for v in value):
        return f"attr {name} strings " + " ".join(value)
    return f"attr {name} floats " + fmt(value)


def tensor_line(kind, name, a):
    if a is None:
        return f"{kind} -"
    dtype = {np.dtype(np.float32): "float32", np.dtype(np.int32): "int32"}[a.dtype]
    body = " ".join(str(int(v)) for v in a.ravel()) if dtype == "int32" else fmt(a)
    return f"{kind} {name} {dtype} {','.join(str(d) for d in a.shape)} {body}"


def write_case(name, description, op, attrs, inputs, outputs):
    """inputs: node-ordered arrays (None = omitted); outputs: node outputs ('' = omitted)."""
    while inputs and inputs[-1] is None:
        inputs = inputs[:-1]
    expected = iter(run_onnxruntime(op, attrs, inputs, outputs))
    source = ("ONNX Runtime " + ort.__version__
              + (" on the layout-0 transposition" if attrs.get("layout", 0) == 1 else ""))
    lines = [f"# {description}", f"# expected outputs: {source}; written by gen_recurrent_cases.py, do not edit",
             f"op {op}"]
    lines += [attr_line(k, v) for k, v in attrs.items()]
    lines += [tensor_line("input", n, a) for n, a in zip(INPUT_NAMES[op], inputs)]
    lines += [tensor_line("output", n, next(expected) if n else None) for n in outputs]
    with open(os.path.join(HERE, name + ".case"), "w") as f:
        f.write("\n".join(lines) + "\n")
    return name


def weights(op, dirs, inp, hid, scale=0.5):
    g = GATES[op]
    return rnd(dirs, g * hid, inp, scale=scale), rnd(dirs, g * hid, hid, scale=scale), rnd(dirs, 2 * g * hid)


def lengths(*values):
    return np.array(values, dtype=np.int32)


def cases():
    names = []
    # LSTM ------------------------------------------------------------------------------------
    seq, batch, inp, hid = 4, 2, 3, 3
    w, r, b = weights("LSTM", 1, inp, hid)
    names.append(write_case(
        "lstm_activations_alpha_beta",
        "LSTM with HardSigmoid/ScaledTanh/LeakyRelu: alpha and beta are taken in order by the functions using them",
        "LSTM",
        dict(hidden_size=hid, activations=["HardSigmoid", "ScaledTanh", "LeakyRelu"],
             activation_alpha=[0.25, 0.9, 0.05], activation_beta=[0.45, 1.3]),
        [rnd(seq, batch, inp, scale=2.0), w, r, b, None, rnd(1, batch, hid)],
        ["Y", "Y_h", "Y_c"]))
    w, r, b = weights("LSTM", 1, inp, hid, scale=1.5)
    names.append(write_case(
        "lstm_clip_input_forget_peepholes",
        "LSTM with clip, input_forget = 1 and peepholes",
        "LSTM",
        dict(hidden_size=hid, clip=0.4, input_forget=1),
        [rnd(seq, batch, inp, scale=2.0), w, r, b, None, rnd(1, batch, hid), rnd(1, batch, hid), rnd(1, 3 * hid)],
        ["Y", "Y_h", "Y_c"]))
    seq, batch, inp, hid = 5, 4, 3, 4
    w, r, b = weights("LSTM", 2, inp, hid)
    names.append(write_case(
        "lstm_bidirectional_seqlens_initial_states",
        "bidirectional LSTM with sequence_lens (one of them 0), initial_h, initial_c and peepholes",
        "LSTM",
        dict(hidden_size=hid, direction="bidirectional"),
        [rnd(seq, batch, inp, scale=2.0), w, r, b, lengths(5, 2, 0, 3), rnd(2, batch, hid), rnd(2, batch, hid),
         rnd(2, 3 * hid)],
        ["Y", "Y_h", "Y_c"]))
    seq, batch, inp, hid = 3, 2, 2, 3
    w, r, b = weights("LSTM", 2, inp, hid)
    names.append(write_case(
        "lstm_bidirectional_per_direction_activations",
        "bidirectional LSTM, other functions in the reverse direction (one name in lower case), clip",
        "LSTM",
        dict(hidden_size=hid, direction="bidirectional", clip=3.0,
             activations=["Sigmoid", "Tanh", "Tanh", "HardSigmoid", "Softsign", "elu"],
             activation_alpha=[0.3, 1.5], activation_beta=[0.6]),
        [rnd(seq, batch, inp, scale=2.0), w, r, b],
        ["Y", "Y_h", "Y_c"]))
    seq, batch, inp, hid = 4, 3, 3, 2
    w, r, b = weights("LSTM", 2, inp, hid)
    names.append(write_case(
        "lstm_layout1_seqlens",
        "batch-first bidirectional LSTM with sequence_lens and initial states",
        "LSTM",
        dict(hidden_size=hid, direction="bidirectional", layout=1),
        [rnd(batch, seq, inp, scale=2.0), w, r, b, lengths(3, 1, 4), rnd(batch, 2, hid), rnd(batch, 2, hid)],
        ["Y", "Y_h", "Y_c"]))
    seq, batch, inp, hid = 3, 2, 3, 3
    w, r, b = weights("LSTM", 1, inp, hid)
    names.append(write_case(
        "lstm_reverse_only_y_c",
        "reverse LSTM with sequence_lens asking only for Y_c (Y and Y_h omitted)",
        "LSTM",
        dict(hidden_size=hid, direction="reverse"),
        [rnd(seq, batch, inp, scale=2.0), w, r, b, lengths(2, 3)],
        ["", "", "Y_c"]))
    # GRU -------------------------------------------------------------------------------------
    seq, batch, inp, hid = 4, 3, 3, 3
    w, r, b = weights("GRU", 2, inp, hid, scale=0.8)
    x, h0, lens = rnd(seq, batch, inp, scale=2.0), rnd(2, batch, hid), lengths(4, 2, 3)
    for lbr in (0, 1):
        names.append(write_case(
            f"gru_bidirectional_lbr{lbr}",
            f"bidirectional GRU, linear_before_reset = {lbr}, with B, sequence_lens and initial_h",
            "GRU",
            dict(hidden_size=hid, direction="bidirectional", linear_before_reset=lbr),
            [x, w, r, b, lens, h0],
            ["Y", "Y_h"]))
    seq, batch, inp, hid = 3, 2, 2, 4
    w, r, b = weights("GRU", 2, inp, hid, scale=1.2)
    names.append(write_case(
        "gru_activations_clip",
        "bidirectional GRU with HardSigmoid/Softsign forward, Sigmoid/Elu reverse, clip, linear_before_reset = 1",
        "GRU",
        dict(hidden_size=hid, direction="bidirectional", linear_before_reset=1, clip=0.8,
             activations=["HardSigmoid", "Softsign", "Sigmoid", "Elu"],
             activation_alpha=[0.15, 0.7], activation_beta=[0.55]),
        [rnd(seq, batch, inp, scale=2.0), w, r, b, None, rnd(2, batch, hid)],
        ["Y", "Y_h"]))
    seq, batch, inp, hid = 4, 3, 2, 3
    w, r, b = weights("GRU", 1, inp, hid, scale=0.8)
    names.append(write_case(
        "gru_layout1_reverse_seqlens",
        "batch-first reverse GRU with sequence_lens and initial_h",
        "GRU",
        dict(hidden_size=hid, direction="reverse", layout=1),
        [rnd(batch, seq, inp, scale=2.0), w, r, b, lengths(2, 4, 1), rnd(batch, 1, hid)],
        ["Y", "Y_h"]))
    seq, batch, inp, hid = 3, 2, 3, 2
    w, r, _ = weights("GRU", 1, inp, hid)
    names.append(write_case(
        "gru_only_y_no_bias",
        "GRU without B asking only for Y",
        "GRU",
        dict(hidden_size=hid, linear_before_reset=1),
        [rnd(seq, batch, inp, scale=2.0), w, r],
        ["Y"]))
    # RNN -------------------------------------------------------------------------------------
    seq, batch, inp, hid = 3, 3, 3, 4
    w, r, b = weights("RNN", 2, inp, hid)
    names.append(write_case(
        "rnn_bidirectional_affine_scaledtanh",
        "bidirectional RNN, Affine forward and ScaledTanh reverse, sequence_lens (one 0) and initial_h",
        "RNN",
        dict(hidden_size=hid, direction="bidirectional", activations=["Affine", "ScaledTanh"],
             activation_alpha=[0.8, 0.6], activation_beta=[0.1, 0.9]),
        [rnd(seq, batch, inp, scale=2.0), w, r, b, lengths(3, 0, 2), rnd(2, batch, hid)],
        ["Y", "Y_h"]))
    names.append(write_case(
        "rnn_relu_thresholdedrelu",
        "bidirectional RNN, Relu forward, ThresholdedRelu reverse: alpha goes to the first function using it",
        "RNN",
        dict(hidden_size=hid, direction="bidirectional", activations=["Relu", "ThresholdedRelu"],
             activation_alpha=[0.15, 0.6]),
        [rnd(seq, batch, inp, scale=2.0), w, r, b],
        ["Y", "Y_h"]))
    seq, batch, inp, hid = 4, 2, 3, 3
    w, r, b = weights("RNN", 1, inp, hid, scale=1.5)
    names.append(write_case(
        "rnn_layout1_softplus_clip",
        "batch-first RNN with Softplus, clip and sequence_lens, asking only for Y_h",
        "RNN",
        dict(hidden_size=hid, layout=1, clip=0.5, activations=["Softplus"]),
        [rnd(batch, seq, inp, scale=2.0), w, r, b, lengths(4, 2)],
        ["", "Y_h"]))
    w, r, b = weights("RNN", 1, inp, hid)
    names.append(write_case(
        "rnn_one_direction_two_activation_names",
        "one-direction RNN given two names, as the schema default has: the first one applies",
        "RNN",
        dict(hidden_size=hid, direction="reverse", activations=["LeakyRelu", "Tanh"], activation_alpha=[0.1]),
        [rnd(seq, batch, inp, scale=2.0), w, r, b],
        ["Y", "Y_h"]))
    return names


if __name__ == "__main__":
    check_layout_mapping()
    for old in os.listdir(HERE):
        if old.endswith(".case"):
            os.remove(os.path.join(HERE, old))
    written = cases()
    with open(os.path.join(HERE, "cases.txt"), "w") as f:
        f.write("# one case per line; written by gen_recurrent_cases.py\n" + "\n".join(written) + "\n")
    print(f"wrote {len(written)} cases")
