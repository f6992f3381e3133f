package org.infometer.correlate.stats;

import java.util.Arrays;

/**
 * Percentile bootstrap interval of a correlation coefficient: resample the n (x, y) pairs with replacement
 * B times, compute the coefficient on each resample, and take the (1 - level)/2 and (1 + level)/2 quantiles.
 *
 * <p>Usage: {@code BootstrapCI.Interval ci = BootstrapCI.percentile(method, x, y, 2_000, 0.95, seed);} then
 * {@link Interval#low()}, {@link Interval#high()} and {@link Interval#note()}.
 *
 * <p>Deterministic for a given seed. Quantiles interpolate linearly between order statistics (the common
 * "type 7" rule). The interval is NaN, with the reason in {@link Interval#note()}, when n &lt; 3, when x or y
 * is constant, or when fewer than half of the resamples give a defined coefficient (a resample drawing one
 * value of x only has none); resamples without a coefficient are otherwise left out and counted.
 */
public final class BootstrapCI {

    private BootstrapCI() {
    }

    /** A percentile interval; {@code note} is empty when nothing needs saying. */
    public record Interval(double low, double high, double level, int resamples, int undefinedResamples,
            String note) {

        public boolean defined() {
            return !Double.isNaN(low) && !Double.isNaN(high);
        }
    }

    public static Interval percentile(CorrelationMethod method, double[] x, double[] y, int resamples,
            double level, long seed) {
        Correlation.checkInput(x, y);
        if (resamples < 1) {
            throw new IllegalArgumentException("resamples must be >= 1, got " + resamples);
        }
        if (!(level > 0 && level < 1)) {
            throw new IllegalArgumentException("level must lie in (0, 1), got " + level);
        }
        String reason = Correlation.undefinedReason(x, y);
        if (reason != null) {
            return new Interval(Double.NaN, Double.NaN, level, 0, 0, "no bootstrap interval: " + reason);
        }
        int n = x.length;
        SplitMix64 rng = new SplitMix64(seed);
        double[] bx = new double[n];
        double[] by = new double[n];
        double[] values = new double[resamples];
        int defined = 0;
        for (int b = 0; b < resamples; b++) {
            for (int i = 0; i < n; i++) {
                int k = rng.nextInt(n);
                bx[i] = x[k];
                by[i] = y[k];
            }
            double c = Correlation.coefficient(method, bx, by);
            if (!Double.isNaN(c)) {
                values[defined++] = c;
            }
        }
        int undefined = resamples - defined;
        if (defined * 2 < resamples) {
            return new Interval(Double.NaN, Double.NaN, level, resamples, undefined,
                    "no bootstrap interval: " + undefined + " of " + resamples
                            + " resamples had a constant variable");
        }
        double[] sorted = Arrays.copyOf(values, defined);
        Arrays.sort(sorted);
        double alpha = 1 - level;
        String note = undefined == 0 ? ""
                : undefined + " of " + resamples + " resamples had a constant variable and were left out";
        return new Interval(quantile(sorted, alpha / 2), quantile(sorted, 1 - alpha / 2), level, resamples,
                undefined, note);
    }

    /** Linear interpolation between order statistics at position (m - 1) p. */
    static double quantile(double[] sorted, double p) {
        double h = (sorted.length - 1) * p;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}
