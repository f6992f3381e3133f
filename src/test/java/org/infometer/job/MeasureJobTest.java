package org.infometer.job;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.infometer.config.JobConfig;
import org.infometer.progress.Progress;
import org.infometer.report.MeasureResult;
import org.infometer.report.Reductions;
import org.infometer.synth.GenerateConfig;
import org.infometer.synth.GenerateJob;
import org.infometer.testing.SparkTestSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The whole job on generated data with known MI, through Spark and the Iceberg tables. */
class MeasureJobTest {

    @TempDir
    static Path dir;
    static SparkSession spark;
    static final PrintStream QUIET = new PrintStream(PrintStream.nullOutputStream());

    @BeforeAll
    static void generate() {
        spark = SparkTestSession.get();
        GenerateJob.run(spark, new GenerateConfig(dir.resolve("data").toString(), 2, 16, 8, 40, 12, 10, 3, 11, 3,
                "camera", "lidar"), Progress.stderr());
    }

    static JobConfig config(String name, String... overrides) {
        try {
            ObjectNode root = (ObjectNode) JobConfig.JSON.readTree("{\"name\": \"" + name + "\"}");
            List<String> o = new ArrayList<>(List.of("input.features=" + dir.resolve("data/features"),
                    "groundTruth=" + dir.resolve("data/ground_truth"),
                    "output.warehouse=" + dir.resolve("warehouse"), "output.summaryDir=" + dir.resolve("out")));
            o.addAll(Arrays.asList(overrides));
            return JobConfig.fromTree(root, o, java.time.LocalDate.of(2026, 11, 24), "test");
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void recoversTrueRunMiWithinItsIntervalAndRanksScenesLikeTheTruth() {
        MeasureResult r = MeasureJob.run(spark, config("e2e"), QUIET);
        assertEquals(2 * 16 * 8, r.samples().size());
        assertTrue(r.rejected().isEmpty());
        Map<String, Double> sceneTruth = GroundTruth.perScene(spark, dir.resolve("data/ground_truth").toString());
        for (Reductions.RunStats run : r.runs()) {
            double truth = r.trueMiBitsPerTokenByRun().get(run.runId());   // pooled (scene-mixture) MI
            System.out.printf("%s: estimate %.4f [%.4f, %.4f], pooled truth %.4f%n", run.runId(),
                    run.perToken().get("mi").value(), run.ci95Low(), run.ci95High(), truth);
            assertTrue(truth >= run.ci95Low() && truth <= run.ci95High(),
                    run.runId() + ": truth " + truth + " outside [" + run.ci95Low() + ", " + run.ci95High() + "]");
            List<Reductions.SceneStats> scenes = r.scenes().stream()
                    .filter(s -> s.runId().equals(run.runId())).toList();
            double[] est = scenes.stream().mapToDouble(s -> s.miPerToken().value()).toArray();
            double[] tru = scenes.stream()
                    .mapToDouble(s -> sceneTruth.get(run.runId() + "\u0000" + s.sceneToken())).toArray();
            double rho = spearman(est, tru);
            assertTrue(rho >= 0.9, run.runId() + ": scene ranking Spearman " + rho);
            // rank 1 is the scene with the largest estimate
            Reductions.SceneStats top = scenes.stream().filter(s -> s.rank() == 1).findFirst().orElseThrow();
            assertEquals(Arrays.stream(est).max().orElseThrow(), top.miPerToken().value(), 0.0);
        }
        List<Row> runRows = spark.sql("SELECT run_id, n_samples, n_scenes, mi_bits_per_token, "
                + "hx_bits_per_token + hy_bits_per_token - hxy_bits_per_token, mi_se_bits_per_token "
                + "FROM im.infometer.run_mi WHERE job_name = 'e2e' ORDER BY run_id").collectAsList();
        assertEquals(2, runRows.size());
        for (Row row : runRows) {
            assertEquals(128L, row.getLong(1));
            assertEquals(16L, row.getLong(2));
            assertEquals(row.getDouble(3), row.getDouble(4), 1e-9);
            assertTrue(row.getDouble(5) > 0);
        }
        Row mean = spark.sql("SELECT SUM(mi_bits) / SUM(token_count), COUNT(*) FROM im.infometer.sample_mi "
                + "WHERE job_name = 'e2e' AND run_id = 'scheme_1'").first();
        assertEquals(runRows.get(0).getDouble(3), mean.getDouble(0), 1e-9, "run MI is the mean of the locals");
        assertEquals(128L, mean.getLong(1));
        assertTrue(Files.exists(r.summary()));
        // Jointly Gaussian data, 128 samples x 40 tokens per run, 22 dimensions: every run passes every check.
        r.runValidity().forEach((run, v) -> assertTrue(v.ok(), run + ": " + v.reason()));
        assertEquals(List.of("ok", "ok"), spark.sql("SELECT status FROM im.infometer.run_mi WHERE job_name = 'e2e' "
                + "ORDER BY run_id").collectAsList().stream().map(x -> x.getString(0)).toList());
    }

    @Test
    void tablesAreIdenticalForOneThreeAndEightPartitions() {
        List<List<Row>> samples = new ArrayList<>();
        List<List<Row>> runs = new ArrayList<>();
        List<List<Row>> scenes = new ArrayList<>();
        for (int p : new int[] {1, 3, 8}) {
            String job = "det" + p;
            MeasureJob.run(spark, config(job, "input.repartition=" + p), QUIET);
            samples.add(rows("sample_mi", job, "run_id", "sample_token"));
            runs.add(rows("run_mi", job, "run_id"));
            scenes.add(rows("scene_mi", job, "run_id", "scene_token"));
        }
        assertEquals(256, samples.get(0).size());
        for (int i = 1; i < 3; i++) {
            assertEquals(samples.get(0), samples.get(i), "sample_mi differs with partitioning");
            assertEquals(runs.get(0), runs.get(i), "run_mi differs with partitioning");
            assertEquals(scenes.get(0), scenes.get(i), "scene_mi differs with partitioning");
        }
    }

    /**
     * input.cache on (the default): the Gaussian fit pass keeps each sample's moments and the apply pass scores them;
     * off: the apply pass reads the feature maps again. The same tables either way, and nothing stays persisted.
     */
    @Test
    void tablesAreIdenticalWithTheSampleMomentsKeptOrTheMapsReadAgain() {
        MeasureJob.run(spark, config("cached", "input.repartition=3"), QUIET);
        MeasureJob.run(spark, config("uncached", "input.repartition=3", "input.cache=false"), QUIET);
        for (String[] t : new String[][] {{"sample_mi", "run_id", "sample_token"}, {"run_mi", "run_id"},
                {"scene_mi", "run_id", "scene_token"}, {"channel_mi", "run_id", "x_channel", "y_channel"}}) {
            List<Row> cached = rows(t[0], "cached", Arrays.copyOfRange(t, 1, t.length));
            assertEquals(cached, rows(t[0], "uncached", Arrays.copyOfRange(t, 1, t.length)), t[0]);
        }
        assertEquals(256, rows("sample_mi", "cached", "run_id", "sample_token").size());
        assertEquals(0, org.apache.spark.api.java.JavaSparkContext.fromSparkContext(spark.sparkContext())
                .getPersistentRDDs().values().stream()
                .filter(r -> String.valueOf(r.name()).startsWith("infometer: feature rows")
                        || String.valueOf(r.name()).startsWith("infometer: per-sample moments")).count(),
                "the job drops the kept rows and moments when its passes are done");
    }

    @Test
    void rerunningTheSameDateReplacesItsRows() {
        MeasureJob.run(spark, config("rerun"), QUIET);
        MeasureJob.run(spark, config("rerun"), QUIET);
        long n = spark.sql("SELECT COUNT(*) FROM im.infometer.sample_mi WHERE job_name = 'rerun'").first().getLong(0);
        assertEquals(256, n);
        long snapshots = spark.sql("SELECT COUNT(*) FROM im.infometer.sample_mi.snapshots").first().getLong(0);
        assertTrue(snapshots >= 2);
    }

    @Test
    void commandLineRunsAJobFileAndRejectsBadConfig() throws Exception {
        Path job = dir.resolve("job.json");
        Files.writeString(job, "{\"name\": \"cli\", \"input\": {\"features\": \"" + dir.resolve("data/features")
                + "\"}, \"output\": {\"warehouse\": \"" + dir.resolve("warehouse") + "\", \"summaryDir\": \""
                + dir.resolve("out") + "\"}}");
        assertEquals(0, Main.run(new String[] {"run", job.toString(), "--run-date", "2026-11-24"}));
        assertEquals(2, Main.run(new String[] {"run", job.toString(), "--set", "estimator.folds=2"}));
        assertEquals(2, Main.run(new String[] {"run", job.toString(), "--set", "pair.y=camera"}));
        assertEquals(2, Main.run(new String[] {"frobnicate"}));
    }

    static List<Row> rows(String table, String job, String... order) {
        return spark.table("im.infometer." + table).filter("job_name = '" + job + "'").drop("job_name")
                .orderBy(order[0], Arrays.copyOfRange(order, 1, order.length)).collectAsList();
    }

    static double spearman(double[] a, double[] b) {
        double[] ra = ranks(a);
        double[] rb = ranks(b);
        double ma = Arrays.stream(ra).average().orElseThrow();
        double mb = Arrays.stream(rb).average().orElseThrow();
        double sab = 0;
        double saa = 0;
        double sbb = 0;
        for (int i = 0; i < a.length; i++) {
            sab += (ra[i] - ma) * (rb[i] - mb);
            saa += (ra[i] - ma) * (ra[i] - ma);
            sbb += (rb[i] - mb) * (rb[i] - mb);
        }
        return sab / Math.sqrt(saa * sbb);
    }

    static double[] ranks(double[] v) {
        Integer[] idx = new Integer[v.length];
        for (int i = 0; i < v.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (i, j) -> Double.compare(v[i], v[j]));
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            r[idx[i]] = i;
        }
        return r;
    }
}
