package org.infometer.correlate.nuscenes;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.api.java.function.CoGroupFunction;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.api.java.function.MapGroupsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.infometer.schema.SchemaCheck;
import scala.Tuple3;
import scala.Tuple4;

/**
 * The nuScenes detection evaluation on Spark, for many runs at once, per run and per scene (or any grouping).
 *
 * <p>Usage:
 * <pre>{@code
 * DetectionEvalSpark.Result r = DetectionEvalSpark.evaluate(predictions, gtBoxes, null, DetectionEvalSpark.Options.defaults());
 * r.groupMetrics().persist();                 // both tables below read it
 * Dataset<Row> runs = r.runMetrics();         // data-schemas/run_metrics.ddl
 * Dataset<Row> scenes = r.sceneAccuracy();    // data-schemas/scene_accuracy.ddl
 * }</pre>
 *
 * <p>Plan: (1) predictions and ground truth are co-grouped by sample; for each run, {@link SampleMatcher}
 * filters and matches the sample and emits one record per kept prediction plus the sample's ground-truth
 * counts, tagged with every group the sample belongs to; (2) records are grouped by (run, group, class) and
 * {@link ClassCurve} computes the AP at four thresholds and the TP errors; (3) the ten classes of each
 * (run, group) become one row via {@link DetectionMetrics}. These are the same functions the in-memory
 * {@link DetectionEvaluator} calls, so both give identical numbers.
 *
 * <p>The ground truth (plus {@code samples}, when given) defines the evaluated split: every run is evaluated
 * on all of its samples, and a sample without predictions in a run counts its ground truth as missed, as a
 * submission with an empty list does in the devkit. Predictions for a sample outside the split fail the job.
 * Data errors surface at the first action, as a SparkException whose cause names the run and sample.
 */
public final class DetectionEvalSpark {

    /** A grouping: its level name and a string column over the ground-truth (and samples) rows, constant per sample. */
    public record Grouping(String level, Column key) {

        public static Grouping run() {
            return new Grouping("run", lit(""));
        }

        public static Grouping scene() {
            return new Grouping("scene", col("scene_token"));
        }
    }

    public record Options(SampleMatcher.OverLimit overLimit, List<Grouping> groupings) {

        public Options {
            if (groupings.isEmpty()) {
                throw new IllegalArgumentException("at least one grouping is needed");
            }
            long distinct = groupings.stream().map(Grouping::level).distinct().count();
            if (distinct != groupings.size()) {
                throw new IllegalArgumentException("grouping levels must be distinct");
            }
        }

        /** Reject over-full samples as the devkit does; group by run and by scene. */
        public static Options defaults() {
            return new Options(SampleMatcher.OverLimit.REJECT, List.of(Grouping.run(), Grouping.scene()));
        }
    }

    /** Metrics of every (run, group); lazily computed, so persist before reading more than one view. */
    public record Result(Dataset<Row> groupMetrics) {

        /** One row per run (level "run"), in the shape of run_metrics.ddl. */
        public Dataset<Row> runMetrics() {
            return select(level("run"), DetectionRows.RUN_METRICS);
        }

        /** One row per (run, scene) (level "scene"), in the shape of scene_accuracy.ddl. */
        public Dataset<Row> sceneAccuracy() {
            return select(level("scene").withColumnRenamed("group_key", "scene_token"), DetectionRows.SCENE_ACCURACY);
        }

        public Dataset<Row> level(String level) {
            return groupMetrics.filter(col("group_level").equalTo(level));
        }

        private static Dataset<Row> select(Dataset<Row> df, StructType shape) {
            return df.select(Arrays.stream(shape.fieldNames()).map(org.apache.spark.sql.functions::col)
                    .toArray(Column[]::new));
        }
    }

    static final StructType GROUND = groundSchema();

    static final StructType CURVE_INPUT = StructType.fromDDL("run_id STRING NOT NULL, grouping INT NOT NULL, "
            + "group_key STRING NOT NULL, class_index INT NOT NULL, npos BIGINT NOT NULL, n_samples BIGINT NOT NULL, "
            + "score DOUBLE, tp_mask INT, sample_index INT, sample_token STRING, box_index INT, errors ARRAY<DOUBLE>");

    static final StructType CURVE_RESULT = StructType.fromDDL("run_id STRING NOT NULL, grouping INT NOT NULL, "
            + "group_key STRING NOT NULL, class_index INT NOT NULL, npos BIGINT NOT NULL, n_samples BIGINT NOT NULL, "
            + "ap ARRAY<DOUBLE> NOT NULL, tp_errors ARRAY<DOUBLE> NOT NULL");

    private DetectionEvalSpark() {
    }

