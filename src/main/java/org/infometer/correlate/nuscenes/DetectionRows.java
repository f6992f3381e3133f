package org.infometer.correlate.nuscenes;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import scala.collection.JavaConverters;

/**
 * Table schemas of the detection evaluation and conversions between their rows and the evaluation's records.
 *
 * <p>Usage: {@code DetectionRows.predictionRow(runId, box)} / {@code DetectionRows.predBox(row)} and the like;
 * {@link #metricsRow} writes one {@link #GROUP_METRICS} row from {@link DetectionMetrics}, shared by the Spark
 * and the in-memory evaluation so that both produce identical rows.
 *
 * <p>The schemas mirror {@code data-schemas/} (detections.json, gt_boxes.ddl, run_metrics.ddl, and
 * scene_accuracy.ddl after its run_date and job_name partition columns); a test keeps them equal.
 */
public final class DetectionRows {

    public static final StructType PREDICTIONS = StructType.fromDDL("run_id STRING NOT NULL, "
            + "sample_token STRING NOT NULL, translation ARRAY<DOUBLE> NOT NULL, size ARRAY<DOUBLE> NOT NULL, "
            + "rotation ARRAY<DOUBLE> NOT NULL, velocity ARRAY<DOUBLE>, detection_name STRING NOT NULL, "
            + "detection_score DOUBLE NOT NULL, attribute_name STRING, sample_index INT, box_index INT");

    public static final StructType GT_BOXES = StructType.fromDDL("sample_token STRING NOT NULL, "
            + "scene_token STRING NOT NULL, ego_pose_translation ARRAY<DOUBLE> NOT NULL, box_index INT, "
            + "instance_token STRING, category_name STRING, detection_name STRING, "
            + "translation ARRAY<DOUBLE> NOT NULL, size ARRAY<DOUBLE> NOT NULL, rotation ARRAY<DOUBLE> NOT NULL, "
            + "velocity ARRAY<DOUBLE>, attribute_name STRING, num_lidar_pts INT NOT NULL, num_radar_pts INT NOT NULL");

    /** Samples of the split; needed only for samples without any annotation (not yet a data-schemas file). */
    public static final StructType SAMPLES = StructType.fromDDL("sample_token STRING NOT NULL, "
            + "scene_token STRING NOT NULL, ego_pose_translation ARRAY<DOUBLE> NOT NULL");

    private static final String METRICS_COLUMNS = "eval_config STRING NOT NULL, n_samples BIGINT NOT NULL, "
            + "n_classes_present INT NOT NULL, map DOUBLE NOT NULL, nds DOUBLE NOT NULL, mate_m DOUBLE NOT NULL, "
            + "mase DOUBLE NOT NULL, maoe_rad DOUBLE NOT NULL, mave_m_s DOUBLE NOT NULL, maae DOUBLE NOT NULL, "
            + "map_present_classes DOUBLE NOT NULL, nds_present_classes DOUBLE NOT NULL, "
            + "tp_errors_present_classes MAP<STRING, DOUBLE> NOT NULL, class_npos MAP<STRING, BIGINT> NOT NULL, "
            + "class_ap MAP<STRING, DOUBLE> NOT NULL, class_ap_by_threshold MAP<STRING, MAP<STRING, DOUBLE>> NOT NULL, "
            + "class_tp_errors MAP<STRING, MAP<STRING, DOUBLE>> NOT NULL";

    /** Metrics of any group: {@code group_level} "run", "scene" or a custom level; {@code group_key} "" for runs. */
    public static final StructType GROUP_METRICS = StructType.fromDDL("run_id STRING NOT NULL, "
            + "group_level STRING NOT NULL, group_key STRING NOT NULL, " + METRICS_COLUMNS);

    public static final StructType RUN_METRICS = StructType.fromDDL("run_id STRING NOT NULL, " + METRICS_COLUMNS);

    public static final StructType SCENE_ACCURACY = StructType.fromDDL("run_id STRING NOT NULL, "
            + "scene_token STRING NOT NULL, " + METRICS_COLUMNS);

    private DetectionRows() {
    }

    public static Row predictionRow(String runId, PredBox p) {
        return RowFactory.create(runId, p.sampleToken(), p.translation(), p.size(), p.rotation(), p.velocity(),
                p.detectionClass().id(), p.score(), p.attributeName(),
                p.sampleIndex() < 0 ? null : p.sampleIndex(), p.boxIndex() < 0 ? null : p.boxIndex());
    }

