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
}
