package org.infometer.correlate.stats;

import java.util.Locale;

/**
 * One correlation test: coefficient, permutation p-value and bootstrap interval, with words for the reader.
 *
 * <p>Usage: obtained from {@link Correlation#test}; read the fields or call {@link #describe()} for one
 * plain-English sentence.
 *
 * <p>Strength words by |coefficient|: below 0.1 negligible, below 0.3 weak, below 0.5 moderate, below 0.8
 * strong, otherwise very strong; exactly 1 is perfect.
 *
 * @param permutations orderings behind the p-value (n! when exact)
 * @param minAttainablePValue the smallest p-value this n and design could ever report
 * @param bootstrapResamples resamples drawn for the interval (0 when none could be drawn)
 * @param alpha significance level used by {@link #describe()}
 * @param note why something is NaN, or what was left out; empty when nothing needs saying
 */
public record CorrelationResult(CorrelationMethod method, int n, double coefficient, double pValue,
        PValueKind pValueKind, long permutations, double minAttainablePValue, double ciLow, double ciHigh,
        double ciLevel, int bootstrapResamples, double alpha, String direction, String strength, String note) {

    public static String direction(double coefficient) {
        if (Double.isNaN(coefficient)) {
            return "undefined";
        }
        if (coefficient > 0) {
            return "positive";
        }
        if (coefficient < 0) {
            return "negative";
        }
        return "none";
    }

    public static String strength(double coefficient) {
        if (Double.isNaN(coefficient)) {
            return "undefined";
        }
        double a = Math.abs(coefficient);
        if (a >= 1.0) {
            return "perfect";
        }
        if (a >= 0.8) {
            return "very strong";
        }
        if (a >= 0.5) {
            return "strong";
        }
        if (a >= 0.3) {
            return "moderate";
        }
        if (a >= 0.1) {
            return "weak";
        }
        return "negligible";
    }

    public boolean significant() {
        return !Double.isNaN(pValue) && pValue < alpha;
    }

    /** True when no arrangement of these values could reach p &lt; alpha: the test had no chance. */
    public boolean underpowered() {
        return !Double.isNaN(minAttainablePValue) && minAttainablePValue >= alpha;
    }

    /**
     * One sentence: coefficient with direction and strength, n, p-value and how it was obtained, interval,
     * and whether it is significant, saying so plainly when n is too small for significance to be possible.
     */
    public String describe() {
        String name = displayName();
        if (Double.isNaN(coefficient)) {
            return String.format(Locale.ROOT, "%s undefined for n = %d: %s.", name, n,
                    note.isEmpty() ? "the coefficient cannot be computed" : note);
        }
        StringBuilder sb = new StringBuilder();
        String words = "none".equals(direction) ? "no association" : strength + " " + direction;
        sb.append(String.format(Locale.ROOT, "%s %s = %.3f (%s), n = %d", name, method.symbol(), coefficient,
                words, n));
        if (!Double.isNaN(pValue)) {
            String how = pValueKind == PValueKind.EXACT
                    ? "exact permutation p"
                    : "Monte Carlo permutation p (" + permutations + " permutations)";
            sb.append(String.format(Locale.ROOT, ", %s = %s two-sided", how, formatP(pValue)));
        }
        if (!Double.isNaN(ciLow)) {
            sb.append(String.format(Locale.ROOT, ", %.0f%% bootstrap CI [%.3f, %.3f]", 100 * ciLevel, ciLow,
                    ciHigh));
        }
        sb.append(". ");
        if (underpowered()) {
            String best = method.rankBased() ? "a perfect rank correlation" : "the most extreme arrangement of these values";
            sb.append(String.format(Locale.ROOT, "n = %d: even %s cannot reach p < %s two-sided",
                    n, best, trim(alpha)));
            sb.append(String.format(Locale.ROOT, " (smallest attainable p = %s); not evidence either way.",
                    formatP(minAttainablePValue)));
        } else if (significant()) {
            sb.append(String.format(Locale.ROOT, "Significant at the %s level.", trim(alpha)));
        } else {
            sb.append(String.format(Locale.ROOT, "Not significant at the %s level.", trim(alpha)));
        }
        if (!note.isEmpty()) {
            sb.append(" Note: ").append(note).append('.');
        }
        return sb.toString();
    }

    private String displayName() {
        return switch (method) {
            case PEARSON -> "Pearson";
            case SPEARMAN -> "Spearman";
            case KENDALL_TAU_B -> "Kendall";
        };
    }

    private static String formatP(double p) {
        return p < 0.001 ? String.format(Locale.ROOT, "%.2e", p) : String.format(Locale.ROOT, "%.3f", p);
    }

    private static String trim(double v) {
        String s = String.format(Locale.ROOT, "%.4f", v);
        return s.replaceAll("0+$", "").replaceAll("\\.$", "");
    }
}
