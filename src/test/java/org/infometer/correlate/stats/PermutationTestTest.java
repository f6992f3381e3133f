package org.infometer.correlate.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PermutationTestTest {

    /** Counts, over all n! reorderings of y (recursive swaps), those whose |coefficient| reaches the observed. */
    private static double bruteForceP(CorrelationMethod m, double[] x, double[] y) {
        double observed = Math.abs(Correlation.coefficient(m, x, y));
        long[] counts = new long[2];
        permute(m, x, y.clone(), 0, observed, counts);
        return (double) counts[0] / counts[1];
    }

    private static void permute(CorrelationMethod m, double[] x, double[] y, int k, double obs, long[] counts) {
        if (k == y.length) {
            counts[1]++;
            if (Math.abs(Correlation.coefficient(m, x, y)) >= obs - 1e-9) {
                counts[0]++;
            }
            return;
        }
        for (int i = k; i < y.length; i++) {
            double t = y[k];
            y[k] = y[i];
            y[i] = t;
            permute(m, x, y, k + 1, obs, counts);
            y[i] = y[k];
            y[k] = t;
        }
    }

    @Test
    void fourPointsPerfectRankAgreementGivesOneTwelfth() {
        double[] x = {1, 2, 3, 4};
        double[] y = {10, 20, 25, 40};
        for (CorrelationMethod m : new CorrelationMethod[] {CorrelationMethod.SPEARMAN,
                CorrelationMethod.KENDALL_TAU_B}) {
            PermutationTest.Result r = PermutationTest.test(m, x, y, 999, 1);
            assertEquals(PValueKind.EXACT, r.kind());
            assertEquals(1.0 / 12, r.pValue(), 1e-15, m.id());
            assertEquals(24, r.permutations());
            assertEquals(1.0 / 12, r.minAttainablePValue(), 1e-15);
        }
    }

    @Test
    void exactPValuesMatchBruteForceIncludingTies() {
        SplitMix64 rng = new SplitMix64(11);
        for (int n = 3; n <= 8; n++) {
            for (int rep = 0; rep < 3; rep++) {
                double[] x = new double[n];
                double[] y = new double[n];
                for (int i = 0; i < n; i++) {
                    x[i] = rep == 2 ? rng.nextInt(3) : rng.nextGaussian();
                    y[i] = rep == 2 ? rng.nextInt(3) + x[i] : x[i] + rng.nextGaussian();
                }
                for (CorrelationMethod m : CorrelationMethod.values()) {
                    if (Double.isNaN(Correlation.coefficient(m, x, y))) {
                        continue;
                    }
                    PermutationTest.Result r = PermutationTest.test(m, x, y, 99, 3);
                    assertEquals(PValueKind.EXACT, r.kind());
                    assertEquals(bruteForceP(m, x, y), r.pValue(), 1e-12, m.id() + " n=" + n + " rep=" + rep);
                }
            }
        }
    }

    @Test
    void monteCarloIsSeededCorrectedAndCloseToExact() {
        double[] x = {0.3, 1.2, 0.8, 2.5, 1.9, 3.1, 2.2, 4.0, 3.3};
        double[] y = {1.0, 0.7, 1.6, 1.2, 2.4, 1.9, 3.0, 2.2, 2.9};
        double exact = bruteForceP(CorrelationMethod.SPEARMAN, x, y);
        int b = 4999;
        PermutationTest.Result r1 = PermutationTest.test(CorrelationMethod.SPEARMAN, x, y, b, 42);
        PermutationTest.Result r2 = PermutationTest.test(CorrelationMethod.SPEARMAN, x, y, b, 42);
        assertEquals(PValueKind.MONTE_CARLO, r1.kind());
        assertEquals(r1.pValue(), r2.pValue(), 0, "same seed, same p");
        double se = Math.sqrt(exact * (1 - exact) / b);
        assertEquals(exact, r1.pValue(), 4 * se + 1.0 / (b + 1));
        // (b + 1) / (B + 1): a p-value is a multiple of 1/(B+1) and never below it.
        double scaled = r1.pValue() * (b + 1);
        assertEquals(Math.rint(scaled), scaled, 1e-6);
        assertTrue(r1.pValue() >= 1.0 / (b + 1));
    }

    @Test
    void extremeMonteCarloCaseReportsTheFloor() {
        int n = 30;
        double[] x = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i;
            y[i] = -2.0 * i;
        }
        PermutationTest.Result r = PermutationTest.test(CorrelationMethod.KENDALL_TAU_B, x, y, 999, 5);
        assertEquals(1.0 / 1000, r.pValue(), 1e-15);
    }

    @Test
    void undefinedCoefficientHasNoPValue() {
        PermutationTest.Result r = PermutationTest.test(CorrelationMethod.PEARSON, new double[] {1, 2, 3},
                new double[] {5, 5, 5}, 99, 1);
        assertEquals(PValueKind.UNDEFINED, r.kind());
        assertTrue(Double.isNaN(r.pValue()));
    }
}