    /** A {@link #PREDICTIONS} row (by column name) as a box; absent indices become -1. */
    public static PredBox predBox(Row r) {
        String token = r.getAs("sample_token");
        String name = r.getAs("detection_name");
        DetectionClass c = DetectionClass.fromNameOrNull(name);
        if (c == null) {
            throw new IllegalArgumentException("prediction of sample " + token + ": unknown detection_name '" + name + "'");
        }
        Double score = r.getAs("detection_score");
        if (score == null) {
            throw new IllegalArgumentException("prediction of sample " + token + ": detection_score is null; the "
                    + "detections table requires it (data-schemas/detections.json). The devkit's JSON loader reads "
                    + "a missing score as -1.0: write -1.0 for the same result");
        }
        return new PredBox(token, intOr(r, "sample_index", -1), intOr(r, "box_index", -1),
                doubles(r, "translation"), doubles(r, "size"), doubles(r, "rotation"), doubles(r, "velocity"),
                c, score, r.getAs("attribute_name"));
    }

    public static Row gtRow(SampleInfo s, GtBox b) {
        return RowFactory.create(s.sampleToken(), s.sceneToken(), s.egoTranslation(),
                b.boxIndex() < 0 ? null : b.boxIndex(), b.instanceToken(), b.categoryName(),
                b.detectionClass() == null ? null : b.detectionClass().id(), b.translation(), b.size(), b.rotation(),
                b.velocity(), b.attributeName(), b.numLidarPts(), b.numRadarPts());
    }

    /** A {@link #GT_BOXES} row as a box; a null detection_name is derived from category_name. */
    public static GtBox gtBox(Row r) {
        String token = r.getAs("sample_token");
        String name = r.getAs("detection_name");
        String category = r.getAs("category_name");
        DetectionClass c = name == null ? DetectionClass.fromCategory(category) : DetectionClass.fromNameOrNull(name);
        if (name != null && c == null) {
            throw new IllegalArgumentException("ground truth of sample " + token + ": unknown detection_name '" + name + "'");
        }
        Integer lidar = r.getAs("num_lidar_pts");
        Integer radar = r.getAs("num_radar_pts");
        if (lidar == null || radar == null) {
            throw new IllegalArgumentException("ground truth of sample " + token + ": num_lidar_pts / num_radar_pts is null");
        }
        return new GtBox(token, intOr(r, "box_index", -1), r.getAs("instance_token"), category, c,
                doubles(r, "translation"), doubles(r, "size"), doubles(r, "rotation"), doubles(r, "velocity"),
                r.getAs("attribute_name"), lidar, radar);
    }

    public static Row sampleRow(SampleInfo s) {
        return RowFactory.create(s.sampleToken(), s.sceneToken(), s.egoTranslation());
    }

    public static SampleInfo sampleInfo(Row r) {
        return new SampleInfo(r.getAs("sample_token"), r.getAs("scene_token"), doubles(r, "ego_pose_translation"));
    }

    /** One {@link #GROUP_METRICS} row. */
    public static Row metricsRow(String runId, String level, String key, DetectionMetrics m) {
        double[] tp = m.tpErrors();
        double[] tpPresent = m.tpErrorsPresentClasses();
        Map<String, Double> tpPresentMap = new LinkedHashMap<>();
        for (TpMetric t : TpMetric.values()) {
            tpPresentMap.put(t.key(), tpPresent[t.ordinal()]);
        }
        Map<String, Long> npos = new LinkedHashMap<>();
        Map<String, Double> classAp = new LinkedHashMap<>();
        Map<String, scala.collection.Map<String, Double>> apByThreshold = new LinkedHashMap<>();
        Map<String, scala.collection.Map<String, Double>> classTp = new LinkedHashMap<>();
        for (DetectionClass c : DetectionClass.values()) {
            npos.put(c.id(), m.npos(c));
            classAp.put(c.id(), m.classAp(c));
            Map<String, Double> byT = new LinkedHashMap<>();
            for (int t = 0; t < DetectionConfig.DIST_THRESHOLDS.length; t++) {
                byT.put(DetectionConfig.DIST_THRESHOLD_KEYS[t], m.ap(c, t));
            }
            apByThreshold.put(c.id(), scalaMap(byT));
            Map<String, Double> errs = new LinkedHashMap<>();
            for (TpMetric t : TpMetric.values()) {
                errs.put(t.key(), m.tpError(c, t));
            }
            classTp.put(c.id(), scalaMap(errs));
        }
        return RowFactory.create(runId, level, key, DetectionConfig.NAME, m.nSamples(), m.nClassesPresent(),
                m.meanAp(), m.nds(), tp[0], tp[1], tp[2], tp[3], tp[4], m.meanApPresentClasses(),
                m.ndsPresentClasses(), scalaMap(tpPresentMap), scalaMap(npos), scalaMap(classAp),
                scalaMap(apByThreshold), scalaMap(classTp));
    }

