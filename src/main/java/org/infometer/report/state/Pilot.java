package org.infometer.report.state;

import java.io.Serializable;

/**
 * Centres and scales, known from one pass's {@link ValueSums}, for the centred power sums of the next
 * ({@link ValueSpread}). Power sums about zero lose the spread to cancellation (sum x^2 - n mean^2); about the
 * group's own mean, ratio or mean per token they keep it. Each scale is the power of two that brings the largest
 * centred term of the group to at most 1: scaling by it is exact, no term can overflow the fixed-point range even
 * for heavy-tailed data, and the largest term dominates the fixed-point quantum.
 */
final class Pilot implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Per quantity: sum q / n (the per-sample ratio and mean), and its scale. */
    final double[] mean;
    final double[] meanScale;
    /** Per quantity: sum q / sum t (the per-token ratio), and the scale of q - ratio t. */
    final double[] ratio;
    final double[] ratioScale;
    /** Per quantity: the mean of q / t over samples, and its scale. */
    final double[] perTokenMean;
    final double[] perTokenScale;

    private Pilot(int width) {
        mean = new double[width];
        meanScale = new double[width];
        ratio = new double[width];
        ratioScale = new double[width];
        perTokenMean = new double[width];
        perTokenScale = new double[width];
    }

    static Pilot of(ValueSums v) {
        Pilot p = new Pilot(v.width());
        double n = v.samples();
        double tokens = v.tokens();
        for (int j = 0; j < v.width(); j++) {
            p.mean[j] = v.sum(j) / n;
            p.meanScale[j] = scale(v.spread(j, p.mean[j]));
            p.ratio[j] = v.sum(j) / tokens;
            // |q - r t| = t |q / t - r| is at most the largest t times the largest distance of q / t from r.
            p.ratioScale[j] = scale(v.maxTokens() * v.perTokenSpread(j, p.ratio[j]));
            p.perTokenMean[j] = v.perTokenSum(j) / n;
            p.perTokenScale[j] = scale(v.perTokenSpread(j, p.perTokenMean[j]));
        }
        return p;
    }

    /** 2^-k with 2^(k-1) <= largest < 2^k; 1 where the largest term is zero, subnormal or not finite. */
    static double scale(double largest) {
        if (!(largest >= Double.MIN_NORMAL) || Double.isInfinite(largest)) {
            return 1;
        }
        return Math.scalb(1.0, -(Math.getExponent(largest) + 1));
    }
}
