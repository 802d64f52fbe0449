"""Held-out bits per character of a character LM given as ONNX, scored with onnxruntime.

    python3 eval_bpc.py MODEL.onnx heldout.npz heldout_labels.npz
    python3 eval_bpc.py --logits OUTPUTS.npz heldout_labels.npz

The second form scores logits some other runtime computed for heldout.npz (e.g. written by
`sparq run model.sparq --inputs heldout.npz -o OUTPUTS.npz`), keyed by the output's name.

The model's first input takes the token windows (int64, batch x seq) stored in the first .npz
under that input's name; its first output gives logits (batch x seq x vocab, softmax not yet
applied; log-probabilities work too, as log_softmax leaves them unchanged). The labels .npz holds
the next-character ids under the output's name. Every position of every window counts; each
window starts from a zero state.
"""
import sys

import numpy as np
import onnxruntime as ort

BATCH = 64


def nll_bits(logits, labels):
    """Summed negative log2-likelihood of labels under softmax(logits) (last axis)."""
    z = logits.astype(np.float64)
    z -= z.max(axis=-1, keepdims=True)
    log_probs = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
    return -np.take_along_axis(log_probs, labels[..., None], axis=-1).sum() / np.log(2)


def bpc(model_path, tokens, labels):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(model_path, options, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    nll, count = 0.0, 0
    for b in range(0, len(tokens), BATCH):
        (logits,) = session.run([session.get_outputs()[0].name], {name: tokens[b:b + BATCH]})
        y = labels[b:b + BATCH]
        nll += nll_bits(logits, y)
        count += y.size
    return nll / count


def main(model_path, data_path, labels_path):
    session = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"])
    tokens = np.load(data_path)[session.get_inputs()[0].name]
    labels = np.load(labels_path)[session.get_outputs()[0].name]
    if tokens.shape != labels.shape:
        sys.exit("tokens %s and labels %s differ in shape" % (tokens.shape, labels.shape))
    print("%.4f bpc over %d characters" % (bpc(model_path, tokens, labels), labels.size))


def main_logits(outputs_path, labels_path):
    labels_file = np.load(labels_path)
    (key,) = labels_file.files
    labels = labels_file[key]
    logits = np.load(outputs_path)[key]
    print("%.4f bpc over %d characters" % (nll_bits(logits, labels) / labels.size, labels.size))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--logits":
        main_logits(*sys.argv[2:])
        sys.exit(0)
    if len(sys.argv) != 4:
        sys.exit(__doc__.strip().splitlines()[2].strip())
    main(*sys.argv[1:])
