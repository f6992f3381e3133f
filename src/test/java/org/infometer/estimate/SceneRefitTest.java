package org.infometer.estimate;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.LUDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SceneRefitTest {

    /** Tokens of r independent canonical pairs with correlations rho (u_i, v_i), plus a mean shift. */
    private static double[][] tokens(SplittableRandom rnd, int n, double[] rho, double shift) {
        int r = rho.length;
        double[] u = new double[n * r];
        double[] v = new double[n * r];
        for (int t = 0; t < n; t++) {
            for (int i = 0; i < r; i++) {
                double a = rnd.nextGaussian();
                double b = rnd.nextGaussian();
                u[t * r + i] = a + shift;
                v[t * r + i] = rho[i] * a + Math.sqrt(1 - rho[i] * rho[i]) * b - shift;
            }
        }
        return new double[][] {u, v};
    }

    @Test
    void heldOutCodelengthsEqualTheGaussianLikelihoodComputedTokenByToken() {
        SplittableRandom rnd = new SplittableRandom(11);
        int r = 2;
        double[][] train = tokens(rnd, 300, new double[] {0.7, 0.2}, 0.3);
        double[][] test = tokens(rnd, 40, new double[] {0.5, 0.1}, -0.2);
        double[] h = SceneRefit.heldOutBits(SceneBlockStats.of(train[0], train[1], 300, r),
                SceneBlockStats.of(test[0], test[1], 40, r));
        assertNotNull(h);
        // reference: mean and MLE covariance of the stacked training tokens, then -sum log N(w_t) over test tokens
        int m = 2 * r;
        double[] mu = new double[m];
        double[][] cov = new double[m][m];
        for (int t = 0; t < 300; t++) {
            double[] w = stack(train, t, r);
            for (int i = 0; i < m; i++) {
                mu[i] += w[i] / 300;
            }
        }
        for (int t = 0; t < 300; t++) {
            double[] w = stack(train, t, r);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < m; j++) {
                    cov[i][j] += (w[i] - mu[i]) * (w[j] - mu[j]) / 300;
                }
            }
        }
        int[][] sets = {{0, 1}, {2, 3}, {0, 1, 2, 3}};
        for (int k = 0; k < 3; k++) {
            int[] idx = sets[k];
            double[][] c = new double[idx.length][idx.length];
            for (int i = 0; i < idx.length; i++) {
                for (int j = 0; j < idx.length; j++) {
                    c[i][j] = cov[idx[i]][idx[j]];
                }
            }
            LUDecomposition lu = new LUDecomposition(new Array2DRowRealMatrix(c));
            RealMatrix inv = lu.getSolver().getInverse();
            double nats = 0;
            for (int t = 0; t < 40; t++) {
                double[] w = stack(test, t, r);
                double q = 0;
                for (int i = 0; i < idx.length; i++) {
                    for (int j = 0; j < idx.length; j++) {
                        q += (w[idx[i]] - mu[idx[i]]) * inv.getEntry(i, j) * (w[idx[j]] - mu[idx[j]]);
                    }
                }
                nats += 0.5 * (idx.length * Math.log(2 * Math.PI) + Math.log(lu.getDeterminant()) + q);
            }
            assertEquals(nats / Math.log(2), h[k], 1e-8 * Math.abs(nats));
        }
    }

    private static double[] stack(double[][] uv, int t, int r) {
        double[] w = new double[2 * r];
        System.arraycopy(uv[0], t * r, w, 0, r);
        System.arraycopy(uv[1], t * r, w, r, r);
        return w;
    }

    @Test
    void leaveOneSampleOutRefitsRecoverTheClosedFormMiAfterTheSmallSampleCorrection() {
        double[] rho = {0.8, 0.5, 0.2};
        double truth = 0;
        for (double p : rho) {
            truth -= 0.5 * Math.log1p(-p * p) / Math.log(2);
        }
        SplittableRandom rnd = new SplittableRandom(5);
        int samples = 40;
        int perSample = 60;   // 2,340 training tokens per refit for 6 dimensions, as small as a demo scene
        SceneBlockStats[] stats = new SceneBlockStats[samples];
        SceneBlockStats total = null;
        for (int s = 0; s < samples; s++) {
            double[][] uv = tokens(rnd, perSample, rho, 0);
            stats[s] = SceneBlockStats.of(uv[0], uv[1], perSample, rho.length);
            total = total == null ? stats[s] : total.plus(stats[s]);
        }
        double raw = 0;
        double corrected = 0;
        for (SceneBlockStats s : stats) {
            double[] h = SceneRefit.heldOutBits(total.minus(s), s);
            double[] c = SceneRefit.heldOutBitsCorrected(total.minus(s), s);
            raw += (h[0] + h[1] - h[2]) / (samples * perSample);
            corrected += (c[0] + c[1] - c[2]) / (samples * perSample);
        }
        double expectedBias = rho.length * rho.length / (2.0 * (samples - 1) * perSample) / Math.log(2);
        assertEquals(expectedBias, corrected - raw, 1e-12, "the correction is r^2 / (2n) nats per token");
        assertTrue(raw < truth, "held out without correction is biased low: " + raw + " vs " + truth);
        // SE of the mean pointwise MI over 2,400 tokens is about 0.03 bits
        assertEquals(truth, corrected, 0.06);
    }

    @Test
    void refusesWhenTooFewTokensSupportTheFit() {
        SplittableRandom rnd = new SplittableRandom(1);
        double[][] uv = tokens(rnd, 39, new double[] {0.5, 0.5}, 0);
        SceneBlockStats small = SceneBlockStats.of(uv[0], uv[1], 39, 2);   // 39 < 10 x 4 dimensions
        assertNull(SceneRefit.heldOutBits(small, small));
        double[][] constant = {new double[80], new double[80]};
        SceneBlockStats degenerate = SceneBlockStats.of(constant[0], constant[1], 40, 1);
        assertNull(SceneRefit.heldOutBits(degenerate, degenerate), "a singular covariance is no fit");
    }

    @Test
    void statisticsAddAndSubtractExactly() {
        SplittableRandom rnd = new SplittableRandom(3);
        double[][] a = tokens(rnd, 20, new double[] {0.4}, 0.1);
        double[][] b = tokens(rnd, 30, new double[] {0.4}, 0.1);
        SceneBlockStats sa = SceneBlockStats.of(a[0], a[1], 20, 1);
        SceneBlockStats sb = SceneBlockStats.of(b[0], b[1], 30, 1);
        SceneBlockStats back = sa.plus(sb).minus(sb);
        assertEquals(20, back.tokens());
        for (int i = 0; i < 4; i++) {
            assertEquals(sa.cross()[i], back.cross()[i], 1e-12);
        }
    }
}
