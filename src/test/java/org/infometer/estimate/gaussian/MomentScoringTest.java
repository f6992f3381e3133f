package org.infometer.estimate.gaussian;

import org.infometer.estimate.JointMoments;
import org.infometer.estimate.SampleCodelengths;
import org.infometer.estimate.SampleMoments;
import org.infometer.estimate.SceneBlockStats;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Scoring from a sample's moments equals the token-by-token definition: codelengths summed over the projected
 * tokens (whitened and canonical coordinates), and scene statistics summed over the canonical coordinates. The
 * reference below is that definition, written out here in double precision.
 */
class MomentScoringTest {

    private static final double LN2 = Math.log(2);

    /** Correlated channels, means far from zero and unequal scales: the centring and standardisation matter. */
    private static float[][] sample(SplittableRandom rnd, int t, int cx, int cy) {
        float[] x = new float[t * cx];
        float[] y = new float[t * cy];
        for (int i = 0; i < t; i++) {
            double shared = rnd.nextGaussian();
            double shared2 = rnd.nextGaussian();
            for (int j = 0; j < cx; j++) {
                x[i * cx + j] = (float) (3.0 + j + (0.5 + 0.1 * j) * (rnd.nextGaussian() + (j % 3 == 0 ? shared : 0)
                        + (j % 4 == 1 ? 0.5 * shared2 : 0)));
            }
            for (int j = 0; j < cy; j++) {
                y[i * cy + j] = (float) (-2.0 + 0.3 * j + (1.5 - 0.05 * j) * (rnd.nextGaussian()
                        + (j % 2 == 0 ? 0.8 * shared : 0) + (j == 1 ? shared2 : 0)));
            }
        }
        return new float[][] {x, y};
    }

    private static GaussianPairModel fitted(int cx, int cy, int rank, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        JointMoments all = new JointMoments(cx, cy);
        for (int s = 0; s < 12; s++) {
            float[][] m = sample(rnd, 300, cx, cy);
            all.addSample(m[0], m[1], 300);
        }
        return GaussianPairFitter.fitWithRank(all, rank, Double.NaN).full().truncate(rank);
    }

    /** The definition: whitened squares for H(X), H(Y); bivariate-normal pair terms for the MI. */
    private static double[] reference(GaussianPairModel model, float[] x, float[] y, int t) {
        int cx = model.channelsX();
        int cy = model.channelsY();
        int r = model.rank();
        double[] rho = model.canonicalCorrelations();
        float[] px = model.coordinatesX(x, t);
        float[] py = model.coordinatesY(y, t);
        double hx = t * model.logNormaliserX();
        double hy = t * model.logNormaliserY();
        double mi = 0;
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < cx; j++) {
                hx += 0.5 * px[i * (cx + r) + j] * px[i * (cx + r) + j];
            }
            for (int j = 0; j < cy; j++) {
                hy += 0.5 * py[i * (cy + r) + j] * py[i * (cy + r) + j];
            }
            for (int k = 0; k < r; k++) {
                double u = px[i * (cx + r) + cx + k];
                double v = py[i * (cy + r) + cy + k];
                double p = rho[k];
                mi += -0.5 * Math.log(1 - p * p) - (p * p * (u * u + v * v) - 2 * p * u * v) / (2 * (1 - p * p));
            }
        }
        return new double[] {hx / LN2, hy / LN2, (hx + hy - mi) / LN2, mi / LN2};
    }

    @Test
    void codelengthsFromMomentsEqualTheTokenSums() {
        for (long seed : new long[] {1, 2, 3}) {
            for (int rank : new int[] {0, 1, 3}) {
                GaussianPairModel model = fitted(9, 7, rank, seed);
                float[][] s = sample(new SplittableRandom(seed + 100), 250, 9, 7);
                double[] ref = reference(model, s[0], s[1], 250);
                SampleCodelengths got = model.score(SampleMoments.of(s[0], s[1], 250, 9, 7,
                        new SampleMoments.Workspace()));
                // The reference projects in single precision (as the job did before): agreement to its rounding,
                // relative to the codelengths (about 10^3 bits here), where a wrong term would be off by O(1).
                double tol = 1e-6 * Math.abs(ref[0]);
                assertEquals(ref[0], got.hxBits(), tol, "H(X), seed " + seed + " rank " + rank);
                assertEquals(ref[1], got.hyBits(), tol, "H(Y)");
                assertEquals(ref[2], got.hxyBits(), tol, "H(X,Y)");
                assertEquals(ref[3], got.miBits(), tol, "MI");
                // The map entry point is the same computation.
                assertEquals(got, model.score(s[0], s[1], 250));
            }
        }
    }

    @Test
    void sceneStatisticsFromMomentsEqualTheTokenSums() {
        GaussianPairModel model = fitted(8, 6, 3, 5);
        float[][] s = sample(new SplittableRandom(7), 180, 8, 6);
        float[] px = model.coordinatesX(s[0], 180);
        float[] py = model.coordinatesY(s[1], 180);
        int r = 3;
        double[] u = new double[180 * r];
        double[] v = new double[180 * r];
        for (int i = 0; i < 180; i++) {
            for (int k = 0; k < r; k++) {
                u[i * r + k] = px[i * (8 + r) + 8 + k];
                v[i * r + k] = py[i * (6 + r) + 6 + k];
            }
        }
        SceneBlockStats ref = SceneBlockStats.of(u, v, 180, r);
        SceneBlockStats got = model.canonicalStats(SampleMoments.of(s[0], s[1], 180, 8, 6,
                new SampleMoments.Workspace()));
        assertEquals(ref.tokens(), got.tokens());
        assertArrayEquals(ref.sum(), got.sum(), 1e-4);
        assertArrayEquals(ref.cross(), got.cross(), 1e-6 * 180 * 10);
        for (int i = 0; i < 2 * r; i++) {
            for (int j = 0; j < 2 * r; j++) {
                assertEquals(got.cross()[i * 2 * r + j], got.cross()[j * 2 * r + i], 0.0, "symmetric");
            }
        }
    }
}
