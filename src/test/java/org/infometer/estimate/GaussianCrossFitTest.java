package org.infometer.estimate;

import org.infometer.estimate.gaussian.GaussianPairFitter;
import org.infometer.estimate.gaussian.GaussianPairModel;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Cross-fitted Gaussian MI against closed forms, without Spark (the Spark path has its own tests). */
class GaussianCrossFitTest {

    static final double LN2 = Math.log(2);

    /** One sample: row-major maps. */
    record Sample(String token, float[] x, float[] y, int tokens) {
    }

    interface TokenSource {
        void draw(SplittableRandom rnd, double[] x, double[] y);
    }

    static List<Sample> samples(int n, int tokens, int cx, int cy, long seed, TokenSource src) {
        List<Sample> out = new ArrayList<>();
        double[] x = new double[cx];
        double[] y = new double[cy];
        for (int s = 0; s < n; s++) {
            SplittableRandom rnd = new SplittableRandom(StableHash.combine(seed, s));
            float[] fx = new float[tokens * cx];
            float[] fy = new float[tokens * cy];
            for (int t = 0; t < tokens; t++) {
                src.draw(rnd, x, y);
                for (int j = 0; j < cx; j++) {
                    fx[t * cx + j] = (float) x[j];
                }
                for (int j = 0; j < cy; j++) {
                    fy[t * cy + j] = (float) y[j];
                }
            }
            out.add(new Sample("s" + seed + "-" + s, fx, fy, tokens));
        }
        return out;
    }

    /** k independent (x_i, y_i) pairs with correlation rho; other channels independent noise. */
    static TokenSource pairs(int k, double rho, int cx, int cy) {
        return (rnd, x, y) -> {
            for (int j = 0; j < cx; j++) {
                x[j] = rnd.nextGaussian();
            }
            for (int j = 0; j < cy; j++) {
                y[j] = rnd.nextGaussian();
            }
            for (int j = 0; j < k; j++) {
                y[j] = rho * x[j] + Math.sqrt(1 - rho * rho) * y[j];
            }
        };
    }

    record Estimate(double miBitsPerToken, double se) {
    }

    static Estimate crossFittedMi(List<Sample> data, int folds, int cx, int cy) {
        Map<Integer, JointMoments> states = new HashMap<>();
        for (Sample s : data) {
            int f = StableHash.fold(s.token(), folds, 7);
            states.computeIfAbsent(f, k -> new JointMoments(cx, cy)).addSample(s.x(), s.y(), s.tokens());
        }
        Map<Integer, GaussianPairFitter.FoldFit> fits = GaussianPairFitter.fitCrossFitted(states);
        double sum = 0;
        double sumSq = 0;
        for (Sample s : data) {
            GaussianPairModel m = fits.get(StableHash.fold(s.token(), folds, 7)).model();
            double v = m.score(s.x(), s.y(), s.tokens()).miBits() / s.tokens();
            sum += v;
            sumSq += v * v;
        }
        int n = data.size();
        double mean = sum / n;
        double var = (sumSq - n * mean * mean) / (n - 1);
        return new Estimate(mean, Math.sqrt(var / n));
    }

    static void assertClose(double truth, Estimate e) {
        double tol = Math.max(0.02, 3 * e.se());
        assertTrue(Math.abs(e.miBitsPerToken() - truth) <= tol,
                () -> "estimate " + e.miBitsPerToken() + " (se " + e.se() + ") vs truth " + truth + ", tol " + tol);
    }

    @Test
    void recoversIndependentPairs() {
        int cx = 8;
        int cy = 8;
        double rho = 0.6;
        double truth = -3 * 0.5 * Math.log(1 - rho * rho) / LN2;
        Estimate e = crossFittedMi(samples(60, 100, cx, cy, 1, pairs(3, rho, cx, cy)), 5, cx, cy);
        System.out.println("pairs: " + e + " truth " + truth);
        assertClose(truth, e);
    }

    @Test
    void independentHighDimensionalModalitiesWithFewTokensGiveNearZero() {
        int c = 256;
        Estimate e = crossFittedMi(samples(30, 40, c, c, 2, pairs(0, 0, c, c)), 5, c, c);
        System.out.println("independent 256+256: " + e);
        assertClose(0.0, e);
    }

    @Test
    void weakLowRankDependenceInHighDimension() {
        int c = 64;
        double rho = 0.5;
        double truth = -2 * 0.5 * Math.log(1 - rho * rho) / LN2;
        Estimate e = crossFittedMi(samples(80, 200, c, c, 3, pairs(2, rho, c, c)), 5, c, c);
        System.out.println("weak low rank 64+64: " + e + " truth " + truth);
        assertClose(truth, e);
    }

