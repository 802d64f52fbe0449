#!/usr/bin/env bash
# The pruning experiment of Narang et al. 2017 / Zhu & Gupta 2017 on the character LMs here:
# held-out bits per character of
#   - the dense large model (2 x LSTM 512), as trained;
#   - the large model pruned to 90 % with the cubic schedule, the Narang threshold ramp, and in
#     one shot (then fine-tuned with fixed masks), each with the same fine-tuning budget;
#   - the small dense model (2 x LSTM 152, about as many weights as the 90 %-sparse large one),
#     fine-tuned with the same budget so it sees as much extra data.
# Each run's fp32 weights are written as ONNX (--emit-onnx) and scored with onnxruntime
# (eval_bpc.py); the int8 .sparq files are scored through `sparq run`.
#
#   test-models/charlm/experiment.sh            # STEPS=200 BATCH=16 LR=1e-3 by default
#   STEPS=1000 test-models/charlm/experiment.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
steps=${STEPS:-200}
batch=${BATCH:-16}
lr=${LR:-1e-3}
out=${OUT:-${TMPDIR:-/tmp}/sparq-charlm}
mkdir -p "$out"
sparq="$root/sparq"
# unstructured masks (--block 1), as in both papers; stored for size (at 90 % unstructured int8,
# the speed choice would be dense int8, see docs/quantization.md)
tune=(--block 1 --optimize size --data "$here/train.npz" --labels "$here/train_labels.npz" --steps "$steps" --batch "$batch" --lr "$lr"
      --seed 1 --validation 0.05)

score() {   # label, onnx, sparq (optional)
  local onnx_bpc sparq_bpc logits
  onnx_bpc=$(python3 "$here/eval_bpc.py" "$2" "$here/heldout.npz" "$here/heldout_labels.npz" | cut -d' ' -f1)
  if [[ -n "$3" ]]; then
    logits="${3%.sparq}.logits.npz"
    "$sparq" run "$3" --inputs "$here/heldout.npz" -o "$logits" >/dev/null
    sparq_bpc=$(python3 "$here/eval_bpc.py" --logits "$logits" "$here/heldout_labels.npz" | cut -d' ' -f1)
    echo "| $1 | $onnx_bpc | $sparq_bpc | $(stat -c %s "$2") | $(stat -c %s "$3") |" >> "$out/results.md"
  else
    echo "| $1 | $onnx_bpc | – | $(stat -c %s "$2") | – |" >> "$out/results.md"
  fi
}

{
  echo "Fine-tuning budget: $steps steps, batch $batch, sequence 64, Adam lr $lr (cosine), labels (cross-entropy)."
  echo
  echo "| model | held-out bpc (fp32, onnxruntime) | held-out bpc (int8 .sparq, runtime-lite) | .onnx bytes | .sparq bytes |"
  echo "|---|---|---|---|---|"
} > "$out/results.md"
score "large dense (as trained)" "$here/charlm_large.onnx" ""
for schedule in cubic narang oneshot; do
  "$sparq" convert "$here/charlm_large.onnx" -o "$out/large-$schedule.sparq" --sparsity 0.9 --schedule "$schedule" \
      "${tune[@]}" --emit-onnx "$out/large-$schedule.onnx" | tee "$out/large-$schedule.log"
  score "large, 90 % sparse, $schedule" "$out/large-$schedule.onnx" "$out/large-$schedule.sparq"
done
"$sparq" convert "$here/charlm_small.onnx" -o "$out/small.sparq" --sparsity 0 --quantize int8 \
    "${tune[@]}" --emit-onnx "$out/small.onnx" | tee "$out/small.log"
score "small dense (+ same fine-tuning)" "$out/small.onnx" "$out/small.sparq"
cat "$out/results.md"
