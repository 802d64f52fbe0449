package io.sparq.converter.cli;

import io.sparq.converter.Conversion;
import io.sparq.converter.Formats;
import io.sparq.converter.Recipe;
import io.sparq.converter.finetune.FineTuneConfig;
import io.sparq.converter.finetune.TrainingCurve;
import io.sparq.converter.prune.MagnitudeHistogram;
import io.sparq.converter.prune.NarangSchedule;
import io.sparq.converter.prune.PruneConfig;
import io.sparq.converter.prune.Schedule;
import io.sparq.converter.prune.SparsitySchedule;
import io.sparq.format.SparqException;
import io.sparq.format.Tensor;
import io.sparq.format.codec.MetaValue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code sparq inspect --report}: one self-contained HTML page (inline CSS and SVG, no network,
 * no script needed to draw) with the per-layer table, bar charts of sparsity and bytes per
 * tensor, the pruning schedule the file was made with, and each pruned tensor's weight-magnitude
 * histogram before and after pruning. The markup is well-formed XML, so tests can parse it; a
 * few lines of script only mark the page as rendered ({@code body[data-rendered=ok]}) once every
 * chart has a non-empty layout box, which the headless-browser check reads.
 */
final class HtmlReport {
    private static final int WIDTH = 860;
    private static final int LABEL = 260;
    private static final int ROW = 22;
    private static final String BLUE = "#2b6cb0";
    private static final String GREY = "#cbd5e0";

    private final StringBuilder html = new StringBuilder();

    private HtmlReport() {
    }

    /**
     * The report of a model file as {@code inspect} read it; {@code size} is inspect's line on the
     * file's size and its source's (which counts the source's external data).
     */
    static String of(String title, ModelFiles.Opened model, WeightTable table, String size) {
        HtmlReport r = new HtmlReport();
        r.page(title, model, table, size);
        return r.html.toString();
    }

    private void page(String title, ModelFiles.Opened model, WeightTable table, String size) {
        head(html, "sparq report: " + title);
        html.append("<h1>").append(esc(title)).append("</h1>\n");
        summary(model, table, size);
        Recipe recipe = recipe(model);
        String recipeText = model.text(Conversion.RECIPE_KEY);
        if (recipeText != null) {
            html.append("<h2>Recipe</h2>\n<pre>").append(esc(recipeText)).append("</pre>\n");
        }
        layerTable(table);
        sparsityChart(table);
        bytesChart(table);
        PruneConfig pruning = recipe == null ? null : recipe.pruning();
        if (pruning != null) {
            FineTuneConfig tune = recipe.fineTune();
            scheduleChart(pruning, tune == null ? 0 : tune.steps());
        }
        curveChart(model);
        histograms(model, table);
        html.append("<script>\n")
                .append("var charts = document.querySelectorAll('svg.chart'), empty = 0;\n")
                .append("for (var i = 0; charts.length > i; i++) {\n")
                .append("  var box = charts[i].getBBox();\n")
                .append("  if (!(box.width > 0) || !(box.height > 0)) { empty++; }\n")
                .append("}\n")
                .append("document.body.setAttribute('data-rendered', charts.length === 0 ? 'no charts'\n")
                .append("    : empty === 0 ? 'ok' : empty + ' empty charts');\n")
                .append("</script>\n</body>\n</html>\n");
    }

    private void summary(ModelFiles.Opened model, WeightTable table, String size) {
        double sparsity = table.parameters() == 0 ? 0 : (double) table.zeros() / table.parameters();
        html.append("<p class=\"summary\">")
                .append("<span><b>").append(String.format(Locale.ROOT, "%,d", table.parameters())).append("</b> weights</span>")
                .append("<span><b>").append(Formats.percent(sparsity)).append("</b> zeros</span>")
                .append("<span><b>").append(esc(InspectCommand.humanBytes(table.bytes()))).append("</b> stored</span>")
                .append("<span><b>").append(esc(InspectCommand.humanBytes(table.denseBytes()))).append("</b> as dense fp32</span>");
        if (table.bytes() > 0) {
            html.append("<span><b>").append(String.format(Locale.ROOT, "%.1f\u00d7", (double) table.denseBytes() / table.bytes()))
                    .append("</b> smaller</span>");
        }
        html.append("</p>\n<p class=\"note\">");
        String source = model.text("sparq.source.name");
        if (source != null) {
            html.append("converted from ").append(esc(source));
            String producer = model.text("sparq.producer");
            html.append(producer == null ? "" : " by " + esc(producer)).append("; ");
        }
        html.append("opset ").append(model.graph().onnxOpset()).append("; ")
                .append(model.graph().nodes().size()).append(" nodes</p>\n")
                .append("<p class=\"note\">file size: ").append(esc(size)).append("</p>\n");
    }

