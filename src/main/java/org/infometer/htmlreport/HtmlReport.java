package org.infometer.htmlreport;

import org.infometer.history.DriftCheck;
import org.infometer.history.HistoryPoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.jfree.chart.JFreeChart;
import org.jfree.data.category.DefaultCategoryDataset;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One self-contained HTML page for an MI job's date: charts (inline SVG, no script, no external resource) in
 * fixed blocks at the top, then the tables with every row's validity status.
 */
public final class HtmlReport {

    /** Charts sit in fixed blocks so a reader (and the browser test) finds chart i at a known place. */
    public static final int HEADER_PX = 80;
    public static final int BLOCK_PX = Charts.HEIGHT + 40;
    public static final int LEFT_PX = 20;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double Z95 = 1.959963984540054;

    private HtmlReport() {
    }

    /** What to report on. {@code summary} may be null (no truth, drift or flow curves then). */
    public record Request(String namespace, String job, String date, String pidJob, Path summary) {
    }

    /** The page written and how many charts it holds. */
    public record Written(Path file, int charts, List<String> chartIds) {
    }

    public static Written write(SparkSession spark, Request req, Path out) {
        ReportTables t = ReportTables.read(spark, req.namespace(), req.job(), req.date(), req.pidJob());
        if (t.runs().isEmpty()) {
            throw new IllegalArgumentException("No run_mi rows for job " + req.job() + " at " + req.date()
                    + " in " + req.namespace() + ".run_mi: run the job first (submit.sh run JOB.json --run-date "
                    + req.date() + ")");
        }
        JsonNode summary = readSummary(req.summary());
        Map<String, Double> runTruth = new TreeMap<>();
        if (summary != null) {
            for (JsonNode r : summary.path("runs")) {
                if (r.hasNonNull("true_pooled_mi_bits_per_token")) {
                    runTruth.put(r.get("run_id").asText(), r.get("true_pooled_mi_bits_per_token").asDouble());
                }
            }
        }
        Map<String, Double> sceneTruth = sceneTruth(spark, summary);
        Map<String, String> charts = new LinkedHashMap<>();
        StringBuilder body = new StringBuilder();

        Map<String, Map<String, double[]>> mi = new LinkedHashMap<>();
        Map<String, double[]> est = new LinkedHashMap<>();
        Map<String, double[]> truth = new LinkedHashMap<>();
        DefaultCategoryDataset entropies = new DefaultCategoryDataset();
        List<List<Object>> runRows = new ArrayList<>();
        for (Row r : t.runs()) {
            String run = r.getAs("run_id");
            double v = r.getAs("mi_bits_per_token");
            double lo = r.getAs("mi_ci95_low_bits_per_token");
            double hi = r.getAs("mi_ci95_high_bits_per_token");
            est.put(run, new double[] {v, (hi - lo) / 2});
            if (runTruth.containsKey(run)) {
                truth.put(run, new double[] {runTruth.get(run), 0});
            }
            for (String q : List.of("hx", "hy", "hxy", "hx_given_y", "hy_given_x")) {
                entropies.addValue((Double) r.getAs(q + "_bits_per_token"), label(q), run);
            }
            // asList, not List.of: the entropy columns are NULL for MI-only (variational) estimators.
            runRows.add(java.util.Arrays.asList(run, (Object) r.getAs("estimator"), r.getAs("n_samples"), r.getAs("n_scenes"), v,
                    lo, hi, runTruth.containsKey(run) ? runTruth.get(run) : "", r.getAs("hx_bits_per_token"),
                    r.getAs("hy_bits_per_token"), r.getAs("hxy_bits_per_token"), r.getAs("hx_given_y_bits_per_token"),
                    r.getAs("hy_given_x_bits_per_token"), pm(r, "x_given_y_power_share", "x_given_y_power_share_se"),
                    pm(r, "y_given_x_power_share", "y_given_x_power_share_se"), r.getAs("status"),
                    nz(r.getAs("status_reason"))));
        }
        mi.put("estimated MI (95% interval)", est);
        if (!truth.isEmpty()) {
            mi.put("true MI of the run's pooled generated data", truth);
        }
        charts.put("chart-run-mi", Charts.svg(Charts.intervalBars("MI per run", "bits per token", mi)));
        charts.put("chart-entropies", Charts.svg(Charts.groupedBars("Entropies per run", "bits per token",
                entropies)));
        body.append("<h2 id=\"runs\">Runs</h2>\n").append(Html.table(List.of("run", "estimator", "samples", "scenes",
                "MI bits/token", "95% low", "95% high", "true pooled MI", "H(X)", "H(Y)", "H(X,Y)", "H(X|Y)", "H(Y|X)",
                "power share X|Y", "power share Y|X", "status", "status reason"), runRows));
        body.append("<p>Loss of precision: H(X|Y) and H(Y|X) are in the features' units (differential entropies); "
                + "the power share 2^(-2I/d) of each modality is unit-free (1: the other modality tells nothing about "
                + "it; 0: it determines it).</p>\n");

        Map<String, List<Double>> sceneDist = new LinkedHashMap<>();
        Map<String, List<Row>> scenesByRun = new LinkedHashMap<>();
        for (Row s : t.scenes()) {
            String run = s.getAs("run_id");
            sceneDist.computeIfAbsent(run, k -> new ArrayList<>()).add(s.getAs("mi_bits_per_token"));
            scenesByRun.computeIfAbsent(run, k -> new ArrayList<>()).add(s);
        }
        if (!sceneDist.isEmpty()) {
            charts.put("chart-scene-distribution", Charts.svg(Charts.boxes("Scene MI per run", "bits per token",
                    sceneDist)));
            body.append("<h2 id=\"scenes\">Scene ranking (top and bottom 5 per run)</h2>\n");
            List<List<Object>> rows = new ArrayList<>();
            scenesByRun.forEach((run, list) -> {
                int n = list.size();
                for (int i = 0; i < n; i++) {
                    if (i < 5 || i >= n - 5) {
                        Row s = list.get(i);
                        Double st = sceneTruth.get(run + "\u0000" + s.getAs("scene_token"));
                        rows.add(List.of(run, (Object) s.getAs("redundancy_rank"), s.getAs("scene_token"),
                                s.getAs("n_samples"), s.getAs("mi_bits_per_token"), s.getAs("mi_se_bits_per_token"),
                                st == null ? "" : st,
                                pm(s, "hx_given_y_bits_per_token", "hx_given_y_se_bits_per_token"),
                                pm(s, "hy_given_x_bits_per_token", "hy_given_x_se_bits_per_token"),
                                pm(s, "x_given_y_power_share", "x_given_y_power_share_se"),
                                pm(s, "y_given_x_power_share", "y_given_x_power_share_se"), s.getAs("status"),
                                nz(s.getAs("status_reason"))));
                    }
                }
            });
            body.append(Html.table(List.of("run", "rank", "scene", "samples", "MI bits/token", "SE",
                    "true scene MI", "H(X|Y) ± SE", "H(Y|X) ± SE", "power share X|Y", "power share Y|X", "status",
                    "status reason"), rows));
        }

        if (!t.pid().isEmpty()) {
            Map<String, Map<String, double[]>> pid = new LinkedHashMap<>();
            List<String> cats = new ArrayList<>();
            List<List<Object>> rows = new ArrayList<>();
            for (Row p : t.pid()) {
                String cat = p.getAs("run_id") + " k=" + p.getAs("k_x");
                cats.add(cat);
                List<Object> row = new ArrayList<>(List.of(p.getAs("run_id"), p.getAs("k_x")));
                for (String term : List.of("redundancy", "unique_x", "unique_y", "synergy")) {
                    pid.computeIfAbsent(term, k -> new LinkedHashMap<>()).put(cat, new double[] {
                            p.getAs(term + "_bits"), orNaN(p.getAs(term + "_low_bits")),
                            orNaN(p.getAs(term + "_high_bits"))});
                    row.add(p.getAs(term + "_bits"));
                    row.add(interval(p.getAs(term + "_low_bits"), p.getAs(term + "_high_bits")));
                }
                row.add(p.getAs("status"));
                row.add(nz(p.getAs("status_reason")));
                rows.add(row);
            }
            // Side by side, not stacked: a stacked term's interval would hang off the terms below it.
            charts.put("chart-pid", Charts.svg(Charts.termIntervals("PID terms per run and k, bootstrap intervals",
                    "run, k", "bits", cats, pid)));
            body.append("<h2 id=\"pid\">Partial information decomposition (job ").append(Html.esc(req.pidJob()))
                    .append(")</h2>\n").append(Html.table(List.of("run", "k", "redundancy", "interval", "unique X",
                            "interval", "unique Y", "interval", "synergy", "interval", "status", "status reason"),
                            rows));
        }

        if (!t.runAccuracy().isEmpty()) {
            Map<String, Double> miByRun = new TreeMap<>();
            est.forEach((run, v) -> miByRun.put(run, v[0]));
            for (String y : List.of("map", "nds")) {
                Map<String, List<double[]>> pts = new LinkedHashMap<>();
                for (Row a : t.runAccuracy()) {
                    Double m = miByRun.get((String) a.getAs("run_id"));
                    if (m != null) {
                        pts.computeIfAbsent((String) a.getAs("run_id"), k -> new ArrayList<>())
                                .add(new double[] {m, a.getAs(y)});
                    }
                }
                charts.put("chart-run-" + y, Charts.svg(Charts.scatter("Run MI vs " + y.toUpperCase(),
                        "MI bits per token", y.toUpperCase(), pts)));
            }
        }
        if (!t.sceneAccuracy().isEmpty()) {
            Map<String, Double> miByScene = new TreeMap<>();
            t.scenes().forEach(s -> miByScene.put(s.getAs("run_id") + "\u0000" + s.getAs("scene_token"),
                    s.getAs("mi_bits_per_token")));
            for (String y : List.of("map_present_classes", "nds_present_classes")) {
                Map<String, List<double[]>> pts = new LinkedHashMap<>();
                for (Row a : t.sceneAccuracy()) {
                    Double m = miByScene.get(a.getAs("run_id") + "\u0000" + a.getAs("scene_token"));
                    Double acc = a.getAs(y);
                    if (m != null && acc != null && !acc.isNaN()) {
                        pts.computeIfAbsent((String) a.getAs("run_id"), k -> new ArrayList<>())
                                .add(new double[] {m, acc});
                    }
                }
                charts.put("chart-scene-" + y, Charts.svg(Charts.scatter("Scene MI vs " + y, "MI bits per token",
                        y, pts)));
            }
        }
        if (!t.correlation().isEmpty()) {
            List<List<Object>> rows = new ArrayList<>();
            for (Row c : t.correlation()) {
                rows.add(List.of(c.getAs("level"), c.getAs("x_name"), c.getAs("y_name"), c.getAs("method"),
                        c.getAs("n"), c.getAs("coefficient"), c.getAs("p_value"),
                        interval(c.getAs("ci_low"), c.getAs("ci_high")), nz(c.getAs("summary"))));
            }
            body.append("<h2 id=\"correlation\">MI vs detection accuracy (correlate job ")
                    .append(Html.esc(t.correlation().get(0).getAs("job_name"))).append(")</h2>\n")
                    .append(Html.table(List.of("level", "x", "y", "method", "n", "coefficient", "p", "interval",
                            "summary"), rows));
        }

        historyChart(t.history(), summary, charts, body);

        Map<String, List<double[]>> curves = FlowCurves.read(summary);
        if (!curves.isEmpty()) {
            charts.put("chart-flow-curves", Charts.svg(Charts.lines("Flow training curves (held-out)", "epoch",
                    "bits per token", curves)));
        } else if (summary != null && "flow".equals(summary.path("config").path("estimator").path("name").asText())) {
            boolean stored = !summary.path("config").path("estimator").path("options").path("modelStore")
                    .asText("").isBlank();
            body.append(stored ? "<p>No flow training curve: the stored models trained no flow (too little data "
                    + "for the conditional flow; each model's flow-model.json says why it stopped).</p>\n"
                    : "<p>Flow training curves are kept only with a model store "
                    + "(estimator.options.modelStore and storeMode save).</p>\n");
        }
        if (summary != null && summary.has("drift")) {
            body.append("<h2 id=\"drift\">Drift</h2>\n<pre>").append(Html.esc(summary.get("drift").toPrettyString()))
                    .append("</pre>\n");
        }
        return page(req, charts, body.toString(), out);
    }

