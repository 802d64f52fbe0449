#!/usr/bin/env bash
# Renders the HTML report of a model in headless Chromium (Debian's `chromium` package) and checks
# that the browser laid out every chart: the page marks <body data-rendered="ok"> only when each
# chart's SVG has a non-empty layout box. Optionally saves a screenshot.
#
#   converter/src/test/browser/check-report.sh MODEL.sparq [SCREENSHOT.png]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)"
model="${1:?usage: check-report.sh MODEL.sparq [SCREENSHOT.png]}"
screenshot="${2:-}"
browser="${CHROMIUM:-$(command -v chromium || true)}"
if [[ -z "$browser" ]]; then
  echo "check-report: chromium not found (apt-get install chromium, or set CHROMIUM)" >&2
  exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$root/sparq" inspect "$model" --report "$work/report.html" > /dev/null

# flags: no sandbox (CI runs as root), and no background connections (the machine has no network)
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
       --disable-component-update --disable-sync --user-data-dir="$work/profile")
state="$("$browser" "${flags[@]}" --dump-dom "file://$work/report.html" 2>/dev/null \
    | grep -o 'data-rendered="[^"]*"' || true)"
charts="$(grep -o '<svg class="chart"' "$work/report.html" | wc -l)"
if [[ "$state" != 'data-rendered="ok"' ]]; then
  echo "check-report: the report of $model did not render: ${state:-no data-rendered mark}" >&2
  exit 1
fi
if [[ -n "$screenshot" ]]; then
  "$browser" "${flags[@]}" --hide-scrollbars --window-size=1000,2600 --screenshot="$screenshot" \
      "file://$work/report.html" > /dev/null 2>&1
fi
echo "check-report: $charts charts rendered in $("$browser" --version 2>/dev/null | head -n 1)"