    /**
     * The figures of a {@link #RUN_METRICS} (or {@link #GROUP_METRICS}) row, by column name, as {@link RunMetrics}:
     * what {@link MetricsSummaryWriter} writes as a devkit {@code metrics_summary.json}.
     */
    public static RunMetrics runMetrics(Row r, String source) {
        Map<String, Map<String, Double>> labelAps = nestedDoubles(r, "class_ap_by_threshold");
        Map<String, Map<String, Double>> labelTp = nestedDoubles(r, "class_tp_errors");
        Map<String, Double> meanDistAps = new LinkedHashMap<>();
        Map<Object, Object> classAp = r.getJavaMap(r.fieldIndex("class_ap"));
        for (DetectionClass c : DetectionClass.values()) {
            Object v = classAp.get(c.id());
            if (v != null) {
                meanDistAps.put(c.id(), ((Number) v).doubleValue());
            }
        }
        Map<String, Double> tpErrors = new LinkedHashMap<>();
        Map<String, Double> tpScores = new LinkedHashMap<>();
        for (TpMetric t : TpMetric.values()) {
            double e = r.getDouble(r.fieldIndex(t.column()));
            tpErrors.put(t.key(), e);
            tpScores.put(t.key(), Double.isNaN(e) ? Double.NaN : Math.max(0.0, 1.0 - e));
        }
        return new RunMetrics(source, r.getDouble(r.fieldIndex("map")), r.getDouble(r.fieldIndex("nds")), labelAps,
                meanDistAps, labelTp, tpErrors, tpScores, Double.NaN);
    }

    private static Map<String, Map<String, Double>> nestedDoubles(Row r, String field) {
        Map<Object, Object> outer = r.getJavaMap(r.fieldIndex(field));
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        for (DetectionClass c : DetectionClass.values()) {
            Object inner = outer.get(c.id());
            if (inner == null) {
                continue;
            }
            Map<String, Double> m = new LinkedHashMap<>();
            @SuppressWarnings("unchecked")
            Map<Object, Object> javaInner = inner instanceof scala.collection.Map<?, ?> sm
                    ? (Map<Object, Object>) JavaConverters.mapAsJavaMap(sm) : (Map<Object, Object>) inner;
            javaInner.forEach((k, v) -> m.put(String.valueOf(k), v == null ? Double.NaN : ((Number) v).doubleValue()));
            out.put(c.id(), m);
        }
        return out;
    }

    private static <K, V> scala.collection.Map<K, V> scalaMap(Map<K, V> m) {
        return JavaConverters.mapAsScalaMap(m);
    }

    /** An array column as doubles; null elements become NaN, a null column null. */
    static double[] doubles(Row r, String field) {
        int i = r.fieldIndex(field);
        if (r.isNullAt(i)) {
            return null;
        }
        List<Object> list = r.getList(i);
        double[] out = new double[list.size()];
        for (int k = 0; k < out.length; k++) {
            Object o = list.get(k);
            out[k] = o == null ? Double.NaN : ((Number) o).doubleValue();
        }
        return out;
    }

    private static int intOr(Row r, String field, int fallback) {
        int i = r.fieldIndex(field);
        return r.isNullAt(i) ? fallback : r.getInt(i);
    }

    /** Rows of a list of boxes, for building test or synthetic tables. */
    public static List<Row> predictionRows(String runId, List<PredBox> boxes) {
        List<Row> out = new ArrayList<>(boxes.size());
        for (PredBox p : boxes) {
            out.add(predictionRow(runId, p));
        }
        return out;
    }
}
