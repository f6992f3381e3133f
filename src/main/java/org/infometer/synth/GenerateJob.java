package org.infometer.synth;

import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.infometer.estimate.StableHash;
import org.infometer.report.Progress;
import org.infometer.schema.TableContract;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Writes synthetic nuScenes-like features with known MI, their ground truth and per-run detection metrics.
 *
 * <p>Runs play the role of training schemes (each has its own mixing matrices and overall coupling strength),
 * scenes have a redundancy level that scales the shared latent signal, so per-token MI varies by scene and run
 * and is known exactly. Samples are drawn independently from seeds derived from (seed, run, sample token), so
 * the output does not depend on the number of partitions, and each task holds one sample at a time: memory stays
 * bounded at any scale.
 *
 * <p>Layout under {@code out}: {@code features/} (data-schemas/features.ddl), {@code ground_truth/}
 * (data-schemas/ground_truth.ddl), {@code run_metrics/} (run_id, map, nds). Features carry a per-token
 * {@code target} whose dependence on the modalities follows {@link #targetStructure} of the run.
 */
public final class GenerateJob {

    private GenerateJob() {
    }

    /** Coupling strength of run r: spread evenly so runs differ clearly in MI. */
    static double runStrength(int r, int runs) {
        return runs == 1 ? 1.0 : 0.7 + 0.6 * r / (runs - 1);
    }

    /** Scene redundancy level in [0.25, 1.5], a stable function of the scene index and seed. */
    static double sceneLevel(int scene, long seed) {
        long h = StableHash.combine(seed, 0x5ce9e, scene);
        return 0.25 + 1.25 * ((h >>> 11) * 0x1.0p-53);
    }

    /**
     * The target structure of run r: the four kinds in turn, so a 4-run data set has one of each. Redundancy goes
     * to the run with the strongest shared signal (the last of four), where the shared latent dominates.
     */
    public static LatentFactorModel.TargetStructure targetStructure(int r) {
        LatentFactorModel.TargetStructure[] order = {LatentFactorModel.TargetStructure.UNIQUE_X,
                LatentFactorModel.TargetStructure.UNIQUE_Y, LatentFactorModel.TargetStructure.SYNERGY,
                LatentFactorModel.TargetStructure.REDUNDANT};
        return order[r % 4];
    }

    /** The features contract plus the per-token target column the generator adds. */
    public static StructType schema(GenerateConfig g) {
        return TableContract.load("features").schema(g.x(), g.y())
                .add("target", org.apache.spark.sql.types.DataTypes.createArrayType(
                        org.apache.spark.sql.types.DataTypes.IntegerType, false), false);
    }

    public static String runId(int r) {
        return "scheme_" + (r + 1);
    }

    static String sceneToken(int s, long seed) {
        return LatentFactorModel.token("scene-" + s, seed);
    }

    static String sampleToken(int s, int p, long seed) {
        return LatentFactorModel.token("sample-" + s + "-" + p, seed);
    }

    static LatentFactorModel model(GenerateConfig g, int r) {
        return new LatentFactorModel(g.channelsX(), g.channelsY(), g.latent(), g.privateFactors(), 0.5, 0.6,
                StableHash.combine(g.seed(), 0x4d0de1, r));
    }

    public static void run(SparkSession spark, GenerateConfig g, Progress progress) {
        int partitions = g.partitions() > 0 ? g.partitions()
                : (int) Math.max(2, Math.min(4096, Math.ceil(g.featureBytes() / (48 << 20))));
        progress.step(String.format("Generating %,d samples (%d runs x %d scenes x %d) of %d tokens x (%d + %d) "
                        + "channels, %.2f GB of float32, in %d partitions, to %s", g.samples(), g.runs(), g.scenes(),
                g.samplesPerScene(), g.tokens(), g.channelsX(), g.channelsY(), g.featureBytes() / 1e9, partitions,
                g.out()));
        StructType schema = schema(g);
        MapPartitionsFunction<Long, Row> gen = (Iterator<Long> ids) -> new Iterator<>() {
            final LatentFactorModel[] models = new LatentFactorModel[g.runs()];

            @Override
            public boolean hasNext() {
                return ids.hasNext();
            }

            @Override
            public Row next() {
                long i = ids.next();
                int perRun = g.scenes() * g.samplesPerScene();
                int r = (int) (i / perRun);
                int s = (int) ((i % perRun) / g.samplesPerScene());
                int p = (int) (i % g.samplesPerScene());
                if (models[r] == null) {
                    models[r] = model(g, r);
                }
                String sample = sampleToken(s, p, g.seed());
                SplittableRandom rnd = new SplittableRandom(StableHash.of(runId(r) + "/" + sample, g.seed()));
                float[] x = new float[g.tokens() * g.channelsX()];
                float[] y = new float[g.tokens() * g.channelsY()];
                double c = runStrength(r, g.runs()) * sceneLevel(s, g.seed());
                int[] target = new int[g.tokens()];
                models[r].drawSample(rnd, c, g.tokens(), x, y, targetStructure(r), target);
                long ts = 1_533_151_603_547_590L + s * 20_000_000L + p * 500_000L;
                return RowFactory.create(runId(r), sceneToken(s, g.seed()), sample, ts,
                        x, g.tokens(), g.channelsX(), y, g.tokens(), g.channelsY(), target);
            }
        };
        spark.sparkContext().setJobDescription("infometer: generate features");
        spark.range(0, g.samples(), 1, partitions).mapPartitions(gen, Encoders.row(schema))
                .write().mode(SaveMode.Overwrite).parquet(g.out() + "/features");

        progress.step("Writing ground truth and run metrics");
        List<Row> truth = new ArrayList<>();
        double[] runMi = new double[g.runs()];
        for (int r = 0; r < g.runs(); r++) {
            LatentFactorModel m = model(g, r);
            for (int s = 0; s < g.scenes(); s++) {
                double level = sceneLevel(s, g.seed());
                double[] bits = m.trueBitsPerToken(runStrength(r, g.runs()) * level);
                runMi[r] += bits[3] / g.scenes();
                truth.add(RowFactory.create(runId(r), sceneToken(s, g.seed()), (long) g.samplesPerScene(),
                        g.tokens(), level, bits[0], bits[1], bits[2], bits[3]));
            }
        }
        spark.createDataFrame(truth, TableContract.load("ground_truth").schema()).coalesce(1)
                .write().mode(SaveMode.Overwrite).parquet(g.out() + "/ground_truth");
        spark.createDataFrame(runMetrics(g, runMi), StructType.fromDDL("run_id STRING, map DOUBLE, nds DOUBLE"))
                .coalesce(1).write().mode(SaveMode.Overwrite).parquet(g.out() + "/run_metrics");
        progress.finish();
    }

    /**
     * Detection accuracy per run that falls as cross-modal MI rises, plus noise: the relation the InfoMeter paper
     * reports across its four training schemes.
     */
    static List<Row> runMetrics(GenerateConfig g, double[] runMi) {
        double mean = 0;
        for (double v : runMi) {
            mean += v / runMi.length;
        }
        List<Row> rows = new ArrayList<>();
        for (int r = 0; r < runMi.length; r++) {
            SplittableRandom rnd = new SplittableRandom(StableHash.combine(g.seed(), 0x3e7a1c, r));
            double map = 0.62 - 0.03 * (runMi[r] - mean) + 0.004 * rnd.nextGaussian();
            double nds = 0.35 + 0.55 * map + 0.004 * rnd.nextGaussian();
            rows.add(RowFactory.create(runId(r), map, nds));
        }
        return rows;
    }
}
