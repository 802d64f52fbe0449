"""Builds lstm_state_io.onnx: one ONNX LSTM node whose initial_h / initial_c are graph inputs and
whose Y_h / Y_c are graph outputs (the names of the ONNX operator spec, which no name convention
pairs), and lstm_state_io.npz: a reference input and what ONNX Runtime computes for it.

    python3 test-models/streaming/make_lstm_state_io.py

Needs onnx, onnxruntime and numpy; fixed seed and .npz timestamps, so a rerun with the same
versions rebuilds byte-identical files.
"""
import io
import os
import zipfile

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
INPUT, HIDDEN, SEQ, BATCH = 6, 16, 7, 2


def build(rng):
    w = (rng.standard_normal((1, 4 * HIDDEN, INPUT)) * 0.4).astype(np.float32)
    r = (rng.standard_normal((1, 4 * HIDDEN, HIDDEN)) * 0.3).astype(np.float32)
    b = (rng.standard_normal((1, 8 * HIDDEN)) * 0.1).astype(np.float32)
    state = [1, "batch", HIDDEN]
    node = helper.make_node("LSTM", ["X", "W", "R", "B", "", "initial_h", "initial_c"], ["Y", "Y_h", "Y_c"],
                            name="lstm", hidden_size=HIDDEN)
    graph = helper.make_graph(
        [node], "lstm_state_io",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, ["seq", "batch", INPUT]),
         helper.make_tensor_value_info("initial_h", TensorProto.FLOAT, state),
         helper.make_tensor_value_info("initial_c", TensorProto.FLOAT, state)],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, ["seq", 1, "batch", HIDDEN]),
         helper.make_tensor_value_info("Y_h", TensorProto.FLOAT, state),
         helper.make_tensor_value_info("Y_c", TensorProto.FLOAT, state)],
        [numpy_helper.from_array(w, "W"), numpy_helper.from_array(r, "R"), numpy_helper.from_array(b, "B")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="make_lstm_state_io.py")
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    return model


def save_npz(path, arrays):
    """np.savez with a fixed timestamp per entry, so reruns are byte-identical."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, a in arrays.items():
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.ascontiguousarray(a), allow_pickle=False)
            info = zipfile.ZipInfo(name + ".npy", date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, buf.getvalue())


def main():
    rng = np.random.default_rng(2024)
    model = build(rng)
    onnx_path = os.path.join(HERE, "lstm_state_io.onnx")
    onnx.save(model, onnx_path)
    inputs = {"X": rng.standard_normal((SEQ, BATCH, INPUT)).astype(np.float32),
              "initial_h": rng.standard_normal((1, BATCH, HIDDEN)).astype(np.float32),
              "initial_c": rng.standard_normal((1, BATCH, HIDDEN)).astype(np.float32)}
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(onnx_path, options, providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    outputs = session.run(names, inputs)
    arrays = dict(inputs)
    arrays.update({"output:" + n: o for n, o in zip(names, outputs)})
    save_npz(os.path.join(HERE, "lstm_state_io.npz"), arrays)


if __name__ == "__main__":
    main()
