package org.infometer.estimate;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.CholeskyDecomposition;
import org.apache.commons.math3.linear.NonPositiveDefiniteMatrixException;
import org.apache.commons.math3.linear.RealMatrix;

/**
 * Held-out Gaussian codelengths of one sample's canonical block under a Gaussian fitted to other samples'
 * {@link SceneBlockStats}: H(U), H(V) and H(U,V) of the sample's tokens, in bits. The fit is maximum likelihood
 * (mean and covariance of the training tokens); the sample is never part of its own training set.
 *
 * <p>Why: a scene's MI is a property of the scene's distribution, and a model fitted to the whole run scores a
 * scene's samples with the run's dependence structure. Refitting the few canonical coordinates that carry the
 * run's dependence, per scene and out of sample, measures how the scene's dependence differs from the run's
 * (see {@code report.SceneValues}).
 */
public final class SceneRefit {

    private static final double LN2 = Math.log(2);
    /** Fewer training tokens per dimension than this and the refit's own error dominates: refuse. */
    public static final int MIN_TOKENS_PER_DIMENSION = 10;

    private SceneRefit() {
    }

    /**
     * {H(U), H(V), H(U,V)} in bits for {@code test}'s tokens, less each term's expected out-of-sample excess
     * (see {@link #expectedExcessNatsPerToken}), or null when {@code train} cannot support a fit.
     */
    public static double[] heldOutBitsCorrected(SceneBlockStats train, SceneBlockStats test) {
        double[] h = heldOutBits(train, test);
        if (h == null) {
            return null;
        }
        int r = train.pairs();
        double n = train.tokens();
        double marginal = test.tokens() * expectedExcessNatsPerToken(r, n) / LN2;
        double joint = test.tokens() * expectedExcessNatsPerToken(2 * r, n) / LN2;
        return new double[] {h[0] - marginal, h[1] - marginal, h[2] - joint};
    }

    /**
     * What {@link #heldOutBitsCorrected} adds to I = H(U) + H(V) - H(U,V) per token for r pairs fitted on n tokens:
     * the joint's excess less the two marginals', r^2 / (2n) nats.
     */
    public static double miCorrectionBitsPerToken(int pairs, double trainTokens) {
        return (expectedExcessNatsPerToken(2 * pairs, trainTokens)
                - 2 * expectedExcessNatsPerToken(pairs, trainTokens)) / LN2;
    }

    /**
     * First-order expected excess of a held-out Gaussian codelength over the true entropy when mean and covariance
     * of d dimensions are fitted on n independent tokens: (d + d(d+1)/2) parameters, each costing 1/(2n) nats per
     * token. For I = H(U) + H(V) - H(U,V) with r pairs this is a bias of -r^2/(2n) nats per token, which a scene
     * refit on a few hundred tokens would otherwise carry into every scene value.
     */
    public static double expectedExcessNatsPerToken(int d, double n) {
        return d * (d + 3) / (4.0 * n);
    }

    /** {H(U), H(V), H(U,V)} in bits for {@code test}'s tokens, or null when {@code train} cannot support a fit. */
    public static double[] heldOutBits(SceneBlockStats train, SceneBlockStats test) {
        int r = train.pairs();
        int m = 2 * r;
        if (train.tokens() < (long) MIN_TOKENS_PER_DIMENSION * m) {
            return null;
        }
        double n = train.tokens();
        double[] mu = new double[m];
        for (int i = 0; i < m; i++) {
            mu[i] = train.sum()[i] / n;
        }
        double[][] cov = new double[m][m];
        double[][] resid = new double[m][m];
        double nt = test.tokens();
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                cov[i][j] = train.cross()[i * m + j] / n - mu[i] * mu[j];
                // sum over the test tokens of (w - mu)_i (w - mu)_j
                resid[i][j] = test.cross()[i * m + j] - test.sum()[i] * mu[j] - mu[i] * test.sum()[j]
                        + nt * mu[i] * mu[j];
            }
        }
        try {
            double hu = nats(cov, resid, 0, r, nt);
            double hv = nats(cov, resid, r, m, nt);
            double huv = nats(cov, resid, 0, m, nt);
            return new double[] {hu / LN2, hv / LN2, huv / LN2};
        } catch (NonPositiveDefiniteMatrixException e) {
            return null;
        }
    }

    /** Negative log-likelihood in nats of the test tokens' coordinates [from, to) under N(mu, cov). */
    private static double nats(double[][] cov, double[][] resid, int from, int to, double tokens) {
        int d = to - from;
        double[][] c = new double[d][d];
        double[][] s = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                c[i][j] = cov[from + i][from + j];
                s[i][j] = resid[from + i][from + j];
            }
        }
        CholeskyDecomposition chol = new CholeskyDecomposition(new Array2DRowRealMatrix(c, false), 1e-12, 1e-12);
        RealMatrix l = chol.getL();
        double logDet = 0;
        for (int i = 0; i < d; i++) {
            logDet += 2 * Math.log(l.getEntry(i, i));
        }
        RealMatrix solved = chol.getSolver().solve(new Array2DRowRealMatrix(s, false));
        double trace = solved.getTrace();
        return 0.5 * (tokens * (d * Math.log(2 * Math.PI) + logDet) + trace);
    }
}
