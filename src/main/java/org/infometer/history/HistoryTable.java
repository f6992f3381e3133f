package org.infometer.history;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.infometer.schema.TableContract;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code history} and {@code pid_history} tables (data-schemas/history.ddl, pid_history.ddl): each job's
 * run-level MI, and each pid job's run-level main-k PID terms, by date. Their rows are derived from the run_mi / pid
 * rows a job publishes and go into the same publish, partitioned by (run_date, job_name) like every table, so a
 * rerun of a date replaces that date's rows and no other date's. A table rather than a view over run_mi so analysts
 * query one small, stable contract whatever run_mi's columns become.
 */
public final class HistoryTable {

    public static final String TABLE = "history";
    public static final String PID_TABLE = "pid_history";
    private static final List<String> PID_TERMS = List.of("redundancy", "unique_x", "unique_y", "synergy");

    private HistoryTable() {
    }

    /** The history rows of a job's run_mi rows (rows in run_mi's contract order, as the MI job builds them). */
    public static List<Row> fromRunMi(List<Row> runMiRows) {
        return project(runMiRows, TableContract.load("run_mi").schema(), TableContract.load(TABLE), r -> true);
    }

    /** The pid_history rows of a pid job's pid rows: level 'run', main k. */
    public static List<Row> fromPid(List<Row> pidRows) {
        StructType pid = TableContract.load("pid").schema();
        int level = pid.fieldIndex("level");
        int mainK = pid.fieldIndex("main_k");
        return project(pidRows, pid, TableContract.load(PID_TABLE),
                r -> "run".equals(r.get(level)) && Boolean.TRUE.equals(r.get(mainK)));
    }

    private static List<Row> project(List<Row> rows, StructType from, TableContract to,
                                     java.util.function.Predicate<Row> keep) {
        String[] cols = to.schema().fieldNames();
        List<Row> out = new ArrayList<>();
        for (Row r : rows) {
            if (!keep.test(r)) {
                continue;
            }
            Map<String, Object> v = new LinkedHashMap<>();
            for (String c : cols) {
                v.put(c, r.get(from.fieldIndex(c)));
            }
            out.add(to.row(v));
        }
        return out;
    }

    /**
     * A job's points of one estimator on {@code date} and before it, for the drift check (rows without an MI value
     * are left out). No table yet: no points.
     */
    public static List<HistoryPoint> points(SparkSession spark, String namespace, String job, String estimator,
                                            LocalDate date) {
        List<HistoryPoint> out = new ArrayList<>();
        for (Row r : series(spark, namespace, job, null, date, estimator)) {
            if (!r.isNullAt(r.fieldIndex("mi_bits_per_token"))) {
                out.add(point(r));
            }
        }
        return out;
    }

    static HistoryPoint point(Row r) {
        int se = r.fieldIndex("mi_se_bits_per_token");
        return new HistoryPoint(r.getDate(r.fieldIndex("run_date")).toLocalDate(), r.getString(r.fieldIndex("run_id")),
                r.getDouble(r.fieldIndex("mi_bits_per_token")), r.isNullAt(se) ? Double.NaN : r.getDouble(se));
    }

    /** The history rows of a job between two dates (either null: open), of one estimator (null: all), in order. */
    public static List<Row> series(SparkSession spark, String namespace, String job, LocalDate from, LocalDate to,
                                   String estimator) {
        return select(spark, namespace + "." + TABLE, job, from, to, estimator, "run_date, run_id, estimator");
    }

    /** The pid_history rows of a job between two dates (either null: open), in order. */
    public static List<Row> pidSeries(SparkSession spark, String namespace, String job, LocalDate from,
                                      LocalDate to) {
        return select(spark, namespace + "." + PID_TABLE, job, from, to, null, "run_date, run_id");
    }

    /** The job names the history table holds, for an error that says which exist. */
    public static List<String> jobs(SparkSession spark, String namespace) {
        String t = namespace + "." + TABLE;
        if (!spark.catalog().tableExists(t)) {
            return List.of();
        }
        return spark.sql("SELECT DISTINCT job_name FROM " + t + " ORDER BY job_name").collectAsList().stream()
                .map(r -> r.getString(0)).toList();
    }

    private static List<Row> select(SparkSession spark, String table, String job, LocalDate from, LocalDate to,
                                    String estimator, String order) {
        if (!spark.catalog().tableExists(table)) {
            return List.of();
        }
        StringBuilder q = new StringBuilder("SELECT * FROM ").append(table).append(" WHERE job_name = '")
                .append(quote(job)).append('\'');
        if (from != null) {
            q.append(" AND run_date >= DATE'").append(from).append('\'');
        }
        if (to != null) {
            q.append(" AND run_date <= DATE'").append(to).append('\'');
        }
        if (estimator != null) {
            q.append(" AND estimator = '").append(quote(estimator)).append('\'');
        }
        return spark.sql(q.append(" ORDER BY ").append(order).toString()).collectAsList();
    }

    private static String quote(String s) {
        return s.replace("'", "''");
    }

    /** The PID term names of pid_history, in stacking order. */
    public static List<String> pidTerms() {
        return PID_TERMS;
    }
}
