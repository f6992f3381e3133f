package org.infometer.estimate.channel;

import org.infometer.estimate.JointMoments;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Cross-fitted bivariate Gaussian MI of every (x channel, y channel) pair of one run, from the per-fold
 * {@link JointMoments} the fit pass already made: no pass over the data.
 *
 * <p>For fold k, the pair's correlation, means and variances are fitted on the other folds; the held-out gain is
 * the mean over fold k's tokens of the log-density ratio ln p(x, y) - ln p(x) - ln p(y) of that bivariate normal,
 * computed exactly from fold k's second moments about the training mean. The estimate is the token-weighted
 * mean of the folds' gains (sum of held-out gains over all tokens / tokens).
 *
 * <p>Its SE is the delete-one-fold jackknife of the whole cross-fitted estimate: without fold d, each other fold
 * k is scored by a fit on the folds other than k and d. The plain spread of the folds' gains is not an SE here:
 * the folds' training sets overlap, so their gains are correlated, and near independence (a degenerate
 * U-statistic) only about 74 % of independent pairs fell within 2 such SEs against 92 % expected for t with 9
 * d.f. (10 folds, {@code ChannelMiTest}); with the jackknife 96-98 % did (conservative there, as the jackknife is
 * for degenerate U-statistics; at a true correlation the estimate is smooth and the jackknife applies). Folds are hash-assigned samples, so the SE is conditional on the run's
 * scenes (every fold holds samples of every scene): it is the SE for this run's pooled token distribution.
 *
 * <p>A pair with a constant channel (zero training variance) has no correlation to estimate: its values are NaN.
 */
