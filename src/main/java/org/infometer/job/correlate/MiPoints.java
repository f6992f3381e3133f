package org.infometer.job.correlate;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.infometer.config.CorrelateConfig;
import org.infometer.schema.InputException;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/**
 * The correlate mode's x side: the MI job's run and scene rows of one run date (run_mi, scene_mi) as points
 * with named values ({@code mi_bits_per_token}, {@code mi_bits_per_sample}, {@code mi_normalised}).
 */
public final class MiPoints {

    private MiPoints() {
    }

    /** An x or y point: a run (scene null) or a run's scene, with named values. */
    public record Point(String runId, String sceneToken, Map<String, Double> values) {
    }

    /** Key of a (run, scene) point. */
    public static String key(String run, String scene) {
        return run + "\u0000" + scene;
    }

    public static LocalDate resolveMiDate(SparkSession spark, CorrelateConfig cfg) {
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

    public static Map<String, Point> runMi(SparkSession spark, CorrelateConfig cfg, LocalDate date) {
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

    public static Map<String, Point> sceneMi(SparkSession spark, CorrelateConfig cfg, LocalDate date,
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

    static double num(Row r, int i) {
        return r.isNullAt(i) ? Double.NaN : ((Number) r.get(i)).doubleValue();
    }

    public static List<String> xNames(CorrelateConfig cfg, Map<String, Point> runMi, Map<String, Point> sceneMi) {
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
}