    private void layerTable(WeightTable table) {
        html.append("<h2>Layers</h2>\n<table>\n<tr><th>node</th><th>op</th><th>tensor</th><th>shape</th><th>encoding</th>")
                .append("<th class=\"n\">weights</th><th class=\"n\">zeros</th><th class=\"n\">bytes</th>")
                .append("<th class=\"n\">dense fp32</th></tr>\n");
        for (WeightTable.Row r : table.rows()) {
            html.append("<tr><td>").append(esc(r.node())).append("</td><td>").append(esc(r.op())).append("</td><td>")
                    .append(esc(r.tensor())).append("</td><td>").append(Arrays.toString(r.shape())).append("</td><td>")
                    .append(esc(r.encoding())).append("</td><td class=\"n\">")
                    .append(String.format(Locale.ROOT, "%,d", r.parameters())).append("</td><td class=\"n\">")
                    .append(Formats.percent(r.zeroPercent() / 100)).append("</td><td class=\"n\">")
                    .append(esc(InspectCommand.humanBytes(r.bytes()))).append("</td><td class=\"n\">")
                    .append(esc(InspectCommand.humanBytes(r.denseBytes()))).append("</td></tr>\n");
        }
        html.append("</table>\n");
    }

    private void sparsityChart(WeightTable table) {
        List<WeightTable.Row> rows = table.rows();
        html.append("<h2>Sparsity per tensor</h2>\n");
        int height = rows.size() * ROW + 30;
        svgOpen(WIDTH, height, "sparsity per tensor");
        double plot = WIDTH - LABEL - 70;
        axisTicks(LABEL, plot, rows.size() * ROW, new double[] {0, 0.25, 0.5, 0.75, 1}, v -> pct(v));
        for (int i = 0; i < rows.size(); i++) {
            WeightTable.Row r = rows.get(i);
            double s = r.parameters() == 0 ? 0 : (double) r.zeros() / r.parameters();
            int y = i * ROW;
            label(r.tensor(), y);
            rect(LABEL, y + 4, Math.max(1, s * plot), ROW - 8, BLUE, r.tensor() + ": " + Formats.percent(s) + " zeros of " + r.parameters());
            text(LABEL + s * plot + 6, y + ROW - 7, Formats.percent(s), "start");
        }
        html.append("</svg>\n");
    }

    private void bytesChart(WeightTable table) {
        List<WeightTable.Row> rows = table.rows();
        long max = rows.stream().mapToLong(r -> Math.max(r.bytes(), r.denseBytes())).max().orElse(1);
        html.append("<h2>Bytes per tensor</h2>\n<p class=\"note\">Blue: as stored; grey: the same tensor as dense fp32.</p>\n");
        int height = rows.size() * ROW + 10;
        svgOpen(WIDTH, height, "bytes per tensor");
        double plot = WIDTH - LABEL - 150;
        for (int i = 0; i < rows.size(); i++) {
            WeightTable.Row r = rows.get(i);
            int y = i * ROW;
            label(r.tensor(), y);
            rect(LABEL, y + 3, Math.max(1, plot * r.denseBytes() / max), ROW - 6, GREY, null);
            rect(LABEL, y + 7, Math.max(1, plot * r.bytes() / max), ROW - 14, BLUE, null);
            text(LABEL + plot * Math.max(r.bytes(), r.denseBytes()) / max + 6, y + ROW - 7,
                    InspectCommand.humanBytes(r.bytes()) + " of " + InspectCommand.humanBytes(r.denseBytes()), "start");
        }
        html.append("</svg>\n");
    }