    /**
     * MI by date with its interval, one line per run (and estimator, when the job used several), the dates whose
     * drift check alerted marked: only when the job's history holds more than one date up to the report's.
     */
    private static void historyChart(List<Row> history, JsonNode summary, Map<String, String> charts,
                                     StringBuilder body) {
        long dates = history.stream().map(r -> r.getAs("run_date")).distinct().count();
        if (dates < 2) {
            return;
        }
        int n = summary == null ? 7 : summary.path("config").path("drift").path("previousDates").asInt(7);
        double z = summary == null ? 3.0 : summary.path("config").path("drift").path("zThreshold").asDouble(3.0);
        boolean oneEstimator = history.stream().map(r -> r.getAs("estimator")).distinct().count() == 1;
        Map<String, List<HistoryPoint>> byEstimator = new LinkedHashMap<>();
        Map<String, List<double[]>> series = new LinkedHashMap<>();
        for (Row r : history) {
            Double mi = r.getAs("mi_bits_per_token");
            if (mi == null) {
                continue;
            }
            String est = r.getAs("estimator");
            String run = r.getAs("run_id");
            java.time.LocalDate d = ((java.sql.Date) r.getAs("run_date")).toLocalDate();
            Double se = r.getAs("mi_se_bits_per_token");
            byEstimator.computeIfAbsent(est, k -> new ArrayList<>()).add(new HistoryPoint(d, run, mi,
                    se == null ? Double.NaN : se));
            series.computeIfAbsent(oneEstimator ? run : run + " (" + est + ")", k -> new ArrayList<>())
                    .add(new double[] {millis(d), mi, orNaN(r.getAs("mi_ci95_low_bits_per_token")),
                            orNaN(r.getAs("mi_ci95_high_bits_per_token"))});
        }
        List<double[]> alerts = new ArrayList<>();
        List<List<Object>> rows = new ArrayList<>();
        byEstimator.forEach((est, points) -> DriftCheck.everyDate(points, n, z).forEach((date, result) ->
                result.runs().stream().filter(d -> DriftCheck.ALERT.equals(d.status())).forEach(d -> {
                    alerts.add(new double[] {millis(date), d.mi()});
                    rows.add(List.of(date.toString(), d.runId(), est, d.z(), d.message()));
                })));
        charts.put("chart-history", Charts.svg(Charts.datedIntervals("MI by run date, 95% interval (red: drift "
                + "alert)", "MI bits per token", series, alerts, "drift alert")));
        body.append("<h2 id=\"history\">History (").append(dates).append(" dates)</h2>\n<p>Drift alerts: |z| > ")
                .append(Html.num(z)).append(" against the mean of the previous ").append(n)
                .append(" dates (drift.previousDates, drift.zThreshold of the job).</p>\n");
        body.append(rows.isEmpty() ? "<p>No drift alert on these dates.</p>\n"
                : Html.table(List.of("run date", "run", "estimator", "z", "drift check"), rows));
    }

