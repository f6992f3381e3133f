package org.infometer.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.infometer.estimate.CrossFitEstimator;
import org.infometer.estimate.PairModelHandle;
import org.infometer.estimate.RunFold;
import org.infometer.estimate.SceneProjector;
import org.infometer.estimate.ScoredRow;
import org.infometer.estimate.registry.Estimators;
import org.infometer.io.FeatureInput;
import org.infometer.job.KeyScan;
import org.infometer.job.ScoredRunStates;
import org.infometer.progress.Progress;
import org.infometer.report.Reductions;
import org.infometer.report.RunReduction;
import org.infometer.report.SampleResult;
import org.infometer.report.Validity;
import org.infometer.report.state.OutcomeComparison;
import org.infometer.schema.FeatureContract;
import org.infometer.schema.Rejection;
import org.infometer.schema.RowValidator;
import org.infometer.synth.GenerateConfig;
import org.infometer.synth.GenerateJob;
import org.infometer.testing.SparkTestSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Date;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reductions of the persisted scored rows equal, bit for bit, the driver-side reductions of the same rows as
 * one list (what the job did before), whatever the partitioning and order of the rows.
 */
class ScoredSamplesTest {

    @TempDir
    static Path dir;
    static SparkSession spark;
    /** The apply pass's rows as one driver list, with a few rejected rows added. */
    static List<ScoredRow> scored;
    static RunReduction.Params params;

    @BeforeAll
    static void scoreOnce() {
        spark = SparkTestSession.get();
        Progress quiet = new Progress(new PrintStream(PrintStream.nullOutputStream()));
        String path = dir.resolve("features").toString();
        GenerateJob.run(spark, new GenerateConfig(dir.toString(), 2, 6, 6, 20, 6, 5, 3, 29, 3, "camera", "lidar"),
                quiet);
        FeatureContract contract = new FeatureContract("camera", "lidar");
        Dataset<Row> features = FeatureInput.open(spark, path, contract, null);
        RowValidator validator = KeyScan.scan(features, contract, path).validator().forMeasurement();
        CrossFitEstimator.Settings settings = new CrossFitEstimator.Settings(5, 7L, "token", Map.of());
        CrossFitEstimator.Fitted fitted = Estimators.create("gaussian", "token", Map.of())
                .fit(features, validator, settings, quiet);
        Broadcast<Map<RunFold, PairModelHandle>> models = spark.sparkContext().broadcast(
                new TreeMap<>(fitted.models()), scala.reflect.ClassTag$.MODULE$.apply(Map.class));
        Broadcast<Map<String, SceneProjector>> scenes = spark.sparkContext().broadcast(
                new TreeMap<>(fitted.sceneProjectors()), scala.reflect.ClassTag$.MODULE$.apply(Map.class));
        scored = new ArrayList<>(ShardRunner.apply(features, validator, 5, 7L, models, scenes).collect());
        models.destroy();
        scenes.destroy();
        assertTrue(scored.stream().allMatch(r -> r.block() != null), "scene statistics for the refits");
        scored.add(new ScoredRow("scheme_1", "s", "bad-1", null, "f1", -1, 0, null,
                new Rejection("non_finite", "camera", "camera[0] is NaN"), null, null));
        scored.add(new ScoredRow(null, null, null, null, "f2", -1, 0, null,
                new Rejection("null_key", "run_id", "run_id is null"), null, null));
        Map<String, int[]> channels = new TreeMap<>();
        channels.put("scheme_1", new int[] {6, 5});
        channels.put("scheme_2", new int[] {6, 5});
        params = new RunReduction.Params(5, true, null, channels, Map.of("scheme_2", List.of("camera_3")), Map.of());
    }

    static SampleResult sample(ScoredRow s) {
        return new SampleResult(s.runId(), s.sceneToken(), s.sampleToken(), s.timestamp(), s.fold(), s.tokens(),
                s.bits().hxBits(), s.bits().hyBits(), s.bits().hxyBits(), s.block(),
                s.inFold() == null ? null : s.inFold().miBits());
    }

