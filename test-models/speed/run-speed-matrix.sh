#!/usr/bin/env bash
# The speed matrix with `sparq bench --compare`: runtime-lite against ONNX Runtime fp32
# and ONNX Runtime dynamic int8 (quantize_dynamic) in the same process, 1 and 2 threads, several
# launches; prints a Markdown table (p10 and median of sparq and of both ONNX Runtime models, and
# the ratios ORT ÷ sparq of the medians and of the p10s, over all launches).
#
#   test-models/speed/run-speed-matrix.sh [OUT_DIR]     (from the repository root or anywhere)
#
# Environment: LAUNCHES (default 3), THREADS (default "1 2"), RUNS (timed runs per launch, default
# 500), WARMUP_SECONDS (default 5), ONLY (a regex of row names to run, default all), ORT_JAR (default:
# ONNX Runtime 1.23.2 from ~/.m2, fetched with `mvn dependency:copy` if missing), TABLE_ONLY=1
# prints the table of the results already in OUT_DIR/speed-matrix.jsonl, JMH=1 also runs
# the JMH subset of docs/benchmarks.md (a few minutes more). Needs python3 with torch, onnx and
# onnxruntime once, to make the models (test-models/speed/make_speed_models.py). Run it on a quiet
# machine: every launch is a new JVM and the table keeps each launch's numbers' spread.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:-$here/generated}"
launches="${LAUNCHES:-3}"
threads="${THREADS:-1 2}"
runs="${RUNS:-500}"
warm="${WARMUP_SECONDS:-5}"
only="${ONLY:-.}"
sparq="$root/sparq"
mkdir -p "$out"

ort_jar="${ORT_JAR:-$HOME/.m2/repository/com/microsoft/onnxruntime/onnxruntime/1.23.2/onnxruntime-1.23.2.jar}"
if [[ ! -f "$ort_jar" ]]; then
  (cd "$out" && mvn -q dependency:copy -Dartifact=com.microsoft.onnxruntime:onnxruntime:1.23.2 -DoutputDirectory=.)
  ort_jar="$out/onnxruntime-1.23.2.jar"
fi
export SPARQ_CLASSPATH="$ort_jar"
export SPARQ_PROGRESS=lines

if [[ ! -f "$out/lstm128_1024_head.int8.onnx" || ! -f "$out/charlm_large.int8.onnx" ]]; then
  python3 "$here/make_speed_models.py" "$out"
fi
lm_onnx="$root/test-models/charlm/charlm_large.onnx"
# The quick start's classifier.onnx is torch's default export: static shapes [1, 24, 16], which ONNX
# Runtime runs at batch 1 only. Its dense ONNX as sparq emits it (the same weights, the gate reorder
# folded, batch and sequence symbolic) is the baseline at any batch, and quantize_dynamic of it the
# ONNX Runtime int8 one.
qs_onnx="$out/quickstart_general.onnx"
if [[ ! -f "$qs_onnx" ]]; then
  "$sparq" convert "$root/examples/quickstart/classifier.onnx" -o "$out/quickstart-dense.sparq" --quiet \
      --emit-onnx "$qs_onnx" >/dev/null
fi
qs_int8="$out/quickstart_general.int8.onnx"
if [[ ! -f "$qs_int8" ]]; then
  python3 -c 'import sys; from onnxruntime.quantization import quantize_dynamic, QuantType
quantize_dynamic(sys.argv[1], sys.argv[2], weight_type=QuantType.QInt8)' "$qs_onnx" "$qs_int8" 2>/dev/null
fi

# convert SOURCE.onnx NAME FLAGS...: one-shot pruning (no --data) is enough for speed
convert() {
  local src="$1" name="$2"; shift 2
  if [[ ! -f "$out/$name.sparq" ]]; then
    "$sparq" convert "$src" -o "$out/$name.sparq" --quiet "$@" >/dev/null
  fi
}
sparse=(--quantize int8 --block 16 --block-axis output)
convert "$out/lstm128_1024_head.onnx" head-90 --sparsity 0.9 "${sparse[@]}"
convert "$out/lstm128_1024_head.onnx" head-95 --sparsity 0.95 "${sparse[@]}"
convert "$out/lstm128_1024_head.onnx" head-dense-f32 --quantize none
convert "$out/lstm128_1024_head.onnx" head-dense-int8 --quantize int8
convert "$out/lstm1024.onnx" lstm1024-90 --sparsity 0.9 "${sparse[@]}"
convert "$out/gru1024.onnx" gru1024-90 --sparsity 0.9 "${sparse[@]}"
convert "$root/examples/quickstart/classifier.onnx" quickstart-90 --sparsity 0.9 "${sparse[@]}"
convert "$lm_onnx" charlm-90 --sparsity 0.9 "${sparse[@]}"

