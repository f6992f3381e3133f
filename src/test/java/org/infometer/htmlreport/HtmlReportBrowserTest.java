package org.infometer.htmlreport;

import org.apache.spark.sql.SparkSession;
import org.infometer.config.CorrelateConfig;
import org.infometer.job.CorrelateJob;
import org.infometer.config.JobConfig;
import org.infometer.job.MeasureJob;
import org.infometer.job.PidJob;
import org.infometer.progress.Progress;
import org.infometer.synth.GenerateConfig;
import org.infometer.synth.GenerateJob;
import org.infometer.testing.SparkTestSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The report of a small real job (generate, MI, PID, correlate) opened in headless Chromium: no console error,
 * nothing fetched from the network, and the screenshot shows exactly the expected charts in their blocks.
 */
class HtmlReportBrowserTest {

    static final LocalDate DATE = LocalDate.of(2026, 11, 24);
    static final PrintStream QUIET = new PrintStream(PrintStream.nullOutputStream());

    @TempDir
    static Path dir;
    static HtmlReport.Written report;

    @BeforeAll
    static void buildReport() throws Exception {
        SparkSession spark = SparkTestSession.get();
        Path data = dir.resolve("data");
        GenerateJob.run(spark, new GenerateConfig(data.toString(), 3, 8, 6, 40, 12, 10, 3, 11, 3, "camera", "lidar"),
                new Progress(QUIET));
        List<String> common = List.of("input.features=" + data.resolve("features"),
                "output.warehouse=" + dir.resolve("warehouse"), "output.summaryDir=" + dir.resolve("out"));
        Path job = Files.writeString(dir.resolve("mi.json"), "{\"name\": \"mi\"}");
        // The day before, on other data with one shared latent instead of three: a history of two dates, compared
        // with drift.previousDates = 1, in which at least one run drifts, so the alert drawing is exercised.
        Path before = dir.resolve("data-before");
        GenerateJob.run(spark, new GenerateConfig(before.toString(), 3, 8, 6, 40, 12, 10, 1, 12, 3, "camera",
                "lidar"), new Progress(QUIET));
        JobConfig earlier = JobConfig.load(job, List.of("input.features=" + before.resolve("features"),
                "output.warehouse=" + dir.resolve("warehouse"), "output.summaryDir=" + dir.resolve("out"),
                "drift.previousDates=1"), DATE.minusDays(1));
        MeasureJob.run(spark, earlier, QUIET, new Progress(QUIET));
        org.infometer.job.DriftStep.run(spark, earlier, QUIET);
        List<String> mi = new ArrayList<>(common);
        mi.add("groundTruth=" + data.resolve("ground_truth"));
        mi.add("drift.previousDates=1");
        JobConfig cfg = JobConfig.load(job, mi, DATE);
        MeasureJob.run(spark, cfg, QUIET, new Progress(QUIET));
        org.infometer.job.DriftStep.run(spark, cfg, QUIET);
        List<String> pid = new ArrayList<>(common);
        pid.addAll(List.of("name=mi-pid", "pid.k=[6, 10]", "pid.pcaDims=4", "pid.bootstrap=10", "pid.fitTokens=2000",
                "pid.minSceneSamples=4"));
        PidJob.run(spark, JobConfig.load(job, pid, DATE), QUIET);
        Path corr = Files.writeString(dir.resolve("corr.json"), "{\"name\": \"corr\"}");
        CorrelateJob.run(spark, CorrelateConfig.load(corr, List.of("mi.jobName=mi",
                "runAccuracy.metricsDir=" + data.resolve("metrics"),
                "sceneAccuracy.detections=" + data.resolve("detections"),
                "sceneAccuracy.gtBoxes=" + data.resolve("gt_boxes"), "output.warehouse=" + dir.resolve("warehouse"),
                "stats.permutations=199", "stats.bootstrapResamples=100"), DATE), QUIET);
        report = ReportCommand.run(spark, "im.infometer", "mi", "latest", "mi-pid", dir.resolve("out"), null);
    }