    /**
     * @param predictions rows of data-schemas/detections.json (optional columns may be absent)
     * @param gtBoxes rows of data-schemas/gt_boxes.ddl, plus any columns a custom grouping reads
     * @param samples null, or rows of {@link DetectionRows#SAMPLES} adding samples that have no annotation
     */
    public static Result evaluate(Dataset<Row> predictions, Dataset<Row> gtBoxes, Dataset<Row> samples,
            Options options) {
        Dataset<Row> preds = SchemaCheck.conform(predictions, DetectionRows.PREDICTIONS, "predictions", false);
        Dataset<Row> gt = SchemaCheck.conform(gtBoxes, DetectionRows.GT_BOXES, "gt_boxes", true);

        // Every run must see every sample, predictions or not; the run list is small.
        List<String> runIds = new ArrayList<>(preds.select("run_id").distinct().as(Encoders.STRING()).collectAsList());
        runIds.sort(null);

        Column groupKeys = array(options.groupings().stream().map(g -> g.key().cast(DataTypes.StringType))
                .toArray(Column[]::new)).as("group_keys");
        List<Column> groundCols = new ArrayList<>();
        for (String f : DetectionRows.GT_BOXES.fieldNames()) {
            groundCols.add(col(f));
        }
        groundCols.add(groupKeys);
        groundCols.add(lit(true).as("is_box"));
        Dataset<Row> ground = gt.select(groundCols.toArray(new Column[0]));
        if (samples != null) {
            Dataset<Row> s = SchemaCheck.conform(samples, DetectionRows.SAMPLES, "samples", true);
            List<Column> sampleCols = new ArrayList<>();
            for (StructField f : DetectionRows.GT_BOXES.fields()) {
                sampleCols.add(Arrays.asList(DetectionRows.SAMPLES.fieldNames()).contains(f.name())
                        ? col(f.name()) : lit(null).cast(f.dataType()).as(f.name()));
            }
            sampleCols.add(groupKeys);
            sampleCols.add(lit(false).as("is_box"));
            ground = ground.unionByName(s.select(sampleCols.toArray(new Column[0])));
        }
        ground = SchemaCheck.conform(ground, GROUND, "ground truth", false);

        SampleStage stage = new SampleStage(runIds, options.overLimit());
        Dataset<Row> curveInput = preds.groupByKey((MapFunction<Row, String>) r -> r.getAs("sample_token"), Encoders.STRING())
                .cogroup(ground.groupByKey((MapFunction<Row, String>) r -> r.getAs("sample_token"), Encoders.STRING()),
                        stage, Encoders.row(CURVE_INPUT));

        Dataset<Row> curves = curveInput
                .groupByKey((MapFunction<Row, Tuple4<String, Integer, String, Integer>>) r -> new Tuple4<>(
                        r.getString(0), r.getInt(1), r.getString(2), r.getInt(3)),
                        Encoders.tuple(Encoders.STRING(), Encoders.INT(), Encoders.STRING(), Encoders.INT()))
                .mapGroups(new CurveStage(), Encoders.row(CURVE_RESULT));

        String[] levels = options.groupings().stream().map(Grouping::level).toArray(String[]::new);
        Dataset<Row> metrics = curves
                .groupByKey((MapFunction<Row, Tuple3<String, Integer, String>>) r -> new Tuple3<>(
                        r.getString(0), r.getInt(1), r.getString(2)),
                        Encoders.tuple(Encoders.STRING(), Encoders.INT(), Encoders.STRING()))
                .mapGroups(new AssembleStage(levels), Encoders.row(DetectionRows.GROUP_METRICS));
        return new Result(metrics);
    }

    private static StructType groundSchema() {
        List<StructField> fields = new ArrayList<>();
        for (StructField f : DetectionRows.GT_BOXES.fields()) {
            boolean sampleLevel = Arrays.asList(DetectionRows.SAMPLES.fieldNames()).contains(f.name());
            fields.add(new StructField(f.name(), f.dataType(), !sampleLevel, f.metadata()));
        }
        fields.add(DataTypes.createStructField("group_keys", DataTypes.createArrayType(DataTypes.StringType), false));
        fields.add(DataTypes.createStructField("is_box", DataTypes.BooleanType, false));
        return DataTypes.createStructType(fields);
    }

    /** Stage 1: one sample, all runs. */
    static final class SampleStage implements CoGroupFunction<String, Row, Row, Row> {

        private final List<String> runIds;
        private final SampleMatcher matcher;

        SampleStage(List<String> runIds, SampleMatcher.OverLimit overLimit) {
            this.runIds = runIds;
            this.matcher = new SampleMatcher(overLimit);
        }