    static List<Sample> transform(List<Sample> data, int cx, int cy, double[] scaleX, double[] shiftX, int[] permY) {
        List<Sample> out = new ArrayList<>();
        for (Sample s : data) {
            float[] x = new float[s.x().length];
            float[] y = new float[s.y().length];
            for (int t = 0; t < s.tokens(); t++) {
                for (int j = 0; j < cx; j++) {
                    x[t * cx + j] = (float) (scaleX[j] * s.x()[t * cx + j] + shiftX[j]);
                }
                for (int j = 0; j < cy; j++) {
                    y[t * cy + j] = s.y()[t * cy + permY[j]];
                }
            }
            out.add(new Sample(s.token(), x, y, s.tokens()));
        }
        return out;
    }

    @Test
    void miIsInvariantToPerChannelAffineMapsAndPermutations() {
        int cx = 6;
        int cy = 5;
        List<Sample> data = samples(40, 50, cx, cy, 4, pairs(2, 0.7, cx, cy));
        double[] scale = {0.25, 4, -2, 0.5, 8, -0.125};
        double[] shift = {3, -2, 0.5, 10, -7, 1};
        int[] perm = {4, 2, 0, 3, 1};
        Estimate a = crossFittedMi(data, 5, cx, cy);
        Estimate b = crossFittedMi(transform(data, cx, cy, scale, shift, perm), 5, cx, cy);
        assertEquals(a.miBitsPerToken(), b.miBitsPerToken(), 1e-5);
        assertEquals(a.se(), b.se(), 1e-5);
    }

    @Test
    void entropiesShiftByTheLogJacobianWhileMiDoesNot() {
        int cx = 3;
        int cy = 3;
        List<Sample> data = samples(30, 40, cx, cy, 5, pairs(1, 0.5, cx, cy));
        double[] scale = {2, 2, 2};
        List<Sample> scaled = transform(data, cx, cy, scale, new double[3], new int[] {0, 1, 2});
        Map<Integer, JointMoments> s1 = new HashMap<>();
        Map<Integer, JointMoments> s2 = new HashMap<>();
        for (int i = 0; i < data.size(); i++) {
            int f = StableHash.fold(data.get(i).token(), 5, 7);
            s1.computeIfAbsent(f, k -> new JointMoments(cx, cy)).addSample(data.get(i).x(), data.get(i).y(), 40);
            s2.computeIfAbsent(f, k -> new JointMoments(cx, cy)).addSample(scaled.get(i).x(), scaled.get(i).y(), 40);
        }
        var m1 = GaussianPairFitter.fitCrossFitted(s1);
        var m2 = GaussianPairFitter.fitCrossFitted(s2);
        Sample s = data.get(0);
        int f = StableHash.fold(s.token(), 5, 7);
        SampleCodelengths a = m1.get(f).model().score(s.x(), s.y(), 40);
        SampleCodelengths b = m2.get(f).model().score(scaled.get(0).x(), scaled.get(0).y(), 40);
        // h(2X) = h(X) + 3 log2 2 per token: 40 tokens x 3 channels x 1 bit
        assertEquals(a.hxBits() + 120, b.hxBits(), 1e-3);
        assertEquals(a.hyBits(), b.hyBits(), 1e-3);
        assertEquals(a.miBits(), b.miBits(), 1e-3);
    }

    @Test
    void modelBytesRoundTripGiveIdenticalCodelengths() {
        int cx = 4;
        int cy = 4;
        List<Sample> data = samples(30, 20, cx, cy, 6, pairs(2, 0.8, cx, cy));
        Map<Integer, JointMoments> states = new HashMap<>();
        for (Sample s : data) {
            states.computeIfAbsent(StableHash.fold(s.token(), 5, 7), k -> new JointMoments(cx, cy))
                    .addSample(s.x(), s.y(), s.tokens());
        }
        GaussianPairModel m = GaussianPairFitter.fitCrossFitted(states).get(0).model();
        GaussianPairModel back = GaussianPairModel.fromBytes(m.toBytes());
        for (Sample s : data) {
            assertEquals(m.score(s.x(), s.y(), 20), back.score(s.x(), s.y(), 20));
        }
        assertEquals(m.rank(), back.rank());
    }

    @Test
    void latentFactorModelMatchesItsClosedFormAndTheEstimator() {
        org.infometer.synth.LatentFactorModel lf = new org.infometer.synth.LatentFactorModel(12, 10, 3, 0.5, 0.6, 9);
        double c = 0.9;
        double truth = lf.trueBitsPerToken(c)[3];
        double[] bits = lf.trueBitsPerToken(c);
        assertEquals(bits[0] + bits[1] - bits[2], bits[3], 1e-12);
        List<Sample> data = new ArrayList<>();
        for (int s = 0; s < 60; s++) {
            float[] x = new float[100 * 12];
            float[] y = new float[100 * 10];
            lf.drawSample(new SplittableRandom(StableHash.combine(11, s)), c, 100, x, y);
            data.add(new Sample("lf-" + s, x, y, 100));
        }
        Estimate e = crossFittedMi(data, 5, 12, 10);
        System.out.println("latent factor: " + e + " truth " + truth);
        assertClose(truth, e);
    }
}
