package org.infometer.estimate.flow;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.infometer.estimate.SampleCodelengths;
import org.infometer.job.MeasureJob;
import org.infometer.report.MeasureResult;
import org.infometer.progress.Progress;
import org.infometer.synth.GenerateConfig;
import org.infometer.synth.GenerateJob;
import org.infometer.testing.SparkTestSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Map granularity: on a small T x C map the flows fit, score finite codelengths, learn and round-trip; and a
 * real measurement job at map granularity (600 tokens x 32 channels per modality) writes its tables, with the
 * same tables whatever the input partitioning.
 */
class FlowMapGranularityTest {

    @TempDir
    Path tmp;

    @Test
    void jobAtMapGranularityOn600By32MapsWritesPartitionInvariantTables() {
        SparkSession spark = SparkTestSession.get();
        // A catalog of its own: the session keeps the first warehouse registered under a catalog name, and this
        // test's temporary directory is gone before later test classes run.
        Path data = tmp.resolve("maps");
        // 1 run x 4 scenes x 8 samples, 600 tokens x (32 + 32) channels.
        GenerateJob.run(spark, new GenerateConfig(data.toString(), 1, 4, 8, 600, 32, 32, 4, 9, 2, "camera",
                "lidar"), Progress.stderr());
        String options = "\"epochs\": 2, \"patience\": 2, \"batchSize\": 4, \"flowSteps\": 1, "
                + "\"convChannels\": 4, \"mixtureComponents\": 2, \"intraOpThreads\": 1, \"device\": \"cpu\"";
        long t0 = System.nanoTime();
        MeasureResult a = MeasureJob.run(spark, FlowEstimatorJobTest.config("map1", tmp, "maps", options,
                "estimator.granularity=map", "input.repartition=1", "output.catalog=immap"), FlowEstimatorJobTest.QUIET);
        System.err.printf("map-granularity job, 32 samples of 600 x (32 + 32): %.1f s%n",
                (System.nanoTime() - t0) / 1e9);
        assertEquals(32, a.samples().size());
        assertTrue(a.rejected().isEmpty());
        assertTrue(a.samples().stream().allMatch(s -> Double.isFinite(s.hxBits()) && Double.isFinite(s.hyBits())
                && Double.isFinite(s.hxyBits())));
        MeasureJob.run(spark, FlowEstimatorJobTest.config("map2", tmp, "maps", options,
                "estimator.granularity=map", "input.repartition=2", "output.catalog=immap"), FlowEstimatorJobTest.QUIET);
        List<Row> est = spark.sql("SELECT DISTINCT estimator FROM immap.infometer.run_mi WHERE job_name = 'map1'")
                .collectAsList();
        assertEquals(List.of("flow-map"), est.stream().map(x -> x.getString(0)).toList());
        for (String t : List.of("sample_mi", "run_mi")) {
            List<Row> r1 = spark.table("immap.infometer." + t).filter("job_name = 'map1'").drop("job_name")
                    .orderBy("run_id", t.equals("sample_mi") ? "sample_token" : "run_id").collectAsList();
            List<Row> r2 = spark.table("immap.infometer." + t).filter("job_name = 'map2'").drop("job_name")
                    .orderBy("run_id", t.equals("sample_mi") ? "sample_token" : "run_id").collectAsList();
            assertFalse(r1.isEmpty());
            assertEquals(r1, r2, t + " differs between 1 and 2 input partitions");
        }
    }

    /**
     * Fits are reproducible within one JVM, as when one executor fits several models: with PyTorch's CPU
     * convolution in the conditioner, the second and later identical fits diverged from the first or failed with
     * a non-finite loss (see {@link MapConv}).
     */
    @Test
    void identicalFitsInOneJvmGiveIdenticalModels() {
        List<PairSample> data = SyntheticPairs.warpedGaussian(120, 8, 3, 0.9, 21).samples();
        FlowConfig cfg = FlowConfig.builder(FlowGranularity.MAP).maxEpochs(4).batchSize(16).convChannels(8)
                .flowSteps(2).intraOpThreads(1).device("cpu").build();
        PairSample probe = data.get(110);
        String first = null;
        for (int fit = 0; fit < 3; fit++) {
            try (FlowPairModel model = FlowTrainer.fit(data.subList(0, 100).iterator(), 3, 3, cfg, 5L, null)) {
                String result = model.summary().curves().entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue().epochs().stream()
                                .map(FlowCurve.Epoch::heldOutBitsPerToken).toList())
                        .sorted().toList() + " " + model.score(probe.x(), probe.y(), probe.tokens());
                if (first == null) {
                    first = result;
                } else {
                    assertEquals(first, result, "fit " + (fit + 1) + " differs from the first");
                }
            }
        }
    }

    @Test
    void smallMapsFitScoreAndRoundTrip() throws Exception {
        // 8 tokens x (3 + 3) channels; Y copies X plus noise so the maps share information.
        List<PairSample> data = SyntheticPairs.warpedGaussian(120, 8, 3, 0.9, 21).samples();
        FlowConfig cfg = FlowConfig.builder(FlowGranularity.MAP).maxEpochs(6).batchSize(16).convChannels(8)
                .flowSteps(2).intraOpThreads(1).device("cpu").build();
        try (FlowPairModel model = FlowTrainer.fit(data.subList(0, 100).iterator(), 3, 3, cfg, 5L, null)) {
            assertEquals("flow-map", model.estimator());
            assertEquals(8, model.summary().mapTokens());
            List<Double> held = model.summary().curves().get("xy").epochs().stream()
                    .map(FlowCurve.Epoch::heldOutBitsPerToken).toList();
            assertTrue(held.get(held.size() - 1) < held.get(0), "held-out loss did not fall: " + held);
            double mi = 0;
            for (PairSample s : data.subList(100, 120)) {
                SampleCodelengths c = model.score(s.x(), s.y(), s.tokens());
                assertTrue(Double.isFinite(c.hxBits()) && Double.isFinite(c.hyBits()) && Double.isFinite(c.hxyBits()));
                mi += c.miBits();
            }
            assertTrue(mi > 0, "maps sharing information should give positive MI, got " + mi);
            FlowModelStore.save(model, tmp, "map-fp");
            PairSample s = data.get(110);
            try (FlowPairModel loaded = FlowModelStore.load(tmp, "map-fp")) {
                assertEquals(model.score(s.x(), s.y(), s.tokens()), loaded.score(s.x(), s.y(), s.tokens()));
            }
            // A map model stored by a build before MapConv (format 2 or 1) was trained on wrong gradients.
            Path meta = tmp.resolve(FlowModelStore.METADATA_FILE);
            for (String old : new String[] {"2", "1"}) {
                Files.writeString(meta, Files.readString(meta)
                        .replaceFirst("\"formatVersion\"\\s*:\\s*[0-9]+", "\"formatVersion\" : " + old));
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> FlowModelStore.load(tmp, "map-fp"));
                assertTrue(e.getMessage().contains("format " + old) && e.getMessage().contains("refit it")
                        && e.getMessage().contains(tmp.toString()), e.getMessage());
            }
        }
    }
}
