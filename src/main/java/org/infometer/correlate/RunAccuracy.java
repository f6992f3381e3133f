package org.infometer.correlate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.infometer.correlate.nuscenes.MetricsSummaryReader;
import org.infometer.correlate.nuscenes.RunMetrics;
import org.infometer.correlate.nuscenes.TpMetric;
import org.infometer.schema.InputException;

import static org.apache.spark.sql.functions.col;

/**
 * The accuracy of one run over the whole evaluated split, as an input to the correlation: the devkit's mAP, NDS
 * and mean TP errors, from a {@code metrics_summary.json} or a row of a metrics table.
 *
 * <p>Usage: {@code Map<String, RunAccuracy> acc = RunAccuracy.fromMetricsDir(spark, "runs/metrics", runIds);}
 * (reads {@code <dir>/<run_id>/metrics_summary.json}) or {@code RunAccuracy.fromTable(df, "table x", runIds,
 * List.of("map", "nds"))}. A run without accuracy is an {@link InputException} naming the run and the file or
 * table it was expected in.
 *
 * @param tpErrors mean TP errors in {@link TpMetric} order; NaN where the source does not give them
 */
public record RunAccuracy(String runId, String source, double map, double nds, double[] tpErrors) {

    /** File name the devkit writes into each evaluation's output directory. */
    public static final String SUMMARY_FILE = "metrics_summary.json";

    /** A y variable by name: map, nds or a TP error column (mate_m, mase, maoe_rad, mave_m_s, maae). */
    public double value(String name) {
        switch (name) {
            case "map":
                return map;
            case "nds":
                return nds;
            default:
                for (TpMetric t : TpMetric.values()) {
                    if (t.column().equals(name)) {
                        return tpErrors[t.ordinal()];
                    }
                }
                throw new IllegalArgumentException("no run-level accuracy variable '" + name + "'");
        }
    }

    public static RunAccuracy of(String runId, RunMetrics m) {
        double[] tp = new double[TpMetric.values().length];
        for (TpMetric t : TpMetric.values()) {
            Double v = m.tpErrors().get(t.key());
            tp[t.ordinal()] = v == null ? Double.NaN : v;
        }
        return new RunAccuracy(runId, m.source(), m.meanAp(), m.ndScore(), tp);
    }

    /** The expected summary file of a run under a metrics directory. */
    public static String summaryFile(String dir, String runId) {
        return new Path(new Path(dir, runId), SUMMARY_FILE).toString();
    }

    /**
     * Reads {@code <dir>/<run_id>/metrics_summary.json} for every run (any Hadoop file system). Every missing file
     * is named in one error, with the runs that do have a summary there.
     */
    public static Map<String, RunAccuracy> fromMetricsDir(SparkSession spark, String dir, Collection<String> runIds) {
        Path root = new Path(dir);
        Map<String, RunAccuracy> out = new TreeMap<>();
        List<String> missing = new ArrayList<>();
        try {
            FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (!fs.exists(root)) {
                throw new InputException("runAccuracy.metricsDir " + dir + " does not exist (expected "
                        + summaryFile(dir, "<run_id>") + " for each run)");
            }
            for (String run : new TreeSet<>(runIds)) {
                Path file = new Path(new Path(root, run), SUMMARY_FILE);
                if (!fs.exists(file)) {
                    missing.add("run " + run + ": " + file + " does not exist");
                    continue;
                }
                String content;
                try (FSDataInputStream in = fs.open(file)) {
                    content = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                out.put(run, of(run, MetricsSummaryReader.parse(content, file.toString())));
            }
            if (!missing.isEmpty()) {
                List<String> present = new ArrayList<>();
                for (FileStatus s : fs.listStatus(root)) {
                    if (s.isDirectory() && fs.exists(new Path(s.getPath(), SUMMARY_FILE))) {
                        present.add(s.getPath().getName());
                    }
                }
                present.sort(null);
                throw new InputException("Run accuracy missing for " + missing.size() + " of " + runIds.size()
                        + " runs with MI (runAccuracy.metricsDir = " + dir + "): " + String.join("; ", missing)
                        + ". Runs with a " + SUMMARY_FILE + " there: " + (present.isEmpty() ? "none" : present));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read run accuracy under " + dir, e);
        }
        return out;
    }

    /**
     * Reads a metrics table (e.g. the evaluator's run_metrics): {@code run_id} and the y columns are required,
     * TP error columns are read when present. One row per run with MI; extra runs are ignored.
     */
    public static Map<String, RunAccuracy> fromTable(Dataset<Row> table, String label, Collection<String> runIds,
            List<String> yNames) {
        List<String> columns = Arrays.asList(table.columns());
        List<String> needed = new ArrayList<>(List.of("run_id", "map", "nds"));
        for (String y : yNames) {
            if (!needed.contains(y)) {
                needed.add(y);
            }
        }
        for (String c : needed) {
            if (!columns.contains(c)) {
                throw new InputException("Run accuracy table " + label + " has no column '" + c + "' (needed: "
                        + needed + "; present: " + columns + ")");
            }
            if (!c.equals("run_id") && !(table.schema().apply(c).dataType() instanceof NumericType)) {
                throw new InputException("Run accuracy table " + label + ": column '" + c + "' is "
                        + table.schema().apply(c).dataType().simpleString() + ", expected a number");
            }
        }
        List<org.apache.spark.sql.Column> select = new ArrayList<>();
        select.add(col("run_id").cast(DataTypes.StringType));
        select.add(col("map").cast(DataTypes.DoubleType));
        select.add(col("nds").cast(DataTypes.DoubleType));
        for (TpMetric t : TpMetric.values()) {
            select.add(columns.contains(t.column()) ? col(t.column()).cast(DataTypes.DoubleType)
                    : org.apache.spark.sql.functions.lit(null).cast(DataTypes.DoubleType));
        }
        List<Row> rows = table.filter(col("run_id").isin(runIds.toArray()))
                .select(select.toArray(new org.apache.spark.sql.Column[0])).collectAsList();
        Map<String, RunAccuracy> out = new TreeMap<>();
        for (Row r : rows) {
            String run = r.getString(0);
            if (out.containsKey(run)) {
                throw new InputException("Run accuracy table " + label + " has more than one row for run " + run
                        + "; filter it to one row per run (runAccuracy.where)");
            }
            double[] tp = new double[TpMetric.values().length];
            for (int i = 0; i < tp.length; i++) {
                tp[i] = r.isNullAt(3 + i) ? Double.NaN : r.getDouble(3 + i);
            }
            out.put(run, new RunAccuracy(run, label, r.isNullAt(1) ? Double.NaN : r.getDouble(1),
                    r.isNullAt(2) ? Double.NaN : r.getDouble(2), tp));
        }
        List<String> missing = new ArrayList<>(new TreeSet<>(runIds));
        missing.removeAll(out.keySet());
        if (!missing.isEmpty()) {
            throw new InputException("Run accuracy missing for " + missing.size() + " of " + runIds.size()
                    + " runs with MI: no row in " + label + " for run(s) " + missing);
        }
        return out;
    }
}
