package org.infometer.estimate.flow;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.infometer.config.JobConfig;
import org.infometer.job.MeasureJob;
import org.infometer.report.MeasureResult;
import org.infometer.progress.Progress;
import org.infometer.synth.GenerateConfig;
import org.infometer.synth.GenerateJob;
import org.infometer.testing.SparkTestSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The flow estimator through the measurement job on small generated data: tables written with estimator
 * flow-token, partition-invariant results, fit once (save) then apply (load) with identical codelengths, and a
 * store refused for an input with other channels.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FlowEstimatorJobTest {

    @TempDir
    static Path dir;
    static SparkSession spark;
    static final PrintStream QUIET = new PrintStream(PrintStream.nullOutputStream());
    static final String SMALL = "\"epochs\": 3, \"patience\": 2, \"batchSize\": 128, \"flowSteps\": 2, "
            + "\"hiddenUnits\": 16, \"mixtureComponents\": 4, \"intraOpThreads\": 1, \"device\": \"auto\", "
            + "\"maxTokensPerModel\": 300";

    @BeforeAll
    static void generate() {
        spark = SparkTestSession.get();
        GenerateJob.run(spark, new GenerateConfig(dir.resolve("data").toString(), 1, 4, 6, 24, 4, 4, 2, 5, 2,
                "camera", "lidar"), Progress.stderr());
        GenerateJob.run(spark, new GenerateConfig(dir.resolve("data5").toString(), 1, 4, 6, 24, 5, 4, 2, 5, 2,
                "camera", "lidar"), Progress.stderr());
    }

    static JobConfig config(String name, String data, String options, String... overrides) {
        return config(name, dir, data, options, overrides);
    }

    /** A flow job on {@code base/data/features}, writing under {@code base}. */
    static JobConfig config(String name, Path base, String data, String options, String... overrides) {
        try {
            ObjectNode root = (ObjectNode) new ObjectMapper().readTree("{\"name\": \"" + name + "\"}");
            List<String> o = new ArrayList<>(List.of("input.features=" + base.resolve(data + "/features"),
                    "output.warehouse=" + base.resolve("warehouse"), "output.summaryDir=" + base.resolve("out"),
                    "estimator.name=flow", "estimator.folds=3", "estimator.options={" + options + "}"));
            o.addAll(Arrays.asList(overrides));
            Path f = Files.createTempFile(base, "job", ".json");
            Files.writeString(f, root.toString());
            return JobConfig.load(f, o, java.time.LocalDate.of(2026, 11, 24));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path write(ObjectNode root) throws java.io.IOException {
        Path f = Files.createTempFile(dir, "job", ".json");
        Files.writeString(f, root.toString());
        return f;
    }

    static String store() {
        return "\"modelStore\": \"" + dir.resolve("store") + "\"";
    }

    @Test
    @Order(1)
    void fitsSavesAndWritesTablesIdenticallyForOneAndThreePartitions() {
        long t0 = System.nanoTime();
        MeasureResult r = MeasureJob.run(spark, config("flow1", "data", SMALL + ", " + store()
                + ", \"storeMode\": \"save\"", "input.repartition=1"), QUIET);
        System.err.printf("flow job (1 partition, save): %.1f s%n", (System.nanoTime() - t0) / 1e9);
        assertEquals(24, r.samples().size());
        assertTrue(r.rejected().isEmpty());
        assertTrue(r.samples().stream().allMatch(s -> Double.isFinite(s.hxBits()) && Double.isFinite(s.hxyBits())));
        List<Row> est = spark.sql("SELECT DISTINCT estimator FROM im.infometer.run_mi WHERE job_name = 'flow1'")
                .collectAsList();
        assertEquals(List.of("flow-token"), est.stream().map(x -> x.getString(0)).toList());
        assertTrue(Files.isRegularFile(dir.resolve("store").resolve(FlowEstimator.STORE_MANIFEST)));
        assertTrue(Files.isRegularFile(dir.resolve("store/run=scheme_1/fold=00/flow-model.json")));

        t0 = System.nanoTime();
        MeasureJob.run(spark, config("flow3", "data", SMALL, "input.repartition=3"), QUIET);
        System.err.printf("flow job (3 partitions): %.1f s%n", (System.nanoTime() - t0) / 1e9);
        for (String[] t : new String[][] {{"sample_mi", "run_id", "sample_token"}, {"scene_mi", "run_id",
                "scene_token"}, {"run_mi", "run_id"}}) {
            List<Row> a = rows(t[0], "flow1", Arrays.copyOfRange(t, 1, t.length));
            List<Row> b = rows(t[0], "flow3", Arrays.copyOfRange(t, 1, t.length));
            assertFalse(a.isEmpty());
            assertEquals(a, b, t[0] + " differs between 1 and 3 input partitions");
        }
    }

    @Test
    @Order(2)
    void applyWithTheStoreGivesIdenticalCodelengthsWithoutRefitting() {
        long t0 = System.nanoTime();
        MeasureJob.run(spark, config("flowload", "data", store() + ", \"storeMode\": \"load\"",
                "input.repartition=2"), QUIET);
        System.err.printf("flow apply (load): %.1f s%n", (System.nanoTime() - t0) / 1e9);
        assertEquals(rows("sample_mi", "flow1", "run_id", "sample_token"),
                rows("sample_mi", "flowload", "run_id", "sample_token"));
    }

    @Test
    @Order(3)
    void applyRefusesAStoreFittedOnOtherChannels() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MeasureJob.run(spark,
                config("flowbad", "data5", store() + ", \"storeMode\": \"load\""), QUIET));
        String expected = FlowEstimator.fingerprint("camera", 5, "lidar", 4, FlowGranularity.TOKEN);
        String stored = FlowEstimator.fingerprint("camera", 4, "lidar", 4, FlowGranularity.TOKEN);
        assertTrue(e instanceof FingerprintMismatchException, e.toString());
        assertTrue(e.getMessage().contains(expected) && e.getMessage().contains(stored)
                && e.getMessage().contains(dir.resolve("store").toString()), e.getMessage());
    }

    @Test
    @Order(4)
    void perShardFitScoresEverySampleOnceAndIsDeterministicForAPartitioning() throws java.io.IOException {
        String opts = SMALL + ", \"fitMode\": \"per-shard\"";
        long t0 = System.nanoTime();
        MeasureResult a = MeasureJob.run(spark, config("shard2a", "data", opts, "input.repartition=2"), QUIET);
        System.err.printf("flow job (per-shard, 2 partitions): %.1f s%n", (System.nanoTime() - t0) / 1e9);
        MeasureResult b = MeasureJob.run(spark, config("shard2b", "data", opts, "input.repartition=2"), QUIET);
        assertEquals(24, a.samples().size());
        assertTrue(a.rejected().isEmpty());
        assertEquals(24, a.samples().stream().map(s -> s.sampleToken()).distinct().count());
        assertTrue(a.samples().stream().allMatch(s -> Double.isFinite(s.hxBits()) && Double.isFinite(s.hxyBits())));
        assertEquals(List.of("flow-token"), spark.sql("SELECT DISTINCT estimator FROM im.infometer.sample_mi "
                + "WHERE job_name = 'shard2a'").collectAsList().stream().map(x -> x.getString(0)).toList());
        assertEquals(24L, spark.sql("SELECT COUNT(DISTINCT sample_token) FROM im.infometer.sample_mi "
                + "WHERE job_name = 'shard2a'").first().getLong(0));
        assertEquals(24L, spark.sql("SELECT COUNT(*) FROM im.infometer.sample_mi WHERE job_name = 'shard2a'")
                .first().getLong(0));

        assertEquals(1, a.shardEstimatesByRun().size());
        org.infometer.report.ShardEstimates.Combined c = a.shardEstimatesByRun().values().iterator().next();
        assertEquals(2, c.shards().size());
        assertEquals(24, c.shards().stream().mapToLong(org.infometer.report.ShardEstimates.Shard::samples).sum());
        assertTrue(Double.isFinite(c.miPerToken()), c.toString());
        assertTrue(Double.isFinite(c.se()) && c.se() > 0, c.toString());
        assertEquals(c, b.shardEstimatesByRun().values().iterator().next());
        assertTrue(Files.readString(a.summary()).contains("per_shard_mi_bits_per_token"));

        List<Row> sa = rows("sample_mi", "shard2a", "run_id", "sample_token");
        List<Row> sb = rows("sample_mi", "shard2b", "run_id", "sample_token");
        assertEquals(24, sa.size());
        assertEquals(sa, sb, "per-shard sample_mi differs between two runs with the same partitioning");
        assertEquals(rows("run_mi", "shard2a", "run_id"), rows("run_mi", "shard2b", "run_id"));
    }

    @Test
    @Order(5)
    void perShardFailsClearlyWhenShardsAreTooSmall() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MeasureJob.run(spark,
                config("shard12", "data", SMALL + ", \"fitMode\": \"per-shard\"", "input.repartition=12"),
                QUIET));
        assertTrue(e.getMessage().contains("run scheme_1 in shard ") && e.getMessage().contains("input partition")
                && e.getMessage().contains("fewer input partitions") && e.getMessage().contains("fitMode global"),
                e.getMessage());
    }

    @Test
    void optionsAreValidatedWithMessagesNamingTheOption() {
        assertTrue(msg(Map.of("epochz", 3)).contains("unknown option 'epochz'"));
        assertTrue(msg(Map.of("fitMode", "local")).contains("fitMode must be global or per-shard"));
        assertTrue(msg(Map.of("fitMode", "per-shard", "modelStore", "/tmp/x", "storeMode", "save"))
                .contains("needs fitMode global"));
        assertEquals("per-shard", FlowJobOptions.parse(FlowGranularity.TOKEN, Map.of("fitMode", "Per-Shard"))
                .fitMode());
        assertTrue(msg(Map.of("epochs", 0)).contains("epochs must be in"));
        assertTrue(msg(Map.of("epochs", 2.5)).contains("epochs must be a whole number"));
        assertTrue(msg(Map.of("storeMode", "load")).contains("needs modelStore"));
        assertTrue(msg(Map.of("modelStore", "/tmp/x")).contains("set storeMode"));
        assertTrue(msg(Map.of("device", "tpu")).contains("device must be"));
        FlowJobOptions o = FlowJobOptions.parse(FlowGranularity.MAP, Map.of("epochs", 7, "learningRate", "0.001",
                "maxTokensPerModel", 5000));
        assertEquals(7, o.config().maxEpochs());
        assertEquals(1e-3, o.config().learningRate());
        assertEquals(5000, o.config().maxBufferTokens());
        assertEquals("global", o.fitMode());
        assertEquals("none", o.storeMode());
        assertEquals("flow-map", FlowEstimator.fromJob("map", Map.of()).name());
    }

    private static String msg(Map<String, Object> options) {
        return assertThrows(IllegalArgumentException.class,
                () -> FlowJobOptions.parse(FlowGranularity.TOKEN, options)).getMessage();
    }

    static List<Row> rows(String table, String job, String... order) {
        return spark.table("im.infometer." + table).filter("job_name = '" + job + "'").drop("job_name")
                .orderBy(order[0], Arrays.copyOfRange(order, 1, order.length)).collectAsList();
    }
}
