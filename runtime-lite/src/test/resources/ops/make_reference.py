#!/usr/bin/env python3
"""Writes the reference cases that OpReferenceTest checks runtime-lite against.

Each case is a one-node ONNX model at a given opset. It is run with ONNX Runtime (or, where
ONNX Runtime has no kernel for that type and opset, with onnx.reference.ReferenceEvaluator) and
written, inputs and outputs included, to a small line-based text file:

    case <name>
    op <OpType>
    opset <version>
    reference <onnxruntime | onnx.reference>
    attr <name> <int|float|string|ints|floats> <values...>
    input <name> <dtype> [<d0>,<d1>,...] <values...>   (fed at run time)
    const <name> <dtype> [<dims>] <values...>          (an initializer)
    input -                                            (an omitted optional input)
    output <name> <dtype> [<dims>] <values...>
    end

Floats are written in the shortest form that reads back as the same float32 / float64.

Usage: python3 make_reference.py   (needs numpy, onnx, onnxruntime; rewrites *.txt beside it)
"""
import os

import numpy as np
import onnx
import onnxruntime as ort
from onnx import helper, numpy_helper
from onnx.reference import ReferenceEvaluator

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20240611)
CASES = {"elementwise": [], "linear": [], "nn": []}


def rand(*shape, lo=-2.0, hi=2.0, dtype=np.float32):
    """Uniform values with two decimals, so the text files stay short."""
    return np.round(rng.uniform(lo, hi, shape), 2).astype(dtype)


def ints(values, dtype=np.int64):
    return np.array(values, dtype=dtype)


def case(file, name, op, opset, inputs, reference="onnxruntime", **attrs):
    """inputs: (name, array) fed, (name, array, "const") initializer, or None for an omitted input."""
    inputs = [None if i is None else (i[0], np.asarray(i[1])) + tuple(i[2:]) for i in inputs]
    CASES[file].append((name, op, opset, inputs, attrs, reference))


def attr_line(key, value):
    if isinstance(value, str):
        return f"attr {key} string {value}"
    if isinstance(value, float):
        return f"attr {key} float {fmt(np.float32(value))}"
    if isinstance(value, int):
        return f"attr {key} int {value}"
    if all(isinstance(v, int) for v in value):
        return f"attr {key} ints " + " ".join(str(v) for v in value)
    return f"attr {key} floats " + " ".join(fmt(np.float32(v)) for v in value)


def fmt(v):
    if np.isnan(v):
        return "NaN"
    if np.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return str(v.item()) if v.dtype.kind in "iu" else str(v)


def tensor_line(kind, name, array):
    shape = "[" + ",".join(str(d) for d in array.shape) + "]"
    values = " ".join(fmt(v) for v in array.reshape(-1))
    return f"{kind} {name} {array.dtype.name} {shape} {values}".rstrip()


