package org.infometer.correlate.stats;

import java.util.Arrays;

/**
 * Pearson, Spearman and Kendall tau-b coefficients, and the full test of one (x, y) sample.
 *
 * <p>Usage: {@code CorrelationResult r = Correlation.test(CorrelationMethod.SPEARMAN, x, y, TestSettings.defaults());}
 * then {@link CorrelationResult#describe()}; or the bare coefficients {@link #pearson}, {@link #spearman},
 * {@link #kendallTauB}.
 *
 * <p>Inputs must be finite and of equal length (callers drop incomplete pairs first and report how many).
 * A coefficient is NaN when it is undefined: fewer than two pairs, or a constant variable.
 */
public final class Correlation {

    private Correlation() {
    }

    /** Settings of {@link #test}: permutation count for n above the exact limit, bootstrap size, levels, seed. */
    public record TestSettings(int permutations, int bootstrapResamples, double ciLevel, double alpha, long seed) {

        public TestSettings {
            if (permutations < 1) {
                throw new IllegalArgumentException("permutations must be >= 1, got " + permutations);
            }
            if (bootstrapResamples < 1) {
                throw new IllegalArgumentException("bootstrapResamples must be >= 1, got " + bootstrapResamples);
            }
            if (!(ciLevel > 0 && ciLevel < 1)) {
                throw new IllegalArgumentException("ciLevel must lie in (0, 1), got " + ciLevel);
            }
            if (!(alpha > 0 && alpha < 1)) {
                throw new IllegalArgumentException("alpha must lie in (0, 1), got " + alpha);
            }
        }

        /** 9,999 permutations, 2,000 bootstrap resamples, 95% interval, alpha 0.05, seed 20240601. */
        public static TestSettings defaults() {
            return new TestSettings(9_999, 2_000, 0.95, 0.05, 20240601L);
        }

        public TestSettings withSeed(long newSeed) {
            return new TestSettings(permutations, bootstrapResamples, ciLevel, alpha, newSeed);
        }
    }

    /** Coefficient, permutation p-value and percentile bootstrap interval of one method on one sample. */
    public static CorrelationResult test(CorrelationMethod method, double[] x, double[] y, TestSettings settings) {
        checkInput(x, y);
        int n = x.length;
        double coefficient = coefficient(method, x, y);
        String undefinedReason = undefinedReason(x, y);
        PermutationTest.Result p = Double.isNaN(coefficient)
                ? PermutationTest.Result.undefined()
                : PermutationTest.test(method, x, y, settings.permutations(),
                        SplitMix64.seed(settings.seed(), "permutation", method.id()));
        BootstrapCI.Interval ci = BootstrapCI.percentile(method, x, y, settings.bootstrapResamples(),
                settings.ciLevel(), SplitMix64.seed(settings.seed(), "bootstrap", method.id()));
        String note = undefinedReason != null ? undefinedReason : ci.note();
        return new CorrelationResult(method, n, coefficient, p.pValue(), p.kind(), p.permutations(),
                p.minAttainablePValue(), ci.low(), ci.high(), ci.level(), ci.resamples(), settings.alpha(),
                CorrelationResult.direction(coefficient), CorrelationResult.strength(coefficient), note);
    }

    public static double coefficient(CorrelationMethod method, double[] x, double[] y) {
        return switch (method) {
            case PEARSON -> pearson(x, y);
            case SPEARMAN -> spearman(x, y);
            case KENDALL_TAU_B -> kendallTauB(x, y);
        };
    }

    /** Why every coefficient is undefined on this sample, or null when it is defined. */
    static String undefinedReason(double[] x, double[] y) {
        if (x.length < 3) {
            return "n = " + x.length + " < 3";
        }
        boolean cx = isConstant(x);
        boolean cy = isConstant(y);
        if (cx && cy) {
            return "x and y are constant";
        }
        if (cx) {
            return "x is constant";
        }
        if (cy) {
            return "y is constant";
        }
        return null;
    }

