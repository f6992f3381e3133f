package org.infometer.validate;

import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.infometer.estimate.StableHash;
import org.infometer.schema.TableContract;

import java.util.Iterator;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Writes a benchmark task as a features table (data-schemas/features.ddl, modalities {@code x} and {@code y}):
 * one run named after the task, {@value #SAMPLES_PER_SCENE} samples per scene. Each sample is drawn from a seed
 * derived from (seed, task, sample index), on the executors, so the data does not depend on the partitioning.
 */
public final class TaskData {

    public static final String X = "x";
    public static final String Y = "y";
    static final int SAMPLES_PER_SCENE = 10;

    private TaskData() {
    }

    /** Samples and tokens per sample for N observations: N / tokens samples, or the task's fixed layout. */
    public static int[] layout(BenchmarkTask task, int observations, int tokensPerSample) {
        if (task.fixedSamples() > 0) {
            return new int[] {task.fixedSamples(), 1};
        }
        int samples = Math.max(1, observations / tokensPerSample);
        return new int[] {samples, tokensPerSample};
    }

    public static void write(SparkSession spark, BenchmarkTask task, int samples, int tokens, long seed,
                             String path, int partitions) {
        StructType schema = TableContract.load("features").schema(X, Y);
        String name = task.name();
        int dx = task.dx();
        int dy = task.dy();
        MapPartitionsFunction<Long, Row> gen = (Iterator<Long> ids) -> new Iterator<>() {
            final BenchmarkTask t = BenchmarkTasks.byName().get(name);
            final double[] xt = new double[dx];
            final double[] yt = new double[dy];

            @Override
            public boolean hasNext() {
                return ids.hasNext();
            }

            @Override
            public Row next() {
                long i = ids.next();
                SplittableRandom rnd = new SplittableRandom(StableHash.of(name + "/" + i, seed));
                float[] x = new float[tokens * dx];
                float[] y = new float[tokens * dy];
                for (int k = 0; k < tokens; k++) {
                    t.sampler().draw(rnd, xt, yt);
                    for (int c = 0; c < dx; c++) {
                        x[k * dx + c] = (float) xt[c];
                    }
                    for (int c = 0; c < dy; c++) {
                        y[k * dy + c] = (float) yt[c];
                    }
                }
                long scene = i / SAMPLES_PER_SCENE;
                return RowFactory.create(name, String.format(Locale.ROOT, "scene-%05d", scene),
                        String.format(Locale.ROOT, "sample-%06d", i), 1_500_000_000_000_000L + i * 500_000L,
                        x, tokens, dx, y, tokens, dy);
            }
        };
        spark.sparkContext().setJobDescription("infometer: validation task " + name);
        spark.range(0, samples, 1, partitions).mapPartitions(gen, Encoders.row(schema))
                .write().mode(SaveMode.Overwrite).parquet(path);
    }
}
