package org.infometer.job.correlate;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.infometer.config.CorrelateConfig;
import org.infometer.correlate.nuscenes.DetectionEvalSpark;
import org.infometer.correlate.nuscenes.DetectionRows;
import org.infometer.correlate.nuscenes.InputFormatException;
import org.infometer.correlate.nuscenes.PredBox;
import org.infometer.correlate.nuscenes.ResultsReader;
import org.infometer.schema.InputException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;

/** The correlate mode's scene-level y side: our nuScenes evaluation of each run's detections, per scene. */
public final class SceneEvaluation {

    private SceneEvaluation() {
    }

    /**
     * Scene accuracy of every (run, scene) of the MI runs, and each run's overall figures as a check on the run
     * accuracy input. Fills {@code byScene} (key run/scene -> y values), {@code runFigures} (run -> {map, nds})
     * and {@code sceneRows} (scene_accuracy rows).
     */
    public static void evaluate(SparkSession spark, CorrelateConfig cfg, List<String> runs,
                               Map<String, Map<String, Double>> byScene, Map<String, double[]> runFigures,
                               List<Row> sceneRows) {
        CorrelateConfig.SceneAccuracy s = cfg.sceneAccuracy();
        String source;
        Dataset<Row> preds;
        Dataset<Row> gt = AccuracyInputs.readParquet(spark, s.gtBoxes(), "sceneAccuracy.gtBoxes");
        Dataset<Row> samples = CorrelateConfig.blankToNull(s.samples()) == null ? null
                : AccuracyInputs.readParquet(spark, s.samples(), "sceneAccuracy.samples");
        if (CorrelateConfig.blankToNull(s.detections()) != null) {
            source = s.detections();
            preds = AccuracyInputs.readParquet(spark, s.detections(), "sceneAccuracy.detections");
            if (!Arrays.asList(preds.columns()).contains("run_id")) {
                throw new InputException("sceneAccuracy.detections " + s.detections() + " has no run_id column "
                        + "(data-schemas/detections.json); columns: " + Arrays.toString(preds.columns()));
            }
            preds = preds.filter(col("run_id").isin(runs.toArray()));
        } else {
            source = s.resultsDir();
            preds = resultsRows(spark, s.resultsDir(), runs, ResultsReader.splitTokens(gt, samples));
        }
        List<Row> scenes;
        List<Row> runRows;
        DetectionEvalSpark.Result result;
        try {
            result = DetectionEvalSpark.evaluate(preds, gt, samples, DetectionEvalSpark.Options.defaults());
        } catch (IllegalArgumentException e) {
            throw new InputException("Scene accuracy inputs (" + source + ", " + s.gtBoxes() + "): " + e.getMessage(), e);
        }
        result.groupMetrics().persist();
        try {
            scenes = result.sceneAccuracy().collectAsList();
            runRows = result.runMetrics().select("run_id", "map", "nds").collectAsList();
        } catch (RuntimeException e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            if (root instanceof IllegalArgumentException || root instanceof InputFormatException) {
                throw new InputException("Evaluating " + source + " against " + s.gtBoxes() + " failed: "
                        + root.getMessage(), e);
            }
            throw e;
        } finally {
            result.groupMetrics().unpersist();
        }
        for (Row r : runRows) {
            runFigures.put(r.getString(0), new double[] {r.getDouble(1), r.getDouble(2)});
        }
        List<String> without = new ArrayList<>(runs);
        without.removeAll(runFigures.keySet());
        if (!without.isEmpty()) {
            throw new InputException("Run(s) " + without + " have MI but no detections in " + source
                    + ": scene accuracy cannot be computed for them");
        }
        for (Row r : scenes) {
            Map<String, Double> values = new LinkedHashMap<>();
            for (String y : CorrelateConfig.SCENE_Y) {
                values.put(y, r.getDouble(r.fieldIndex(y)));
            }
            byScene.put(MiPoints.key(r.getString(0), r.getString(1)), values);
            sceneRows.add(r);
        }
    }

    /** Predictions from {@code <dir>/<run_id>/results_nusc.json}, one file per run, read on the driver. */
    public static Dataset<Row> resultsRows(SparkSession spark, String dir, List<String> runs,
                                    java.util.Set<String> split) {
        List<Row> rows = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String run : runs) {
            java.nio.file.Path file = java.nio.file.Path.of(dir, run, "results_nusc.json");
            if (!java.nio.file.Files.exists(file)) {
                missing.add("run " + run + ": " + file + " does not exist");
                continue;
            }
            try {
                ResultsReader.Submission sub = ResultsReader.read(file);
                ResultsReader.checkCoversSplit(sub, split);
                for (List<PredBox> boxes : sub.results().values()) {
                    rows.addAll(DetectionRows.predictionRows(run, boxes));
                }
            } catch (InputFormatException e) {
                throw new InputException("Results of run " + run + ": " + e.getMessage(), e);
            }
        }
        if (!missing.isEmpty()) {
            throw new InputException("Detections missing for " + missing.size() + " of " + runs.size()
                    + " runs with MI (sceneAccuracy.resultsDir = " + dir + "): " + String.join("; ", missing));
        }
        return spark.createDataFrame(rows, DetectionRows.PREDICTIONS);
    }
}
