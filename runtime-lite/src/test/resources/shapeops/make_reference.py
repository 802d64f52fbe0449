"""Writes reference.txt: one-node ONNX models of the shape/glue operators with their outputs.

Each case is run in ONNX Runtime; a case marked ref="onnx.reference" is one ONNX Runtime refuses
and is run in the ONNX reference evaluator instead. Every case is also run in the other
implementation and disagreements are printed, as a check on the oracle itself.

Usage (from this folder): python3 make_reference.py   (numpy, onnx, onnxruntime)

Format of reference.txt, one item per line, fields separated by single spaces:
    case NAME
    op OPTYPE
    opset N
    ref onnxruntime | onnx.reference
    attr NAME int V | ints V... | float V | floats V... | tensor DTYPE [D,...] V...
    input NAME DTYPE [D,...] V...      a graph input fed at run time
    init NAME DTYPE [D,...] V...       an initializer (constant input)
    input -                            an omitted optional input
    output NAME DTYPE [D,...] V...
    end
Shapes are written [2,3] ([] for a scalar); values in row-major order; float32 as the shortest
decimal that reads back to the same float, float16 and float64 as the shortest decimal of their exact
double value (nan, inf, -inf), bool as 0/1.
"""

import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import helper, numpy_helper
from onnx.reference import ReferenceEvaluator

INT64_MAX = np.iinfo(np.int64).max
INT64_MIN = np.iinfo(np.int64).min
rng = np.random.default_rng(20240611)
cases = []


def randf(*shape, dtype=np.float32):
    return rng.standard_normal(shape).round(3).astype(dtype)


def seq(*shape, dtype=np.float32):
    return np.arange(int(np.prod(shape))).reshape(shape).astype(dtype)


def i64(*v):
    return np.array(v, dtype=np.int64)


def case(name, op, opset, inputs, n_out=1, attrs=None, inits=(), ref="onnxruntime"):
    """inputs: list of (name, array) or None for an omitted optional input."""
    cases.append(dict(name=name, op=op, opset=opset, inputs=inputs, n_out=n_out,
                      attrs=attrs or {}, inits=set(inits), ref=ref))


