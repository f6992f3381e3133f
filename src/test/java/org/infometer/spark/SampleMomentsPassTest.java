package org.infometer.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.infometer.estimate.CrossFitEstimator;
import org.infometer.estimate.MomentRow;
import org.infometer.estimate.PairModelHandle;
import org.infometer.estimate.RunFold;
import org.infometer.estimate.SceneProjector;
import org.infometer.estimate.ScoredRow;
import org.infometer.estimate.registry.Estimators;
import org.infometer.io.FeatureInput;
import org.infometer.job.KeyScan;
import org.infometer.progress.Progress;
import org.infometer.schema.FeatureContract;
import org.infometer.schema.RowValidator;
import org.infometer.synth.GenerateConfig;
import org.infometer.synth.GenerateJob;
import org.infometer.testing.SparkTestSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The moments path (fit pass keeps each sample's moments, the apply pass scores them) gives the same bits as the
 * maps path (the apply pass reads the feature rows again): fold states, codelengths, in-fold checks and scene
 * statistics, with the moments kept in memory or on disk, whatever the input partitioning.
 */
class SampleMomentsPassTest {

    @TempDir
    static Path dir;

    private static List<ScoredRow> sorted(JavaRDD<ScoredRow> rows) {
        List<ScoredRow> out = new ArrayList<>(rows.collect());
        out.sort(Comparator.comparing(ScoredRow::runId).thenComparing(ScoredRow::sampleToken));
        return out;
    }

    @Test
    void momentsInMemoryOrOnDiskScoreLikeTheMaps() {
        SparkSession spark = SparkTestSession.get();
        Progress quiet = new Progress(new PrintStream(PrintStream.nullOutputStream()));
        String path = dir.resolve("features").toString();
        GenerateJob.run(spark, new GenerateConfig(dir.toString(), 3, 8, 6, 20, 6, 5, 3, 29, 3, "camera", "lidar"),
                quiet);
        FeatureContract contract = new FeatureContract("camera", "lidar");
        Dataset<Row> features = FeatureInput.open(spark, path, contract, 5);
        RowValidator validator = KeyScan.scan(features, contract, path).validator().forMeasurement();
        CrossFitEstimator.Settings rowsOnly = new CrossFitEstimator.Settings(5, 7L, "token", Map.of(),
                CrossFitEstimator.MomentStore.NONE);
        CrossFitEstimator.Fitted fitted = Estimators.create("gaussian", "token", Map.of())
                .fit(features, validator, rowsOnly, quiet);
        assertNull(fitted.samples(), "nothing kept when the store is NONE");
        Broadcast<Map<RunFold, PairModelHandle>> models = spark.sparkContext().broadcast(
                new TreeMap<>(fitted.models()), scala.reflect.ClassTag$.MODULE$.apply(Map.class));
        Broadcast<Map<String, SceneProjector>> scenes = spark.sparkContext().broadcast(
                new TreeMap<>(fitted.sceneProjectors()), scala.reflect.ClassTag$.MODULE$.apply(Map.class));
        List<ScoredRow> fromMaps = sorted(ShardRunner.apply(features, validator, 5, 7L, models, scenes));
        assertEquals(spark.read().parquet(path).count(), fromMaps.size());
        assertTrue(fromMaps.stream().allMatch(r -> r.block() != null), "scene statistics");
        assertTrue(fromMaps.stream().anyMatch(r -> r.inFold() != null), "in-fold checks");
        for (StorageLevel level : new StorageLevel[] {StorageLevel.MEMORY_ONLY(), StorageLevel.DISK_ONLY()}) {
            JavaRDD<MomentRow> kept = SampleMomentsPass.keep(features, validator, 5, 7L, level);
            try {
                assertTrue(kept.getNumPartitions() <= spark.sparkContext().defaultParallelism());
                assertEquals(fitted.moments(), SampleMomentsPass.foldMoments(kept), level.description());
                assertEquals(fromMaps, sorted(SampleMomentsPass.apply(kept, 5, 7L, models, scenes)),
                        level.description());
            } finally {
                kept.unpersist(false);
            }
        }
        models.destroy();
        scenes.destroy();
    }
}
