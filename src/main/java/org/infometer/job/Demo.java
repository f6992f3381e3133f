package org.infometer.job;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.spark.sql.SparkSession;
import org.infometer.config.CorrelateConfig;
import org.infometer.config.JobConfig;
import org.infometer.io.SparkSessions;
import org.infometer.progress.Progress;
import org.infometer.report.MeasureResult;
import org.infometer.synth.GenerateConfig;
import org.infometer.synth.GenerateJob;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The demo: generate small synthetic data with known MI (and detections whose accuracy falls as MI rises), run
 * the nightly job definition on it ({@code jobs/demo.json}), print estimated against true MI and the top scenes,
 * then correlate MI with detection accuracy per run and per scene ({@code jobs/correlate-demo.json}).
 */
public final class Demo {

    private Demo() {
    }

    public static MeasureResult run(String dir, PrintStream out) {
        SparkSession spark = SparkSessions.create("infometer-demo");
        GenerateJob.run(spark, GenerateConfig.demo(dir), Progress.stderr());
        JobConfig cfg = demoConfig(dir);
        MeasureResult r = MeasureJob.run(spark, cfg, out);
        DriftStep.run(spark, cfg, out);
        PidJob.run(spark, pidConfig(dir), out);
        CorrelateJob.run(spark, correlateConfig(dir, cfg), out);
        org.infometer.htmlreport.HtmlReport.Written report = org.infometer.htmlreport.ReportCommand.run(spark,
                cfg.output().catalog() + "." + cfg.output().namespace(), cfg.name(), cfg.runDate(),
                pidConfig(dir).name(), Path.of(cfg.output().summaryDir()).toAbsolutePath(), null);
        out.println();
        out.println("Report (" + report.charts() + " charts, open in a browser): " + report.file());
        out.println();
        out.println("Query the tables, e.g.:");
        out.println("  ./submit.sh sql \"SELECT run_id, mi_bits_per_token, mi_ci95_low_bits_per_token, "
                + "mi_ci95_high_bits_per_token FROM infometer.run_mi WHERE job_name = '" + cfg.name() + "'\"");
        out.println("  ./submit.sh sql \"SELECT run_id, scene_token, mi_bits_per_token, redundancy_rank FROM "
                + "infometer.scene_mi WHERE redundancy_rank <= 5 ORDER BY run_id, redundancy_rank\"");
        out.println("  ./submit.sh sql \"SELECT run_id, k_x, redundancy_bits, unique_x_bits, unique_y_bits, synergy_bits, "
                + "dominant_term FROM infometer.pid WHERE level = 'run' ORDER BY run_id, k_x\"");
        out.println("  ./submit.sh sql \"SELECT level, x_name, y_name, method, n, coefficient, p_value, p_value_kind, "
                + "ci_low, ci_high FROM infometer.correlation WHERE job_name = 'correlate-demo' ORDER BY level, "
                + "x_name, y_name, method\"");
        return r;
    }

    /** jobs/correlate-demo.json on the demo's data, reading the MI the demo job just wrote. */
    static CorrelateConfig correlateConfig(String dir, JobConfig mi) {
        Path job = Path.of("jobs", "correlate-demo.json");
        List<String> overrides = List.of("mi.jobName=" + mi.name(), "mi.runDate=same",
                "runAccuracy.metricsDir=" + dir + "/metrics",
                "sceneAccuracy.detections=" + dir + "/detections", "sceneAccuracy.gtBoxes=" + dir + "/gt_boxes",
                "output.catalog=" + mi.output().catalog(), "output.warehouse=" + mi.output().warehouse(),
                "output.namespace=" + mi.output().namespace());
        if (Files.exists(job)) {
            return CorrelateConfig.load(job, overrides, mi.date());
        }
        try {
            ObjectNode root = (ObjectNode) JobConfig.JSON.readTree("{\"name\": \"correlate-demo\"}");
            return CorrelateConfig.fromTree(root, overrides, mi.date(), "built-in correlate demo job");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** jobs/pid-demo.json on the demo's data (a lighter setting when running from the jar alone). */
    static JobConfig pidConfig(String dir) {
        Path job = Path.of("jobs", "pid-demo.json");
        List<String> overrides = List.of("input.features=" + dir + "/features");
        if (Files.exists(job)) {
            return JobConfig.load(job, overrides, null);
        }
        try {
            ObjectNode root = (ObjectNode) JobConfig.JSON.readTree("{\"name\": \"pid-demo\"}");
            return JobConfig.fromTree(root, List.of("input.features=" + dir + "/features", "pid.k=[12, 24]",
                    "pid.pcaDims=6", "pid.bootstrap=50"), null, "built-in pid demo job");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static JobConfig demoConfig(String dir) {
        Path job = Path.of("jobs", "demo.json");
        List<String> overrides = List.of("input.features=" + dir + "/features", "groundTruth=" + dir + "/ground_truth");
        if (Files.exists(job)) {
            return JobConfig.load(job, overrides, null);
        }
        try {
            // Running from the jar alone (no checkout): the demo job's content, inlined.
            ObjectNode root = (ObjectNode) JobConfig.JSON.readTree("{\"name\": \"demo\"}");
            return JobConfig.fromTree(root, overrides, null, "built-in demo job");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
