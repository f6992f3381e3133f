package org.infometer.report.state;

import java.io.Serializable;

/**
 * Centred power sums of a group of samples about its {@link Pilot}, per quantity q_j: the squared residuals of q_j
 * about the group's mean (per-sample SEs) and about ratio times t (per-token ratio SEs), and the first four
 * powers of q_j / t about its mean (excess kurtosis). Exact sums ({@link FiniteSums}), so merging is order-free.
 */
final class ValueSpread implements Mergeable<ValueSpread>, Serializable {

    private static final long serialVersionUID = 1L;
    private static final int SLOTS = 6;

    private final int width;
    private final FiniteSums sums;

    ValueSpread(int width) {
        this.width = width;
        sums = new FiniteSums(SLOTS * width);
    }

    void add(double[] q, int t, Pilot p) {
        for (int j = 0; j < width; j++) {
            int o = SLOTS * j;
            double a = (q[j] - p.mean[j]) * p.meanScale[j];
            sums.add(o, a * a);
            // the residual exactly as the list-based ratio estimator forms it: q - r * t
            double b = (q[j] - p.ratio[j] * t) * p.ratioScale[j];
            sums.add(o + 1, b * b);
            double x = (q[j] / t - p.perTokenMean[j]) * p.perTokenScale[j];
            double x2 = x * x;
            sums.add(o + 2, x);
            sums.add(o + 3, x2);
            sums.add(o + 4, x2 * x);
            sums.add(o + 5, x2 * x2);
        }
    }

    @Override
    public ValueSpread merge(ValueSpread o) {
        sums.merge(o.sums);
        return this;
    }

    /** Sum of (q_j - mean_j)^2. */
    double squaresAboutMean(int j, Pilot p) {
        return sums.get(SLOTS * j) / p.meanScale[j] / p.meanScale[j];
    }

    /** Sum of (q_j - ratio_j t)^2. */
    double squaresAboutRatio(int j, Pilot p) {
        return sums.get(SLOTS * j + 1) / p.ratioScale[j] / p.ratioScale[j];
    }

    /**
     * Sample excess kurtosis of q_j / t over the group's n samples, as {@code Validity.excessKurtosis} defines it
     * (NaN below 4 samples or without spread); scale-free, so read in the scaled units.
     */
    double excessKurtosis(int j, long n) {
        if (n < 4) {
            return Double.NaN;
        }
        int o = SLOTS * j;
        // moments about the pilot, moved to the group's own mean (d is the pilot's offset from it: tiny)
        double d = sums.get(o + 2) / n;
        double s2 = sums.get(o + 3) / n;
        double s3 = sums.get(o + 4) / n;
        double s4 = sums.get(o + 5) / n;
        double m2 = s2 - d * d;
        double m4 = s4 - 4 * d * s3 + 6 * d * d * s2 - 3 * d * d * d * d;
        return m2 > 0 ? m4 / (m2 * m2) - 3 : Double.NaN;
    }
}