    /** The schedule as the masks follow it: the value in force at each step, stepping at each update. */
    private void scheduleChart(PruneConfig pruning, long tuneSteps) {
        Schedule schedule = pruning.schedule();
        long last = Math.max(Math.max(schedule.endStep(), tuneSteps), 1);
        String what;
        double[] y = new double[(int) Math.min(last, 400) + 1];
        double scale = 1;
        if (schedule instanceof NarangSchedule n && !n.derivesTheta()) {
            scale = n.thresholdAt(n.endStep());
            what = "threshold \u03b5 / \u03b5 at the end";
        } else {
            what = schedule instanceof NarangSchedule ? "threshold ramp (fraction of each tensor's final \u03b5)" : "target sparsity";
        }
        for (int i = 0; i < y.length; i++) {
            long step = Math.round((double) i * last / (y.length - 1));
            long update = schedule.lastUpdateAtOrBefore(step);
            y[i] = update < 0 ? 0 : schedule instanceof SparsitySchedule s ? s.sparsityAt(update)
                    : schedule instanceof NarangSchedule n && n.derivesTheta() ? n.rampFraction(update)
                    : ((NarangSchedule) schedule).thresholdAt(update) / scale;
        }
        html.append("<h2>Pruning schedule</h2>\n<p class=\"note\">").append(esc(ScheduleCommand.describe(schedule, pruning)))
                .append(tuneSteps > 0 ? "; " + tuneSteps + " fine-tuning steps" : "").append(". Y axis: ").append(esc(what))
                .append(".</p>\n");
        int left = 60;
        int plotW = WIDTH - left - 20;
        int plotH = 220;
        svgOpen(WIDTH, plotH + 40, "pruning schedule");
        double top = Arrays.stream(y).max().orElse(1) > 1 ? Arrays.stream(y).max().getAsDouble() : 1;
        for (double v : new double[] {0, 0.25, 0.5, 0.75, 1}) {
            double py = 10 + plotH - v * plotH;
            line(left, py, left + plotW, py, "#edf2f7");
            text(left - 6, py + 4, String.format(Locale.ROOT, "%.2f", v * top), "end");
        }
        for (int t = 0; t <= 4; t++) {
            double px = left + plotW * t / 4.0;
            text(px, plotH + 28, String.valueOf(Math.round(last * t / 4.0)), "middle");
        }
        StringBuilder points = new StringBuilder();
        for (int i = 0; i < y.length; i++) {
            points.append(String.format(Locale.ROOT, "%.1f,%.1f ", left + plotW * (double) i / (y.length - 1),
                    10 + plotH - y[i] / top * plotH));
        }
        html.append("<polyline fill=\"none\" stroke=\"").append(BLUE).append("\" stroke-width=\"2\" points=\"")
                .append(points.toString().trim()).append("\"/>\n");
        text(left + plotW / 2.0, plotH + 39, "training step", "middle");
        html.append("</svg>\n");
    }

