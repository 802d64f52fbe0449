package io.sparq.converter.cli;

import io.sparq.converter.Formats;
import io.sparq.converter.prune.Sensitivity;

import java.util.Locale;
import java.util.Map;

/** The self-contained HTML page of {@code sparq sensitivity --report}: the scores as a chart per tensor and a table. */
final class SensitivityReport {
    private static final int WIDTH = 400;
    private static final int HEIGHT = 180;
    private static final int PAD = 44;
    private static final String BLUE = "#2b6cb0";
    private static final String GREY = "#cbd5e0";

    private final StringBuilder html = new StringBuilder();

    private SensitivityReport() {
    }

    static String of(String title, Sensitivity.Result r, Map<String, Double> plan) {
        SensitivityReport page = new SensitivityReport();
        page.page(title, r, plan);
        return page.html.toString();
    }

    private void page(String title, Sensitivity.Result r, Map<String, Double> plan) {
        HtmlReport.head(html, "sparq sensitivity: " + title);
        html.append("<h1>Pruning sensitivity: ").append(HtmlReport.esc(title)).append("</h1>\n");
        html.append(String.format(Locale.ROOT, "<p>Each tensor pruned alone in one shot (1x%d blocks), scored on %d"
                        + " samples: %s loss%s. Dense: loss %.5g%s. Planned overall sparsity %s.</p>\n", r.block(),
                r.samples(), r.loss().name().toLowerCase(Locale.ROOT),
                r.metricName() == null ? "" : " and " + r.metricName(), r.dense().loss(),
                r.metricName() == null ? "" : String.format(Locale.ROOT, ", %s %.4f", r.metricName(), r.dense().metric()),
                Formats.percent(Sensitivity.sparsity(plan, r))));
        html.append("<h2>Loss against sparsity</h2>\n");
        double top = r.dense().loss();
        for (Sensitivity.Curve c : r.curves()) {
            for (Sensitivity.Score s : c.scores()) {
                top = Math.max(top, s.loss());
            }
        }
        for (Sensitivity.Curve c : r.curves()) {
            chart(c, r, top, plan.get(c.tensor()));
        }
        html.append("<h2>Scores</h2>\n<table>\n<tr><th>tensor</th><th>role</th><th class=\"n\">params</th>");
        for (double s : r.sparsities()) {
            html.append("<th class=\"n\">loss at ").append(Formats.percent(s)).append("</th>");
            if (r.metricName() != null) {
                html.append("<th class=\"n\">").append(r.metricName()).append(" at ").append(Formats.percent(s)).append("</th>");
            }
        }
        html.append("<th class=\"n\">planned</th></tr>\n");
        for (Sensitivity.Curve c : r.curves()) {
            html.append("<tr><td>").append(HtmlReport.esc(c.tensor())).append("</td><td>").append(HtmlReport.esc(c.role()))
                    .append("</td><td class=\"n\">").append(String.format(Locale.ROOT, "%,d", c.parameters())).append("</td>");
            for (Sensitivity.Score s : c.scores()) {
                html.append(String.format(Locale.ROOT, "<td class=\"n\">%.5g</td>", s.loss()));
                if (r.metricName() != null) {
                    html.append(String.format(Locale.ROOT, "<td class=\"n\">%.4f</td>", s.metric()));
                }
            }
            html.append("<td class=\"n\">").append(Formats.percent(plan.get(c.tensor()))).append("</td></tr>\n");
        }
        html.append("</table>\n</body>\n</html>\n");
    }

    /** Loss (y, shared scale from 0 to {@code top}) at sparsity 0 (dense) and each analysed one (x, 0 to 1). */
    private void chart(Sensitivity.Curve c, Sensitivity.Result r, double top, double planned) {
        double w = WIDTH - 2 * PAD;
        double h = HEIGHT - 2 * PAD;
        html.append(String.format(Locale.ROOT, "<svg class=\"chart chart-inline\" width=\"%d\" height=\"%d\" role=\"img\">"
                + "<title>%s</title>\n", WIDTH, HEIGHT, HtmlReport.esc(c.tensor())));
        text(PAD, 16, c.tensor() + " (" + c.role() + ")", "start");
        line(PAD, PAD + h, PAD + w, PAD + h, GREY);
        line(PAD, PAD, PAD, PAD + h, GREY);
        text(PAD - 4, PAD + 4, String.format(Locale.ROOT, "%.3g", top), "end");
        text(PAD - 4, PAD + h + 4, "0", "end");
        for (double x : new double[] {0, 0.5, 1}) {
            text(PAD + x * w, PAD + h + 16, Formats.percent(x), "middle");
        }
        StringBuilder points = new StringBuilder();
        points.append(String.format(Locale.ROOT, "%.1f,%.1f", PAD + 0.0, PAD + h - h * r.dense().loss() / top));
        for (int i = 0; i < r.sparsities().length; i++) {
            double x = PAD + r.sparsities()[i] * w;
            double y = PAD + h - h * c.scores().get(i).loss() / top;
            points.append(String.format(Locale.ROOT, " %.1f,%.1f", x, y));
        }
        html.append("<polyline fill=\"none\" stroke=\"").append(BLUE).append("\" stroke-width=\"2\" points=\"")
                .append(points).append("\"/>\n");
        line(PAD + planned * w, PAD, PAD + planned * w, PAD + h, "#dd6b20");
        text(PAD + planned * w + 3, PAD + 10, "planned " + Formats.percent(planned), "start");
        html.append("</svg>\n");
    }

    private void line(double x1, double y1, double x2, double y2, String stroke) {
        html.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>\n",
                x1, y1, x2, y2, stroke));
    }

    private void text(double x, double y, String s, String anchor) {
        html.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">", x, y, anchor))
                .append(HtmlReport.esc(s)).append("</text>\n");
    }
}