    private static double millis(java.time.LocalDate d) {
        return d.atStartOfDay(java.time.ZoneOffset.UTC).toInstant().toEpochMilli();
    }

    private static double orNaN(Object v) {
        return v == null ? Double.NaN : ((Number) v).doubleValue();
    }

    private static Written page(Request req, Map<String, String> charts, String body, Path out) {
        StringBuilder b = new StringBuilder();
        b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>InfoMeter report ")
                .append(Html.esc(req.job())).append(' ').append(Html.esc(req.date())).append("</title>\n<style>")
                .append("body{margin:0;font:13px sans-serif;background:#fff;color:#222}")
                .append("h1{position:absolute;top:0;left:").append(LEFT_PX).append("px;height:")
                .append(HEADER_PX - 20).append("px;margin:16px 0 0 0;font-size:20px}")
                .append(".chart{position:absolute;left:").append(LEFT_PX).append("px;width:").append(Charts.WIDTH)
                .append("px;height:").append(Charts.HEIGHT).append("px;overflow:hidden}")
                .append(".tables{position:absolute;left:").append(LEFT_PX).append("px;top:")
                .append(HEADER_PX + charts.size() * BLOCK_PX).append("px;right:20px}")
                .append("table{border-collapse:collapse;margin-bottom:16px}td,th{border:1px solid #ccc;")
                .append("padding:2px 6px;text-align:right}td.bad{background:#fdd}</style></head><body>\n")
                .append("<h1>InfoMeter: job ").append(Html.esc(req.job())).append(", run date ")
                .append(Html.esc(req.date())).append("</h1>\n");
        int i = 0;
        for (Map.Entry<String, String> c : charts.entrySet()) {
            b.append("<div class=\"chart\" id=\"").append(c.getKey()).append("\" style=\"top:")
                    .append(HEADER_PX + i * BLOCK_PX).append("px\">").append(c.getValue()).append("</div>\n");
            i++;
        }
        b.append("<div class=\"tables\">\n").append(body).append("</div>\n</body></html>\n");
        try {
            Files.createDirectories(out.toAbsolutePath().getParent());
            Files.writeString(out, b.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write report " + out, e);
        }
        return new Written(out.toAbsolutePath(), charts.size(), List.copyOf(charts.keySet()));
    }

    private static Map<String, Double> sceneTruth(SparkSession spark, JsonNode summary) {
        Map<String, Double> out = new TreeMap<>();
        String gt = summary == null ? null : summary.path("config").path("groundTruth").asText(null);
        if (gt == null || gt.isBlank() || !Files.isDirectory(Path.of(gt.replaceFirst("^file:", "")))) {
            return out;
        }
        for (Row r : spark.read().parquet(gt).select("run_id", "scene_token", "true_mi_bits_per_token")
                .collectAsList()) {
            out.put(r.getString(0) + "\u0000" + r.getString(1), r.getDouble(2));
        }
        return out;
    }

    static JsonNode readSummary(Path p) {
        if (p == null || !Files.isRegularFile(p)) {
            return null;
        }
        try {
            return JSON.readTree(p.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read summary " + p + ": " + e.getMessage(), e);
        }
    }

    private static String label(String q) {
        return switch (q) {
            case "hx" -> "H(X)";
            case "hy" -> "H(Y)";
            case "hxy" -> "H(X,Y)";
            case "hx_given_y" -> "H(X|Y)";
            default -> "H(Y|X)";
        };
    }

    /** "value ± se" of two columns, empty where the value is NULL (variational estimators have no entropies). */
    private static String pm(Row r, String value, String se) {
        Object v = r.getAs(value);
        if (v == null) {
            return "";
        }
        Object e = r.getAs(se);
        return e == null ? Html.num(v) : Html.num(v) + " ± " + Html.num(e);
    }

    private static Object nz(Object o) {
        return o == null ? "" : o;
    }

    private static String interval(Object lo, Object hi) {
        return lo == null || hi == null ? "" : "[" + Html.num(lo) + ", " + Html.num(hi) + "]";
    }

}