    /** Training and validation loss (left axis) and the pruned share (right axis) against the step. */
    private void curveChart(ModelFiles.Opened model) {
        MetaValue stored = model.metadata().get(Conversion.CURVE_KEY);
        if (stored == null || !(stored.value() instanceof double[] flat) || flat.length == 0) {
            return;
        }
        List<TrainingCurve.Point> points = TrainingCurve.of(flat).points();
        double last = Math.max(1, points.get(points.size() - 1).step() + 1);
        double top = 0;
        for (TrainingCurve.Point p : points) {
            top = Math.max(top, Double.isFinite(p.loss()) ? p.loss() : 0);
            top = Math.max(top, Double.isFinite(p.validationLoss()) ? p.validationLoss() : 0);
        }
        top = top > 0 ? top : 1;
        html.append("<h2>Fine-tuning</h2>\n<p class=\"note\">Grey: training loss per step; blue: validation loss;")
                .append(" orange: share of the pruned weights that is zero (right axis).</p>\n");
        int left = 60;
        int plotW = WIDTH - left - 50;
        int plotH = 220;
        svgOpen(WIDTH, plotH + 40, "fine-tuning curve");
        for (double v : new double[] {0, 0.25, 0.5, 0.75, 1}) {
            double py = 10 + plotH - v * plotH;
            line(left, py, left + plotW, py, "#edf2f7");
            text(left - 6, py + 4, String.format(Locale.ROOT, "%.3g", v * top), "end");
            text(left + plotW + 6, py + 4, pct(v), "start");
        }
        for (int t = 0; t <= 4; t++) {
            text(left + plotW * t / 4.0, plotH + 28, String.valueOf(Math.round(last * t / 4.0)), "middle");
        }
        StringBuilder loss = new StringBuilder();
        StringBuilder validation = new StringBuilder();
        StringBuilder sparsity = new StringBuilder();
        for (TrainingCurve.Point p : points) {
            double x = left + plotW * (p.step() + 1) / last;
            if (Double.isFinite(p.loss())) {
                loss.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, 10 + plotH - Math.min(p.loss(), top) / top * plotH));
            }
            if (Double.isFinite(p.validationLoss())) {
                validation.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, 10 + plotH - p.validationLoss() / top * plotH));
            }
            if (Double.isFinite(p.sparsity())) {
                sparsity.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, 10 + plotH - p.sparsity() * plotH));
            }
        }
        polyline(loss, GREY, 1);
        polyline(validation, BLUE, 2);
        polyline(sparsity, "#dd6b20", 2);
        text(left + plotW / 2.0, plotH + 39, "training step", "middle");
        html.append("</svg>\n");
    }

    private void polyline(StringBuilder points, String stroke, int width) {
        if (points.length() > 0) {
            html.append("<polyline fill=\"none\" stroke=\"").append(stroke).append("\" stroke-width=\"").append(width)
                    .append("\" points=\"").append(points.toString().trim()).append("\"/>\n");
        }
    }

    private void histograms(ModelFiles.Opened model, WeightTable table) {
        List<String> names = new ArrayList<>();
        for (WeightTable.Row r : table.rows()) {
            if (model.metadata().containsKey(Conversion.MAGNITUDES_PREFIX + r.tensor() + Conversion.MAGNITUDES_SUFFIX)) {
                names.add(r.tensor());
            }
        }
        if (names.isEmpty()) {
            return;
        }
        html.append("<h2>Weight magnitudes before and after pruning</h2>\n<p class=\"note\">Count of weights per bin of")
                .append(" log10 |w|; grey: the dense weights before pruning, blue: the weights as stored (pruned, fine-tuned,")
                .append(" quantized). Pruned weights are zeros and appear in no bin; values beyond the range count in the edge bins.</p>\n");
        for (String name : names) {
            long[] counts = (long[]) model.metadata().get(Conversion.MAGNITUDES_PREFIX + name + Conversion.MAGNITUDES_SUFFIX).value();
            MetaValue range = model.metadata().get(Conversion.MAGNITUDES_PREFIX + name + Conversion.RANGE_SUFFIX);
            if (!(range != null && range.value() instanceof double[] edges && edges.length == 2)) {
                continue;
            }
            MagnitudeHistogram before = new MagnitudeHistogram(edges[0], edges[1], counts, 0);
            Tensor stored = model.graph().initializers().get(name);
            MagnitudeHistogram after = before.count(stored.floats());
            histogram(name, before, after, stored.size());
        }
    }

    private void histogram(String name, MagnitudeHistogram before, MagnitudeHistogram after, long size) {
        int w = 410;
        int h = 150;
        int left = 44;
        int plotW = w - left - 10;
        int plotH = h - 40;
        long max = Math.max(1, Math.max(Arrays.stream(before.counts()).max().orElse(1), Arrays.stream(after.counts()).max().orElse(1)));
        html.append("<div class=\"hist\">");
        svgOpen(w, h, "magnitudes of " + name);
        text(left, 11, name + " \u2014 zeros after: " + Formats.percent((double) after.zeros() / Math.max(1, size)), "start");
        int bins = before.counts().length;
        double bw = (double) plotW / bins;
        for (int b = 0; b < bins; b++) {
            double x = left + b * bw;
            double hb = plotH * (double) before.counts()[b] / max;
            double ha = plotH * (double) after.counts()[b] / max;
            rect(x, 18 + plotH - hb, Math.max(bw - 1, 0.5), hb, GREY, null);
            rect(x + bw * 0.25, 18 + plotH - ha, Math.max(bw * 0.5, 0.5), ha, BLUE, null);
        }
        line(left, 18 + plotH, left + plotW, 18 + plotH, "#a0aec0");
        text(left - 4, 24, String.format(Locale.ROOT, "%,d", max), "end");
        text(left, plotH + 32, String.format(Locale.ROOT, "%.2g", Math.pow(10, before.log10Low())), "start");
        text(left + plotW, plotH + 32, String.format(Locale.ROOT, "%.2g", Math.pow(10, before.log10High())), "end");
        text(left + plotW / 2.0, plotH + 32, "|w| (log scale)", "middle");
        html.append("</svg></div>\n");
    }

    private static Recipe recipe(ModelFiles.Opened model) {
        String text = model.text(Conversion.RECIPE_KEY);
        if (text == null) {
            return null;
        }
        try {
            return Recipe.parse(text, "in the file's metadata");
        } catch (SparqException e) {
            return null;   // shown as text; a recipe this version cannot read has no chart
        }
    }

    private void svgOpen(int w, int h, String title) {
        html.append("<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(w).append("\" height=\"")
                .append(h).append("\" viewBox=\"0 0 ").append(w).append(' ').append(h).append("\" role=\"img\">")
                .append("<title>").append(esc(title)).append("</title>\n");
    }

    private void axisTicks(double x0, double plot, double height, double[] ticks, java.util.function.DoubleFunction<String> fmt) {
        for (double t : ticks) {
            double x = x0 + t * plot;
            line(x, 0, x, height, "#edf2f7");
            text(x, height + 16, fmt.apply(t), "middle");
        }
    }

    private void label(String name, int y) {
        String shown = name.length() > 38 ? "\u2026" + name.substring(name.length() - 37) : name;
        text(LABEL - 8, y + ROW - 7, shown, "end");
    }

    private void rect(double x, double y, double w, double h, String fill, String title) {
        html.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"", x, y, w, h, fill));
        html.append(title == null ? "/>" : "><title>" + esc(title) + "</title></rect>");
    }

    private void line(double x1, double y1, double x2, double y2, String stroke) {
        html.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>",
                x1, y1, x2, y2, stroke));
    }

    private void text(double x, double y, String s, String anchor) {
        html.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">", x, y, anchor))
                .append(esc(s)).append("</text>\n");
    }

    /** An axis tick: whole percent. */
    private static String pct(double v) {
        return String.format(Locale.ROOT, "%.0f%%", 100 * v);
    }

    /** A page's start, up to and with {@code <body>}: its title and the style every sparq page shares. */
    static void head(StringBuilder html, String title) {
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>")
                .append(esc(title)).append("</title>\n<style>\n")
                .append("body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 900px; color: #1a202c; }\n")
                .append("h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 32px; border-bottom: 1px solid #e2e8f0; }\n")
                .append("table { border-collapse: collapse; width: 100%; font-size: 12px; }\n")
                .append("th, td { padding: 3px 6px; border-bottom: 1px solid #edf2f7; text-align: left; }\n")
                .append("td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }\n")
                .append("pre { background: #f7fafc; padding: 10px; font-size: 12px; overflow-x: auto; }\n")
                .append(".summary span { display: inline-block; margin-right: 22px; } .summary b { font-size: 18px; }\n")
                .append("svg text { font: 11px system-ui, sans-serif; fill: #2d3748; }\n")
                .append(".hist, .chart-inline { display: inline-block; margin: 4px 8px 12px 0; vertical-align: top; }\n")
                .append(".note { color: #4a5568; font-size: 12px; }\n")
                .append("</style>\n</head>\n<body>\n");
    }

    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
