package org.infometer.estimate;

import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.infometer.estimate.registry.Estimators;
import org.infometer.io.FeatureInput;
import org.infometer.job.KeyScan;
import org.infometer.report.Estimate;
import org.infometer.progress.Progress;
import org.infometer.report.Reductions;
import org.infometer.report.SampleResult;
import org.infometer.schema.FeatureContract;
import org.infometer.schema.RowValidator;
import org.infometer.schema.TableContract;
import org.infometer.spark.ShardRunner;
import org.infometer.testing.SparkTestSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every registered estimator must satisfy, run through the same Spark fit and apply passes as the job
 * (after JIDT's abstract estimator testers): the run value is the average of the per-sample (local) values, MI
 * is invariant to per-channel affine maps and channel permutations, independent modalities give MI within
 * its standard error of 0, the same numbers come out for 1 and 3 input partitions, and every model the apply
 * pass opens is closed. An estimator's test extends this class and says how to build it cheaply.
 */
public abstract class CrossFitEstimatorContractTest {

    /** Opens and closes of the models handed out in this JVM (local mode: executors share it). */
    static final AtomicInteger OPENED = new AtomicInteger();
    static final AtomicInteger CLOSED = new AtomicInteger();

    static final int SAMPLES = 30;
    static final int TOKENS = 16;
    static final int CX = 3;
    static final int CY = 3;
    static final int FOLDS = 3;
    static final long SEED = 20240601L;
    static final PrintStream QUIET = new PrintStream(PrintStream.nullOutputStream());

    @TempDir
    static Path dir;
    static SparkSession spark;
    private static int written;

    /** The registered name of the estimator under test. */
    protected abstract String estimatorName();

    /** Options that keep the estimator cheap on the contract's small data. */
    protected abstract Map<String, Object> options();

    /** Largest difference in run MI (bits per token) allowed between data and its transformed copy. */
    protected abstract double invarianceToleranceBitsPerToken();

    protected String granularity() {
        return "token";
    }

    /** One sample: row-major maps. */
    record Sample(String scene, String token, float[] x, float[] y) {
    }

    /** The out-of-fold scores of one estimation and its run-level reduction. */
    record Outcome(Map<String, SampleCodelengths> bySample, List<SampleResult> samples, Reductions.RunStats run) {
        double mi() {
            return run.perToken().get("mi").value();
        }
    }

    @BeforeAll
    static void session() {
        spark = SparkTestSession.get();
    }

    /** Two correlated canonical pairs (rho 0.8 and 0.5), the third channels independent; or all independent. */
    static List<Sample> data(boolean dependent, long seed) {
        List<Sample> out = new ArrayList<>();
        for (int s = 0; s < SAMPLES; s++) {
            SplittableRandom rnd = new SplittableRandom(StableHash.combine(seed, s));
            float[] x = new float[TOKENS * CX];
            float[] y = new float[TOKENS * CY];
            for (int t = 0; t < TOKENS; t++) {
                for (int c = 0; c < CX; c++) {
                    x[t * CX + c] = (float) rnd.nextGaussian();
                }
                for (int c = 0; c < CY; c++) {
                    double noise = rnd.nextGaussian();
                    double rho = !dependent ? 0 : c == 0 ? 0.8 : c == 1 ? 0.5 : 0;
                    y[t * CY + c] = (float) (rho * x[t * CX + c] + Math.sqrt(1 - rho * rho) * noise);
                }
            }
            out.add(new Sample("scene-" + (s % 3), String.format("sample-%03d", s), x, y));
        }
        return out;
    }

    /** Per-channel affine maps of both modalities (each channel its own scale, some negative, and offset). */
    static List<Sample> affine(List<Sample> data, boolean allowNegativeScale) {
        return data.stream().map(s -> new Sample(s.scene(), s.token(),
                mapChannels(s.x(), CX, (c, v) -> scale(c, allowNegativeScale) * v + 3 * c - 1),
                mapChannels(s.y(), CY, (c, v) -> scale(c + 7, allowNegativeScale) * v - 2 * c + 5))).toList();
    }

    private static double scale(int c, boolean allowNegative) {
        double a = 0.25 + 1.5 * c;
        return allowNegative && c % 2 == 1 ? -a : a;
    }

    /** Channels of X reversed, channels of Y rotated by one. */
    static List<Sample> permuted(List<Sample> data) {
        return data.stream().map(s -> new Sample(s.scene(), s.token(), permute(s.x(), CX, c -> CX - 1 - c),
                permute(s.y(), CY, c -> (c + 1) % CY))).toList();
    }

    interface ChannelMap {
        double apply(int channel, double value);
    }

    private static float[] mapChannels(float[] m, int channels, ChannelMap f) {
        float[] out = new float[m.length];
        for (int i = 0; i < m.length; i++) {
            out[i] = (float) f.apply(i % channels, m[i]);
        }
        return out;
    }

    private static float[] permute(float[] m, int channels, UnaryOperator<Integer> target) {
        float[] out = new float[m.length];
        for (int i = 0; i < m.length; i++) {
            int t = i / channels;
            out[t * channels + target.apply(i % channels)] = m[i];
        }
        return out;
    }

    /** Writes the samples as a features table and runs the estimator's fit and apply passes on it. */
    Outcome estimate(List<Sample> data, int partitions) {
        String path = dir.resolve("features-" + (written++)).toString();
        List<Row> rows = new ArrayList<>();
        for (Sample s : data) {
            rows.add(RowFactory.create("run-1", s.scene(), s.token(), 1_000L, s.x(), TOKENS, CX, s.y(), TOKENS, CY));
        }
        spark.createDataFrame(rows, TableContract.load("features").schema("camera", "lidar")).write()
                .parquet(path);
        FeatureContract contract = new FeatureContract("camera", "lidar");
        Dataset<Row> features = FeatureInput.open(spark, path, contract, partitions);
        RowValidator validator = KeyScan.scan(features, contract, path).validator().forMeasurement();
        CrossFitEstimator estimator = Estimators.create(estimatorName(), granularity(), options());
        CrossFitEstimator.Settings settings = new CrossFitEstimator.Settings(FOLDS, SEED, granularity(), options());
        CrossFitEstimator.Fitted fitted = estimator.fit(features, validator, settings, new Progress(QUIET));
        Map<RunFold, PairModelHandle> counted = new TreeMap<>();
        fitted.models().forEach((k, h) -> counted.put(k, new Counting(h)));
        Broadcast<Map<RunFold, PairModelHandle>> models = spark.sparkContext()
                .broadcast(counted, scala.reflect.ClassTag$.MODULE$.apply(Map.class));
        List<ScoredRow> scored = ShardRunner.apply(features, validator, FOLDS, SEED, models).collect();
        models.destroy();
        Map<String, SampleCodelengths> bySample = new TreeMap<>();
        List<SampleResult> samples = new ArrayList<>();
        for (ScoredRow r : scored) {
            assertFalse(r.rejected(), () -> "contract data rejected: " + r.rejection().reason());
            bySample.put(r.sampleToken(), r.bits());
            samples.add(new SampleResult(r.runId(), r.sceneToken(), r.sampleToken(), r.timestamp(), r.fold(),
                    r.tokens(), r.bits().hxBits(), r.bits().hyBits(), r.bits().hxyBits(), null, null,
                    r.bits().miBits()));
        }
        assertEquals(data.size(), samples.size());
        // Sorted as the job sorts them (Reductions.byRun): sums in arrival order could differ in the last bit.
        return new Outcome(bySample, samples, Reductions.run("run-1", Reductions.sorted(samples)));
    }

    @Test
    void runValueIsTheAverageOfTheSampleValues() {
        Outcome o = estimate(data(true, 1), 2);
        double sumMi = 0;
        long tokens = 0;
        for (SampleResult s : o.samples()) {
            if (s.hasEntropies()) {
                assertEquals(s.hxBits() + s.hyBits() - s.hxyBits(), s.miBits(),
                        1e-9 * Math.abs(s.hxyBits()) + 1e-12);
            } else {
                // MI-only estimators (the variational bounds) give no entropies at all, not some of them.
                assertTrue(Double.isNaN(s.hxBits()) && Double.isNaN(s.hyBits()) && Double.isNaN(s.hxyBits()));
                assertTrue(Double.isFinite(s.miBits()));
            }
            sumMi += s.miBits();
            tokens += s.tokens();
        }
        assertEquals(sumMi / o.samples().size(), o.run().perSample().get("mi").value(),
                1e-12 * Math.abs(sumMi) + 1e-12);
        assertEquals(sumMi / tokens, o.mi(), 1e-12 * Math.abs(sumMi) + 1e-12);
        assertTrue(o.mi() > 0.3, "dependent data: MI " + o.mi() + " bits/token (truth 0.94)");
    }

    @Test
    void invariantToPerChannelAffineMapsAndPermutations() {
        List<Sample> base = data(true, 2);
        double mi = estimate(base, 2).mi();
        double affine = estimate(affine(base, allowsNegativeScales()), 2).mi();
        double permuted = estimate(permuted(base), 2).mi();
        assertEquals(mi, affine, invarianceToleranceBitsPerToken(), "per-channel affine maps changed MI");
        assertEquals(mi, permuted, invarianceToleranceBitsPerToken(), "channel permutations changed MI");
    }

    /** Whether the affine maps may reverse a channel (a rank-based marginal model is invariant to increasing maps). */
    protected boolean allowsNegativeScales() {
        return true;
    }

    @Test
    void independentModalitiesGiveMiWithinItsStandardErrorOfZero() {
        Estimate mi = estimate(data(false, 3), 2).run().perToken().get("mi");
        double se = Double.isNaN(mi.se()) ? 0 : mi.se();
        assertTrue(Math.abs(mi.value()) <= 3 * se + 0.02,
                "independent data: MI " + mi.value() + " ± " + se + " bits/token");
    }

    @Test
    void sameNumbersForOneAndThreePartitions() {
        List<Sample> base = data(true, 4);
        Outcome one = estimate(base, 1);
        Outcome three = estimate(base, 3);
        assertEquals(one.bySample(), three.bySample());
        assertEquals(one.mi(), three.mi());
    }

    @Test
    void everyModelTheApplyPassOpensIsClosed() {
        int opened = OPENED.get();
        int closed = CLOSED.get();
        estimate(data(true, 5), 3);
        assertTrue(OPENED.get() > opened, "the apply pass opened no model");
        assertEquals(OPENED.get() - opened, CLOSED.get() - closed, "models opened but not closed");
    }

    /** Counts the opens and closes of the models it hands out. */
    static final class Counting implements PairModelHandle {
        private static final long serialVersionUID = 1L;
        private final PairModelHandle inner;

        Counting(PairModelHandle inner) {
            this.inner = inner;
        }

        @Override
        public FittedPairModel open() {
            FittedPairModel m = inner.open();
            OPENED.incrementAndGet();
            return new FittedPairModel() {
                @Override
                public String estimator() {
                    return m.estimator();
                }

                @Override
                public int channelsX() {
                    return m.channelsX();
                }

                @Override
                public int channelsY() {
                    return m.channelsY();
                }

                @Override
                public SampleCodelengths score(float[] x, float[] y, int tokens) {
                    return m.score(x, y, tokens);
                }

                @Override
                public void close() {
                    CLOSED.incrementAndGet();
                    m.close();
                }
            };
        }
    }
}