    @Test
    void pageIsSelfContainedAndCarriesTruthAndStatus() throws Exception {
        String html = Files.readString(report.file(), StandardCharsets.UTF_8);
        assertEquals(dir.resolve("out/mi/2026-11-24/report.html").toAbsolutePath(), report.file());
        // xmlns URIs name namespaces and are never fetched; anything a browser would load is refused.
        Matcher fetch = Pattern.compile("(?i)(\\b(src|href)\\s*=\\s*[\"']?[a-z]+:|url\\(\\s*[\"']?(?!#)|@import|<link|<img|<iframe)")
                .matcher(html);
        assertFalse(fetch.find(), () -> "the page loads an external resource: " + fetch.group());
        assertFalse(html.contains("<script"), "the page needs no script");
        assertEquals(List.of("chart-run-mi", "chart-entropies", "chart-scene-distribution", "chart-pid",
                "chart-run-map", "chart-run-nds", "chart-scene-map_present_classes",
                "chart-scene-nds_present_classes", "chart-history"), report.chartIds());
        assertEquals(report.charts(), count(html, "<svg "));
        assertTrue(html.contains("true MI of the run"), "run truth in the MI chart legend");
        com.fasterxml.jackson.databind.JsonNode summary = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(dir.resolve("out/mi/2026-11-24/summary.json").toFile());
        for (com.fasterxml.jackson.databind.JsonNode run : summary.get("runs")) {
            String truth = Html.num(run.get("true_pooled_mi_bits_per_token").asDouble());
            assertTrue(html.contains("<td>" + truth + "</td>"), "the run's pooled truth " + truth + " in the table");
        }
        assertTrue(html.contains("status reason"), "validity columns");
        assertTrue(html.contains("<th>H(X|Y) ± SE</th>") && html.contains("<th>power share Y|X</th>"),
                "loss of precision per scene and run");
        for (String run : List.of("scheme_1", "scheme_2", "scheme_3")) {
            assertTrue(html.contains(run), "run " + run + " in the page");
        }
    }

