package org.infometer.estimate.flow;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.infometer.estimate.FittedPairModel;
import org.infometer.estimate.SampleCodelengths;
import org.infometer.testing.SparkTestSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Spark calling pattern: fit from one partition's iterator inside mapPartitions, save, then score every
 * partition through a broadcast handle that loads once per executor JVM.
 */
class FlowSparkTest {

    private static final String FINGERPRINT = "spark-test-v1";

    @TempDir
    static Path tmp;

    @AfterAll
    static void closeShared() {
        FlowModelHandle.closeShared();
    }

    @Test
    void fitInOnePartitionAndScoreAllPartitionsThroughAHandle() {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(SparkTestSession.get().sparkContext());
        List<PairSample> data = SyntheticPairs.warpedGaussian(40, 50, 3, 0.8, 17).samples();
        JavaRDD<PairSample> rdd = sc.parallelize(data, 2);
        String dir = tmp.resolve("model").toString();

        List<String> fitted = rdd.mapPartitionsWithIndex((partition, samples) -> {
            List<String> out = new ArrayList<>();
            if (partition == 0) {
                FlowConfig cfg = FlowConfig.builder(FlowGranularity.TOKEN).maxEpochs(3).batchSize(256)
                        .intraOpThreads(1).device("cpu").build();
                try (FlowPairModel model = FlowTrainer.fit(samples, 3, 3, cfg, 31L + partition, null)) {
                    FlowModelStore.save(model, Path.of(dir), FINGERPRINT);
                    out.add(dir);
                }
            }
            return out.iterator();
        }, false).collect();
        assertEquals(List.of(dir), fitted);

        FlowModelHandle handle = FlowModelHandle.embedded(Path.of(dir), FINGERPRINT);
        List<Double> mi = rdd.mapPartitions((Iterator<PairSample> samples) -> {
            FittedPairModel model = handle.open();
            List<Double> out = new ArrayList<>();
            while (samples.hasNext()) {
                PairSample s = samples.next();
                SampleCodelengths c = model.score(s.x(), s.y(), s.tokens());
                out.add(c.miBits() / s.tokens());
            }
            return out.iterator();
        }).collect();
        assertEquals(40, mi.size());
        double mean = mi.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        assertTrue(mean > 0.5, "mean MI " + mean + " bits/token on strongly dependent data");
    }
}