public final class ChannelMi implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    /** As the pair model: beyond this a pair is treated as (nearly) deterministic. */
    static final double MAX_RHO = 1 - 1e-9;
    private static final double LN2 = Math.log(2);

    private final int cx;
    private final int cy;
    private final long tokens;
    private final int folds;
    private final double[] rho;
    private final double[] plugin;
    private final double[] mi;
    private final double[] se;

    private ChannelMi(int cx, int cy, long tokens, int folds, double[] rho, double[] plugin, double[] mi,
                      double[] se) {
        this.cx = cx;
        this.cy = cy;
        this.tokens = tokens;
        this.folds = folds;
        this.rho = rho;
        this.plugin = plugin;
        this.mi = mi;
        this.se = se;
    }

    /** Every pair of one run, from its folds' moments (empty folds are ignored; at least 2 must hold tokens). */
    public static ChannelMi of(Map<Integer, JointMoments> foldMoments) {
        List<JointMoments> present = new ArrayList<>();
        new TreeMap<>(foldMoments).values().forEach(m -> {
            if (m.tokens() > 0) {
                present.add(m);
            }
        });
        if (present.size() < 3) {
            throw new IllegalArgumentException("Channel MI needs tokens in at least 3 folds, found " + present.size());
        }
        int cx = present.get(0).channelsX();
        int cy = present.get(0).channelsY();
        int dims = cx + cy;
        int f = present.size();
        int pairs = cx * cy;
        JointMoments all = null;
        for (JointMoments m : present) {
            all = all == null ? m.copy() : all.merge(m);
        }
        long n = all.tokens();
        long[] foldTokens = present.stream().mapToLong(JointMoments::tokens).toArray();
        double[][] gain = new double[f][];
        for (int k = 0; k < f; k++) {
            gain[k] = heldOutGains(mergeExcept(present, k, -1), present.get(k));
        }
        // leaveOut[d][k]: fold k's gain from a fit on every fold but k and d, the estimate without fold d.
        double[][][] leaveOut = new double[f][f][];
        for (int d = 0; d < f; d++) {
            for (int k = d + 1; k < f; k++) {
                JointMoments train = mergeExcept(present, d, k);
                leaveOut[d][k] = heldOutGains(train, present.get(k));
                leaveOut[k][d] = heldOutGains(train, present.get(d));
            }
        }
        double[] cov = all.covariance();
        double[] rho = new double[pairs];
        double[] plugin = new double[pairs];
        double[] mi = new double[pairs];
        double[] se = new double[pairs];
        double[] deleted = new double[f];
        for (int j = 0; j < cy; j++) {
            int yj = cx + j;
            for (int i = 0; i < cx; i++) {
                int q = j * cx + i;
                double vx = cov[i * dims + i];
                double vy = cov[yj * dims + yj];
                double r = vx > 0 && vy > 0 ? clamp(cov[yj * dims + i] / Math.sqrt(vx * vy)) : Double.NaN;
                rho[q] = r;
                plugin[q] = -0.5 * Math.log(1 - r * r) / LN2;
                double total = 0;
                for (int k = 0; k < f; k++) {
                    total += foldTokens[k] * gain[k][q];
                }
                double mean = 0;
                for (int d = 0; d < f; d++) {
                    double sum = 0;
                    for (int k = 0; k < f; k++) {
                        if (k != d) {
                            sum += foldTokens[k] * leaveOut[d][k][q];
                        }
                    }
                    deleted[d] = sum / (n - foldTokens[d]);
                    mean += deleted[d] / f;
                }
                double ss = 0;
                for (int d = 0; d < f; d++) {
                    ss += (deleted[d] - mean) * (deleted[d] - mean);
                }
                mi[q] = total / n / LN2;
                se[q] = Math.sqrt((f - 1.0) / f * ss) / LN2;
            }
        }
        return new ChannelMi(cx, cy, n, f, rho, plugin, mi, se);
    }

    private static JointMoments mergeExcept(List<JointMoments> folds, int a, int b) {
        JointMoments acc = null;
        for (int i = 0; i < folds.size(); i++) {
            if (i != a && i != b) {
                acc = acc == null ? folds.get(i).copy() : acc.merge(folds.get(i));
            }
        }
        return acc;
    }

    /**
     * Mean held-out log-density ratio (nats per token) of every pair's bivariate normal fitted on {@code train},
     * on the tokens of {@code heldOut}, exactly from their second moments about the training mean.
     */
    static double[] heldOutGains(JointMoments train, JointMoments heldOut) {
        int cx = train.channelsX();
        int cy = train.channelsY();
        int d = cx + cy;
        double[] mean = train.mean();
        double[] cov = train.covariance();
        double[] held = heldOut.secondMomentAbout(mean);
        double[] g = new double[cx * cy];
        for (int j = 0; j < cy; j++) {
            int yj = cx + j;
            double vy = cov[yj * d + yj];
            for (int i = 0; i < cx; i++) {
                double vx = cov[i * d + i];
                if (!(vx > 0 && vy > 0)) {
                    g[j * cx + i] = Double.NaN;
                    continue;
                }
                double sxy = Math.sqrt(vx * vy);
                double p = clamp(cov[yj * d + i] / sxy);
                double a = held[i * d + i] / vx;
                double c = held[yj * d + yj] / vy;
                double b = held[yj * d + i] / sxy;
                double oneMinus = 1 - p * p;
                g[j * cx + i] = -0.5 * Math.log(oneMinus) - (p * p * (a + c) - 2 * p * b) / (2 * oneMinus);
            }
        }
        return g;
    }

    private static double clamp(double r) {
        return Math.max(-MAX_RHO, Math.min(MAX_RHO, r));
    }

    public int channelsX() {
        return cx;
    }

    public int channelsY() {
        return cy;
    }

    public long tokens() {
        return tokens;
    }

    /** Folds holding tokens: the units of the SE. */
    public int folds() {
        return folds;
    }

    /** Correlation of x channel i and y channel j on all of the run's tokens. */
    public double rho(int i, int j) {
        return rho[j * cx + i];
    }

    /** -0.5 log2(1 - rho^2) on all tokens: the in-sample value, biased upward; for comparison only. */
    public double pluginBitsPerToken(int i, int j) {
        return plugin[j * cx + i];
    }

    /** Cross-fitted MI of the pair, bits per token. */
    public double miBitsPerToken(int i, int j) {
        return mi[j * cx + i];
    }

    public double seBitsPerToken(int i, int j) {
        return se[j * cx + i];
    }
}