def build(c):
    node_inputs, graph_inputs, initializers = [], [], []
    for item in c["inputs"]:
        if item is None:
            node_inputs.append("")
            continue
        name, arr = item
        node_inputs.append(name)
        if name in c["inits"]:
            initializers.append(numpy_helper.from_array(arr, name))
        else:
            graph_inputs.append(helper.make_tensor_value_info(
                name, helper.np_dtype_to_tensor_dtype(arr.dtype), arr.shape))
    outputs = ["out"] if c["n_out"] == 1 else [f"out{i}" for i in range(c["n_out"])]
    node = helper.make_node(c["op"], node_inputs, outputs, name="n", **c["attrs"])
    graph = helper.make_graph([node], c["name"], graph_inputs,
                              [onnx.ValueInfoProto(name=o) for o in outputs], initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", c["opset"])], ir_version=8)
    feeds = {n: a for n, a in (i for i in c["inputs"] if i is not None) if n not in c["inits"]}
    return model, outputs, feeds


def run(c):
    model, outputs, feeds = build(c)
    other = None
    try:
        ort_out = ort.InferenceSession(model.SerializeToString(),
                                       providers=["CPUExecutionProvider"]).run(outputs, feeds)
    except Exception as e:  # noqa: BLE001
        ort_out = e
    try:
        ref_out = ReferenceEvaluator(model).run(outputs, feeds)
    except Exception as e:  # noqa: BLE001
        ref_out = e
    chosen, other = (ort_out, ref_out) if c["ref"] == "onnxruntime" else (ref_out, ort_out)
    if isinstance(chosen, Exception):
        sys.exit(f"{c['name']}: {c['ref']} failed: {chosen}")
    if isinstance(other, Exception):
        print(f"note {c['name']}: the other implementation failed: {str(other)[:160]}", file=sys.stderr)
    elif any(a.shape != b.shape or a.dtype != b.dtype
             or not np.array_equal(a, b, equal_nan=a.dtype.kind == "f") for a, b in zip(chosen, other)):
        print(f"note {c['name']}: onnxruntime and onnx.reference disagree", file=sys.stderr)
    return list(zip(outputs, chosen))


DTYPE = {np.dtype(np.float32): "float32", np.dtype(np.float64): "float64", np.dtype(np.float16): "float16",
         np.dtype(np.int64): "int64", np.dtype(np.int32): "int32", np.dtype(np.int16): "int16",
         np.dtype(np.uint16): "uint16", np.dtype(np.int8): "int8", np.dtype(np.uint8): "uint8",
         np.dtype(np.bool_): "bool"}


def fmt_value(v, dtype):
    if dtype.kind != "f":
        return str(int(v))
    if v != v:
        return "nan"
    if abs(v) == float("inf"):
        return "inf" if v > 0 else "-inf"
    # float32: the shortest decimal that reads back (Float.parseFloat) to the same float;
    # float16 and float64: the value's exact shortest double repr.
    return str(np.float32(v)) if dtype == np.float32 else repr(float(v))


def fmt_tensor(arr):
    arr = np.asarray(arr)
    head = f"{DTYPE[arr.dtype]} [{','.join(str(d) for d in arr.shape)}]"
    return " ".join([head] + [fmt_value(v, arr.dtype) for v in arr.reshape(-1)])


def fmt_attr(name, v):
    if isinstance(v, np.ndarray):
        return f"attr {name} tensor {fmt_tensor(v)}"
    if isinstance(v, bool) or isinstance(v, (int, np.integer)):
        return f"attr {name} int {int(v)}"
    if isinstance(v, float):
        return f"attr {name} float {fmt_value(v, np.dtype(np.float32))}"
    if all(isinstance(x, (int, np.integer)) for x in v):
        return " ".join([f"attr {name} ints"] + [str(int(x)) for x in v])
    return " ".join([f"attr {name} floats"] + [fmt_value(x, np.dtype(np.float32)) for x in v])


def tensor_attr(arr):
    return numpy_helper.from_array(np.asarray(arr))


# ---------------------------------------------------------------- Gather
emb = randf(10, 4)
case("gather_embedding_int64", "Gather", 13, [("data", emb), ("indices", i64([3, 0, 9, 1], [-1, 2, 2, -10]))])
case("gather_axis1_int32", "Gather", 11, [("data", seq(3, 5, 2)), ("indices", np.array([4, -5, 1], np.int32))],
     attrs=dict(axis=1))
case("gather_axis_neg1_scalar_index", "Gather", 13, [("data", seq(2, 3, 4, dtype=np.int64)), ("indices", i64(2).reshape(()))],
     attrs=dict(axis=-1))
case("gather_bool_opset7", "Gather", 7, [("data", np.array([[True, False], [False, False], [True, True]])),
                                        ("indices", i64(2, 0))])
case("gather_float16", "Gather", 13, [("data", randf(4, 3, dtype=np.float16)), ("indices", i64([[1], [3]]))])
case("gather_uint8_axis1_2d_indices", "Gather", 13, [("data", seq(2, 6, dtype=np.uint8) * 20),
                                                  ("indices", np.array([[5, 0], [-1, 3]], np.int32))], attrs=dict(axis=1))
case("gather_empty_indices", "Gather", 13, [("data", seq(3, 2)), ("indices", np.zeros((0,), np.int64))])
case("gather_float64_init_indices", "Gather", 13, [("data", randf(5, 2, dtype=np.float64)), ("indices", i64(4, 4, 0))],
     inits=["indices"])

# ---------------------------------------------------------------- Shape / Size
x234 = seq(2, 3, 4)
case("shape_opset7", "Shape", 7, [("x", x234)])
case("shape_scalar", "Shape", 13, [("x", np.array(1.5, np.float32))])
case("shape_start_neg1", "Shape", 15, [("x", x234)], attrs=dict(start=-1))
case("shape_end_neg1", "Shape", 15, [("x", x234)], attrs=dict(end=-1))
case("shape_start1_end2", "Shape", 15, [("x", x234.astype(np.int8))], attrs=dict(start=1, end=2))
case("shape_clamped", "Shape", 21, [("x", x234)], attrs=dict(start=-10, end=10))
case("shape_start_after_end", "Shape", 15, [("x", x234)], attrs=dict(start=2, end=1))
case("size", "Size", 13, [("x", x234)])
case("size_scalar_bool", "Size", 7, [("x", np.array(True))])
case("size_empty", "Size", 21, [("x", np.zeros((3, 0), np.int64))])

# ---------------------------------------------------------------- Constant / ConstantOfShape
case("constant_value_float", "Constant", 13, [], attrs=dict(value=tensor_attr(randf(2, 2))))
case("constant_value_int64_opset9", "Constant", 9, [], attrs=dict(value=tensor_attr(i64(1, -1, 5))))
case("constant_value_bool_scalar", "Constant", 13, [], attrs=dict(value=tensor_attr(np.array(True))))
case("constant_value_float_attr", "Constant", 13, [], attrs=dict(value_float=0.25))
case("constant_value_floats", "Constant", 13, [], attrs=dict(value_floats=[1.5, -2.0, 0.1]))
case("constant_value_int", "Constant", 12, [], attrs=dict(value_int=-7))
case("constant_value_ints", "Constant", 21, [], attrs=dict(value_ints=[3, 1, 4, 1, 5]))
case("constantofshape_default", "ConstantOfShape", 9, [("shape", i64(2, 3))])
case("constantofshape_int64", "ConstantOfShape", 20, [("shape", i64(3))], attrs=dict(value=tensor_attr(i64(7))))
case("constantofshape_bool", "ConstantOfShape", 13, [("shape", i64(2, 1, 2))],
     attrs=dict(value=tensor_attr(np.array([True]))))
case("constantofshape_float16", "ConstantOfShape", 21, [("shape", i64(2, 2))],
     attrs=dict(value=tensor_attr(np.array([1.5], np.float16))))
case("constantofshape_scalar", "ConstantOfShape", 13, [("shape", np.zeros((0,), np.int64))],
     attrs=dict(value=tensor_attr(np.array([2.5], np.float32))))
case("constantofshape_zero_dim", "ConstantOfShape", 13, [("shape", i64(2, 0))])

# ---------------------------------------------------------------- Concat
case("concat_axis0_opset7", "Concat", 7, [("a", seq(1, 3)), ("b", seq(2, 3) + 10)], attrs=dict(axis=0))
case("concat_axis_neg1_three", "Concat", 13, [("a", seq(2, 2, 1, dtype=np.int64)), ("b", seq(2, 2, 3, dtype=np.int64) + 100),
                                              ("c", seq(2, 2, 2, dtype=np.int64) - 50)], attrs=dict(axis=-1))
case("concat_axis1_with_empty", "Concat", 11, [("a", seq(2, 0, 3)), ("b", randf(2, 2, 3))], attrs=dict(axis=1))
case("concat_bool_init", "Concat", 13, [("a", np.array([True, False])), ("b", np.array([False, True, True]))],
     attrs=dict(axis=0), inits=["b"])
case("concat_single", "Concat", 13, [("a", seq(2, 3, dtype=np.float16))], attrs=dict(axis=1))

# ---------------------------------------------------------------- Slice
x345 = seq(3, 4, 5)
case("slice_opset9_attrs", "Slice", 9, [("x", x345)],
     attrs=dict(starts=[1, -3], ends=[1000, -1], axes=[0, 2]))
case("slice_opset9_no_axes", "Slice", 9, [("x", seq(4, 6))], attrs=dict(starts=[1, 2], ends=[3, 100]))
case("slice_opset10_inputs", "Slice", 10, [("x", x345), ("starts", i64(0, 1)), ("ends", i64(2, 3)),
                                           ("axes", i64(1, 2))])
case("slice_opset10_no_axes", "Slice", 10, [("x", x345), ("starts", i64(1)), ("ends", i64(INT64_MAX))])
case("slice_steps2", "Slice", 13, [("x", x345), ("starts", i64(0, 1)), ("ends", i64(INT64_MAX, 5)),
                                   ("axes", i64(1, 2)), ("steps", i64(2, 3))])
case("slice_reverse_full", "Slice", 13, [("x", x345), ("starts", i64(-1)), ("ends", i64(INT64_MIN)),
                                         ("axes", i64(2)), ("steps", i64(-1))])
case("slice_negative_step2", "Slice", 13, [("x", x345), ("starts", i64(10, 3)), ("ends", i64(-100, 0)),
                                           ("axes", i64(-1, 1)), ("steps", i64(-2, -1))])
case("slice_negative_axes_int32", "Slice", 11, [("x", x345), ("starts", np.array([-2], np.int32)),
                                                ("ends", np.array([2147483647], np.int32)), ("axes", np.array([-2], np.int32))])
case("slice_empty_result", "Slice", 13, [("x", x345), ("starts", i64(3)), ("ends", i64(1)), ("axes", i64(1))])
case("slice_start_past_end_of_dim", "Slice", 13, [("x", x345), ("starts", i64(7)), ("ends", i64(9)), ("axes", i64(0))])
case("slice_omitted_axes_with_steps", "Slice", 13, [("x", seq(6, 2, dtype=np.int64)), ("starts", i64(5)),
                                                    ("ends", i64(-7)), None, ("steps", i64(-2))])
case("slice_huge_step", "Slice", 13, [("x", seq(7, dtype=np.int8)), ("starts", i64(1)), ("ends", i64(INT64_MAX)),
                                      ("axes", i64(0)), ("steps", i64(INT64_MAX))])
case("slice_huge_negative_step", "Slice", 13, [("x", seq(7, dtype=np.int8)), ("starts", i64(-2)), ("ends", i64(INT64_MIN)),
                                               ("axes", i64(0)), ("steps", i64(INT64_MIN))])
case("slice_init_inputs_bool", "Slice", 13, [("x", seq(4, 3).astype(np.int64) % 3 == 0), ("starts", i64(1, 0)),
                                             ("ends", i64(-1, 2))], inits=["starts", "ends"])
case("slice_last_timestep", "Slice", 13, [("x", randf(5, 2, 3)), ("starts", i64(-1)), ("ends", i64(INT64_MAX)),
                                          ("axes", i64(0))])
case("slice_whole", "Slice", 13, [("x", seq(2, 3, dtype=np.float64)), ("starts", i64(0)), ("ends", i64(INT64_MAX))])

# ---------------------------------------------------------------- Split
x6 = seq(2, 6)
case("split_opset11_attr", "Split", 11, [("x", x6)], n_out=2, attrs=dict(axis=1, split=[2, 4]))
case("split_opset11_equal_neg_axis", "Split", 11, [("x", x6)], n_out=3, attrs=dict(axis=-1))
case("split_opset7_axis0", "Split", 7, [("x", seq(4, 2, dtype=np.int64))], n_out=2)
case("split_opset13_input", "Split", 13, [("x", x6), ("split", i64(1, 3, 2))], n_out=3, attrs=dict(axis=1))
case("split_opset13_zero_part", "Split", 13, [("x", x6), ("split", i64(0, 6))], n_out=2, attrs=dict(axis=1))
case("split_opset13_equal", "Split", 13, [("x", seq(4, 3, dtype=np.uint8))], n_out=2)
case("split_opset18_num_outputs_uneven", "Split", 18, [("x", seq(7, 2))], n_out=3, attrs=dict(num_outputs=3))
case("split_opset18_num_outputs_even", "Split", 18, [("x", x6.astype(np.bool_))], n_out=2,
     attrs=dict(axis=1, num_outputs=2))
case("split_opset18_input", "Split", 18, [("x", x6), ("split", i64(5, 1))], n_out=2, attrs=dict(axis=-1),
     inits=["split"])

# ---------------------------------------------------------------- Squeeze / Unsqueeze
x1314 = seq(1, 3, 1, 4)
case("squeeze_opset11_attr", "Squeeze", 11, [("x", x1314)], attrs=dict(axes=[0, -2]))
case("squeeze_opset7_all", "Squeeze", 7, [("x", x1314)])
case("squeeze_opset13_input", "Squeeze", 13, [("x", x1314), ("axes", i64(2))])
case("squeeze_opset13_all", "Squeeze", 13, [("x", x1314.astype(np.int64))])
case("squeeze_opset13_empty_axes", "Squeeze", 13, [("x", x1314), ("axes", np.zeros((0,), np.int64))])
case("squeeze_opset21_neg", "Squeeze", 21, [("x", x1314), ("axes", i64(-4))], inits=["axes"])
case("squeeze_to_scalar", "Squeeze", 13, [("x", np.array([[True]]))])
case("unsqueeze_opset11_attr", "Unsqueeze", 11, [("x", seq(3, 4))], attrs=dict(axes=[0, 3]))
case("unsqueeze_opset11_neg", "Unsqueeze", 11, [("x", seq(3, 4))], attrs=dict(axes=[-1]))
case("unsqueeze_opset13_input", "Unsqueeze", 13, [("x", seq(3, 4, dtype=np.int32)), ("axes", i64(1, -1))])
case("unsqueeze_scalar", "Unsqueeze", 13, [("x", np.array(3, np.int64)), ("axes", i64(0))], inits=["axes"])
case("unsqueeze_opset7", "Unsqueeze", 7, [("x", seq(2, 2, dtype=np.float16))], attrs=dict(axes=[2, 0]))

# ---------------------------------------------------------------- Reshape / Flatten / Identity
case("reshape_copy_and_infer", "Reshape", 13, [("x", x234), ("shape", i64(0, -1))])
case("reshape_flat", "Reshape", 7, [("x", x234.astype(np.int64)), ("shape", i64(-1))])
case("reshape_zero_middle", "Reshape", 13, [("x", x234), ("shape", i64(4, 0, 2))], inits=["shape"])
case("reshape_to_scalar", "Reshape", 13, [("x", np.array([[5.5]], np.float32)), ("shape", np.zeros((0,), np.int64))])
case("reshape_allowzero", "Reshape", 14, [("x", np.zeros((0, 2, 2), np.float32)), ("shape", i64(0, 4))],
     attrs=dict(allowzero=1))
case("reshape_default_zero_copies", "Reshape", 14, [("x", np.zeros((0, 2, 2), np.float32)), ("shape", i64(0, 4))])
case("reshape_bool", "Reshape", 21, [("x", x6.astype(np.int64) % 2 == 0), ("shape", i64(3, -1, 2))])
case("flatten_default", "Flatten", 9, [("x", x234)])
case("flatten_axis0", "Flatten", 13, [("x", x234.astype(np.int8))], attrs=dict(axis=0))
case("flatten_axis_rank", "Flatten", 13, [("x", x234)], attrs=dict(axis=3))
case("flatten_axis_neg1", "Flatten", 11, [("x", x234)], attrs=dict(axis=-1))
case("identity", "Identity", 13, [("x", randf(2, 3))])
case("identity_int64_opset7", "Identity", 7, [("x", i64(1, 2))])
case("identity_bool", "Identity", 21, [("x", np.array([True, False]))])

# ---------------------------------------------------------------- Transpose
case("transpose_default", "Transpose", 13, [("x", x234)])
case("transpose_102", "Transpose", 7, [("x", x234)], attrs=dict(perm=[1, 0, 2]))
case("transpose_021_int8", "Transpose", 13, [("x", seq(2, 3, 4, dtype=np.int8))], attrs=dict(perm=[0, 2, 1]))
case("transpose_0213", "Transpose", 21, [("x", seq(2, 3, 4, 5))], attrs=dict(perm=[0, 2, 1, 3]))
case("transpose_2d_float16", "Transpose", 13, [("x", randf(3, 5, dtype=np.float16))])
case("transpose_bool", "Transpose", 13, [("x", seq(2, 3, dtype=np.int64) % 2 == 1)], attrs=dict(perm=[1, 0]))
case("transpose_unit_dims", "Transpose", 13, [("x", seq(1, 3, 1, 2, dtype=np.float64))], attrs=dict(perm=[3, 2, 0, 1]))

# ---------------------------------------------------------------- Cast
TYPES = [np.float32, np.float64, np.float16, np.int8, np.uint8, np.int16, np.int32, np.int64, np.bool_]
FLOAT_VALUES = [0.0, -0.0, 1.5, -1.5, 2.7, -2.7, 0.1, 100.9, -100.9, 126.99, -127.9, 1e-3]
INT_VALUES = [0, 1, -1, 2, 100, -100, 127, -128, 255, 300, -300, 32767, -32768, 65535, 70000, 2**31 - 1, -2**31,
              2**40 + 3, 2**53 + 1]


def cast_source(src, dst):
    """Values of type src whose conversion to dst is defined (float to integer OOR is not)."""
    s, d = np.dtype(src), np.dtype(dst)
    if s == np.bool_:
        return np.array([True, False, True], np.bool_)
    if s.kind == "f":
        vals = FLOAT_VALUES + ([float("nan"), float("inf"), -float("inf"), 65519.0, 65520.0, 1e-8, 3.3e38]
                               if d.kind in "fb" else [])
        if d.kind in "iu":
            info = np.iinfo(d)
            vals = [v for v in vals if info.min - 1 < v < info.max + 1]
        if s == np.float16:
            vals = [v for v in vals if abs(v) < 65504 or v != v or abs(v) == float("inf")]
        with np.errstate(over="ignore"):
            return np.array(vals, dtype=s)
    info = np.iinfo(s)
    return np.array([v for v in INT_VALUES if info.min <= v <= info.max], dtype=s)


for src in TYPES:
    for dst in TYPES:
        name = f"cast_{np.dtype(src).name}_to_{np.dtype(dst).name}"
        opset = [13, 19, 21][len(cases) % 3]
        case(name, "Cast", opset, [("x", cast_source(src, dst))],
             attrs=dict(to=helper.np_dtype_to_tensor_dtype(np.dtype(dst))))
case("cast_2d_opset7_float32_as_int64", "Cast", 7, [("x", randf(2, 3) * 10)], attrs=dict(to=onnx.TensorProto.INT64))

# ---------------------------------------------------------------- Expand
case("expand_both_ways", "Expand", 13, [("x", seq(3, 1)), ("shape", i64(2, 1, 4))])
case("expand_shape_shorter", "Expand", 8, [("x", seq(2, 3, dtype=np.int64)), ("shape", i64(3))])
case("expand_shape_with_ones", "Expand", 13, [("x", seq(3, 1)), ("shape", i64(1, 5))])
case("expand_scalar_bool", "Expand", 13, [("x", np.array(True)), ("shape", i64(2, 2))], inits=["shape"])
case("expand_float16_middle", "Expand", 13, [("x", randf(2, 1, 3, dtype=np.float16)), ("shape", i64(2, 4, 3))])
case("expand_zero_dim", "Expand", 13, [("x", seq(3)), ("shape", i64(0, 1))])
case("expand_same", "Expand", 13, [("x", seq(2, 2, dtype=np.uint8)), ("shape", i64(2, 2))])

# ---------------------------------------------------------------- Equal / Not / Where / Range
case("equal_int64_broadcast", "Equal", 13, [("a", i64([1, 2, 3], [3, 2, 1])), ("b", i64(3, 2, 0))])
case("equal_float_nan_zero", "Equal", 11, [("a", np.array([0.0, np.nan, 1.5, -0.0], np.float32)),
                                           ("b", np.array([-0.0, np.nan, 1.5, 1.0], np.float32))])
case("equal_bool_opset7", "Equal", 7, [("a", np.array([[True], [False]])), ("b", np.array([True, False, True]))])
case("equal_int32_scalar", "Equal", 19, [("a", np.array([[0, 4], [4, 5]], np.int32)), ("b", np.array(4, np.int32))])
case("equal_float16", "Equal", 13, [("a", np.array([0.0, 1.0, 2.5], np.float16)),
                                    ("b", np.array([-0.0, 1.0, 2.0], np.float16))])
case("equal_uint8", "Equal", 19, [("a", np.array([200, 7], np.uint8)), ("b", np.array([200, 8], np.uint8))])
case("not", "Not", 7, [("x", np.array([[True, False], [False, False]]))])
case("where_broadcast", "Where", 9, [("c", np.array([[True], [False]])), ("x", seq(1, 3)), ("y", np.array(-1, np.float32))])
case("where_int64_runs", "Where", 16, [("c", np.array([True, True, False, True, False, False, True])),
                                       ("x", seq(7, dtype=np.int64)), ("y", seq(7, dtype=np.int64) * -10)])
case("where_bool_y_broadcast", "Where", 16, [("c", np.array([[True, False, True]])),
                                             ("x", np.array([[False], [True]])), ("y", np.array([True, True, False]))],
     ref="onnx.reference")
case("range_float_accumulates", "Range", 11, [("s", np.array(0.1, np.float32)), ("l", np.array(3.0, np.float32)),
                                              ("d", np.array(0.1, np.float32))])
case("range_float_count_in_double", "Range", 11, [("s", np.array(-5.0, np.float32)), ("l", np.array(-3.8, np.float32)),
                                                  ("d", np.array(0.2, np.float32))])
case("range_int64_negative_delta", "Range", 11, [("s", np.array(10, np.int64)), ("l", np.array(3, np.int64)),
                                                 ("d", np.array(-3, np.int64))])
case("range_int32", "Range", 11, [("s", np.array(-2, np.int32)), ("l", np.array(5, np.int32)),
                                  ("d", np.array(2, np.int32))])
case("range_float64", "Range", 11, [("s", np.array(1.0)), ("l", np.array(2.0)), ("d", np.array(0.25))])
case("range_empty", "Range", 11, [("s", np.array(5, np.int64)), ("l", np.array(3, np.int64)),
                                  ("d", np.array(1, np.int64))])


def main():
    lines = ["# Reference outputs of one-node ONNX models; written by make_reference.py, do not edit.",
             f"# onnx {onnx.__version__}, onnxruntime {ort.__version__}, numpy {np.__version__}"]
    for c in cases:
        lines += [f"case {c['name']}", f"op {c['op']}", f"opset {c['opset']}", f"ref {c['ref']}"]
        for k, v in c["attrs"].items():
            lines.append(fmt_attr(k, numpy_helper.to_array(v) if isinstance(v, onnx.TensorProto) else v))
        for item in c["inputs"]:
            if item is None:
                lines.append("input -")
            else:
                kind = "init" if item[0] in c["inits"] else "input"
                lines.append(f"{kind} {item[0]} {fmt_tensor(item[1])}")
        for name, arr in run(c):
            lines.append(f"output {name} {fmt_tensor(arr)}")
        lines.append("end")
    with open("reference.txt", "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {len(cases)} cases to reference.txt")


if __name__ == "__main__":
    main()
