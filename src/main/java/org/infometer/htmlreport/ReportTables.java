package org.infometer.htmlreport;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.util.List;

/** The rows a report shows, read from the Iceberg tables through Spark SQL; a missing table reads as no rows. */
record ReportTables(List<Row> runs, List<Row> scenes, List<Row> pid, List<Row> correlation, List<Row> runAccuracy,
                    List<Row> sceneAccuracy, List<Row> history) {

    static ReportTables read(SparkSession spark, String ns, String job, String date, String pidJob) {
        String at = " WHERE job_name = '" + job + "' AND run_date = DATE'" + date + "'";
        List<Row> runs = rows(spark, ns, "run_mi", "SELECT * FROM %s" + at + " ORDER BY run_id");
        List<Row> scenes = rows(spark, ns, "scene_mi", "SELECT * FROM %s" + at + " ORDER BY run_id, redundancy_rank");
        List<Row> pid = rows(spark, ns, "pid", "SELECT * FROM %s WHERE job_name = '" + pidJob
                + "' AND run_date = DATE'" + date + "' AND level = 'run' ORDER BY run_id, k_x");
        List<Row> corr = rows(spark, ns, "correlation", "SELECT * FROM %s WHERE mi_job_name = '" + job
                + "' AND mi_run_date = DATE'" + date + "' ORDER BY level, x_name, y_name, method");
        List<Row> runAcc = List.of();
        List<Row> sceneAcc = List.of();
        if (!corr.isEmpty()) {
            String cj = corr.get(0).getAs("job_name");
            String cd = String.valueOf((Object) corr.get(0).getAs("run_date"));
            String w = " WHERE job_name = '" + cj + "' AND run_date = DATE'" + cd + "'";
            runAcc = rows(spark, ns, "run_accuracy", "SELECT * FROM %s" + w + " ORDER BY run_id");
            sceneAcc = rows(spark, ns, "scene_accuracy", "SELECT * FROM %s" + w + " ORDER BY run_id, scene_token");
        }
        // The job's series up to the report's date, for the history chart.
        List<Row> history = rows(spark, ns, "history", "SELECT * FROM %s WHERE job_name = '" + job
                + "' AND run_date <= DATE'" + date + "' ORDER BY estimator, run_id, run_date");
        return new ReportTables(runs, scenes, pid, corr, runAcc, sceneAcc, history);
    }

    private static List<Row> rows(SparkSession spark, String ns, String table, String sql) {
        String name = ns + "." + table;
        if (!spark.catalog().tableExists(name)) {
            return List.of();
        }
        return spark.sql(String.format(sql, name)).collectAsList();
    }
}
