package org.infometer.job.correlate;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.StructField;
import org.infometer.config.CorrelateConfig;
import org.infometer.schema.InputException;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/** More x variables for the correlate mode: the PID terms of the pid table, as {@code pid_<term>}. */
public final class PidTerms {

    private PidTerms() {
    }

    /** Adds pid_<term> values to the points when the pid table exists and has rows of the job and date. */
    public static void add(SparkSession spark, CorrelateConfig cfg, LocalDate date, Map<String, MiPoints.Point> runMi,
                       Map<String, MiPoints.Point> sceneMi, List<String> notes) {
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
            MiPoints.Point p = r.isNullAt(1) ? runMi.get(r.getString(0)) : sceneMi.get(MiPoints.key(r.getString(0), r.getString(1)));
            if (p == null) {
                continue;
            }
            used++;
            for (int i = 0; i < terms.size(); i++) {
                p.values().put("pid_" + terms.get(i), MiPoints.num(r, 2 + i));
            }
        }
        notes.add("PID terms " + terms + " from " + table + " (job '" + cfg.pidJobName() + "'): " + used
                + " of " + rows.size() + " rows matched a run or scene with MI");
    }
}
