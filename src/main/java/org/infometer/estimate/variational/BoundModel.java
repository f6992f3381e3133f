package org.infometer.estimate.variational;

import org.infometer.estimate.FittedPairModel;
import org.infometer.estimate.PairModelHandle;
import org.infometer.estimate.SampleCodelengths;

/**
 * One fold's cross-fitted bound as the apply pass uses it: the critic trained on the other folds, the per-channel
 * standardisation of its training tokens, and what the bound needs from the held-out fold — MINE's log-partition
 * term log mean e^{T(x, y')} over shuffled pairs of this fold's subsample, or InfoNCE's pool of negatives (y's of
 * this fold's subsample, their first-layer projections precomputed). Pure JVM: opening it costs nothing and there
 * is nothing to close, so every executor gives the same bits.
 *
 * <p>A sample's value is the sum over its tokens of the token's term (nats converted to bits): MINE
 * {@code T(x_t, y_t) - logZ}; InfoNCE {@code ln K + f(x_t, y_t) - ln(e^f(x_t, y_t) + sum_m e^f(x_t, n_m))} with
 * K - 1 negatives n_m from the pool, chosen by the token's index. It carries no entropies.
 */
final class BoundModel implements PairModelHandle, FittedPairModel {

    private static final long serialVersionUID = 1L;
    private static final double LN2 = Math.log(2);

    private final Bound bound;
    private final String label;
    private final Critic critic;
    private final float[] meanX;
    private final float[] scaleX;
    private final float[] meanY;
    private final float[] scaleY;
    private final double logPartition;
    private final double[][] negatives;
    private final int k;

    BoundModel(Bound bound, String label, Critic critic, float[] meanX, float[] scaleX, float[] meanY,
               float[] scaleY, double logPartition, double[][] negatives, int k) {
        this.bound = bound;
        this.label = label;
        this.critic = critic;
        this.meanX = meanX;
        this.scaleX = scaleX;
        this.meanY = meanY;
        this.scaleY = scaleY;
        this.logPartition = logPartition;
        this.negatives = negatives;
        this.k = k;
    }

    @Override
    public FittedPairModel open() {
        return this;
    }

    @Override
    public String estimator() {
        return label;
    }

    @Override
    public int channelsX() {
        return critic.channelsX();
    }

    @Override
    public int channelsY() {
        return critic.channelsY();
    }

    double logPartition() {
        return logPartition;
    }

    @Override
    public SampleCodelengths score(float[] x, float[] y, int tokens) {
        float[] sx = Standardiser.apply(x, meanX, scaleX);
        float[] sy = Standardiser.apply(y, meanY, scaleY);
        double nats = 0;
        for (int t = 0; t < tokens; t++) {
            nats += term(sx, sy, t);
        }
        return SampleCodelengths.miOnly(nats / LN2);
    }

    private double term(float[] x, float[] y, int t) {
        double[] px = critic.projectX(x, t);
        double positive = critic.head(px, critic.projectY(y, t));
        if (bound == Bound.MINE) {
            return positive - logPartition;
        }
        int pool = negatives.length;
        int m = k - 1;
        double[] s = new double[k];
        s[0] = positive;
        long start = (long) t * m;
        for (int j = 0; j < m; j++) {
            s[j + 1] = critic.head(px, negatives[(int) ((start + j) % pool)]);
        }
        return Math.log(k) + positive - HeldOutBound.logSumExp(s, 0, k);
    }
}
