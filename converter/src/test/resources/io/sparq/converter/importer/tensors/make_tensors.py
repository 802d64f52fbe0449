"""Writes the TensorProto files that OnnxTensorsTest reads: each element type once with
raw_data (onnx.numpy_helper.from_array) and once with the typed *_data fields
(onnx.helper.make_tensor(raw=False)), so the Java reader is checked against ONNX's own writer.
Run from this folder: python3 make_tensors.py  (onnx 1.23.1, numpy)."""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

VALUES = {
    "float32": (TensorProto.FLOAT, [2, 3], np.array([1.5, -2.25, 3.4028235e38, 1e-45, -0.0, np.inf], np.float32)),
    "float64": (TensorProto.DOUBLE, [3], np.array([1.5, -1e300, 5e-324], np.float64)),
    "int64": (TensorProto.INT64, [4], np.array([-2**63, 2**63 - 1, 0, -1], np.int64)),
    "int32": (TensorProto.INT32, [3], np.array([-2**31, 2**31 - 1, 7], np.int32)),
    "int16": (TensorProto.INT16, [3], np.array([-32768, 32767, -1], np.int16)),
    "uint16": (TensorProto.UINT16, [3], np.array([0, 65535, 1234], np.uint16)),
    "int8": (TensorProto.INT8, [3], np.array([-128, 127, -1], np.int8)),
    "uint8": (TensorProto.UINT8, [3], np.array([0, 255, 128], np.uint8)),
    "bool": (TensorProto.BOOL, [3], np.array([True, False, True])),
    "float16": (TensorProto.FLOAT16, [5], np.array([1.0, -2.5, 65504.0, 2.0**-24, np.inf], np.float16)),
    "scalar": (TensorProto.FLOAT, [], np.array(7.0, np.float32)),
    "empty": (TensorProto.FLOAT, [0, 3], np.zeros((0, 3), np.float32)),
}

for name, (code, dims, array) in VALUES.items():
    raw = numpy_helper.from_array(array.reshape(dims), "t_" + name)
    typed = helper.make_tensor("t_" + name, code, dims, array.flatten().tolist(), raw=False)
    assert raw.HasField("raw_data") and not typed.HasField("raw_data")
    np.testing.assert_array_equal(numpy_helper.to_array(typed), numpy_helper.to_array(raw))
    for form, proto in (("raw", raw), ("typed", typed)):
        with open(f"{name}_{form}.pb", "wb") as f:
            f.write(proto.SerializeToString())

unsupported = {
    "bfloat16": helper.make_tensor("t_bfloat16", TensorProto.BFLOAT16, [2], [1.0, 2.0]),
    "string": helper.make_tensor("t_string", TensorProto.STRING, [2], [b"a", b"b"]),
}
for name, proto in unsupported.items():
    with open(f"{name}.pb", "wb") as f:
        f.write(proto.SerializeToString())