        @Override
        public Iterator<Row> call(String sampleToken, Iterator<Row> predRows, Iterator<Row> groundRows) {
            SampleInfo sample = null;
            List<String> keys = null;
            List<GtBox> gt = new ArrayList<>();
            while (groundRows.hasNext()) {
                Row r = groundRows.next();
                SampleInfo s = DetectionRows.sampleInfo(r);
                List<String> k = r.getList(r.fieldIndex("group_keys"));
                if (sample == null) {
                    sample = s;
                    keys = k;
                } else if (!sample.sceneToken().equals(s.sceneToken())
                        || !Arrays.equals(sample.egoTranslation(), s.egoTranslation()) || !keys.equals(k)) {
                    throw new IllegalArgumentException("sample " + sampleToken
                            + ": ground-truth rows disagree on scene_token, ego_pose_translation or grouping keys");
                }
                if (r.<Boolean>getAs("is_box")) {
                    gt.add(DetectionRows.gtBox(r));
                }
            }
            Map<String, List<PredBox>> byRun = new HashMap<>();
            while (predRows.hasNext()) {
                Row r = predRows.next();
                byRun.computeIfAbsent(r.getAs("run_id"), x -> new ArrayList<>()).add(DetectionRows.predBox(r));
            }
            if (sample == null) {
                String run = byRun.keySet().iterator().next();
                throw new IllegalArgumentException("run " + run + ": predictions for sample " + sampleToken
                        + ", which is not in the ground truth or sample list (the evaluated split)");
            }
            for (int g = 0; g < keys.size(); g++) {
                if (keys.get(g) == null) {
                    throw new IllegalArgumentException("sample " + sampleToken + ": grouping " + g + " gives a null key");
                }
            }
            List<Row> out = new ArrayList<>();
            for (String run : runIds) {
                SampleOutcome o;
                try {
                    o = matcher.match(sample, gt, byRun.getOrDefault(run, List.of()));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("run " + run + ": " + e.getMessage(), e);
                }
                for (int g = 0; g < keys.size(); g++) {
                    String key = keys.get(g);
                    for (DetectionClass c : DetectionClass.values()) {
                        out.add(RowFactory.create(run, g, key, c.ordinal(), o.npos()[c.ordinal()], 1L,
                                null, null, null, null, null, null));
                    }
                    for (MatchRecord m : o.records()) {
                        out.add(RowFactory.create(run, g, key, m.detectionClass().ordinal(), 0L, 0L, m.score(),
                                m.tpMask(), m.sampleIndex(), m.sampleToken(), m.boxIndex(), new double[] {
                                    m.transErr(), m.scaleErr(), m.orientErr(), m.velErr(), m.attrErr()}));
                    }
                }
            }
            return out.iterator();
        }
    }

    /** Stage 2: one (run, group, class). */
    static final class CurveStage implements MapGroupsFunction<Tuple4<String, Integer, String, Integer>, Row, Row> {

        @Override
        public Row call(Tuple4<String, Integer, String, Integer> key, Iterator<Row> rows) {
            DetectionClass cls = DetectionClass.values()[key._4()];
            long npos = 0;
            long nSamples = 0;
            List<MatchRecord> records = new ArrayList<>();
            while (rows.hasNext()) {
                Row r = rows.next();
                if (r.isNullAt(6)) {
                    npos += r.getLong(4);
                    nSamples += r.getLong(5);
                } else {
                    double[] e = DetectionRows.doubles(r, "errors");
                    records.add(new MatchRecord(cls, r.getDouble(6), r.getInt(7), r.getInt(8), r.getString(9),
                            r.getInt(10), e[0], e[1], e[2], e[3], e[4]));
                }
            }
            CurveResult c = ClassCurve.evaluate(cls, records, npos);
            return RowFactory.create(key._1(), key._2(), key._3(), key._4(), npos, nSamples, c.ap(), c.tpErrors());
        }
    }

    /** Stage 3: one (run, group). */
    static final class AssembleStage implements MapGroupsFunction<Tuple3<String, Integer, String>, Row, Row> {

        private final String[] levels;

        AssembleStage(String[] levels) {
            this.levels = levels;
        }

        @Override
        public Row call(Tuple3<String, Integer, String> key, Iterator<Row> rows) {
            Map<DetectionClass, CurveResult> byClass = new EnumMap<>(DetectionClass.class);
            long nSamples = -1;
            while (rows.hasNext()) {
                Row r = rows.next();
                DetectionClass cls = DetectionClass.values()[r.getInt(3)];
                long n = r.getLong(5);
                if (nSamples >= 0 && n != nSamples) {
                    throw new IllegalStateException("classes of " + key + " disagree on the sample count");
                }
                nSamples = n;
                byClass.put(cls, new CurveResult(cls, r.getLong(4), DetectionRows.doubles(r, "ap"),
                        DetectionRows.doubles(r, "tp_errors")));
            }
            DetectionMetrics m = DetectionMetrics.assemble(byClass, nSamples);
            return DetectionRows.metricsRow(key._1(), levels[key._2()], Objects.requireNonNull(key._3()), m);
        }
    }
}
