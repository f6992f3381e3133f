package org.infometer.job;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.infometer.report.SampleResult;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads the generate job's ground-truth table (data-schemas/ground_truth.ddl). A run estimate targets the MI of the
 * run's pooled token distribution (the mixture of its scenes), so runs are compared with
 * {@code true_pooled_mi_bits_per_token}; scene estimates with the scene's own {@code true_mi_bits_per_token}. The
 * mean of the scene values is neither estimand and is not offered as a run truth.
 */
public final class GroundTruth {

    private GroundTruth() {
    }

    /**
     * The true MI per token of each run's pooled distribution, for the runs that were scored; empty for a table
     * written before the pooled truth existed (then there is nothing to compare a run estimate with).
     */
    public static Map<String, Double> trueMiBitsPerToken(SparkSession spark, String path,
                                                         Map<String, List<SampleResult>> byRun) {
        return trueMiBitsPerToken(spark, path, byRun.keySet());
    }

    /** As {@link #trueMiBitsPerToken(SparkSession, String, Map)}, for the runs {@code scored}. */
    public static Map<String, Double> trueMiBitsPerToken(SparkSession spark, String path,
                                                         java.util.Set<String> scored) {
        Map<String, Double> out = new TreeMap<>();
        pooled(spark, path).forEach((run, v) -> {
            if (scored.contains(run)) {
                out.put(run, v[0]);
            }
        });
        return out;
    }

    /** Run id to {pooled MI, its Monte Carlo SE} in bits per token; empty when the table lacks the columns. */
    public static Map<String, double[]> pooled(SparkSession spark, String path) {
        Map<String, double[]> out = new TreeMap<>();
        var df = spark.read().parquet(path);
        if (!java.util.Arrays.asList(df.columns()).contains("true_pooled_mi_bits_per_token")) {
            return out;
        }
        for (Row r : df.select("run_id", "true_pooled_mi_bits_per_token", "true_pooled_mi_mc_se_bits_per_token")
                .distinct().collectAsList()) {
            out.put(r.getString(0), new double[] {r.getDouble(1), r.getDouble(2)});
        }
        return out;
    }

    /** True MI per token of every (run, scene) in the ground-truth table (key run id + "\u0000" + scene token). */
    public static Map<String, Double> perScene(SparkSession spark, String path) {
        Map<String, Double> m = new TreeMap<>();
        for (Row r : spark.read().parquet(path).select("run_id", "scene_token", "true_mi_bits_per_token")
                .collectAsList()) {
            m.put(r.getString(0) + "\u0000" + r.getString(1), r.getDouble(2));
        }
        return m;
    }
}
