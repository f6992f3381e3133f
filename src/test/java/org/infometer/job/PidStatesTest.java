package org.infometer.job;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.infometer.config.JobConfig;
import org.infometer.io.FeatureInput;
import org.infometer.pid.SampleCounts;
import org.infometer.progress.Progress;
import org.infometer.schema.FeatureContract;
import org.infometer.synth.GenerateConfig;
import org.infometer.synth.GenerateJob;
import org.infometer.testing.SparkTestSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.Tuple2;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The PID job's merged-state path (keys pass, draws on the driver, per-group tables summed on the executors)
 * gives the same pid rows, bit for bit, as the per-sample path it replaced ({@link PidPerSampleReference}), for
 * any partitioning, and the driver receives one state per group, not one record per sample.
 */
class PidStatesTest {

    @TempDir
    static Path dir;
    static SparkSession spark;
    static String features;
    static final Progress QUIET = new Progress(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));

    @BeforeAll
    static void generate() {
        spark = SparkTestSession.get();
        GenerateJob.run(spark, new GenerateConfig(dir.resolve("gen").toString(), 2, 4, 8, 40, 12, 12, 3, 7, 2,
                "camera", "lidar"), QUIET);
        // Scenes of different sizes (some below pid.minSceneSamples) and one row without a target.
        Dataset<Row> df = spark.read().parquet(dir.resolve("gen/features").toString());
        // Scene j (in token order) loses j samples: 8, 7, 6, 5 samples per scene, in every run.
        List<Row> pairs = df.select("scene_token", "sample_token").distinct().orderBy("scene_token", "sample_token")
                .collectAsList();
        List<String> scenes = pairs.stream().map(r -> r.getString(0)).distinct().toList();
        List<String> dropped = new ArrayList<>();
        int[] seen = new int[scenes.size()];
        for (Row r : pairs) {
            int j = scenes.indexOf(r.getString(0));
            if (seen[j]++ < j) {
                dropped.add(r.getString(1));
            }
        }
        String noTarget = pairs.get(0).getString(1);
        features = dir.resolve("features").toString();
        df.filter(col("sample_token").isin(dropped.toArray()).unary_$bang())
                .withColumn("target", when(col("sample_token").equalTo(noTarget).and(col("run_id").equalTo("scheme_1")), lit(null))
                        .otherwise(col("target")))
                .write().parquet(features);
    }

    static JobConfig config(int repartition, int bootstrap) throws Exception {
        ObjectNode root = (ObjectNode) JobConfig.JSON.readTree("{\"name\": \"pid-states\"}");
        return JobConfig.fromTree(root, List.of("input.features=" + features,
                "output.warehouse=" + dir.resolve("warehouse"), "output.summaryDir=" + dir.resolve("out"),
                "input.repartition=" + repartition, "pid.k=[6, 4]", "pid.pcaDims=4", "pid.bootstrap=" + bootstrap,
                "pid.fitTokens=2000", "pid.minSceneSamples=7"), java.time.LocalDate.of(2026, 12, 7), "test");
    }

    /** The inputs both paths share: features, validator, discretisers. */
    record Setup(Dataset<Row> features, KeyScan.Result scan, Map<String, PidJob.RunDiscretizers> discretizers) {
    }

    static Setup setup(JobConfig cfg) {
        FeatureContract contract = new FeatureContract("camera", "lidar");
        Dataset<Row> f = FeatureInput.open(spark, features, contract, cfg.input().repartition(), List.of("target"));
        KeyScan.Result scan = KeyScan.scan(f, contract, features);
        return new Setup(f, scan, PidJob.fitDiscretizers(spark, f, scan.validator(), scan, cfg));
    }

    static PidOutcome mergedStates(JobConfig cfg, Setup s) {
        List<PidSampleKeys.Key> keys = PidSampleKeys.scan(s.features(), s.scan().validator(), true);
        Broadcast<PidCounting.Plan> bp = JavaSparkContext.fromSparkContext(spark.sparkContext())
                .broadcast(PidJob.plan(cfg, keys, s.discretizers(), true));
        return PidAnalysis.analyse(cfg, keys, PidCounting.groups(PidCounting.count(s.features(), s.scan().validator(),
                bp)), s.discretizers(), QUIET);
    }

    static PidOutcome perSample(JobConfig cfg, Setup s) {
        Broadcast<Map<String, PidJob.RunDiscretizers>> bd = JavaSparkContext.fromSparkContext(spark.sparkContext())
                .broadcast(s.discretizers());
        List<SampleCounts> counts = PidPerSampleReference.count(s.features(), s.scan().validator(), bd, cfg.pid().k().size(), true);
        return PidPerSampleReference.analyse(cfg, counts, s.discretizers(), QUIET);
    }

    static void assertSameRows(PidOutcome expected, PidOutcome actual) {
        assertEquals(expected.rejectedByReason(), actual.rejectedByReason());
        assertEquals(expected.rows().size(), actual.rows().size());
        for (int i = 0; i < expected.rows().size(); i++) {
            PidAnalysis.PidRow e = expected.rows().get(i);
            PidAnalysis.PidRow a = actual.rows().get(i);
            String at = e.level() + " " + e.runId() + " " + e.sceneToken() + " k=" + e.k();
            assertEquals(List.of(e.level(), e.runId(), String.valueOf(e.sceneToken()), e.k(), e.discretisation(),
                    e.pcaDims(), e.samples(), e.tokens(), e.targetValues(), e.replicates(), e.failed(),
                    e.occupiedCells()), List.of(a.level(), a.runId(), String.valueOf(a.sceneToken()), a.k(),
                    a.discretisation(), a.pcaDims(), a.samples(), a.tokens(), a.targetValues(), a.replicates(),
                    a.failed(), a.occupiedCells()), at);
            // Records compare doubles by their bits (Double.compare), arrays with Arrays.equals likewise.
            assertEquals(e.result(), a.result(), at);
            assertArrayEquals(e.low(), a.low(), at);
            assertArrayEquals(e.high(), a.high(), at);
            assertEquals(e.corrected(), a.corrected(), at);
            assertEquals(e.verdict(), a.verdict(), at);
            assertEquals(e.mine(), a.mine(), at);
            assertArrayEquals(e.terms(), a.terms(), at);
        }
    }

    @Test
    void mergedStatesEqualThePerSamplePathBitForBitWhateverThePartitioning() throws Exception {
        JobConfig one = config(1, 6);
        Setup s1 = setup(one);
        PidOutcome reference = perSample(one, s1);
        PidOutcome merged1 = mergedStates(one, s1);
        JobConfig three = config(3, 6);
        PidOutcome merged3 = mergedStates(three, setup(three));

        long runRows = reference.rows().stream().filter(r -> r.level().equals("run")).count();
        long sceneRows = reference.rows().stream().filter(r -> r.level().equals("scene")).count();
        assertEquals(2 * 2, runRows);
        assertTrue(sceneRows > 0 && sceneRows < 2 * 4, "some scenes below minSceneSamples: " + sceneRows);
        assertEquals(Map.of("null_target", 1L), reference.rejectedByReason());
        assertTrue(reference.rows().stream().allMatch(r -> r.corrected() != null), "bootstrap ran everywhere");
        assertNotNull(reference.rows().get(0).mine());
        assertSameRows(reference, merged1);
        assertSameRows(reference, merged3);
    }

    @Test
    void withoutBootstrapTheRowsAreTheSameToo() throws Exception {
        JobConfig cfg = config(2, 0);
        Setup s = setup(cfg);
        assertSameRows(perSample(cfg, s), mergedStates(cfg, s));
    }

    @Test
    void theDriverGetsOneStatePerGroupNotOneRecordPerSample() throws Exception {
        JobConfig cfg = config(3, 4);
        Setup s = setup(cfg);
        List<PidSampleKeys.Key> keys = PidSampleKeys.scan(s.features(), s.scan().validator(), true);
        Broadcast<PidCounting.Plan> bp = JavaSparkContext.fromSparkContext(spark.sparkContext())
                .broadcast(PidJob.plan(cfg, keys, s.discretizers(), true));
        // One group per sorted partition: the driver's fetches, partition after partition, keep the key order.
        JavaPairRDD<PidCounting.GroupKey, PidCounting.Group> counted = PidCounting.count(s.features(),
                s.scan().validator(), bp, 1);
        assertEquals(3, counted.getNumPartitions());
        Map<String, PidSampleKeys.Run> runs = PidSampleKeys.runs(keys);
        List<PidCounting.GroupKey> expected = PidAnalysis.expectedGroups(runs,
                PidSampleKeys.sceneRows(runs, cfg.pid().minSceneSamples()), cfg.pid().k().size());
        List<PidCounting.GroupKey> got = new ArrayList<>();
        long samples = runs.values().stream().mapToLong(r -> r.samples().size()).sum();
        java.util.Iterator<Tuple2<PidCounting.GroupKey, PidCounting.Group>> it = PidCounting.groups(counted);
        while (it.hasNext()) {
            Tuple2<PidCounting.GroupKey, PidCounting.Group> g = it.next();
            got.add(g._1());
            // A group's state is a table over cells, every replicate a column: its size does not grow with samples.
            assertEquals(1 + 2 * 4, g._2().tables.width());
            assertTrue(g._2().tables.occupiedCells() <= 6 * 6 * 2 + 0L, g._1() + ": " + g._2().tables
                    .occupiedCells());
            assertTrue(g._1().kIndex() == 0 && g._1().sceneToken() == null ? g._2().mine.size() > 0
                    : g._2().mine.isEmpty(), g._1().toString());
        }
        assertEquals(expected, got);
        assertTrue(got.size() < samples, got.size() + " states for " + samples + " samples");
        // Every sample's tokens are in the states: the run-level tables hold all counted tokens.
        assertEquals(Arrays.stream(new long[] {runs.values().stream().mapToLong(PidSampleKeys.Run::tokens).sum()})
                .sum(), mergedStates(cfg, s).rows().stream().filter(r -> r.level().equals("run") && r.k() == 6)
                .mapToLong(PidAnalysis.PidRow::tokens).sum());
    }
}