    /** The measurement job's reduction as it was: all samples in one driver list, sorted, then per run. */
    static Map<String, RunReduction.Outcome> driverListReduction(List<ScoredRow> rows) {
        List<SampleResult> samples = rows.stream().filter(r -> !r.rejected()).map(ScoredSamplesTest::sample)
                .toList();
        Map<String, RunReduction.Outcome> out = new TreeMap<>();
        Reductions.byRun(samples).forEach((run, list) -> {
            Reductions.RunStats stats = Reductions.run(run, list);
            List<Reductions.SceneStats> scenes = Reductions.scenes(run, list, params.undescribed());
            int[] ch = params.channelsByRun().get(run);
            Validity.Verdict v = Validity.runMi(stats.perToken().get("mi"), list, ch[0] + ch[1], true);
            v = Validity.constantChannels(v, params.constantChannelsByRun().getOrDefault(run, List.of()));
            int used = (int) list.stream().mapToInt(SampleResult::fold).distinct().count();
            v = Validity.foldsUsed(v, used, params.folds(), list.size());
            Map<String, Validity.Verdict> sv = new TreeMap<>();
            for (Reductions.SceneStats sc : scenes) {
                sv.put(RunReduction.sceneKey(run, sc.sceneToken()), Validity.sceneMi(sc, ch[0] + ch[1], true, v));
            }
            v = Validity.singleScene(v, stats.scenes());
            out.put(run, new RunReduction.Outcome(stats, scenes.stream().map(Reductions.SceneStats::withoutValues)
                    .toList(), v, sv, used));
        });
        return out;
    }

    static List<String> sorted(Dataset<Row> table) {
        List<String> rows = new ArrayList<>(table.collectAsList().stream().map(Row::toString).toList());
        Collections.sort(rows);
        return rows;
    }

    @Test
    void countsAndTablesOfThePersistedRowsAreTheSameForAnyPartitioning() {
        Map<String, Object> constants = Map.of("run_date", Date.valueOf("2026-12-07"), "job_name", "j",
                "x_modality", "camera", "y_modality", "lidar", "estimator", "gaussian");
        List<String> firstSampleTable = null;
        List<String> firstQuarantine = null;
        for (int parts : new int[] {1, 3, 7}) {
            List<ScoredRow> shuffled = new ArrayList<>(scored);
            Collections.shuffle(shuffled, new Random(parts));
            ScoredSamples s = ScoredSamples.persist(JavaSparkContext.fromSparkContext(spark.sparkContext())
                    .parallelize(shuffled, parts));
            ScoredSamples.Counts counts = s.counts();
            assertEquals(scored.size(), counts.rows());
            assertEquals(2, counts.rejected());
            assertEquals(Map.of("non_finite", 1L, "null_key", 1L), counts.rejectedByReason());
            assertEquals(Map.of("scheme_1", 1L), counts.quarantinedByRun());
            assertEquals(Map.of("scheme_1", 36L, "scheme_2", 36L), counts.validByRun());
            assertEquals("f1", s.firstRejected().sourceFile());

            List<String> sampleTable = sorted(s.sampleTable(spark, constants));
            List<String> quarantine = sorted(s.quarantineTable(spark, Map.of("run_date",
                    Date.valueOf("2026-12-07"), "job_name", "j")));
            assertEquals(72, sampleTable.size());
            assertEquals(2, quarantine.size());
            if (firstSampleTable == null) {
                firstSampleTable = sampleTable;
                firstQuarantine = quarantine;
            }
            assertEquals(firstSampleTable, sampleTable, parts + " partitions");
            assertEquals(firstQuarantine, quarantine, parts + " partitions");
            assertEquals(72, s.validOnDemand(ScoredSamplesTest::sample).size());
            s.rows().unpersist();
        }
    }

    @Test
    void stateReductionsAreTheSameBitForBitForAnyPartitioningAndAgreeWithTheDriverListReductions() {
        Map<String, RunReduction.Outcome> expected = driverListReduction(scored);
        Map<String, RunReduction.Outcome> first = null;
        for (int parts : new int[] {1, 3, 7}) {
            List<ScoredRow> shuffled = new ArrayList<>(scored);
            Collections.shuffle(shuffled, new Random(31 + parts));
            ScoredSamples s = ScoredSamples.persist(JavaSparkContext.fromSparkContext(spark.sparkContext())
                    .parallelize(shuffled, parts));
            Map<String, RunReduction.Outcome> got = ScoredRunStates.reduce(s, ScoredSamplesTest::sample, params);
            assertTrue(got.values().stream().allMatch(o -> o.scenes().stream()
                    .anyMatch(Reductions.SceneStats::refitted)), "the scene refits take part");
            OutcomeComparison.assertClose(expected, got, 1e-12);
            if (first == null) {
                first = got;
            }
            assertEquals(first, got, parts + " partitions");
            s.rows().unpersist();
        }
    }
}
