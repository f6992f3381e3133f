package org.infometer.job;

import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.StructField;
import org.infometer.config.CorrelateConfig;
import org.infometer.correlate.CorrelationAnalysis;
import org.infometer.correlate.RunAccuracy;
import org.infometer.correlate.nuscenes.DetectionEvalSpark;
import org.infometer.correlate.nuscenes.DetectionRows;
import org.infometer.correlate.nuscenes.InputFormatException;
import org.infometer.correlate.nuscenes.PredBox;
import org.infometer.correlate.nuscenes.ResultsReader;
import org.infometer.correlate.nuscenes.TpMetric;
import org.infometer.io.IcebergTables;
import org.infometer.report.CorrelationReport;
import org.infometer.progress.Progress;
import org.infometer.schema.InputException;

import java.io.IOException;
import java.io.PrintStream;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/**
 * The correlate mode: correlates the MI an earlier measurement job wrote (run_mi, scene_mi) with detection
 * accuracy, per run and per scene, and writes the {@code correlation}, {@code run_accuracy} and
 * {@code scene_accuracy} tables.
 *
 * <p>Usage: {@code CorrelateJob.run(spark, CorrelateConfig.load(file, overrides, date), System.out)}.
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

    /** What the job computed; the tables hold the same. */
    public record Result(CorrelateConfig config, LocalDate miRunDate, List<String> runs, int scenePoints,
                         Map<String, RunAccuracy> runAccuracy, Map<String, double[]> runAccuracyFromDetections,
                         int sceneAccuracyRows, List<CorrelationAnalysis.CorrelationRow> rows, List<String> notes) {
    }

    /** An x or y point: a run (scene null) or a run's scene, with named values. */
    record Point(String runId, String sceneToken, Map<String, Double> values) {
    }

    public static Result run(SparkSession spark, CorrelateConfig cfg, PrintStream console) {
        return run(spark, cfg, console, Progress.stderr());
    }

    public static Result run(SparkSession spark, CorrelateConfig cfg, PrintStream console, Progress progress) {
        IcebergTables.configure(spark, cfg.output().catalog(), cfg.output().warehouse());
        IcebergTables.checkSchemas(spark, cfg.output().catalog(), cfg.output().namespace(),
                List.of("run_accuracy", "scene_accuracy", "correlation"));
        try {
            Result r = execute(spark, cfg, progress);
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

    private static Result execute(SparkSession spark, CorrelateConfig cfg, Progress progress) {
        List<String> notes = new ArrayList<>();
        progress.step("Reading MI of job '" + cfg.mi().jobName() + "' from " + cfg.table("run_mi"));
        LocalDate miDate = resolveMiDate(spark, cfg);
        Map<String, Point> runMi = runMi(spark, cfg, miDate);
        List<String> runs = new ArrayList<>(runMi.keySet());
        boolean sceneLevel = cfg.sceneAccuracy() != null && !cfg.y().scene().isEmpty();
        Map<String, Point> sceneMi = sceneLevel ? sceneMi(spark, cfg, miDate, runMi.keySet()) : Map.of();
        progress.info(String.format("%d runs, %d (run, scene) points, MI run date %s", runs.size(), sceneMi.size(),
                miDate));
        if (!sceneLevel) {
            notes.add(cfg.sceneAccuracy() == null ? "no sceneAccuracy input: scene level skipped"
                    : "y.scene is empty: scene level skipped");
        }
        addPid(spark, cfg, miDate, runMi, sceneMi, notes);

        Map<String, RunAccuracy> runAcc = Map.of();
        if (!cfg.y().run().isEmpty()) {
            progress.step("Reading run accuracy");
            runAcc = readRunAccuracy(spark, cfg, runs);
        }

        Map<String, Map<String, Double>> sceneAcc = new TreeMap<>();
        Map<String, double[]> fromDetections = new TreeMap<>();
        List<Row> sceneRows = new ArrayList<>();
        if (sceneLevel) {
            progress.step("Evaluating detections per run and scene (nuScenes protocol)");
            evaluateScenes(spark, cfg, runs, sceneAcc, fromDetections, sceneRows);
        }

        progress.step("Correlating");
        List<CorrelationAnalysis.Observation> obs = new ArrayList<>();
        List<String> xNames = xNames(cfg, runMi, sceneMi);
        for (String run : runs) {
            for (String x : xNames) {
                Double xv = runMi.get(run).values().get(x);
                if (xv == null) {
                    continue;
                }
                for (String y : cfg.y().run()) {
                    obs.add(new CorrelationAnalysis.Observation("run", run, null, x, xv, y,
                            runAcc.get(run).value(y)));
                }
            }
        }
        int missingScenes = 0;
        for (Point p : sceneMi.values()) {
            Map<String, Double> acc = sceneAcc.get(key(p.runId(), p.sceneToken()));
            if (acc == null) {
                missingScenes++;
            }
            for (String x : xNames) {
                Double xv = p.values().get(x);
                if (xv == null) {
                    continue;
                }
                for (String y : cfg.y().scene()) {
                    obs.add(new CorrelationAnalysis.Observation("scene", p.runId(), p.sceneToken(), x, xv, y,
                            acc == null ? Double.NaN : acc.get(y)));
                }
            }
        }
        if (missingScenes > 0) {
            notes.add(missingScenes + " (run, scene) point(s) have MI but no sample in the ground truth ("
                    + cfg.sceneAccuracy().gtBoxes() + "): left out of the scene level");
        }
        List<CorrelationAnalysis.CorrelationRow> rows = new CorrelationAnalysis(cfg.stats().settings()).analyse(obs);

        progress.step("Writing " + cfg.table("correlation") + ", run_accuracy, scene_accuracy");
        writeTables(spark, cfg, miDate, rows, runAcc, fromDetections, sceneRows);
        return new Result(cfg, miDate, runs, sceneMi.size(), runAcc, fromDetections, sceneRows.size(), rows, notes);
    }

    static String key(String run, String scene) {
        return run + "\u0000" + scene;
    }

    // ---- MI ----

    static LocalDate resolveMiDate(SparkSession spark, CorrelateConfig cfg) {
        String runMi = cfg.table("run_mi");
        if (!spark.catalog().tableExists(runMi)) {
            throw new InputException("No MI table " + runMi + " (warehouse " + cfg.output().warehouse()
                    + "): run the MI job '" + cfg.mi().jobName() + "' first (./submit.sh run JOB.json)");
        }
        String spec = cfg.miRunDateSpec();
        if (!spec.equals("latest")) {
            return LocalDate.parse(spec);
        }
        Row r = spark.table(runMi).filter(col("job_name").equalTo(cfg.mi().jobName()))
                .agg(org.apache.spark.sql.functions.max("run_date")).first();
        if (r.isNullAt(0)) {
            throw new InputException(runMi + " has no rows of MI job '" + cfg.mi().jobName() + "' (mi.jobName); jobs "
                    + "present: " + distinct(spark.table(runMi), "job_name"));
        }
        return r.getDate(0).toLocalDate();
    }

    private static List<String> distinct(Dataset<Row> df, String column) {
        return df.select(col(column).cast("string")).distinct().orderBy(column).limit(20).collectAsList().stream()
                .map(r -> r.getString(0)).toList();
    }

    private static Dataset<Row> miRows(SparkSession spark, CorrelateConfig cfg, String table, LocalDate date) {
        return spark.table(cfg.table(table)).filter(col("job_name").equalTo(cfg.mi().jobName())
                .and(col("run_date").equalTo(lit(Date.valueOf(date)))));
    }

    static Map<String, Point> runMi(SparkSession spark, CorrelateConfig cfg, LocalDate date) {
        List<Row> rows = miRows(spark, cfg, "run_mi", date).select("run_id", "mi_bits_per_token",
                "mi_bits_per_sample", "hx_bits_per_token", "hy_bits_per_token").collectAsList();
        if (rows.isEmpty()) {
            Dataset<Row> job = spark.table(cfg.table("run_mi")).filter(col("job_name").equalTo(cfg.mi().jobName()));
            throw new InputException(cfg.table("run_mi") + " has no rows of MI job '" + cfg.mi().jobName()
                    + "' on " + date + " (mi.runDate " + cfg.miRunDateSpec() + "); dates with rows of that job: "
                    + distinct(job, "run_date") + " (set mi.runDate, e.g. --set mi.runDate=latest)");
        }
        Map<String, Point> out = new TreeMap<>();
        for (Row r : rows) {
            out.put(r.getString(0), new Point(r.getString(0), null, miValues(r)));
        }
        return out;
    }

    static Map<String, Point> sceneMi(SparkSession spark, CorrelateConfig cfg, LocalDate date,
                                      java.util.Set<String> runs) {
        List<Row> rows = miRows(spark, cfg, "scene_mi", date).select("run_id", "mi_bits_per_token",
                "mi_bits_per_sample", "hx_bits_per_token", "hy_bits_per_token", "scene_token").collectAsList();
        Map<String, Point> out = new TreeMap<>();
        for (Row r : rows) {
            if (runs.contains(r.getString(0))) {
                out.put(key(r.getString(0), r.getString(5)), new Point(r.getString(0), r.getString(5), miValues(r)));
            }
        }
        return out;
    }

    private static Map<String, Double> miValues(Row r) {
        Map<String, Double> v = new LinkedHashMap<>();
        double mi = num(r, 1);
        v.put("mi_bits_per_token", mi);
        v.put("mi_bits_per_sample", num(r, 2));
        v.put("mi_normalised", normalisedMi(mi, num(r, 3), num(r, 4)));
        return v;
    }

    /** I / min(H(X), H(Y)), all per token; NaN when the smaller (differential) entropy is not positive. */
    public static double normalisedMi(double mi, double hx, double hy) {
        double h = Math.min(hx, hy);
        return h > 0 ? mi / h : Double.NaN;
    }

    private static double num(Row r, int i) {
        return r.isNullAt(i) ? Double.NaN : ((Number) r.get(i)).doubleValue();
    }

    static List<String> xNames(CorrelateConfig cfg, Map<String, Point> runMi, Map<String, Point> sceneMi) {
        List<String> names = new ArrayList<>(cfg.x());
        for (Map<String, Point> m : List.of(runMi, sceneMi)) {
            for (Point p : m.values()) {
                for (String k : p.values().keySet()) {
                    if (k.startsWith("pid_") && !names.contains(k)) {
                        names.add(k);
                    }
                }
            }
        }
        return names;
    }

    /** Adds pid_<term> values to the points when the pid table exists and has rows of the job and date. */
    static void addPid(SparkSession spark, CorrelateConfig cfg, LocalDate date, Map<String, Point> runMi,
                       Map<String, Point> sceneMi, List<String> notes) {
        String table = cfg.table(cfg.pid().table());
        if (!spark.catalog().tableExists(table)) {
            notes.add("no table " + table + ": PID terms skipped");
            return;
        }
        Dataset<Row> df = spark.table(table);
        List<String> columns = Arrays.asList(df.columns());
        if (!columns.contains("run_id")) {
            throw new InputException("PID table " + table + " has no run_id column; columns: " + columns);
        }
        if (columns.contains("job_name")) {
            df = df.filter(col("job_name").equalTo(cfg.pidJobName()));
        }
        if (columns.contains("run_date")) {
            df = df.filter(col("run_date").equalTo(lit(Date.valueOf(date))));
        }
        if (columns.contains("main_k")) {
            // one decomposition per run and scene: the main cluster count, not the sensitivity rows
            df = df.filter(col("main_k"));
        }
        List<String> terms = cfg.pidTerms();
        if (terms.isEmpty()) {
            for (StructField f : df.schema().fields()) {
                if (f.dataType() instanceof DoubleType) {
                    terms.add(f.name());
                }
            }
        }
        for (String t : terms) {
            if (!columns.contains(t) || !(df.schema().apply(t).dataType() instanceof org.apache.spark.sql.types.NumericType)) {
                throw new InputException("PID table " + table + " has no numeric column '" + t + "' (pid.terms); "
                        + "columns: " + columns);
            }
        }
        if (terms.isEmpty()) {
            notes.add("PID table " + table + " has no DOUBLE columns: PID terms skipped");
            return;
        }
        List<org.apache.spark.sql.Column> select = new ArrayList<>(List.of(col("run_id"),
                columns.contains("scene_token") ? col("scene_token") : lit(null).cast("string")));
        for (String t : terms) {
            select.add(col(t).cast("double"));
        }
        List<Row> rows = df.select(select.toArray(new org.apache.spark.sql.Column[0])).collectAsList();
        if (rows.isEmpty()) {
            notes.add("PID table " + table + " has no rows of job '" + cfg.pidJobName() + "' on " + date
                    + ": PID terms skipped");
            return;
        }
        int used = 0;
        for (Row r : rows) {
            Point p = r.isNullAt(1) ? runMi.get(r.getString(0)) : sceneMi.get(key(r.getString(0), r.getString(1)));
            if (p == null) {
                continue;
            }
            used++;
            for (int i = 0; i < terms.size(); i++) {
                p.values().put("pid_" + terms.get(i), num(r, 2 + i));
            }
        }
        notes.add("PID terms " + terms + " from " + table + " (job '" + cfg.pidJobName() + "'): " + used
                + " of " + rows.size() + " rows matched a run or scene with MI");
    }

    // ---- accuracy ----

    static Map<String, RunAccuracy> readRunAccuracy(SparkSession spark, CorrelateConfig cfg, List<String> runs) {
        CorrelateConfig.RunAccuracy a = cfg.runAccuracy();
        if (CorrelateConfig.blankToNull(a.metricsDir()) != null) {
            return RunAccuracy.fromMetricsDir(spark, a.metricsDir(), runs);
        }
        Dataset<Row> df;
        String label;
        if (CorrelateConfig.blankToNull(a.parquet()) != null) {
            df = readParquet(spark, a.parquet(), "runAccuracy.parquet");
            label = a.parquet();
        } else {
            if (!spark.catalog().tableExists(a.table())) {
                throw new InputException("runAccuracy.table " + a.table() + " does not exist");
            }
            df = spark.table(a.table());
            label = a.table();
        }
        if (a.where() != null && !a.where().isBlank()) {
            df = df.where(a.where());
            label += " WHERE " + a.where();
        }
        return RunAccuracy.fromTable(df, label, runs, cfg.y().run());
    }

    static Dataset<Row> readParquet(SparkSession spark, String path, String what) {
        Path p = new Path(path);
        try {
            if (!p.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(p)) {
                throw new InputException(what + ": " + path + " does not exist");
            }
        } catch (IOException e) {
            throw new InputException(what + ": cannot access " + path + ": " + e.getMessage(), e);
        }
        return spark.read().parquet(path);
    }

    /**
     * Scene accuracy of every (run, scene) of the MI runs, and each run's overall figures as a check on the run
     * accuracy input. Fills {@code byScene} (key run/scene -> y values), {@code runFigures} (run -> {map, nds})
     * and {@code sceneRows} (scene_accuracy rows).
     */
    static void evaluateScenes(SparkSession spark, CorrelateConfig cfg, List<String> runs,
                               Map<String, Map<String, Double>> byScene, Map<String, double[]> runFigures,
                               List<Row> sceneRows) {
        CorrelateConfig.SceneAccuracy s = cfg.sceneAccuracy();
        String source;
        Dataset<Row> preds;
        Dataset<Row> gt = readParquet(spark, s.gtBoxes(), "sceneAccuracy.gtBoxes");
        Dataset<Row> samples = CorrelateConfig.blankToNull(s.samples()) == null ? null
                : readParquet(spark, s.samples(), "sceneAccuracy.samples");
        if (CorrelateConfig.blankToNull(s.detections()) != null) {
            source = s.detections();
            preds = readParquet(spark, s.detections(), "sceneAccuracy.detections");
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
            byScene.put(key(r.getString(0), r.getString(1)), values);
            sceneRows.add(r);
        }
    }

    /** Predictions from {@code <dir>/<run_id>/results_nusc.json}, one file per run, read on the driver. */
    static Dataset<Row> resultsRows(SparkSession spark, String dir, List<String> runs,
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

    // ---- tables ----

    private static void writeTables(SparkSession spark, CorrelateConfig cfg, LocalDate miDate,
                                    List<CorrelationAnalysis.CorrelationRow> rows, Map<String, RunAccuracy> runAcc,
                                    Map<String, double[]> fromDetections, List<Row> sceneRows) {
        Date date = Date.valueOf(cfg.date());
        String job = cfg.name();
        List<Row> corr = new ArrayList<>();
        for (CorrelationAnalysis.CorrelationRow r : rows) {
            corr.add(prefixed(r.toRow(), date, job, cfg.mi().jobName(), Date.valueOf(miDate)));
        }
        List<Row> runs = new ArrayList<>();
        for (RunAccuracy a : runAcc.values()) {
            List<Object> v = new ArrayList<>(List.of(date, job, a.runId(), a.source(), a.map(), a.nds()));
            for (TpMetric t : TpMetric.values()) {
                v.add(nanToNull(a.tpErrors()[t.ordinal()]));
            }
            double[] d = fromDetections.get(a.runId());
            v.add(d == null ? null : d[0]);
            v.add(d == null ? null : d[1]);
            runs.add(RowFactory.create(v.toArray()));
        }
        List<Row> scenes = new ArrayList<>();
        for (Row r : sceneRows) {
            scenes.add(prefixed(r, date, job));
        }
        Map<String, List<Row>> tables = new LinkedHashMap<>();
        tables.put("run_accuracy", runs);
        tables.put("scene_accuracy", scenes);
        tables.put("correlation", corr);
        String cat = cfg.output().catalog();
        String ns = cfg.output().namespace();
        IcebergTables.publish(spark, cat, ns, tables, cfg.date(), job);
    }

    private static Row prefixed(Row r, Object... first) {
        Object[] v = new Object[first.length + r.length()];
        System.arraycopy(first, 0, v, 0, first.length);
        for (int i = 0; i < r.length(); i++) {
            v[first.length + i] = r.get(i);
        }
        return RowFactory.create(v);
    }

    private static Double nanToNull(double v) {
        return Double.isNaN(v) ? null : v;
    }
}
