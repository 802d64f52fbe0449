"""Draws the accuracy experiment's figure and table from runs/*.json (written by sweep.py).

    python3 test-models/charlm/figure.py

Writes docs/img/charlm-sparsity.svg (held-out bits per character against non-zero weights, log
scale: a line per pruning schedule, the small dense models as a line, the dense model as trained
and after the same fine-tuning as points; where a point has several seeds, the line goes through
their mean and a bar spans their range) and runs/summary.md, the table, which it also puts into
docs/pruning.md between the markers <!-- charlm table --> and <!-- /charlm table -->.
Plain SVG written by hand, so nothing beyond the standard library is needed.
"""
import glob
import re
import html
import json
import math
import os
import statistics

HERE = os.path.dirname(os.path.abspath(__file__))
RUNS = os.path.join(HERE, "runs")
ROOT = os.path.dirname(os.path.dirname(HERE))
SVG = os.path.join(ROOT, "docs", "img", "charlm-sparsity.svg")
LARGE = "charlm_mid"

SMALL_AT_90_95 = ["charlm_mid_small72", "charlm_mid_small48"]   # as many weights as the large one at 90 and 95 %
SERIES = [  # key (schedule, then the run's variant), label, colour
    ("cubic-hold-f100", "gradual, cubic (Zhu & Gupta)", "#1f77b4"),
    ("narang-hold-f100", "gradual, threshold ramp (Narang et al.)", "#2ca02c"),
    ("oneshot", "one-shot, then fine-tuned", "#d62728"),
    ("small", "small dense, same steps", "#7f7f7f"),
    ("cubic-sens-hold", "cubic, sensitivity targets, 20 updates", "#9467bd"),
    ("cubic-hold", "cubic, 20 updates", "#ff7f0e"),
    ("narang-hold", "ramp, 20 updates", "#8c564b"),
    ("cubic", "cubic, rate decaying from step 0, 20 updates", "#aec7e8"),
    ("narang", "ramp, rate decaying from step 0, 20 updates", "#98df8a"),
    ("cubic-f100", "cubic, rate decaying from step 0", "#bcbd22"),
    ("cubic-sens", "cubic, decaying, sensitivity, 20 updates", "#c5b0d5"),
]
W, H = 860, 470
LEFT, RIGHT, TOP, BOTTOM = 70, 330, 20, 55


def load_all():
    """Every run's JSON, the longer budgets ("-b50", "-b100") included."""
    runs = []
    for path in sorted(glob.glob(os.path.join(RUNS, "*.json"))):
        if not path.endswith(".train.json"):
            with open(path) as f:
                runs.append(json.load(f))
    return runs


def load(every):
    """The protocol's runs (20 % budget); the longer budgets are tabled apart (budget_table)."""
    return [r for r in every if not re.search(r"-b\d+$", r["run"])]


def groups(runs):
    """{series: [(nonzeros, [bpc per seed], sparsity, [int8 bpc per seed])]} sorted by non-zeros."""
    out = {key: {} for key, _, _ in SERIES}
    for r in runs:
        key = "small" if r["model"] != LARGE else r["schedule"] + ("-" + r["variant"] if r.get("variant") else "")
        if key not in out:
            continue
        point = out[key].setdefault(r["sparsity"] if key != "small" else r["model"], [r["nonzeros"], [], r["sparsity"], []])
        point[1].append(r["heldout_bpc_fp32"])
        point[3].append(r["heldout_bpc_int8"])
    return {k: sorted((tuple(p) for p in v.values()), key=lambda p: p[0]) for k, v in out.items()}


def dense_points(runs):
    """(as trained: (weights, bpc), fine-tuned: (weights, bpc)) of the large model, either None if missing."""
    trained = tuned = None
    path = os.path.join(RUNS, LARGE + ".train.json")
    for r in runs:
        if r["model"] == LARGE and r["schedule"] == "none":
            tuned = (r["nonzeros"], r["heldout_bpc_fp32"])
            if os.path.exists(path):
                with open(path) as f:
                    trained = (r["weights"], json.load(f)["heldout_bpc"])
    return trained, tuned


def nice_step(span):
    raw = span / 6
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)


