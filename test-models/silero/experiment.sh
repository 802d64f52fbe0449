#!/usr/bin/env bash
# Prunes Silero VAD v5 (16 kHz path) at several sparsities while distilling it on audio frames,
# stores the kept weights as int8, and measures on held-out audio the per-frame speech decision
# (p > 0.5) agreement with the dense model, max / mean |delta p|, file size and per-frame latency.
#
# The model is specialized first (sr = 16000, input [batch, 576], state [2, batch, 128]): the
# sample-rate If and the exporter's shape checks fold away, so the LSTM weights become plain
# initializers that pruning, fine-tuning and the int8 encoder work on (docs/silero.md).
# Fine-tuning data: frames with the state the dense model carried into them (make_vad_data.py).
# Agreement is measured with onnxruntime on each run's fp32 pruned ONNX (--emit-onnx), state
# carried through the whole held-out stream; the int8 .sparq files are timed with `sparq bench`.
#
#   test-models/silero/experiment.sh                  # STEPS=400 BATCH=32 LR=1e-3 by default
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
steps=${STEPS:-400}
batch=${BATCH:-32}
lr=${LR:-1e-3}
out=${OUT:-${TMPDIR:-/tmp}/sparq-silero}
sparq="$root/sparq"
mkdir -p "$out"
[[ -f "$out/train.npz" ]] || python3 "$here/make_vad_data.py" --frames "$out"
spec=(--input-value sr=16000 --input-shape input=batch,576 --input-shape state=2,batch,128)
onnx_bytes=$(stat -c %s "$here/silero_vad_v5.onnx")

# the dense reference in runtime-lite: specialized, not pruned, float32
"$sparq" convert "$here/silero_vad_v5.onnx" -o "$out/dense.sparq" "${spec[@]}" --quantize none > "$out/dense.log"
bench() {   # median per-frame latency in microseconds
  "$sparq" bench "$1" --dim batch=1 --threads 1 --json 2>/dev/null | python3 -c 'import json,sys; print("%.0f" % json.load(sys.stdin)["median_us"])'
}
dense_us=$(bench "$out/dense.sparq")
{
  echo "Fine-tuning: $steps steps, batch $batch, Adam lr $lr (cosine), cubic schedule, distillation (MSE on output and stateN)."
  echo "Held-out: $(python3 -c "import numpy as np; print(np.load('$out/heldout.npz')['input'].shape[0])") frames of 32 ms."
  echo
  echo "| model | decision agreement | max \|Δp\| | mean \|Δp\| | .sparq bytes | vs .onnx | µs / frame | speed-up |"
  echo "|---|---|---|---|---|---|---|---|"
  echo "| dense fp32 (specialized) | 1.0000 | 0 | 0 | $(stat -c %s "$out/dense.sparq") | $(python3 -c "print('%.2fx' % ($onnx_bytes / $(stat -c %s "$out/dense.sparq")))") | $dense_us | 1.00x |"
} > "$out/results.md"
run() {   # label, sparsity, block
  local name="s$2-b$3"
  "$sparq" convert "$here/silero_vad_v5.onnx" -o "$out/$name.sparq" "${spec[@]}" --sparsity "$2" --block "$3" \
      --data "$out/train.npz" --steps "$steps" --batch "$batch" --lr "$lr" --seed 1 --emit-onnx "$out/$name.onnx" > "$out/$name.log"
  read -r agree maxd meand < <(python3 "$here/eval_vad.py" "$out/$name.onnx" "$out/heldout.npz")
  local bytes us
  bytes=$(stat -c %s "$out/$name.sparq")
  us=$(bench "$out/$name.sparq")
  echo "| $1 | $agree | $maxd | $meand | $bytes | $(python3 -c "print('%.2fx' % ($onnx_bytes / $bytes))") | $us | $(python3 -c "print('%.2fx' % ($dense_us / $us))") |" >> "$out/results.md"
}
for s in 0.5 0.7 0.8 0.9; do
  run "LSTM $s sparse (1x16 blocks), int8" "$s" 16
done
run "LSTM 0.9 sparse (unstructured), int8" 0.9 1
cat "$out/results.md"
