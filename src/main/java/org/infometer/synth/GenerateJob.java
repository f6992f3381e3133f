package org.infometer.synth;

import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.infometer.estimate.StableHash;
import org.infometer.progress.Progress;
import org.infometer.schema.TableContract;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Writes synthetic nuScenes-like features with known MI, their ground truth, and detections whose accuracy falls
 * as the true MI rises, with their nuScenes evaluation.
 *
 * <p>Runs play the role of training schemes (each has its own mixing matrices and overall coupling strength),
 * scenes have a redundancy level that scales the shared latent signal, so per-token MI varies by scene and run
 * and is known exactly. Samples are drawn independently from seeds derived from (seed, run, sample token), so
 * the output does not depend on the number of partitions, and each task holds one sample at a time: memory stays
 * bounded at any scale.
 *
 * <p>Layout under {@code out}: {@code features/} (data-schemas/features.ddl), {@code ground_truth/}
 * (data-schemas/ground_truth.ddl), and from {@link SyntheticAccuracy}: {@code gt_boxes/}, {@code detections/},
 * {@code run_metrics/} (data-schemas/run_metrics.ddl) and {@code metrics/<run_id>/metrics_summary.json}.
 * Features carry a per-token {@code target} whose dependence on the modalities follows {@link #targetStructure}
 * of the run. Detection quality per (run, scene) is {@link #sceneQuality}: a decreasing function of the true MI.
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

        progress.step("Writing ground truth");
        List<Row> truth = new ArrayList<>();
        double[][] trueMi = new double[g.runs()][g.scenes()];
        for (int r = 0; r < g.runs(); r++) {
            LatentFactorModel m = model(g, r);
            double[] scales = new double[g.scenes()];
            for (int s = 0; s < g.scenes(); s++) {
                scales[s] = runStrength(r, g.runs()) * sceneLevel(s, g.seed());
            }
            // The run estimate targets the MI of the run's pooled tokens (every scene contributes equally).
            double[] pooled = m.pooledMiBits(scales, POOLED_DRAWS, StableHash.combine(g.seed(), 0x9001ed, r));
            for (int s = 0; s < g.scenes(); s++) {
                double level = sceneLevel(s, g.seed());
                double[] bits = m.trueBitsPerToken(scales[s]);
                trueMi[r][s] = bits[3];
                truth.add(RowFactory.create(runId(r), sceneToken(s, g.seed()), (long) g.samplesPerScene(),
                        g.tokens(), level, bits[0], bits[1], bits[2], bits[3], pooled[0], pooled[1]));
            }
        }
        spark.createDataFrame(truth, TableContract.load("ground_truth").schema()).coalesce(1)
                .write().mode(SaveMode.Overwrite).parquet(g.out() + "/ground_truth");
        SyntheticAccuracy.write(spark, g, sceneQuality(g, trueMi), progress);
        progress.finish();
    }

    /** Monte Carlo draws behind each run's pooled (scene-mixture) MI; MC SE about 0.01 bits per token. */
    static final int POOLED_DRAWS = 40_000;

    /** Detection quality at the lowest and the highest true MI of the data set. */
    static final double QUALITY_AT_MIN_MI = 0.9;
    static final double QUALITY_AT_MAX_MI = 0.3;
    /** Standard deviation of the quality noise of a (run, scene) and of a sample around it. */
    static final double SCENE_QUALITY_NOISE = 0.06;
    static final double SAMPLE_QUALITY_NOISE = 0.04;

    /**
     * Detection quality of every (run, scene): falls linearly with the scene's true MI per token in that run, from
     * {@value #QUALITY_AT_MIN_MI} at the data set's lowest to {@value #QUALITY_AT_MAX_MI} at its highest, plus
     * Gaussian noise seeded by (seed, run, scene). Lower cross-modal MI goes with higher accuracy, as the
     * InfoMeter paper reports across training schemes; the noise keeps the relation imperfect.
     */
    static double[][] sceneQuality(GenerateConfig g, double[][] trueMi) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double[] run : trueMi) {
            for (double v : run) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        double[][] q = new double[trueMi.length][];
        for (int r = 0; r < trueMi.length; r++) {
            q[r] = new double[trueMi[r].length];
            for (int s = 0; s < trueMi[r].length; s++) {
                double t = hi > lo ? (trueMi[r][s] - lo) / (hi - lo) : 0.5;
                SplittableRandom rnd = new SplittableRandom(StableHash.combine(g.seed(), 0x9a11e7, r, s));
                q[r][s] = clampQuality(QUALITY_AT_MIN_MI + (QUALITY_AT_MAX_MI - QUALITY_AT_MIN_MI) * t
                        + SCENE_QUALITY_NOISE * rnd.nextGaussian());
            }
        }
        return q;
    }

    /** A sample's quality: its scene's, plus noise seeded by (seed, run, sample token). */
    static double sampleQuality(GenerateConfig g, double sceneQuality, int r, String sampleToken) {
        SplittableRandom rnd = new SplittableRandom(StableHash.of(runId(r) + "/quality/" + sampleToken, g.seed()));
        return clampQuality(sceneQuality + SAMPLE_QUALITY_NOISE * rnd.nextGaussian());
    }

    static double clampQuality(double q) {
        return Math.max(0.02, Math.min(0.98, q));
    }

    /** Ego (LIDAR_TOP) position of a sample: scenes on a 1 km grid, consecutive samples a few metres apart. */
    static double[] egoTranslation(int scene, int sample) {
        return new double[] {1000.0 * (scene % 16) + 4.5 * sample, 1000.0 * (scene / 16) + 1.5 * sample, 1.8};
    }

    /** Seed of run r's detector. */
    static long detectorSeed(GenerateConfig g, int r) {
        return StableHash.combine(g.seed(), 0xde7ec7, r);
    }
}
