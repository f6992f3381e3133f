package org.infometer.htmlreport;

import org.apache.spark.sql.SparkSession;
import org.infometer.config.JobConfig;
import org.infometer.job.MeasureJob;
import org.infometer.progress.Progress;
import org.infometer.synth.GenerateConfig;
import org.infometer.synth.GenerateJob;
import org.infometer.testing.SparkTestSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A flow job that keeps its models in a store gets a report whose training-curve chart holds one curve per stored
 * model and flow, each epoch's held-out codelength, and is drawn (non-blank in headless Chromium).
 */
class FlowCurvesReportTest {

    static final PrintStream QUIET = new PrintStream(PrintStream.nullOutputStream());

    @TempDir
    Path dir;

    @Test
    void theFlowCurveChartIsPresentAndDrawn() throws Exception {
        SparkSession spark = SparkTestSession.get();
        long t0 = System.nanoTime();
        Path data = dir.resolve("data");
        GenerateJob.run(spark, new GenerateConfig(data.toString(), 1, 16, 8, 40, 4, 4, 2, 5, 2, "camera", "lidar"),
                new Progress(QUIET));
        Path store = dir.resolve("store");
        Path job = Files.writeString(dir.resolve("flow.json"), "{\"name\": \"flowrep\"}");
        JobConfig cfg = JobConfig.load(job, List.of("input.features=" + data.resolve("features"),
                "output.warehouse=" + dir.resolve("warehouse"), "output.summaryDir=" + dir.resolve("out"),
                "estimator.name=flow", "estimator.folds=3", "estimator.options={\"epochs\": 3, \"patience\": 2, "
                        + "\"batchSize\": 256, \"flowSteps\": 1, \"hiddenUnits\": 8, \"mixtureComponents\": 2, "
                        + "\"intraOpThreads\": 1, \"maxTokensPerModel\": 2000, \"heldOutFraction\": 0.5, "
                        + "\"modelStore\": \"" + store + "\", \"storeMode\": \"save\"}"), LocalDate.of(2026, 11, 24));
        double generated = (System.nanoTime() - t0) / 1e9;
        MeasureJob.run(spark, cfg, QUIET, new Progress(QUIET));
        double measured = (System.nanoTime() - t0) / 1e9;
        HtmlReport.Written report = ReportCommand.run(spark, "im.infometer", "flowrep", "latest", null,
                dir.resolve("out"), null);
        System.err.printf("generate %.1f s, flow job %.1f s, report %.1f s%n", generated, measured - generated,
                (System.nanoTime() - t0) / 1e9 - measured);

        int chart = report.chartIds().indexOf("chart-flow-curves");
        assertTrue(chart >= 0, "no flow-curve chart among " + report.chartIds());
        var curves = FlowCurves.read(HtmlReport.readSummary(dir.resolve("out/flowrep/2026-11-24/summary.json")));
        // Stored models of the run's 3 folds whose dependence flow trained (enough tokens and held-out samples:
        // 16 scenes x 8 samples x 40 tokens; a model with too little data trains none and has no curve).
        assertFalse(curves.isEmpty(), "no stored model trained a flow");
        assertTrue(java.util.Set.of("run=scheme_1/fold=00 dependence", "run=scheme_1/fold=01 dependence",
                "run=scheme_1/fold=02 dependence")
                .containsAll(curves.keySet()), curves.keySet().toString());
        curves.forEach((name, pts) -> {
            assertTrue(pts.size() >= 1 && pts.size() <= 3, name + ": " + pts.size() + " epochs");
            pts.forEach(p -> assertTrue(Double.isFinite(p[1]), name));
        });
        String html = Files.readString(report.file());
        for (String name : curves.keySet()) {
            assertTrue(html.contains(Html.esc(name)), "legend entry " + name);
        }

        Path png = dir.resolve("shot.png");
        int height = HtmlReport.HEADER_PX + report.charts() * HtmlReport.BLOCK_PX;
        String log = Chromium.run(report.file(), dir, "--screenshot=" + png, "--window-size=820," + height,
                "--virtual-time-budget=2000");
        for (String line : log.split("\n")) {
            assertFalse(line.contains("Uncaught") || line.contains(":CONSOLE(") || line.contains("ERR_"),
                    "browser console error: " + line);
        }
        BufferedImage img = ImageIO.read(png.toFile());
        int top = HtmlReport.HEADER_PX + chart * HtmlReport.BLOCK_PX;
        double ink = HtmlReportBrowserTest.ink(img, HtmlReport.LEFT_PX, top, Charts.WIDTH, Charts.HEIGHT);
        assertTrue(ink > 0.02, "the flow-curve block is blank (ink " + ink + ")");
        // Lines, not only axes and legend: the plot area holds coloured (non-grey) pixels.
        assertTrue(coloured(img, HtmlReport.LEFT_PX + 60, top + 40, Charts.WIDTH - 80, Charts.HEIGHT - 120) > 50,
                "no curve drawn in the plot area");
    }

    /** Pixels whose channels differ clearly (a series colour, not black, white or grey). */
    static int coloured(BufferedImage img, int x0, int y0, int w, int h) {
        int n = 0;
        for (int y = y0; y < Math.min(img.getHeight(), y0 + h); y++) {
            for (int x = x0; x < Math.min(img.getWidth(), x0 + w); x++) {
                int rgb = img.getRGB(x, y);
                int r = (rgb >> 16) & 255;
                int g = (rgb >> 8) & 255;
                int b = rgb & 255;
                if (Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) > 60) {
                    n++;
                }
            }
        }
        return n;
    }
}
