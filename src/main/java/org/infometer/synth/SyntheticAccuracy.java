package org.infometer.synth;

import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.infometer.correlate.nuscenes.DetectionEvaluator;
import org.infometer.correlate.nuscenes.DetectionMetrics;
import org.infometer.correlate.nuscenes.DetectionRows;
import org.infometer.correlate.nuscenes.GtBox;
import org.infometer.correlate.nuscenes.MetricsSummaryWriter;
import org.infometer.correlate.nuscenes.PredBox;
import org.infometer.correlate.nuscenes.ResultsReader;
import org.infometer.correlate.nuscenes.RunMetrics;
import org.infometer.correlate.nuscenes.SampleInfo;
import org.infometer.correlate.nuscenes.SampleMatcher;
import org.infometer.correlate.nuscenes.SyntheticDetections;
import org.infometer.progress.Progress;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The generate job's detection side: ground-truth boxes for every sample (shared by all runs), each run's
 * detections with a per-sample quality that falls as the scene's true MI in that run rises, and each run's
 * accuracy as our evaluator computes it from those detections.
 *
 * <p>Layout under the output directory:
 * <ul>
 *   <li>{@code gt_boxes/}: Parquet, data-schemas/gt_boxes.ddl (samples and scenes are the features' tokens);
 *   <li>{@code detections/}: Parquet, data-schemas/detections.json, all runs;
 *   <li>{@code run_metrics/}: Parquet, data-schemas/run_metrics.ddl, one row per run;
 *   <li>{@code metrics/<run_id>/metrics_summary.json}: the same figures in the devkit's file format (bare NaN
 *       tokens for the TP errors it excludes), as a devkit evaluation of each run would leave them.
 * </ul>
 * Every box is drawn from seeds of (seed, run, sample token) by {@link SyntheticDetections}, so the output does
 * not depend on partitioning; tasks hold one sample's boxes at a time.
 */
public final class SyntheticAccuracy {

    private SyntheticAccuracy() {
    }

    public static void write(SparkSession spark, GenerateConfig g, double[][] sceneQuality, Progress progress) {
        progress.step("Writing ground-truth boxes and detections");
        int perRun = g.scenes() * g.samplesPerScene();
        int partitions = (int) Math.max(2, Math.min(256, g.samples() / 4000 + 1));
        SyntheticDetections synth = new SyntheticDetections(g.seed());
        int sps = g.samplesPerScene();
        long seed = g.seed();

        FlatMapFunction<Long, Row> gt = i -> {
            SampleInfo info = sample(i.intValue(), sps, seed);
            List<Row> rows = new ArrayList<>();
            for (GtBox b : synth.groundTruth(info)) {
                rows.add(DetectionRows.gtRow(info, b));
            }
            return rows.iterator();
        };
        spark.sparkContext().setJobDescription("infometer: generate ground-truth boxes");
        spark.range(0, perRun, 1, partitions).flatMap(gt, Encoders.row(DetectionRows.GT_BOXES))
                .write().mode(SaveMode.Overwrite).parquet(g.out() + "/gt_boxes");

        FlatMapFunction<Long, Row> detections = i -> {
            int r = (int) (i / perRun);
            int k = (int) (i % perRun);
            SampleInfo info = sample(k, sps, seed);
            double q = GenerateJob.sampleQuality(g, sceneQuality[r][k / sps], r, info.sampleToken());
            List<PredBox> boxes = synth.predictions(GenerateJob.runId(r), GenerateJob.detectorSeed(g, r), info,
                    synth.groundTruth(info), q);
            return DetectionRows.predictionRows(GenerateJob.runId(r), boxes).iterator();
        };
        spark.sparkContext().setJobDescription("infometer: generate detections");
        spark.range(0, g.samples(), 1, partitions).flatMap(detections, Encoders.row(DetectionRows.PREDICTIONS))
                .write().mode(SaveMode.Overwrite).parquet(g.out() + "/detections");

        progress.step("Evaluating the detections (nuScenes protocol) into run metrics");
        List<Row> runs = new ArrayList<>();
        List<Double> evalSeconds = new ArrayList<>();
        for (int r = 0; r < g.runs(); r++) {
            long start = System.nanoTime();
            runs.add(evaluateRun(g, r, sceneQuality[r], synth));
            evalSeconds.add((System.nanoTime() - start) / 1e9);
        }
        spark.createDataFrame(runs, DetectionRows.RUN_METRICS).coalesce(1).write().mode(SaveMode.Overwrite)
                .parquet(g.out() + "/run_metrics");
        delete(spark, g.out() + "/metrics");
        for (int i = 0; i < runs.size(); i++) {
            Row run = runs.get(i);
            String file = g.out() + "/metrics/" + run.getString(0) + "/metrics_summary.json";
            RunMetrics m = DetectionRows.runMetrics(run, file);
            // eval_time as the devkit reports it: the wall time of this run's evaluation, measured above
            RunMetrics timed = new RunMetrics(m.source(), m.meanAp(), m.ndScore(), m.labelAps(), m.meanDistAps(),
                    m.labelTpErrors(), m.tpErrors(), m.tpScores(), evalSeconds.get(i));
            writeText(spark, file, MetricsSummaryWriter.toJson(timed, SYNTHETIC_META));
            progress.info(String.format("%s: mAP %.4f, NDS %.4f -> %s", run.getString(0),
                    run.getDouble(run.fieldIndex("map")), run.getDouble(run.fieldIndex("nds")), file));
        }
    }

