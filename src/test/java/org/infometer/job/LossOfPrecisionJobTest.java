package org.infometer.job;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.infometer.config.JobConfig;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.infometer.report.LossOfPrecision;
import org.infometer.testing.SparkTestSession;
import org.infometer.validate.BenchmarkTasks;
import org.infometer.validate.TaskData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

import static org.apache.spark.sql.functions.expr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * H(X|Y), H(Y|X) per scene against closed-form Gaussian truth, and the power share's invariance to per-channel
 * scaling. Data: task sparse-5v5, x ~ N(0, I_5), y_i = 0.8 x_i + 0.6 e_i for i < 2, the other y_i independent
 * N(0, 1); every scene has the same distribution, so each scene's truth is the closed form.
 */
class LossOfPrecisionJobTest {

    static final double RHO = 0.8;
    /** Scales of x channels 0..4 in the rescaled copy. */
    static final double[] SCALE = {2, 4, 6, 8, 10};

    @TempDir
    static Path dir;
    static SparkSession spark;

    @BeforeAll
    static void write() {
        spark = SparkTestSession.get();
        TaskData.write(spark, BenchmarkTasks.byName().get("sparse-5v5"), 200, 50, 3, dir.resolve("plain").toString(),
                2);
        spark.read().parquet(dir.resolve("plain").toString())
                .withColumn("x", expr("transform(x, (v, i) -> CAST(v * 2 * (i % 5 + 1) AS FLOAT))"))
                .write().mode(SaveMode.Overwrite).parquet(dir.resolve("scaled").toString());
    }

    static JobConfig config(String name, String data) {
        try {
            ObjectNode root = (ObjectNode) JobConfig.JSON.readTree("{\"name\": \"" + name + "\"}");
            return JobConfig.fromTree(root, List.of("input.features=" + dir.resolve(data), "pair.x=x", "pair.y=y",
                    "output.warehouse=" + dir.resolve("warehouse"), "output.summaryDir=" + dir.resolve("out")),
                    java.time.LocalDate.of(2026, 11, 24), "test");
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** h(X|Y) in bits per token: X's standard normal entropy with the two paired channels' variance 1 - rho^2. */
    static double truthConditional() {
        return 5 * 0.5 * Math.log(2 * Math.PI * Math.E) / Math.log(2) + 2 * 0.5 * Math.log(1 - RHO * RHO) / Math.log(2);
    }

    static List<Row> scenes(String job) {
        return spark.sql("SELECT scene_token, hx_given_y_bits_per_token, hx_given_y_se_bits_per_token, "
                + "hy_given_x_bits_per_token, hy_given_x_se_bits_per_token, x_given_y_power_share, "
                + "y_given_x_power_share, mi_bits_per_token, x_given_y_power_share_se, mi_se_bits_per_token, "
                + "hxy_bits_per_token - hy_bits_per_token FROM im.infometer.scene_mi WHERE job_name = '" + job
                + "' ORDER BY scene_token").collectAsList();
    }

    @Test
    void sceneConditionalEntropiesMatchTheClosedFormAndSharesIgnoreUnits() {
        PrintStream quiet = new PrintStream(PrintStream.nullOutputStream());
        MeasureJob.run(spark, config("lop", "plain"), quiet);
        MeasureJob.run(spark, config("lops", "scaled"), quiet);
        List<Row> plain = scenes("lop");
        List<Row> scaled = scenes("lops");
        assertEquals(20, plain.size());
        double truth = truthConditional();
        int insideX = 0;
        int insideY = 0;
        double crit = org.infometer.report.Reductions.critical95(10);
        for (Row r : plain) {
            assertTrue(r.getDouble(2) > 0 && r.getDouble(2) < 0.2, "scene SE " + r.getDouble(2));
            insideX += Math.abs(r.getDouble(1) - truth) <= crit * r.getDouble(2) ? 1 : 0;
            insideY += Math.abs(r.getDouble(3) - truth) <= crit * r.getDouble(4) ? 1 : 0;
            // H(X|Y) is aggregated from the same per-sample values as the scene's H(X,Y) and H(Y).
            assertEquals(r.getDouble(10), r.getDouble(1), 1e-9);
            assertEquals(LossOfPrecision.share(r.getDouble(7), 5), r.getDouble(5), 1e-12);
            assertEquals(2 * Math.log(2) / 5 * r.getDouble(5) * r.getDouble(9), r.getDouble(8), 1e-12);
        }
        // 95 % intervals of 20 scenes: at least 16 should contain the truth.
        assertTrue(insideX >= 16, insideX + " of 20 scene intervals of H(X|Y) contain " + truth);
        assertTrue(insideY >= 16, insideY + " of 20 scene intervals of H(Y|X) contain " + truth);
        double shift = 0;
        for (double a : SCALE) {
            shift += Math.log(a) / Math.log(2);
        }
        for (int i = 0; i < plain.size(); i++) {
            Row p = plain.get(i);
            Row s = scaled.get(i);
            assertEquals(p.getString(0), s.getString(0));
            assertEquals(p.getDouble(1) + shift, s.getDouble(1), 1e-3, "H(X|Y) moves by the log-Jacobian");
            assertEquals(p.getDouble(3), s.getDouble(3), 1e-3, "H(Y|X) does not move");
            assertEquals(p.getDouble(5), s.getDouble(5), 1e-5, "share X|Y is unit-free");
            assertEquals(p.getDouble(6), s.getDouble(6), 1e-5, "share Y|X is unit-free");
        }
        // Run rows: the closed-form share 2^(-2 I / 5) with I = -log2(1 - rho^2) bits per token.
        Row run = spark.sql("SELECT x_given_y_power_share, x_given_y_power_share_se, hx_given_y_bits_per_token, "
                + "hx_given_y_se_bits_per_token FROM im.infometer.run_mi WHERE job_name = 'lop'").first();
        double trueShare = Math.pow(1 - RHO * RHO, 2.0 / 5);
        assertTrue(Math.abs(run.getDouble(0) - trueShare) < 3 * run.getDouble(1),
                "run share " + run.getDouble(0) + " ± " + run.getDouble(1) + ", truth " + trueShare);
        assertTrue(Math.abs(run.getDouble(2) - truth) < 3 * run.getDouble(3),
                "run H(X|Y) " + run.getDouble(2) + " ± " + run.getDouble(3) + ", truth " + truth);
    }
}
