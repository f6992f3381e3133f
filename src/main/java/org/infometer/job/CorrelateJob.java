package org.infometer.job;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.infometer.config.CorrelateConfig;
import org.infometer.correlate.CorrelationAnalysis;
import org.infometer.correlate.RunAccuracy;
import org.infometer.io.IcebergTables;
import org.infometer.job.correlate.AccuracyInputs;
import org.infometer.job.correlate.CorrelationTables;
import org.infometer.job.correlate.MiPoints;
import org.infometer.job.correlate.Observations;
import org.infometer.job.correlate.PidTerms;
import org.infometer.job.correlate.SceneEvaluation;
import org.infometer.progress.Progress;
import org.infometer.report.CorrelateResult;
import org.infometer.report.CorrelationReport;

import java.io.PrintStream;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The correlate mode: correlates the MI an earlier measurement job wrote (run_mi, scene_mi) with detection
 * accuracy, per run and per scene, and writes the {@code correlation}, {@code run_accuracy} and
 * {@code scene_accuracy} tables.
 *
 * <p>Usage: {@code CorrelateJob.run(spark, CorrelateConfig.load(file, overrides, date), System.out)}. The steps
 * live in {@code job.correlate}: {@link MiPoints} and {@link PidTerms} (x), {@link AccuracyInputs} and
 * {@link SceneEvaluation} (y), {@link Observations} (pairing) and {@link CorrelationTables} (publish).
 *
 * <p>Run level: one point per run of the MI job; x from run_mi, y from the run accuracy input (devkit
 * metrics_summary.json files or a metrics table), which must cover every run. Scene level: one point per
 * (run, scene) of scene_mi; y from our nuScenes evaluation of the run's detections restricted to the scene
 * (classes present in the scene, see scene_accuracy.ddl). Everything is computed and every input read before
 * any table is touched, so a failure leaves the tables as they were.
 *
 * <p>x variables: {@code mi_bits_per_token} (MI per token, the run's or scene's total bits over its tokens),
 * {@code mi_bits_per_sample} (mean per-sample MI), {@code mi_normalised} = I / min(H(X), H(Y)), all per token,
 * from the same codelengths; the entropies are differential (bits of the features as stored), so the ratio
 * depends on the features' units and is left out (NaN, counted as dropped) where min(H(X), H(Y)) &lt;= 0. PID
 * terms from the pid table when it exists, as {@code pid_<term>}.
 */
public final class CorrelateJob {

    private CorrelateJob() {
    }

    /** The correlate submission's job, run date, tool version, resolved config and its hash (summary.json). */
    public static com.fasterxml.jackson.databind.node.ObjectNode meta(CorrelateConfig cfg) {
        return org.infometer.report.SubmissionMeta.of(cfg.name(), cfg.runDate(),
                org.infometer.config.JobConfig.JSON.valueToTree(cfg));
    }

    public static CorrelateResult run(SparkSession spark, CorrelateConfig cfg, PrintStream console) {
        return run(spark, cfg, console, Progress.stderr());
    }

    public static CorrelateResult run(SparkSession spark, CorrelateConfig cfg, PrintStream console,
                                      Progress progress) {
        IcebergTables.configure(spark, cfg.output().catalog(), cfg.output().warehouse());
        IcebergTables.checkSchemas(spark, cfg.output().catalog(), cfg.output().namespace(),
                List.of("run_accuracy", "scene_accuracy", "correlation"));
        try {
            CorrelateResult r = execute(spark, cfg, progress);
            progress.finish();
            CorrelationReport.print(console, r);
            return r;
        } catch (RuntimeException e) {
            progress.finish();
            console.println("Correlation FAILED: " + e.getMessage());
            console.println(IcebergTables.changeReport(e));
            throw e;
        }
    }

    private static CorrelateResult execute(SparkSession spark, CorrelateConfig cfg, Progress progress) {
        List<String> notes = new ArrayList<>();
        progress.step("Reading MI of job '" + cfg.mi().jobName() + "' from " + cfg.table("run_mi"));
        LocalDate miDate = MiPoints.resolveMiDate(spark, cfg);
        Map<String, MiPoints.Point> runMi = MiPoints.runMi(spark, cfg, miDate);
        List<String> runs = new ArrayList<>(runMi.keySet());
        boolean sceneLevel = cfg.sceneAccuracy() != null && !cfg.y().scene().isEmpty();
        Map<String, MiPoints.Point> sceneMi = sceneLevel ? MiPoints.sceneMi(spark, cfg, miDate, runMi.keySet())
                : Map.of();
        progress.info(String.format("%d runs, %d (run, scene) points, MI run date %s", runs.size(), sceneMi.size(),
                miDate));
        if (!sceneLevel) {
            notes.add(cfg.sceneAccuracy() == null ? "no sceneAccuracy input: scene level skipped"
                    : "y.scene is empty: scene level skipped");
        }
        PidTerms.add(spark, cfg, miDate, runMi, sceneMi, notes);

        Map<String, RunAccuracy> runAcc = Map.of();
        if (!cfg.y().run().isEmpty()) {
            progress.step("Reading run accuracy");
            runAcc = AccuracyInputs.readRunAccuracy(spark, cfg, runs);
        }

        Map<String, Map<String, Double>> sceneAcc = new TreeMap<>();
        Map<String, double[]> fromDetections = new TreeMap<>();
        List<Row> sceneRows = new ArrayList<>();
        if (sceneLevel) {
            progress.step("Evaluating detections per run and scene (nuScenes protocol)");
            SceneEvaluation.evaluate(spark, cfg, runs, sceneAcc, fromDetections, sceneRows);
        }

        progress.step("Correlating");
        List<CorrelationAnalysis.Observation> obs = Observations.pair(cfg, runs, runMi, sceneMi, runAcc, sceneAcc,
                notes);
        List<CorrelationAnalysis.CorrelationRow> rows = new CorrelationAnalysis(cfg.stats().settings()).analyse(obs);

        progress.step("Writing " + cfg.table("correlation") + ", run_accuracy, scene_accuracy");
        CorrelationTables.write(spark, cfg, miDate, rows, runAcc, fromDetections, sceneRows);
        return new CorrelateResult(cfg, miDate, runs, sceneMi.size(), runAcc, fromDetections, sceneRows.size(), rows,
                notes);
    }
}
