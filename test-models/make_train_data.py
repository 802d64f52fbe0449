"""Writes fine-tuning data for the test models: models/NAME.train.npz.

Run from anywhere:  python3 test-models/make_train_data.py   (needs numpy and onnx)

Each file holds, per graph input, SAMPLES samples stacked on a new first axis: the array has
shape [SAMPLES] + the input's shape with its "batch" axis removed and "seq" set to SEQ. Values
are drawn like make_models.py's reference inputs (standard normal floats; tokens uniform over
the vocabulary), from a fixed seed, so a rerun rebuilds identical files. `sparq convert --data`
distils the pruned model towards the dense model's outputs on these inputs.
"""
import os

import numpy as np
import onnx

from make_models import OUT, CharLm, savez

SAMPLES, SEQ = 96, 12


def sample_shape(value_info):
    dims = []
    for d in value_info.type.tensor_type.shape.dim:
        if d.dim_param == "batch":
            continue
        dims.append(SEQ if d.dim_param == "seq" else d.dim_value)
    return tuple(dims)


def main():
    for index, file in enumerate(sorted(f for f in os.listdir(OUT) if f.endswith(".onnx"))):
        model = onnx.load(os.path.join(OUT, file), load_external_data=False)
        initializers = {t.name for t in model.graph.initializer}
        rng = np.random.default_rng(3000 + index)
        arrays = {}
        for vi in model.graph.input:
            if vi.name in initializers:
                continue
            shape = (SAMPLES,) + sample_shape(vi)
            if vi.name == "tokens":
                arrays[vi.name] = rng.integers(0, CharLm.VOCAB, size=shape, dtype=np.int64)
            else:
                arrays[vi.name] = rng.standard_normal(shape).astype(np.float32)
        path = os.path.join(OUT, file[:-len(".onnx")] + ".train.npz")
        savez(path, arrays)
        print("%-40s %s" % (os.path.basename(path), {k: v.shape for k, v in arrays.items()}))


if __name__ == "__main__":
    main()