def svg(runs):
    series = groups(runs)
    trained, tuned = dense_points(runs)
    xs = [p[0] for pts in series.values() for p in pts] + [d[0] for d in (trained, tuned) if d]
    ys = [b for pts in series.values() for p in pts for b in p[1]] + [d[1] for d in (trained, tuned) if d]
    if not xs:
        raise SystemExit("no runs in %s yet" % RUNS)
    x0, x1 = math.log10(min(xs) / 1.3), math.log10(max(xs) * 1.3)
    step = nice_step(max(ys) - min(ys) or 0.1)
    y0, y1 = math.floor(min(ys) / step) * step, math.ceil(max(ys) / step) * step
    px = lambda v: LEFT + (math.log10(v) - x0) / (x1 - x0) * (W - LEFT - RIGHT)  # noqa: E731
    py = lambda v: TOP + (y1 - v) / (y1 - y0) * (H - TOP - BOTTOM)  # noqa: E731
    e = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" '
         'font-family="sans-serif" font-size="12">' % (W, H, W, H),
         '<rect width="100%" height="100%" fill="white"/>']
    # grid and ticks
    for decade in range(int(math.floor(x0)), int(math.ceil(x1)) + 1):
        for m in (1, 2, 5):
            v = m * 10 ** decade
            if x0 <= math.log10(v) <= x1:
                x = px(v)
                e.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/>' % (x, TOP, x, H - BOTTOM))
                label = "%dk" % (v // 1000) if v < 1e6 else "%gM" % (v / 1e6)
                e.append('<text x="%.1f" y="%d" text-anchor="middle">%s</text>' % (x, H - BOTTOM + 16, label))
    v = y0
    while v <= y1 + 1e-9:
        y = py(v)
        e.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>' % (LEFT, y, W - RIGHT, y))
        e.append('<text x="%d" y="%.1f" text-anchor="end">%.2f</text>' % (LEFT - 6, y + 4, v))
        v += step
    e.append('<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#333"/>'
             % (LEFT, TOP, W - LEFT - RIGHT, H - TOP - BOTTOM))
    e.append('<text x="%d" y="%d" text-anchor="middle">non-zero weights (LSTM W, R and the output layer; log scale)</text>'
             % ((LEFT + W - RIGHT) / 2, H - 14))
    e.append('<text transform="translate(18 %d) rotate(-90)" text-anchor="middle">held-out bits per character '
             '(lower is better)</text>' % ((TOP + H - BOTTOM) / 2))
    legend_y = TOP + 10
    for key, label, colour in SERIES:
        pts = series[key]
        if not pts:
            continue
        path = " ".join("%s%.1f %.1f" % ("M" if i == 0 else "L", px(p[0]), py(statistics.mean(p[1])))
                        for i, p in enumerate(pts))
        dash = ' stroke-dasharray="5 4"' if key == "small" else ""
        e.append('<path d="%s" fill="none" stroke="%s" stroke-width="2"%s/>' % (path, colour, dash))
        for p in pts:
            x, y = px(p[0]), py(statistics.mean(p[1]))
            if len(p[1]) > 1:
                e.append('<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s"/>'
                         % (x, py(min(p[1])), x, py(max(p[1])), colour))
            e.append('<circle cx="%.1f" cy="%.1f" r="3.5" fill="%s"/>' % (x, y, colour))
        e.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"%s/>'
                 % (W - RIGHT + 12, legend_y, W - RIGHT + 36, legend_y, colour, dash))
        e.append('<text x="%d" y="%d">%s</text>' % (W - RIGHT + 42, legend_y + 4, html.escape(label)))
        legend_y += 20
    for point, label, shape in ((trained, "dense, as trained", "none"), (tuned, "dense, same fine-tuning", "black")):
        if point:
            e.append('<rect x="%.1f" y="%.1f" width="9" height="9" fill="%s" stroke="black" stroke-width="1.5"/>'
                     % (px(point[0]) - 4.5, py(point[1]) - 4.5, shape))
            e.append('<rect x="%d" y="%d" width="9" height="9" fill="%s" stroke="black" stroke-width="1.5"/>'
                     % (W - RIGHT + 19, legend_y - 4.5, shape))
            e.append('<text x="%d" y="%d">%s</text>' % (W - RIGHT + 42, legend_y + 4, label))
            legend_y += 20
    e.append("</svg>")
    return "\n".join(e) + "\n"