# row NAME MODEL.sparq ORT_FP32.onnx ORT_INT8.onnx BENCH_FLAGS...
results="$out/speed-matrix.jsonl"
[[ "${TABLE_ONLY:-0}" == 1 ]] || : > "$results"
row() {
  local name="$1" model="$2" fp32="$3" int8="$4"; shift 4
  [[ "$name" =~ $only && "${TABLE_ONLY:-0}" != 1 ]] || return 0
  for t in $threads; do
    for ((l = 1; l <= launches; l++)); do
      echo "  $name, $t thread(s), launch $l" >&2
      json="$("$sparq" bench "$model" --compare "$fp32" --compare "$int8" --threads "$t" --runs "$runs" \
          --warmup-seconds "$warm" --json "$@" 2>/dev/null)"
      ROW="$name" T="$t" L="$l" python3 -c 'import json, os, sys
print(json.dumps({"row": os.environ["ROW"], "threads": int(os.environ["T"]), "launch": int(os.environ["L"]),
                  "bench": json.load(sys.stdin)}, ensure_ascii=False))' <<< "$json" >> "$results"
    done
  done
}
row "LSTM 128→1024 + head, step, 90 % int8" "$out/head-90.sparq" "$out/lstm128_1024_head.onnx" "$out/lstm128_1024_head.int8.onnx"
row "LSTM 128→1024 + head, step, 95 % int8" "$out/head-95.sparq" "$out/lstm128_1024_head.onnx" "$out/lstm128_1024_head.int8.onnx"
row "LSTM 128→1024 + head, step, dense fp32" "$out/head-dense-f32.sparq" "$out/lstm128_1024_head.onnx" "$out/lstm128_1024_head.int8.onnx"
row "LSTM 128→1024 + head, step, dense int8" "$out/head-dense-int8.sparq" "$out/lstm128_1024_head.onnx" "$out/lstm128_1024_head.int8.onnx"
row "LSTM 128→1024 + head, T = 100, 90 % int8" "$out/head-90.sparq" "$out/lstm128_1024_head.onnx" "$out/lstm128_1024_head.int8.onnx" --dim seq=100
row "LSTM 1024→1024, step, 90 % int8" "$out/lstm1024-90.sparq" "$out/lstm1024.onnx" "$out/lstm1024.int8.onnx"
row "GRU 1024→1024, step, 90 % int8" "$out/gru1024-90.sparq" "$out/gru1024.onnx" "$out/gru1024.int8.onnx"
row "quickstart (LSTM 16→256), T = 24, 90 % int8" "$out/quickstart-90.sparq" "$qs_onnx" "$qs_int8" --dim seq=24
row "quickstart, batch 64 × T 24, 90 % int8" "$out/quickstart-90.sparq" "$qs_onnx" "$qs_int8" --dim seq=24 --dim batch=64
row "char LM (2 × LSTM 512), batch 16 × 64, 90 % int8" "$out/charlm-90.sparq" "$lm_onnx" "$out/charlm_large.int8.onnx" --dim seq=64 --dim batch=16

python3 - "$results" <<'PY'
import json, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    rows.setdefault((r["row"], r["threads"]), []).append(r["bench"])
def span(values, fmt="{:,.0f}"):
    lo, hi = min(values), max(values)
    return fmt.format(lo) if fmt.format(lo) == fmt.format(hi) else fmt.format(lo) + "–" + fmt.format(hi)
def ratio(values):
    return span(values, "{:.2f}") + "× (" + "{:.2f}".format(statistics.median(values)) + "×)"
first = next(iter(rows.values()))[0]
print(f"Kernels: {first['kernels']}; {sum(len(v) for v in rows.values()) // max(1, len(rows))} launches per row; "
      "µs per run as p10 / median, each a range over the launches; ratios = ONNX Runtime ÷ sparq "
      "(above 1: sparq is faster), range over launches (median of launches).")
print()
print("| model and setting | threads | sparq p10 / median µs | ORT fp32 p10 / median µs | ÷ ORT fp32, medians | ÷ ORT fp32, p10s "
      "| ORT int8 p10 / median µs | ÷ ORT int8, medians | ÷ ORT int8, p10s |")
print("|---|---|---|---|---|---|---|---|---|")
for (name, t), benches in rows.items():
    s_p10 = [b["p10_us"] for b in benches]
    s_med = [b["median_us"] for b in benches]
    cells = [name, str(t), span(s_p10) + " / " + span(s_med)]
    for k in range(2):
        c = [b["comparisons"][k] for b in benches]
        cells += [span([x["p10_us"] for x in c]) + " / " + span([x["median_us"] for x in c]),
                  ratio([x["speedup"] for x in c]), ratio([x["speedup_p10"] for x in c])]
    print("| " + " | ".join(cells) + " |")
PY

if [[ "${JMH:-0}" == 1 ]]; then
  (cd "$root" && mvn -q -B -ntp -P bench -pl converter -am package -DskipTests)
  java --add-modules jdk.incubator.vector -jar "$root/converter/target/benchmarks.jar" \
      'SparqBenchmark.step|OrtBenchmark.step|SparqBenchmark.sequence|OrtBenchmark.sequence' -p model=lstm-1024,gru-1024 -p sparsity=0.9 \
      -p encoding=int8 -p threads=1,all -wi 3 -w 1 -i 5 -r 1 -rf csv -rff "$out/jmh.csv"
  java -cp "$root/converter/target/benchmarks.jar" io.sparq.bench.BenchReport "$out/jmh.csv"
fi