    public static double pearson(double[] x, double[] y) {
        checkInput(x, y);
        int n = x.length;
        if (n < 2) {
            return Double.NaN;
        }
        double[] dx = centred(x);
        double[] dy = centred(y);
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < n; i++) {
            sxy += dx[i] * dy[i];
            sxx += dx[i] * dx[i];
            syy += dy[i] * dy[i];
        }
        if (sxx == 0 || syy == 0) {
            return Double.NaN;
        }
        double r = sxy / Math.sqrt(sxx * syy);
        // Rounding can push |r| a hair past 1 for exactly linear data.
        return Math.max(-1.0, Math.min(1.0, r));
    }

    /** Pearson on average ranks (ties share the mean of the positions they occupy). */
    public static double spearman(double[] x, double[] y) {
        checkInput(x, y);
        return pearson(averageRanks(x), averageRanks(y));
    }

    /** Kendall tau-b = (C - D) / sqrt((n0 - n1)(n0 - n2)), the tie-corrected form. */
    public static double kendallTauB(double[] x, double[] y) {
        checkInput(x, y);
        int n = x.length;
        if (n < 2) {
            return Double.NaN;
        }
        long n0 = (long) n * (n - 1) / 2;
        long n1 = tiedPairs(x);
        long n2 = tiedPairs(y);
        if (n0 == n1 || n0 == n2) {
            return Double.NaN;
        }
        long s = kendallS(x, y);
        double tau = s / Math.sqrt((double) (n0 - n1) * (double) (n0 - n2));
        return Math.max(-1.0, Math.min(1.0, tau));
    }

    /** 1-based ranks; tied values get the average of the ranks they span. */
    public static double[] averageRanks(double[] v) {
        int n = v.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(v[a], v[b]));
        double[] ranks = new double[n];
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && v[order[j + 1]] == v[order[i]]) {
                j++;
            }
            double avg = (i + j) / 2.0 + 1.0;
            for (int k = i; k <= j; k++) {
                ranks[order[k]] = avg;
            }
            i = j + 1;
        }
        return ranks;
    }

    /**
     * S = C - D, the tau numerator, in O(n log n): sort by (x, y); then pairs untied in both variables number
     * n0 - n1 - n2 + n3, and the discordant ones among them are exactly the strict inversions of y.
     */
    static long kendallS(double[] x, double[] y) {
        int n = x.length;
        long n0 = (long) n * (n - 1) / 2;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> {
            int c = Double.compare(x[a], x[b]);
            return c != 0 ? c : Double.compare(y[a], y[b]);
        });
        double[] ys = new double[n];
        long n3 = 0;
        int run = 1;
        for (int i = 0; i < n; i++) {
            ys[i] = y[order[i]];
            if (i > 0) {
                if (x[order[i]] == x[order[i - 1]] && ys[i] == ys[i - 1]) {
                    run++;
                } else {
                    n3 += (long) run * (run - 1) / 2;
                    run = 1;
                }
            }
        }
        n3 += (long) run * (run - 1) / 2;
        long discordant = countStrictInversions(ys, new double[n], 0, n);
        return n0 - tiedPairs(x) - tiedPairs(y) + n3 - 2 * discordant;
    }

    /** Sorts a[from, to) ascending and returns the number of pairs i < j with a[i] > a[j]. */
    private static long countStrictInversions(double[] a, double[] buf, int from, int to) {
        if (to - from < 2) {
            return 0;
        }
        int mid = (from + to) >>> 1;
        long count = countStrictInversions(a, buf, from, mid) + countStrictInversions(a, buf, mid, to);
        int i = from;
        int j = mid;
        int k = from;
        while (i < mid && j < to) {
            if (a[j] < a[i]) {
                count += mid - i;
                buf[k++] = a[j++];
            } else {
                buf[k++] = a[i++];
            }
        }
        while (i < mid) {
            buf[k++] = a[i++];
        }
        while (j < to) {
            buf[k++] = a[j++];
        }
        System.arraycopy(buf, from, a, from, to - from);
        return count;
    }

    /** Number of pairs with equal values. */
    static long tiedPairs(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        long pairs = 0;
        int run = 1;
        for (int i = 1; i <= s.length; i++) {
            if (i < s.length && s[i] == s[i - 1]) {
                run++;
            } else {
                pairs += (long) run * (run - 1) / 2;
                run = 1;
            }
        }
        return pairs;
    }

    static double[] centred(double[] v) {
        double mean = 0;
        for (double d : v) {
            mean += d;
        }
        mean /= v.length;
        double[] c = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            c[i] = v[i] - mean;
        }
        return c;
    }

    static boolean isConstant(double[] v) {
        for (int i = 1; i < v.length; i++) {
            if (v[i] != v[0]) {
                return false;
            }
        }
        return true;
    }

    static void checkInput(double[] x, double[] y) {
        if (x.length != y.length) {
            throw new IllegalArgumentException("x has " + x.length + " values but y has " + y.length);
        }
        for (int i = 0; i < x.length; i++) {
            if (!Double.isFinite(x[i]) || !Double.isFinite(y[i])) {
                throw new IllegalArgumentException("pair " + i + " is not finite: x = " + x[i] + ", y = " + y[i]
                        + " (drop incomplete pairs before testing)");
            }
        }
    }
}
