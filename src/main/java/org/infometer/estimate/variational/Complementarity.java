package org.infometer.estimate.variational;

import java.io.Serializable;

/**
 * MINE-based modality complementarity for a target T: I(X;T), I(Y;T) and I(X,Y;T) estimated with cross-fitted MINE
 * on the same tokens, and C = I(X,Y;T) - max(I(X;T), I(Y;T)): the information about T that only the combination of
 * the two modalities gives beyond the better single one (0 when one modality alone carries everything the pair
 * knows, I(X,Y;T) for a pure XOR-like target). Inputs are discrete (the PID's cluster ids and target values), given
 * to the critic one-hot.
 *
 * <p>All three bounds are evaluated on the same tokens with the same folds, so C has per-token contributions (the
 * joint term's minus the chosen single term's) and its SE is that of their mean, like each term's (leaving out the
 * variability of MINE's log-partition terms).
 */
public final class Complementarity {

    /** A value in bits per token with its SE. */
    public record Term(double bits, double seBits) implements Serializable {
    }

    public record Result(Term iX, Term iY, Term iJoint, Term complementarity, int tokens) implements Serializable {
    }

    private static final double LN2 = Math.log(2);

    /**
     * Critic settings for these terms (seed aside): small, as the inputs are one-hot ids; 100 steps of 512 cost a
     * quarter of 400 steps of 128 and moved the demo runs' C by at most 0.006 bits.
     */
    public static final CriticConfig DEFAULT_CRITIC = new CriticConfig(32, 100, 512, 1e-2, 0.01, 0L);

    private Complementarity() {
    }

    /**
     * @param x cluster id of X per token, in [0, kx); {@code y} likewise; {@code t} target index in [0, targets)
     * @param fold cross-fitting fold per token (by sample, so a sample's tokens never sit on both sides)
     */
    public static Result estimate(int[] x, int[] y, int[] t, int[] fold, int kx, int ky, int targets, int folds,
                                  CriticConfig requested) {
        int n = t.length;
        // Few tokens train on batches as large as the smallest fold's training part allows (MINE's bound does not
        // depend on the batch size, unlike InfoNCE's).
        int[] perFold = new int[folds];
        for (int f : fold) {
            perFold[f]++;
        }
        int minTrain = n - java.util.Arrays.stream(perFold).max().orElse(0);
        CriticConfig config = requested.withBatch(Math.max(2, Math.min(requested.batch(), minTrain)));
        float[] ox = oneHot(x, kx);
        float[] oy = oneHot(y, ky);
        float[] oxy = new float[n * (kx + ky)];
        for (int i = 0; i < n; i++) {
            System.arraycopy(ox, i * kx, oxy, i * (kx + ky), kx);
            System.arraycopy(oy, i * ky, oxy, i * (kx + ky) + kx, ky);
        }
        float[] ot = oneHot(t, targets);
        CrossFittedBound.Result rx = CrossFittedBound.estimate(ox, ot, n, kx, targets, fold, folds, Bound.MINE,
                config.withSeed(config.seed() + 1));
        CrossFittedBound.Result ry = CrossFittedBound.estimate(oy, ot, n, ky, targets, fold, folds, Bound.MINE,
                config.withSeed(config.seed() + 2));
        CrossFittedBound.Result rxy = CrossFittedBound.estimate(oxy, ot, n, kx + ky, targets, fold, folds,
                Bound.MINE, config.withSeed(config.seed() + 3));
        double[] single = rx.valueNats() >= ry.valueNats() ? rx.localsNats() : ry.localsNats();
        double[] c = new double[n];
        for (int i = 0; i < n; i++) {
            c[i] = rxy.localsNats()[i] - single[i];
        }
        return new Result(term(rx.localsNats()), term(ry.localsNats()), term(rxy.localsNats()), term(c), n);
    }

    private static Term term(double[] localsNats) {
        int n = localsNats.length;
        double mean = 0;
        for (double v : localsNats) {
            mean += v;
        }
        mean /= n;
        double ss = 0;
        for (double v : localsNats) {
            ss += (v - mean) * (v - mean);
        }
        double se = n > 1 ? Math.sqrt(ss / (n - 1) / n) : Double.NaN;
        return new Term(mean / LN2, se / LN2);
    }

    private static float[] oneHot(int[] v, int k) {
        float[] out = new float[v.length * k];
        for (int i = 0; i < v.length; i++) {
            if (v[i] < 0 || v[i] >= k) {
                throw new IllegalArgumentException("value " + v[i] + " of token " + i + " outside [0, " + k + ")");
            }
            out[i * k + v[i]] = 1f;
        }
        return out;
    }
}