def table(runs):
    series = groups(runs)
    trained, tuned = dense_points(runs)
    rows = ["| model | sparsity | non-zero weights | seeds | held-out bpc, fp32 (mean; range) | held-out bpc, int8 .sparq "
            "| vs dense + fine-tuning |", "|---|---|---|---|---|---|---|"]
    reference = tuned[1] if tuned else None

    def row(label, sparsity, nz, values, int8):
        spread = "; %.4f–%.4f" % (min(values), max(values)) if len(values) > 1 else ""
        rel = "%+.1f %%" % (100 * (statistics.mean(values) / reference - 1)) if reference else "–"
        rows.append("| %s | %s | %s | %d | %.4f%s | %s | %s |" % (
            label, sparsity, "{:,}".format(nz), len(values), statistics.mean(values), spread,
            "%.4f" % statistics.mean(int8) if int8 else "–", rel))

    if trained:
        row("dense, as trained (PyTorch)", "0 %", trained[0], [trained[1]], [])
    for r in runs:
        if r["model"] == LARGE and r["schedule"] == "none":
            row("dense + the same fine-tuning (sparq)", "0 %", r["nonzeros"], [r["heldout_bpc_fp32"]], [r["heldout_bpc_int8"]])
    for key, label, _ in SERIES:
        for nz, values, sparsity, int8 in series[key]:
            name = label if key != "small" else "small dense (%s)" % next(
                r["model"] for r in runs if r["nonzeros"] == nz and r["model"] != LARGE)
            row(name, "%g %%" % (100 * sparsity), nz, values, int8)
    return "\n".join(rows) + "\n"


def budget_table(every):
    """Held-out bpc at 90 % (and the small dense models of 90 and 95 %) against the fine-tuning budget."""
    dense = json.load(open(os.path.join(RUNS, LARGE + ".train.json")))["steps"]
    picks = [("gradual, cubic (defaults), 90 %", lambda r: r["model"] == LARGE and r["schedule"] == "cubic"
              and r["sparsity"] == 0.9 and r.get("variant") == "hold-f100" and r["seed"] == 1),
             ("one-shot, 90 %", lambda r: r["model"] == LARGE and r["schedule"] == "oneshot" and r["sparsity"] == 0.9
              and r["seed"] == 1)]
    picks += [("small dense (%s)" % m, lambda r, m=m: r["model"] == m) for m in SMALL_AT_90_95]
    budgets = sorted({r["steps"] for r in every if r["sparsity"] in (0.0, 0.9)})
    rows = ["| model | " + " | ".join("%s steps (%d %%)" % ("{:,}".format(b), round(100 * b / dense)) for b in budgets)
            + " |", "|---|" + "---|" * len(budgets)]
    for label, pick in picks:
        cells = []
        for b in budgets:
            hit = [r for r in every if pick(r) and r["steps"] == b]
            cells.append("%.4f" % hit[0]["heldout_bpc_fp32"] if hit else "–")
        rows.append("| %s | %s |" % (label, " | ".join(cells)))
    return "\n".join(rows) + "\n"


def replace_between(page, name, text):
    begin, end = "<!-- %s -->\n" % name, "<!-- /%s -->" % name
    if begin in page and end in page:
        page = page[:page.index(begin) + len(begin)] + text + page[page.index(end):]
    return page


def main():
    every = load_all()
    runs = load(every)
    os.makedirs(os.path.dirname(SVG), exist_ok=True)
    with open(SVG, "w") as f:
        f.write(svg(runs))
    text = table(runs)
    with open(os.path.join(RUNS, "summary.md"), "w") as f:
        f.write(text)
    doc = os.path.join(ROOT, "docs", "pruning.md")
    with open(doc) as f:
        page = f.read()
    budgets = budget_table(every)
    page = replace_between(replace_between(page, "charlm table", text), "charlm budget table", budgets)
    with open(doc, "w") as f:
        f.write(page)
    print(text, end="")
    print(budgets, end="")
    print("wrote %s" % os.path.relpath(SVG, ROOT))


if __name__ == "__main__":
    main()
