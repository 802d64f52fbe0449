"""Writes the If reference models that IfImportTest checks runtime-lite against.

Each model is a small ONNX graph around one If node whose branches read values of the enclosing
graphs (graph inputs, initializers, node outputs) by name, and hold initializers or another If of
their own. Per model and branch taken, <model>.<then|else>.npz holds the inputs (keyed by graph
input name) and what ONNX Runtime (CPU, one thread) computes (keyed output:<name>).

Usage: python3 make_if_models.py   (needs numpy, onnx, onnxruntime; rewrites the files beside it)
"""
import os
import zipfile

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20250808)


def rand(*shape):
    return np.round(rng.uniform(-2, 2, shape), 2).astype(np.float32)


def out(name):
    """A rank-2 output of unknown dimensions (branches may differ in shape)."""
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, [None, None])


def outer_scope(opset):
    """then: Relu(x + w) * t, t = Tanh(x) in the main graph; else: x * v with v a branch initializer."""
    then = helper.make_graph(
        [helper.make_node("Add", ["x", "w"], ["s"]),
         helper.make_node("Relu", ["s"], ["r"]),
         helper.make_node("Mul", ["r", "t"], ["then_y"])],
        "then", [], [out("then_y")])
    other = helper.make_graph(
        [helper.make_node("Mul", ["x", "v"], ["else_y"])],
        "else", [], [out("else_y")], [numpy_helper.from_array(rand(3), "v")])
    graph = helper.make_graph(
        [helper.make_node("Tanh", ["x"], ["t"]),
         helper.make_node("If", ["cond"], ["y"], then_branch=then, else_branch=other)],
        "if_outer_scope",
        [helper.make_tensor_value_info("cond", TensorProto.BOOL, []),
         helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])],
        [out("y")],
        [numpy_helper.from_array(rand(3), "w")])
    return graph, opset


def nested(opset):
    """then: an inner If on sum(x) != 0 reading x, w, m and sq up to two levels up; else: outputs of other shapes."""
    axes = {"axes": [1]} if opset < 18 else {}
    mean_inputs = ["x"] if opset < 18 else ["x", "axes"]
    inner_then = helper.make_graph(
        [helper.make_node("Sub", ["x", "w"], ["a"]), helper.make_node("Neg", ["m"], ["b"])],
        "inner_then", [], [out("a"), out("b")])
    inner_else = helper.make_graph(
        [helper.make_node("Add", ["x", "w"], ["c"]), helper.make_node("Sqrt", ["sq"], ["d"])],
        "inner_else", [], [out("c"), out("d")])
    then = helper.make_graph(
        [helper.make_node("ReduceSum", ["x"], ["total"], keepdims=0),
         helper.make_node("Equal", ["total", "zero"], ["is_zero"]),
         helper.make_node("Not", ["is_zero"], ["nonzero"]),
         helper.make_node("If", ["nonzero"], ["then_y", "then_z"], then_branch=inner_then, else_branch=inner_else)],
        "then", [], [out("then_y"), out("then_z")], [numpy_helper.from_array(np.float32(0), "zero")])
    other = helper.make_graph(
        [helper.make_node("Identity", ["m"], ["else_y"]), helper.make_node("Abs", ["x"], ["else_z"])],
        "else", [], [out("else_y"), out("else_z")])
    nodes = [helper.make_node("ReduceMean", mean_inputs, ["m"], keepdims=1, **axes),
             helper.make_node("Mul", ["x", "x"], ["sq"]),
             helper.make_node("If", ["cond"], ["y", "z"], then_branch=then, else_branch=other)]
    inits = [numpy_helper.from_array(rand(3), "w")]
    if opset >= 18:
        inits.append(numpy_helper.from_array(np.array([1], np.int64), "axes"))
    graph = helper.make_graph(
        nodes, "if_nested",
        [helper.make_tensor_value_info("cond", TensorProto.BOOL, [1]),
         helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])],
        [out("y"), out("z")],
        inits)
    return graph, opset


def savez(path, arrays):
    """np.savez with a fixed timestamp per entry, so reruns rebuild identical files."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        for key, a in arrays.items():
            with z.open(zipfile.ZipInfo(key + ".npy", date_time=(1980, 1, 1, 0, 0, 0)), "w") as f:
                np.lib.format.write_array(f, np.asanyarray(a))


def main():
    for name, (graph, opset) in {"if_outer_scope_opset16": outer_scope(16),
                                 "if_outer_scope_opset11": outer_scope(11),
                                 "if_nested_opset16": nested(16),
                                 "if_nested_opset18": nested(18)}.items():
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], ir_version=8,
                                  producer_name="make_if_models.py")
        onnx.checker.check_model(model, full_check=True)
        path = os.path.join(HERE, name + ".onnx")
        onnx.save(model, path)
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        cond_shape = [d for d in graph.input[0].type.tensor_type.shape.dim]
        x = rand(2, 3)
        if "nested" in name:
            x[0] = np.abs(x[0]) + 1   # sum(x) is then far from 0: the inner If takes its then-branch
        for taken in ("then", "else"):
            feeds = {"cond": np.full([1] * len(cond_shape), taken == "then", dtype=bool), "x": x}
            names = [o.name for o in session.get_outputs()]
            results = dict(zip(names, session.run(names, feeds)))
            data = dict(feeds)
            data.update({"output:" + k: v for k, v in results.items()})
            savez(os.path.join(HERE, "%s.%s.npz" % (name, taken)), data)
            print(name, taken, {k: v.shape for k, v in results.items()})


if __name__ == "__main__":
    main()
