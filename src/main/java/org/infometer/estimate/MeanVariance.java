package org.infometer.estimate;

import java.io.Serializable;

/**
 * Count, mean and sum of squared deviations of a stream of values, merged with Chan's update.
 *
 * <p>Algebra: {@code new MeanVariance()} is the identity; merge is associative and commutative up to rounding;
 * merging the states of A and B gives the state of A ∪ B. Used for every "mean with standard error" we report.
 */
public final class MeanVariance implements Serializable {

    private long n;
    private double mean;
    private double m2;

    public MeanVariance add(double x) {
        n++;
        double d = x - mean;
        mean += d / n;
        m2 += d * (x - mean);
        return this;
    }

    public MeanVariance merge(MeanVariance o) {
        if (o.n == 0) {
            return this;
        }
        if (n == 0) {
            n = o.n;
            mean = o.mean;
            m2 = o.m2;
            return this;
        }
        long total = n + o.n;
        double d = o.mean - mean;
        mean += d * o.n / total;
        m2 += o.m2 + d * d * ((double) n * o.n / total);
        n = total;
        return this;
    }

    public long count() {
        return n;
    }

    public double mean() {
        return n == 0 ? Double.NaN : mean;
    }

    /** Sample variance (n - 1 denominator); NaN below two values. */
    public double variance() {
        return n < 2 ? Double.NaN : m2 / (n - 1);
    }

    /** Standard error of the mean; NaN below two values. */
    public double standardError() {
        return n < 2 ? Double.NaN : Math.sqrt(variance() / n);
    }
}
