package org.infometer.htmlreport;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.nio.file.Path;
import java.util.List;

/** {@code report --job NAME [--run-date D|latest] [--out FILE] [--pid-job NAME] [--summary-dir DIR]}. */
public final class ReportCommand {

    private ReportCommand() {
    }

    /**
     * Writes the report of {@code job} at {@code date} ("latest" or null: the job's newest run_mi date) and returns
     * it; {@code out} null means {@code <summaryDir>/<job>/<date>/report.html}.
     */
    public static HtmlReport.Written run(SparkSession spark, String namespace, String job, String date, String pidJob,
                                         Path summaryDir, Path out) {
        if (!job.matches("[A-Za-z0-9_][A-Za-z0-9_.-]*") || (pidJob != null
                && !pidJob.matches("[A-Za-z0-9_][A-Za-z0-9_.-]*"))) {
            throw new IllegalArgumentException("--job and --pid-job must be job names (letters, digits, '_', '.', "
                    + "'-'), got " + job + (pidJob == null ? "" : ", " + pidJob));
        }
        if (date != null && !date.equals("latest") && !date.matches("\\d{4}-\\d{2}-\\d{2}")) {
            throw new IllegalArgumentException("--run-date must be YYYY-MM-DD or latest, got " + date);
        }
        String d = date == null || date.equals("latest") ? latest(spark, namespace, job) : date;
        Path summary = summaryDir.resolve(job).resolve(d).resolve("summary.json");
        Path file = out != null ? out : summaryDir.resolve(job).resolve(d).resolve("report.html");
        return HtmlReport.write(spark, new HtmlReport.Request(namespace, job, d, pidJob == null ? job : pidJob,
                summary), file);
    }

    static String latest(SparkSession spark, String namespace, String job) {
        String table = namespace + ".run_mi";
        if (!spark.catalog().tableExists(table)) {
            throw new IllegalArgumentException("No table " + table + " in this warehouse: run an MI job first");
        }
        List<Row> r = spark.sql("SELECT max(run_date) FROM " + table + " WHERE job_name = '"
                + job.replace("'", "''") + "'").collectAsList();
        if (r.isEmpty() || r.get(0).isNullAt(0)) {
            throw new IllegalArgumentException("No run_mi rows for job '" + job + "' in " + table);
        }
        return String.valueOf(r.get(0).get(0));
    }
}
