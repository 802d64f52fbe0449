#!/usr/bin/env bash
# The accuracy experiment end to end (docs/pruning.md, "Accuracy: the papers' claims on a char LM"):
#   1. the dense 2 x LSTM 256 model trained until held-out bpc gains < 0.5 % per 1,000 steps;
#   2. the small dense models (hidden 72, 48, 121, 177: about as many weights as the large one at
#      90, 95, 75 and 50 %) trained for as many steps as the large one;
#   3. the sweep (sweep.py): sparq prunes and fine-tunes the large model for 20 % of its steps at
#      each sparsity and schedule, and fine-tunes the small ones for as long, so every model gets the
#      same total steps; each run is scored on the held-out windows;
#   4. the figure and table (figure.py).
# Every step skips what is already done (cached weights, runs/*.json), so an interrupted run
# carries on. Hours of CPU on two cores; not part of `mvn verify`.
#
#   test-models/charlm/protocol.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python3 "$here/train_dense.py" --hidden 256 --name charlm_mid --plateau
steps=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['steps'])" "$here/runs/charlm_mid.train.json")
for hidden in 72 48 121 177; do
  python3 "$here/train_dense.py" --hidden "$hidden" --name "charlm_mid_small$hidden" --steps "$steps" --seed 2
done
python3 "$here/sweep.py"
python3 "$here/figure.py"