def run(name, op, opset, inputs, attrs, reference):
    node_inputs, graph_inputs, inits, feeds = [], [], [], {}
    for item in inputs:
        if item is None:
            node_inputs.append("")
            continue
        node_inputs.append(item[0])
        if len(item) == 3:
            inits.append(numpy_helper.from_array(item[1], item[0]))
        else:
            feeds[item[0]] = item[1]
            graph_inputs.append(helper.make_tensor_value_info(
                item[0], helper.np_dtype_to_tensor_dtype(item[1].dtype), item[1].shape))
    node = helper.make_node(op, node_inputs, ["output"], name=name, **attrs)
    graph = helper.make_graph([node], name, graph_inputs, [onnx.ValueInfoProto(name="output")], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 10
    if reference == "onnxruntime":
        try:
            session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
        except ort.capi.onnxruntime_pybind11_state.NotImplemented:
            # ONNX Runtime lacks a kernel for this type / opset: use the ONNX reference implementation
            return run(name, op, opset, inputs, attrs, "onnx.reference")
        return session.run(None, feeds)[0], reference
    return ReferenceEvaluator(model).run(None, feeds)[0], reference


def write(group):
    lines = [f"# Reference cases for {group} operators, written by make_reference.py; do not edit."]
    for name, op, opset, inputs, attrs, reference in CASES[group]:
        y, reference = run(name, op, opset, inputs, attrs, reference)
        y = np.asarray(y)
        lines += ["", f"case {name}", f"op {op}", f"opset {opset}", f"reference {reference}"]
        lines += [attr_line(k, v) for k, v in attrs.items()]
        for item in inputs:
            if item is None:
                lines.append("input -")
            else:
                lines.append(tensor_line("const" if len(item) == 3 else "input", item[0], item[1]))
        lines.append(tensor_line("output", "output", y))
        lines.append("end")
    with open(os.path.join(HERE, group + ".txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


# ---- elementwise ----
E = "elementwise"
case(E, "add_same_shape", "Add", 14, [("A", rand(2, 3)), ("B", rand(2, 3))])
case(E, "add_3d_plus_column", "Add", 14, [("A", rand(2, 3, 4)), ("B", rand(3, 1))])
case(E, "add_column_plus_row_opset7", "Add", 7, [("A", rand(3, 1)), ("B", rand(1, 4))])
case(E, "add_scalar", "Add", 13, [("A", rand(2, 3)), ("B", rand())])
case(E, "add_empty", "Add", 13, [("A", rand(0, 3)), ("B", rand(3))])
case(E, "sub_broadcast_both", "Sub", 14, [("A", rand(2, 1, 4)), ("B", rand(3, 1))])
case(E, "sub_scalar_minus_matrix", "Sub", 14, [("A", rand()), ("B", rand(2, 2))])
case(E, "mul_vector_times_3d", "Mul", 14, [("A", rand(4)), ("B", rand(2, 3, 4))])
case(E, "mul_middle_axis", "Mul", 14, [("A", rand(2, 3, 2)), ("B", rand(1, 3, 1))])
case(E, "div_float_row", "Div", 14, [("A", rand(2, 3)), ("B", rand(3, lo=0.5, hi=2))])
case(E, "add_float64", "Add", 14, [("A", rand(2, 3, dtype=np.float64)), ("B", rand(3, dtype=np.float64))])
case(E, "div_float64", "Div", 14, [("A", rand(3, dtype=np.float64)), ("B", rand(1, lo=1, hi=2, dtype=np.float64))])
case(E, "add_int64_shape_arithmetic", "Add", 14, [("A", ints([2, 3, 5])), ("B", ints(-1))])
case(E, "sub_int64", "Sub", 14, [("A", ints([[10], [20]])), ("B", ints([1, 2, 3]))])
case(E, "mul_int64", "Mul", 14, [("A", ints([2, -3, 4])), ("B", ints([[1], [-2]]))])
case(E, "div_int64_truncates", "Div", 14,
     [("A", ints([-7, 7, -7, 7, 5, -5, 0, 9])), ("B", ints([2, -2, -2, 2, 3, 3, 4, 9]))])
case(E, "div_int32_truncates", "Div", 14,
     [("A", ints([-7, 7, -7, 7, 5, -5], np.int32)), ("B", ints([2, -2, -2, 2, 3, 3], np.int32))])
case(E, "add_int32", "Add", 14, [("A", ints([[1, 2], [3, 4]], np.int32)), ("B", ints([10, 20], np.int32))])
case(E, "pow_scalar_exponent", "Pow", 13, [("X", rand(2, 3)), ("Y", np.float32(2))])
case(E, "pow_broadcast", "Pow", 15, [("X", rand(2, 3, lo=0.1, hi=3)), ("Y", rand(3, lo=-2, hi=2))])
case(E, "pow_int64_exponent", "Pow", 15, [("X", rand(4)), ("Y", ints(3))])
case(E, "pow_opset7", "Pow", 7, [("X", rand(2, 2, lo=0.5, hi=2)), ("Y", rand(2, 2))])

wide = np.concatenate([rand(10, lo=-6, hi=6), np.array([-100, -30, 0, 30, 100], np.float32)])
case(E, "relu", "Relu", 14, [("X", rand(3, 4))])
case(E, "relu_opset7", "Relu", 7, [("X", rand(6))])
case(E, "relu_float64", "Relu", 14, [("X", rand(5, dtype=np.float64))])
case(E, "relu_int64", "Relu", 14, [("X", ints([-3, 0, 4]))])
case(E, "sigmoid", "Sigmoid", 13, [("X", wide)])
case(E, "sigmoid_float64", "Sigmoid", 13, [("X", wide.astype(np.float64))])
case(E, "tanh", "Tanh", 13, [("X", wide)])
case(E, "leaky_relu_default", "LeakyRelu", 16, [("X", rand(6))])
case(E, "leaky_relu_alpha", "LeakyRelu", 7, [("X", rand(6))], alpha=0.2)
case(E, "elu", "Elu", 7, [("X", rand(6, lo=-5, hi=2))], alpha=0.5)
case(E, "elu_default", "Elu", 22, [("X", rand(6, lo=-5, hi=2))])
case(E, "exp", "Exp", 13, [("X", rand(8, lo=-10, hi=10))])
case(E, "log", "Log", 13, [("X", rand(6, lo=0.01, hi=100))])
case(E, "sqrt", "Sqrt", 13, [("X", rand(6, lo=0, hi=50))])
case(E, "neg", "Neg", 13, [("X", rand(5))])
case(E, "neg_int64", "Neg", 13, [("X", ints([3, -4, 0]))])
case(E, "abs", "Abs", 13, [("X", rand(5))])
case(E, "abs_int32", "Abs", 13, [("X", ints([-3, 4, 0], np.int32))])
case(E, "erf", "Erf", 13, [("X", np.concatenate([rand(12, lo=-4, hi=4), np.float32([0, 1e-4, -2.5, 2.5, 6])]))])
case(E, "softplus", "Softplus", 7, [("X", wide)])
case(E, "softsign", "Softsign", 7, [("X", rand(6, lo=-10, hi=10))])
case(E, "hard_sigmoid_default", "HardSigmoid", 7, [("X", rand(8, lo=-4, hi=4))])
case(E, "hard_sigmoid_alpha_beta", "HardSigmoid", 22, [("X", rand(8, lo=-4, hi=4))], alpha=0.3, beta=0.4)
case(E, "gelu", "Gelu", 20, [("X", rand(8, lo=-4, hi=4))])
case(E, "gelu_tanh", "Gelu", 20, [("X", rand(8, lo=-4, hi=4))], approximate="tanh")
case(E, "clip_attrs_opset7", "Clip", 7, [("X", rand(8))], min=-0.5, max=0.75)
case(E, "clip_attr_max_only_opset7", "Clip", 7, [("X", rand(6))], max=0.5)
case(E, "clip_inputs_opset11", "Clip", 11, [("X", rand(8)), ("min", np.float32(-1), "const"), ("max", np.float32(0.5), "const")])
case(E, "clip_max_only_opset13", "Clip", 13, [("X", rand(6)), None, ("max", np.float32(0.25), "const")])
case(E, "clip_no_bounds_opset13", "Clip", 13, [("X", rand(4))])
case(E, "clip_int64_opset13", "Clip", 13, [("X", ints([-5, 0, 3, 9])), ("min", ints(-2)), ("max", ints(4))])
case(E, "clip_fed_bounds_float64", "Clip", 13, [("X", rand(5, dtype=np.float64)), ("min", np.float64(-0.5)), None])

# ---- linear ----
L = "linear"
case(L, "gemm_bias_row", "Gemm", 13, [("A", rand(3, 4)), ("B", rand(4, 5)), ("C", rand(5))])
case(L, "gemm_trans_both_alpha_beta_column_bias", "Gemm", 13,
     [("A", rand(4, 3)), ("B", rand(5, 4)), ("C", rand(3, 1))], transA=1, transB=1, alpha=0.5, beta=2.0)
case(L, "gemm_transB_scalar_bias", "Gemm", 13, [("A", rand(2, 3)), ("B", rand(4, 3)), ("C", rand())], transB=1)
case(L, "gemm_transA_full_bias", "Gemm", 9, [("A", rand(3, 2)), ("B", rand(3, 4)), ("C", rand(2, 4))], transA=1, beta=-1.0)
case(L, "gemm_without_C_opset11", "Gemm", 11, [("A", rand(2, 3)), ("B", rand(3, 2))], alpha=2.0)
case(L, "gemm_without_C_opset13", "Gemm", 13, [("A", rand(2, 3)), ("B", rand(2, 3)), None], transB=1)
case(L, "gemm_opset7_bias_1xN", "Gemm", 7, [("A", rand(2, 3)), ("B", rand(3, 4)), ("C", rand(1, 4))])
case(L, "gemm_const_weights", "Gemm", 13, [("A", rand(2, 4)), ("B", rand(3, 4), "const"), ("C", rand(3), "const")],
     transB=1)
case(L, "matmul_2d", "MatMul", 13, [("A", rand(3, 4)), ("B", rand(4, 5))])
case(L, "matmul_opset9", "MatMul", 9, [("A", rand(2, 3)), ("B", rand(3, 2))])
case(L, "matmul_vector_matrix", "MatMul", 13, [("A", rand(4)), ("B", rand(4, 3))])
case(L, "matmul_matrix_vector", "MatMul", 13, [("A", rand(3, 4)), ("B", rand(4))])
case(L, "matmul_vector_vector", "MatMul", 13, [("A", rand(4)), ("B", rand(4))])
case(L, "matmul_batched", "MatMul", 13, [("A", rand(2, 3, 4)), ("B", rand(2, 4, 5))])
case(L, "matmul_batch_broadcast", "MatMul", 13, [("A", rand(2, 1, 3, 4)), ("B", rand(3, 4, 2))])
case(L, "matmul_3d_times_weights", "MatMul", 13, [("A", rand(2, 3, 4)), ("B", rand(4, 5), "const")])
case(L, "matmul_matrix_times_batch", "MatMul", 13, [("A", rand(3, 4)), ("B", rand(2, 4, 5))])
case(L, "matmul_vector_times_batch", "MatMul", 13, [("A", rand(4)), ("B", rand(2, 4, 3))])
case(L, "matmul_batch_times_vector", "MatMul", 13, [("A", rand(2, 3, 4)), ("B", rand(4))])
case(L, "matmul_batch_of_one", "MatMul", 13, [("A", rand(2, 2, 3)), ("B", rand(1, 1, 3, 2))])
# constant weights take the WeightMatrix path; their own generator keeps the later cases' data unchanged
wrng = np.random.default_rng(20261122)


def wrand(*shape):
    return wrng.uniform(-2.0, 2.0, size=shape).astype(np.float32)


case(L, "gemm_const_B_as_stored_KxN", "Gemm", 13, [("A", wrand(3, 4)), ("B", wrand(4, 5), "const"), ("C", wrand(5), "const")])
case(L, "gemm_const_B_transA_alpha_beta", "Gemm", 13,
     [("A", wrand(4, 3)), ("B", wrand(5, 4), "const"), ("C", wrand(3, 1))], transA=1, transB=1, alpha=0.5, beta=2.0)
case(L, "gemm_const_B_alpha_without_C", "Gemm", 13, [("A", wrand(2, 3)), ("B", wrand(3, 2), "const")], alpha=2.0)
case(L, "gemm_const_B_beta_zero", "Gemm", 13, [("A", wrand(2, 3)), ("B", wrand(4, 3), "const"), ("C", wrand(2, 4))],
     transB=1, beta=0.0)
case(L, "matmul_vector_times_const_matrix", "MatMul", 13, [("A", wrand(4)), ("B", wrand(4, 3), "const")])
case(L, "matmul_matrix_times_const_vector", "MatMul", 13, [("A", wrand(3, 4)), ("B", wrand(4), "const")])
case(L, "matmul_4d_times_const_weights", "MatMul", 13, [("A", wrand(2, 2, 3, 4)), ("B", wrand(4, 5), "const")])
case(L, "matmul_times_const_batch", "MatMul", 13, [("A", wrand(2, 3, 4)), ("B", wrand(2, 4, 5), "const")])

# ---- nn ----
N = "nn"
big = rand(2, 3, 4) * 500
case(N, "softmax_opset11_default_axis_flattens", "Softmax", 11, [("X", rand(2, 3, 4))])
case(N, "softmax_opset11_axis2", "Softmax", 11, [("X", rand(2, 3, 4))], axis=2)
case(N, "softmax_opset11_axis0", "Softmax", 11, [("X", rand(2, 3))], axis=0)
case(N, "softmax_opset13_default_last_axis", "Softmax", 13, [("X", rand(2, 3, 4))])
case(N, "softmax_opset13_middle_axis", "Softmax", 13, [("X", rand(2, 3, 4))], axis=1)
case(N, "softmax_opset13_large_values", "Softmax", 13, [("X", big)], axis=-2)
case(N, "logsoftmax_opset11_default_axis_flattens", "LogSoftmax", 11, [("X", rand(2, 3, 4))])
case(N, "logsoftmax_opset13_axis0", "LogSoftmax", 13, [("X", rand(3, 4))], axis=0)
case(N, "logsoftmax_opset13_large_values", "LogSoftmax", 13, [("X", big)])

case(N, "conv1d_bias", "Conv", 11, [("X", rand(1, 2, 7)), ("W", rand(3, 2, 3)), ("B", rand(3))])
case(N, "conv1d_stride_pads_dilation", "Conv", 11, [("X", rand(2, 2, 9)), ("W", rand(3, 2, 3)), ("B", rand(3))],
     strides=[2], pads=[1, 2], dilations=[2])
case(N, "conv1d_groups", "Conv", 11, [("X", rand(2, 4, 9)), ("W", rand(6, 2, 3))], group=2, pads=[1, 1])
case(N, "conv1d_depthwise", "Conv", 11, [("X", rand(1, 3, 8)), ("W", rand(3, 1, 3), "const"), ("B", rand(3), "const")],
     group=3, kernel_shape=[3])
case(N, "conv1d_same_upper_stride2", "Conv", 11, [("X", rand(1, 2, 8)), ("W", rand(2, 2, 4))],
     auto_pad="SAME_UPPER", strides=[2])
case(N, "conv1d_same_lower", "Conv", 11, [("X", rand(1, 2, 7)), ("W", rand(2, 2, 4))], auto_pad="SAME_LOWER")
case(N, "conv1d_valid", "Conv", 11, [("X", rand(1, 2, 7)), ("W", rand(2, 2, 3))], auto_pad="VALID", strides=[2])
case(N, "conv1d_pointwise", "Conv", 11, [("X", rand(2, 4, 5)), ("W", rand(3, 4, 1)), ("B", rand(3))])
case(N, "conv1d_opset7", "Conv", 7, [("X", rand(1, 2, 6)), ("W", rand(2, 2, 2))], pads=[0, 1])
case(N, "conv2d_bias_pads_strides", "Conv", 11, [("X", rand(1, 2, 5, 6)), ("W", rand(3, 2, 3, 3)), ("B", rand(3))],
     pads=[1, 1, 1, 1], strides=[2, 1])
case(N, "conv2d_groups_dilations_asymmetric_pads", "Conv", 11,
     [("X", rand(2, 4, 6, 5)), ("W", rand(4, 2, 2, 3))], group=2, dilations=[2, 1], pads=[0, 1, 2, 1],
     kernel_shape=[2, 3])
case(N, "conv2d_pointwise", "Conv", 22, [("X", rand(1, 3, 2, 3)), ("W", rand(2, 3, 1, 1))])
case(N, "conv2d_same_upper", "Conv", 11, [("X", rand(1, 1, 5, 5)), ("W", rand(2, 1, 2, 2))],
     auto_pad="SAME_UPPER", strides=[2, 2])

case(N, "pad_opset10_constant_value", "Pad", 10, [("X", rand(2, 3))], pads=[1, 0, 0, 2], value=1.5)
case(N, "pad_opset10_reflect", "Pad", 10, [("X", rand(3, 4))], mode="reflect", pads=[1, 2, 2, 1])
case(N, "pad_opset10_edge", "Pad", 10, [("X", rand(2, 3))], mode="edge", pads=[0, 3, 1, 0])
case(N, "pad_opset11_constant", "Pad", 11,
     [("X", rand(2, 3)), ("pads", ints([0, 1, 1, 2]), "const"), ("value", np.float32(-1), "const")])
case(N, "pad_opset11_default_zero", "Pad", 11, [("X", rand(1, 2, 3)), ("pads", ints([0, 0, 2, 0, 0, 1]))])
case(N, "pad_opset11_reflect", "Pad", 11, [("X", rand(3, 4)), ("pads", ints([2, 1, 0, 3]), "const")], mode="reflect")
case(N, "pad_opset11_edge", "Pad", 11, [("X", rand(2, 3)), ("pads", ints([1, 2, 2, 1]), "const")], mode="edge")
case(N, "pad_opset13_negative_crops", "Pad", 13, [("X", rand(3, 5)), ("pads", ints([-1, 2, 0, -2]), "const")])
case(N, "pad_opset13_reflect_after_crop", "Pad", 13, [("X", rand(1, 5)), ("pads", ints([0, -1, 0, 3]), "const")],
     mode="reflect")
case(N, "pad_opset13_edge_after_crop", "Pad", 13, [("X", rand(1, 5)), ("pads", ints([0, 2, 0, -1]), "const")],
     mode="edge")
case(N, "pad_opset13_int64", "Pad", 13, [("X", ints([[1, 2], [3, 4]])), ("pads", ints([1, 0, 0, 1])), ("value", ints(7))])
case(N, "pad_opset18_axes", "Pad", 18,
     [("X", rand(2, 3, 2)), ("pads", ints([1, 2]), "const"), ("value", np.float32(9), "const"), ("axes", ints([-2]), "const")])
case(N, "pad_opset19_wrap", "Pad", 19, [("X", rand(2, 3)), ("pads", ints([1, 2, 0, 4]), "const")], mode="wrap")
case(N, "pad_opset19_wrap_after_crop", "Pad", 19, [("X", rand(1, 5)), ("pads", ints([0, 2, 0, -1]), "const")],
     mode="wrap")
case(N, "pad_opset21_reflect_axes", "Pad", 21,
     [("X", rand(2, 4)), ("pads", ints([2, 1]), "const"), None, ("axes", ints([1]), "const")], mode="reflect")

case(N, "reduce_mean_opset13_axes_attr", "ReduceMean", 13, [("X", rand(2, 3, 4))], axes=[1])
case(N, "reduce_mean_opset13_two_axes_drop", "ReduceMean", 13, [("X", rand(2, 3, 4))], axes=[0, -1], keepdims=0)
case(N, "reduce_mean_opset13_all", "ReduceMean", 13, [("X", rand(2, 3))])
case(N, "reduce_mean_opset18_axes_input", "ReduceMean", 18, [("X", rand(2, 3, 4)), ("axes", ints([-1]), "const")],
     keepdims=0)
case(N, "reduce_mean_opset18_no_axes_all", "ReduceMean", 18, [("X", rand(2, 3))])
case(N, "reduce_mean_opset18_noop_empty_axes", "ReduceMean", 18, [("X", rand(2, 3))], noop_with_empty_axes=1)
case(N, "reduce_mean_float64", "ReduceMean", 13, [("X", rand(3, 2, dtype=np.float64))], axes=[0])
case(N, "reduce_sum_opset11_axes_attr", "ReduceSum", 11, [("X", rand(2, 3, 4))], axes=[0, 2])
case(N, "reduce_sum_opset13_axes_input", "ReduceSum", 13, [("X", rand(2, 3, 4)), ("axes", ints([1]))], keepdims=0)
case(N, "reduce_sum_opset13_empty_axes_noop", "ReduceSum", 13,
     [("X", rand(2, 2)), ("axes", ints([]).reshape(0), "const")], noop_with_empty_axes=1)
case(N, "reduce_sum_opset13_empty_axes_all", "ReduceSum", 13, [("X", rand(2, 2)), ("axes", ints([]).reshape(0), "const")])
case(N, "reduce_max_opset13_axes_attr", "ReduceMax", 13, [("X", rand(2, 3, 4))], axes=[-1])
case(N, "reduce_max_opset18_axes_input", "ReduceMax", 18, [("X", rand(2, 3, 4)), ("axes", ints([0, 1]), "const")])

for g in CASES:
    write(g)