    @Test
    void theDriftAgainstThePreviousDateIsInTheSummaryAndItsAlertsInTheReport() throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.JsonNode now = json.readTree(dir.resolve("out/mi/2026-11-24/summary.json")
                .toFile());
        com.fasterxml.jackson.databind.JsonNode then = json.readTree(dir.resolve("out/mi/2026-11-23/summary.json")
                .toFile());
        com.fasterxml.jackson.databind.JsonNode drift = now.get("drift");
        assertEquals(3, drift.get("runs").size());
        String html = Files.readString(report.file());
        int alerts = 0;
        for (int i = 0; i < 3; i++) {
            com.fasterxml.jackson.databind.JsonNode a = now.get("runs").get(i).get("bits_per_token").get("mi");
            com.fasterxml.jackson.databind.JsonNode b = then.get("runs").get(i).get("bits_per_token").get("mi");
            double z = (a.get("value").asDouble() - b.get("value").asDouble())
                    / Math.hypot(a.get("se").asDouble(), b.get("se").asDouble());
            com.fasterxml.jackson.databind.JsonNode d = drift.get("runs").get(i);
            assertEquals(z, d.get("z").asDouble(), 1e-9, d.toString());
            boolean alert = Math.abs(z) > 3.0;
            assertEquals(alert ? "alert" : "ok", d.get("status").asText());
            // The report's history section lists exactly the alerting (date, run) pairs.
            assertEquals(alert, html.contains("<td>2026-11-24</td><td>" + d.get("run_id").asText() + "</td>"),
                    d.toString());
            alerts += alert ? 1 : 0;
        }
        assertTrue(html.contains("History (2 dates)"), "history section");
        assertTrue(alerts > 0, "the earlier date's data differ, so some run alerts");
        assertTrue(html.contains("drift alert</text>"), "the alert legend in the history chart");
        assertEquals("alert", drift.get("status").asText());
        assertTrue(html.contains(drift.get("status").asText()), "drift block in the report");
    }

    @Test
    void pidHistoryHoldsTheMainKRunRowsOfThePidJob() {
        SparkSession spark = SparkTestSession.get();
        List<org.apache.spark.sql.Row> pid = spark.sql("SELECT run_id, k_x, redundancy_bits, synergy_low_bits, "
                + "status FROM im.infometer.pid WHERE job_name = 'mi-pid' AND level = 'run' AND main_k "
                + "ORDER BY run_id").collectAsList();
        List<org.apache.spark.sql.Row> hist = spark.sql("SELECT run_id, k_x, redundancy_bits, synergy_low_bits, "
                + "status FROM im.infometer.pid_history WHERE job_name = 'mi-pid' ORDER BY run_id").collectAsList();
        assertEquals(3, hist.size());
        assertEquals(pid, hist);
        assertEquals(6, hist.get(0).getInt(1), "the main k, the first of pid.k");
    }

    @Test
    void generatedMetricsFilesCarryTheDevkitMetaAndAMeasuredEvalTime() throws Exception {
        com.fasterxml.jackson.databind.JsonNode m = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                Files.readString(dir.resolve("data/metrics/scheme_1/metrics_summary.json")).replace("NaN", "null"));
        assertTrue(m.get("eval_time").asDouble() > 0, "eval_time " + m.get("eval_time"));
        assertEquals("{\"use_camera\":true,\"use_lidar\":true,\"use_radar\":false,\"use_map\":false,"
                + "\"use_external\":false}", m.get("meta").toString());
    }

    @Test
    void chromiumRendersEveryChartWithoutConsoleErrors() throws Exception {
        int height = HtmlReport.HEADER_PX + report.charts() * HtmlReport.BLOCK_PX;
        Path png = dir.resolve("shot.png");
        String log = Chromium.run(report.file(), dir, "--screenshot=" + png, "--window-size=820," + height,
                "--virtual-time-budget=2000");
        for (String line : log.split("\n")) {
            assertFalse(line.contains("Uncaught") || line.contains(":CONSOLE(") || line.contains("ERR_"),
                    "browser console error: " + line);
        }
        assertTrue(Files.size(png) > 0, "no screenshot; Chromium said:\n" + log);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(820, img.getWidth());
        int drawn = 0;
        for (int i = 0; i < report.charts(); i++) {
            int top = HtmlReport.HEADER_PX + i * HtmlReport.BLOCK_PX;
            double ink = ink(img, HtmlReport.LEFT_PX, top, Charts.WIDTH, Charts.HEIGHT);
            double gap = ink(img, HtmlReport.LEFT_PX, top + Charts.HEIGHT + 5, Charts.WIDTH, 30);
            assertEquals(0.0, gap, 1e-9, "the gap below chart " + i + " must be blank");
            if (ink > 0.02) {
                drawn++;
            }
        }
        assertEquals(report.charts(), drawn, "charts with visible content in their blocks");
    }

    /** Fraction of pixels in the box that are not (near) white. */
    static double ink(BufferedImage img, int x0, int y0, int w, int h) {
        long dark = 0;
        long all = 0;
        for (int y = y0; y < Math.min(img.getHeight(), y0 + h); y++) {
            for (int x = x0; x < Math.min(img.getWidth(), x0 + w); x++) {
                int rgb = img.getRGB(x, y);
                int r = (rgb >> 16) & 255;
                int g = (rgb >> 8) & 255;
                int b = rgb & 255;
                all++;
                if (r < 235 || g < 235 || b < 235) {
                    dark++;
                }
            }
        }
        return all == 0 ? 0 : (double) dark / all;
    }

    static int count(String s, String what) {
        Matcher m = Pattern.compile(Pattern.quote(what)).matcher(s);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
