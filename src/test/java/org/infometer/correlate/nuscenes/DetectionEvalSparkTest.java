package org.infometer.correlate.nuscenes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.infometer.schema.SchemaCheck;
import org.infometer.testing.SparkTestSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scala.collection.JavaConverters;

class DetectionEvalSparkTest {

    private static final Map<String, Double> QUALITY = Map.of("run-good", 0.85, "run-poor", 0.3);
    private static final SyntheticDetections GEN = new SyntheticDetections(2024);

    private static SparkSession spark;
    private static final List<SampleInfo> SAMPLES = new ArrayList<>();
    private static final Map<String, List<GtBox>> GT = new HashMap<>();
    private static final Map<String, Map<String, List<PredBox>>> PREDS = new HashMap<>();
    private static Dataset<Row> predictionTable;
    private static Dataset<Row> gtTable;
    private static Dataset<Row> sampleTable;

    @BeforeAll
    static void buildRuns() {
        spark = SparkTestSession.get();
        List<Row> predRows = new ArrayList<>();
        List<Row> gtRows = new ArrayList<>();
        for (int scene = 0; scene < 3; scene++) {
            for (int k = 0; k < 5; k++) {
                String token = String.format("smp%02d%02d", scene, k);
                double[] ego = {100 * scene, 50 * k, 1.5};
                SampleInfo s = new SampleInfo(token, "scene-" + scene, ego);
                SAMPLES.add(s);
                GT.put(token, GEN.groundTruth(s));
                for (Map.Entry<String, Double> run : QUALITY.entrySet()) {
                    List<PredBox> p = GEN.predictions(run.getKey(), 7, s, GT.get(token), run.getValue());
                    PREDS.computeIfAbsent(run.getKey(), r -> new HashMap<>()).put(token, p);
                    predRows.addAll(DetectionRows.predictionRows(run.getKey(), p));
                }
                for (GtBox b : GT.get(token)) {
                    gtRows.add(DetectionRows.gtRow(s, b));
                }
            }
        }
        // A sample with no annotation: only the samples table knows it; the poor run has a FP there.
        SampleInfo empty = new SampleInfo("smp-empty", "scene-2", new double[] {0, 0, 0});
        SAMPLES.add(empty);
        PredBox fp = new PredBox("smp-empty", -1, 0, new double[] {5, 5, 0}, new double[] {2, 4, 1.5},
                BoxGeometry.yawQuaternion(0), new double[] {0, 0}, DetectionClass.CAR, 0.99, "vehicle.moving");
        PREDS.get("run-poor").put("smp-empty", List.of(fp));
        predRows.add(DetectionRows.predictionRow("run-poor", fp));

        predictionTable = spark.createDataFrame(predRows, DetectionRows.PREDICTIONS);
        gtTable = spark.createDataFrame(gtRows, DetectionRows.GT_BOXES);
        sampleTable = spark.createDataFrame(List.of(DetectionRows.sampleRow(empty)), DetectionRows.SAMPLES);
    }

    /** Exact text of a row: doubles by Double.toString (NaN included), maps sorted by key. */
    private static String canonical(Object v) {
        if (v instanceof Row r) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < r.length(); i++) {
                sb.append(canonical(r.get(i))).append(" | ");
            }
            return sb.toString();
        }
        if (v instanceof scala.collection.Map<?, ?> m) {
            TreeMap<String, String> t = new TreeMap<>();
            JavaConverters.mapAsJavaMap(m).forEach((k, x) -> t.put(String.valueOf(k), canonical(x)));
            return t.toString();
        }
        return String.valueOf(v);
    }

    @Test
    void sparkEqualsInMemoryEvaluationPerRunAndPerScene() {
        DetectionEvalSpark.Result result = DetectionEvalSpark.evaluate(predictionTable, gtTable, sampleTable,
                DetectionEvalSpark.Options.defaults());
        Dataset<Row> metrics = result.groupMetrics().persist();
        Map<String, String> spark = new TreeMap<>();
        for (Row r : metrics.collectAsList()) {
            spark.put(r.getString(0) + "/" + r.getString(1) + "/" + r.getString(2), canonical(r));
        }

        Map<String, String> local = new TreeMap<>();
        DetectionEvaluator evaluator = new DetectionEvaluator(SampleMatcher.OverLimit.REJECT);
        for (String run : QUALITY.keySet()) {
            Map<DetectionEvaluator.GroupKey, DetectionMetrics> m = evaluator.evaluate(SAMPLES, GT, PREDS.get(run),
                    List.of(DetectionEvaluator.Grouping.RUN, DetectionEvaluator.Grouping.SCENE));
            m.forEach((k, v) -> local.put(run + "/" + k.level() + "/" + k.key(),
                    canonical(DetectionRows.metricsRow(run, k.level(), k.key(), v))));
        }
        assertEquals(2 * (1 + 3), local.size());
        assertEquals(local.keySet(), spark.keySet());
        for (String k : local.keySet()) {
            assertEquals(local.get(k), spark.get(k), k);
        }

        Dataset<Row> runs = result.runMetrics();
        Dataset<Row> scenes = result.sceneAccuracy();
        assertTrue(SchemaCheck.sameShape(DetectionRows.RUN_METRICS, runs.schema()), runs.schema().treeString());
        assertTrue(SchemaCheck.sameShape(DetectionRows.SCENE_ACCURACY, scenes.schema()), scenes.schema().treeString());
        Map<String, Row> byRun = new HashMap<>();
        for (Row r : runs.collectAsList()) {
            byRun.put(r.getString(0), r);
        }
        assertEquals(16L, byRun.get("run-good").<Long>getAs("n_samples"));
        assertTrue(byRun.get("run-good").<Double>getAs("map") > byRun.get("run-poor").<Double>getAs("map"));
        List<Row> scene2 = scenes.filter("scene_token = 'scene-2'").collectAsList();
        assertEquals(2, scene2.size());
        assertEquals(6L, scene2.get(0).<Long>getAs("n_samples"));
        metrics.unpersist();
    }

    @Test
    void predictionsOutsideTheSplitFailNamingRunAndSample() {
        DetectionEvalSpark.Result result = DetectionEvalSpark.evaluate(predictionTable, gtTable, null,
                DetectionEvalSpark.Options.defaults());
        Exception e = assertThrows(Exception.class, () -> result.runMetrics().collectAsList());
        Throwable t = e;
        while (t.getCause() != null && !(t instanceof IllegalArgumentException)) {
            t = t.getCause();
        }
        assertTrue(t.getMessage().contains("run run-poor: predictions for sample smp-empty"), t.getMessage());
    }

    @Test
    void missingRequiredColumnIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DetectionEvalSpark.evaluate(
                predictionTable.drop("detection_score"), gtTable, null, DetectionEvalSpark.Options.defaults()));
        assertTrue(e.getMessage().contains("'predictions': required column 'detection_score'"), e.getMessage());
    }
}
