package org.infometer.job;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.spark.sql.SparkSession;
import org.infometer.io.SparkSessions;
import org.infometer.report.Progress;
import org.infometer.synth.GenerateConfig;
import org.infometer.synth.GenerateJob;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The demo: generate small synthetic data with known MI, run the nightly job definition on it
 * ({@code jobs/demo.json}), and print estimated against true MI, the top scenes and where the tables are.
 */
public final class Demo {

    private Demo() {
    }

    public static MeasureResult run(String dir, PrintStream out) {
        SparkSession spark = SparkSessions.create("infometer-demo");
        GenerateJob.run(spark, GenerateConfig.demo(dir), Progress.stderr());
        JobConfig cfg = demoConfig(dir);
        MeasureResult r = MeasureJob.run(spark, cfg, out);
        out.println();
        out.println("Query the tables, e.g.:");
        out.println("  ./submit.sh sql \"SELECT run_id, mi_bits_per_token, mi_ci95_low_bits_per_token, "
                + "mi_ci95_high_bits_per_token FROM infometer.run_mi WHERE job_name = '" + cfg.name() + "'\"");
        out.println("  ./submit.sh sql \"SELECT run_id, scene_token, mi_bits_per_token, redundancy_rank FROM "
                + "infometer.scene_mi WHERE redundancy_rank <= 5 ORDER BY run_id, redundancy_rank\"");
        return r;
    }

    static JobConfig demoConfig(String dir) {
        Path job = Path.of("jobs", "demo.json");
        List<String> overrides = List.of("input.features=" + dir + "/features", "groundTruth=" + dir + "/ground_truth");
        if (Files.exists(job)) {
            return JobConfig.load(job, overrides, null);
        }
        try {
            // Running from the jar alone (no checkout): the demo job's content, inlined.
            ObjectNode root = (ObjectNode) JobConfig.JSON.readTree("{\"name\": \"demo\"}");
            return JobConfig.fromTree(root, overrides, null, "built-in demo job");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
