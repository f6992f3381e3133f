package org.infometer.history;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code history} view: every date's run-level MI of a job from {@code run_mi}, with the main-k PID terms of
 * the same job, run and date from {@code pid} when that table exists. A view, not a table: run_mi already keeps
 * every date, so a copy could only go stale.
 */
public final class HistoryView {

    public static final String VIEW = "history";

    private HistoryView() {
    }

    public static String sql(SparkSession spark, String namespace) {
        String base = "SELECT m.run_date, m.job_name, m.run_id, m.estimator, m.mi_bits_per_token, "
                + "m.mi_se_bits_per_token, m.mi_ci95_low_bits_per_token, m.mi_ci95_high_bits_per_token, "
                + "m.n_samples, m.status, m.status_reason";
        if (spark.catalog().tableExists(namespace + ".pid")) {
            return base + ", p.redundancy_bits, p.unique_x_bits, p.unique_y_bits, p.synergy_bits FROM " + namespace
                    + ".run_mi m LEFT JOIN (SELECT * FROM " + namespace + ".pid WHERE level = 'run' AND main_k) p "
                    + "ON p.run_date = m.run_date AND p.job_name = m.job_name AND p.run_id = m.run_id";
        }
        return base + " FROM " + namespace + ".run_mi m";
    }

    /** Registers the {@code history} temporary view and returns it. */
    public static Dataset<Row> register(SparkSession spark, String namespace) {
        if (!spark.catalog().tableExists(namespace + ".run_mi")) {
            throw new IllegalArgumentException("No table " + namespace + ".run_mi: run an MI job first");
        }
        Dataset<Row> d = spark.sql(sql(spark, namespace));
        d.createOrReplaceTempView(VIEW);
        return d;
    }

    /** A job's points on {@code date} and before it (rows without an MI value are left out). */
    public static List<HistoryPoint> points(SparkSession spark, String namespace, String job, LocalDate date) {
        register(spark, namespace);
        List<HistoryPoint> out = new ArrayList<>();
        for (Row r : spark.sql("SELECT run_date, run_id, mi_bits_per_token, mi_se_bits_per_token FROM " + VIEW
                + " WHERE job_name = '" + job.replace("'", "''") + "' AND run_date <= DATE'" + date
                + "' AND mi_bits_per_token IS NOT NULL ORDER BY run_date, run_id").collectAsList()) {
            out.add(new HistoryPoint(((java.sql.Date) r.get(0)).toLocalDate(), r.getString(1), r.getDouble(2),
                    r.isNullAt(3) ? Double.NaN : r.getDouble(3)));
        }
        return out;
    }
}