    /**
     * Run r's metrics by the in-memory evaluator (the same stages {@link DetectionEvalSpark} distributes, and
     * the same numbers): one run's boxes at a time, regenerated from the seeds the Parquet rows came from, so
     * no Spark job is needed for a few thousand samples.
     */
    /** The synthetic detector fuses camera and LiDAR features (the pair the demo measures), nothing else. */
    static final ResultsReader.Meta SYNTHETIC_META = new ResultsReader.Meta(true, true, false, false, false);

    static Row evaluateRun(GenerateConfig g, int r, double[] sceneQuality, SyntheticDetections synth) {
        int perRun = g.scenes() * g.samplesPerScene();
        List<SampleInfo> samples = new ArrayList<>(perRun);
        Map<String, List<GtBox>> gt = new HashMap<>();
        Map<String, List<PredBox>> preds = new HashMap<>();
        for (int k = 0; k < perRun; k++) {
            SampleInfo info = sample(k, g.samplesPerScene(), g.seed());
            List<GtBox> boxes = synth.groundTruth(info);
            double q = GenerateJob.sampleQuality(g, sceneQuality[k / g.samplesPerScene()], r, info.sampleToken());
            samples.add(info);
            gt.put(info.sampleToken(), boxes);
            preds.put(info.sampleToken(), synth.predictions(GenerateJob.runId(r), GenerateJob.detectorSeed(g, r),
                    info, boxes, q));
        }
        DetectionMetrics m = new DetectionEvaluator(SampleMatcher.OverLimit.REJECT)
                .evaluate(samples, gt, preds, List.of(DetectionEvaluator.Grouping.RUN))
                .get(new DetectionEvaluator.GroupKey("run", ""));
        Row group = DetectionRows.metricsRow(GenerateJob.runId(r), "run", "", m);
        Object[] values = new Object[DetectionRows.RUN_METRICS.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = group.get(DetectionRows.GROUP_METRICS.fieldIndex(DetectionRows.RUN_METRICS.fields()[i].name()));
        }
        return new GenericRowWithSchema(values, DetectionRows.RUN_METRICS);
    }

    /** Sample k (scene-major) of a run: the features' tokens and a synthetic ego position. */
    static SampleInfo sample(int k, int samplesPerScene, long seed) {
        int s = k / samplesPerScene;
        int p = k % samplesPerScene;
        return new SampleInfo(GenerateJob.sampleToken(s, p, seed), GenerateJob.sceneToken(s, seed),
                GenerateJob.egoTranslation(s, p));
    }

    /** Removes a directory tree, so a smaller regeneration leaves no files of runs it no longer has. */
    static void delete(SparkSession spark, String dir) {
        Path p = new Path(dir);
        try {
            p.getFileSystem(spark.sparkContext().hadoopConfiguration()).delete(p, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear " + dir, e);
        }
    }

    static void writeText(SparkSession spark, String file, String text) {
        Path p = new Path(file);
        try {
            FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
            try (FSDataOutputStream out = fs.create(p, true)) {
                out.write(text.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
