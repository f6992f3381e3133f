package org.infometer.estimate.variational;

import java.util.SplittableRandom;

/**
 * Per-token contributions to a bound on tokens the critic never saw, so that their mean is the bound's value
 * on those tokens. MINE: T(x_i, y_i) minus the fold's log-partition term log mean_i e^{T(x_i, y_pi(i))}, pi a
 * seeded shuffle. InfoNCE: the tokens in seeded batches of K, each token's log K + f_ii - log sum_j e^{f_ij}
 * (a shorter last batch uses its own size in place of K).
 */
final class HeldOutBound {

    private HeldOutBound() {
    }

    static double[] locals(Critic c, float[] x, float[] y, int[] rows, Bound bound, int k, long seed) {
        int[] pos = new int[rows.length];
        for (int i = 0; i < pos.length; i++) {
            pos[i] = i;
        }
        pos = CriticTrainer.shuffle(new SplittableRandom(seed), pos);
        double[] out = new double[rows.length];
        if (bound == Bound.MINE) {
            double[] neg = new double[rows.length];
            for (int i = 0; i < rows.length; i++) {
                neg[i] = c.value(x, rows[i], y, rows[pos[i]]);
            }
            double logZ = logSumExp(neg, 0, neg.length) - Math.log(neg.length);
            for (int i = 0; i < rows.length; i++) {
                out[i] = c.value(x, rows[i], y, rows[i]) - logZ;
            }
            return out;
        }
        for (int from = 0; from < pos.length; from += k) {
            int b = Math.min(k, pos.length - from);
            double[] s = new double[b];
            for (int i = 0; i < b; i++) {
                for (int j = 0; j < b; j++) {
                    s[j] = c.value(x, rows[pos[from + i]], y, rows[pos[from + j]]);
                }
                out[pos[from + i]] = Math.log(b) + s[i] - logSumExp(s, 0, b);
            }
        }
        return out;
    }

    static double logSumExp(double[] v, int from, int to) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = from; i < to; i++) {
            max = Math.max(max, v[i]);
        }
        double s = 0;
        for (int i = from; i < to; i++) {
            s += Math.exp(v[i] - max);
        }
        return max + Math.log(s);
    }
}
