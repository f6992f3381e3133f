package org.infometer.job;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.infometer.report.SampleResult;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads the generate job's ground-truth table (data-schemas/ground_truth.ddl) and states the true MI of exactly
 * the samples that were scored, so quarantined samples do not bias the comparison.
 */
public final class GroundTruth {

    private GroundTruth() {
    }

    public static Map<String, Double> trueMiBitsPerToken(SparkSession spark, String path,
                                                         Map<String, List<SampleResult>> byRun) {
        Map<String, Double> perScene = new HashMap<>();
        for (Row r : spark.read().parquet(path).select("run_id", "scene_token", "true_mi_bits_per_token")
                .collectAsList()) {
            perScene.put(r.getString(0) + "\u0000" + r.getString(1), r.getDouble(2));
        }
        Map<String, Double> out = new TreeMap<>();
        byRun.forEach((run, samples) -> {
            double bits = 0;
            double tokens = 0;
            for (SampleResult s : samples) {
                Double t = perScene.get(run + "\u0000" + s.sceneToken());
                if (t == null) {
                    return;
                }
                bits += t * s.tokens();
                tokens += s.tokens();
            }
            out.put(run, bits / tokens);
        });
        return out;
    }

    /** True MI per token of every (run, scene) in the ground-truth table. */
    public static Map<String, Double> perScene(SparkSession spark, String path) {
        Map<String, Double> m = new TreeMap<>();
        for (Row r : spark.read().parquet(path).select("run_id", "scene_token", "true_mi_bits_per_token")
                .collectAsList()) {
            m.put(r.getString(0) + "\u0000" + r.getString(1), r.getDouble(2));
        }
        return m;
    }
}
