package org.infometer.estimate.gaussian;

import org.infometer.estimate.JointMoments;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The marginal shrinkage is chosen with the rank by held-out joint codelength. Where within-modality sample
 * correlations carry part of the cross-covariance (few tokens, strong pairs), the default intensity cost 0.65
 * bits/token of a 5.90 truth; chosen, the estimate is as close as an unshrunk ML fit. Where shrinkage is what
 * keeps a high-dimensional fit sane (independent modalities, tokens barely above the dimension), the choice
 * must not turn noise into MI.
 */
class ShrinkageChoiceTest {

    /** Out-of-fold MI (bits/token) of the cross-fitted model on {@code samples} x {@code t} tokens, 5 folds. */
    private static double crossFittedMi(int c, double rho, int samples, int t, long seed) {
        Random r = new Random(seed);
        float[][] xs = new float[samples][];
        float[][] ys = new float[samples][];
        Map<Integer, JointMoments> folds = new TreeMap<>();
        for (int s = 0; s < samples; s++) {
            float[] x = new float[t * c];
            float[] y = new float[t * c];
            for (int i = 0; i < x.length; i++) {
                double u = r.nextGaussian();
                x[i] = (float) u;
                y[i] = (float) (rho * u + Math.sqrt(1 - rho * rho) * r.nextGaussian());
            }
            xs[s] = x;
            ys[s] = y;
            folds.computeIfAbsent(s % 5, k -> new JointMoments(c, c)).addSample(x, y, t);
        }
        Map<Integer, GaussianPairFitter.FoldFit> fits = GaussianPairFitter.fitCrossFitted(folds);
        double bits = 0;
        for (int s = 0; s < samples; s++) {
            bits += fits.get(s % 5).model().score(xs[s], ys[s], t).miBits();
        }
        return bits / ((double) samples * t);
    }

    @Test
    void strongPairsWithFewTokensAreNotShrunkAway() {
        double truth = -8 / 2.0 * Math.log(1 - 0.64) / Math.log(2);
        double sum = 0;
        int draws = 6;
        for (int d = 0; d < draws; d++) {
            sum += crossFittedMi(8, 0.8, 24, 50, 100 + d);
        }
        double mean = sum / draws;
        // Held-out ML on this design: 5.86 +- 0.11 (20 draws); the default shrinkage alone gave 5.25.
        assertTrue(mean > truth - 0.2 && mean < truth + 0.1, "mean " + mean + " truth " + truth);
    }

    @Test
    void independentHighDimensionalModalitiesStayNearZero() {
        for (int d = 0; d < 3; d++) {
            double mi = crossFittedMi(48, 0.0, 30, 5, 7 + d);   // 150 tokens for 96 dimensions
            assertTrue(Math.abs(mi) < 0.05, "draw " + d + ": " + mi + " bits/token on independent data");
        }
    }
}
