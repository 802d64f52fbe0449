"""Writes the .npy/.npz fixtures read by NpyTest and NpzTest (run: python3 make_fixtures.py).

Values follow formulas that the Java tests recompute, so the tests compare exact bits:
  i = 0..23 (np.arange(24)), shapes as listed below
  f8  = i * 0.37 - 3.1                      (float64)
  f4  = float32(i * 0.37 - 3.1)
  f2  = float16((i - 12) * 0.125)           (exact in half precision)
  i1  = int8(i * 37 - 300)                  (wraps, like a Java (byte) cast)
  u1  = uint8(i * 37)
  i2  = int16(i * 4099 - 40000)
  u2  = uint16(i * 4099)
  i4  = int32(i * 300000007 - 2**31)
  i8  = i * 0x0123456789ABCDEF              (int64, wraps)
  b1  = i % 3 == 0
"""
import os
import numpy as np

OUT = os.path.dirname(os.path.abspath(__file__))
i = np.arange(24, dtype=np.int64)

arrays = {
    "f8": (i * 0.37 - 3.1).reshape(2, 3, 4),
    "f4": (i * 0.37 - 3.1).astype(np.float32).reshape(2, 3, 4),
    "f2": ((i - 12) * 0.125).astype(np.float16).reshape(4, 6),
    "i1": (i * 37 - 300).astype(np.int8).reshape(24),
    "u1": (i * 37).astype(np.uint8).reshape(6, 4),
    "i2": (i * 4099 - 40000).astype(np.int16).reshape(3, 8),
    "u2": (i * 4099).astype(np.uint16).reshape(8, 3),
    "i4": (i * 300000007 - 2**31).astype(np.int32).reshape(2, 12),
    "i8": (i * np.int64(0x0123456789ABCDEF)).reshape(4, 3, 2),
    "b1": (i % 3 == 0).reshape(2, 3, 4),
}


def save(name, array):
    np.save(os.path.join(OUT, name + ".npy"), array)


for key, a in arrays.items():
    save(key, a)
    if a.dtype.itemsize > 1:
        save("be_" + key, a.astype(a.dtype.newbyteorder(">")))

save("fortran_f4", np.asfortranarray(arrays["f4"]))
save("fortran_be_i2", np.asfortranarray(arrays["i2"].astype(">i2")))
save("scalar_f4", np.array(2.5, dtype=np.float32))
save("scalar_i8", np.array(-7, dtype=np.int64))
save("empty_f4", np.zeros((0, 3), dtype=np.float32))
save("empty_i8", np.zeros((2, 0, 4), dtype=np.int64))
save("special_f4", np.array([np.nan, np.inf, -np.inf, -0.0, 1e-45, 3.4028235e38], dtype=np.float32))
save("unsupported_c8", np.array([1 + 2j], dtype=np.complex64))
save("unsupported_u4", np.array([1, 2], dtype=np.uint32))
save("unsupported_str", np.array(["ab", "c"]))
save("unsupported_object", np.array([{"a": 1}, None], dtype=object))
for version in [(2, 0), (3, 0)]:
    with open(os.path.join(OUT, "v%d_f4.npy" % version[0]), "wb") as f:
        np.lib.format.write_array(f, arrays["f4"], version=version)

bundle = {"x": arrays["f4"], "lengths": arrays["i8"], "mask": arrays["b1"],
          "scalar": np.array(2.5, dtype=np.float32), "output:y": arrays["f8"]}
np.savez(os.path.join(OUT, "savez.npz"), **bundle)
np.savez_compressed(os.path.join(OUT, "savez_compressed.npz"), **bundle)
