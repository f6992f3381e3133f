package org.infometer.correlate.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CorrelationTest {

    /** Textbook one-pass formula, independent of the two-pass implementation. */
    private static double pearsonByFormula(double[] x, double[] y) {
        int n = x.length;
        double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
        for (int i = 0; i < n; i++) {
            sx += x[i];
            sy += y[i];
            sxx += x[i] * x[i];
            syy += y[i] * y[i];
            sxy += x[i] * y[i];
        }
        return (n * sxy - sx * sy) / Math.sqrt((n * sxx - sx * sx) * (n * syy - sy * sy));
    }

    /** Quadratic tau-b straight from its definition. */
    private static double tauBByPairs(double[] x, double[] y) {
        long c = 0, d = 0, tx = 0, ty = 0;
        for (int i = 0; i < x.length; i++) {
            for (int j = i + 1; j < x.length; j++) {
                double sx = Math.signum(x[i] - x[j]);
                double sy = Math.signum(y[i] - y[j]);
                if (sx == 0 && sy == 0) {
                    continue;
                } else if (sx == 0) {
                    tx++;
                } else if (sy == 0) {
                    ty++;
                } else if (sx == sy) {
                    c++;
                } else {
                    d++;
                }
            }
        }
        return (c - d) / Math.sqrt((double) (c + d + tx) * (c + d + ty));
    }

    @Test
    void pearsonMatchesTextbookFormula() {
        double[] x = {1.5, 2.0, 3.7, 4.1, 5.9, 6.2};
        double[] y = {0.3, 1.1, 0.9, 2.5, 2.2, 3.9};
        assertEquals(pearsonByFormula(x, y), Correlation.pearson(x, y), 1e-12);
    }

    @Test
    void monotoneAndAntiMonotone() {
        double[] x = {0.1, 0.5, 1.0, 2.0, 3.5, 4.0, 7.0};
        double[] up = new double[x.length];
        double[] down = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            up[i] = Math.exp(x[i]);
            down[i] = -x[i] * x[i] * x[i];
        }
        assertEquals(1.0, Correlation.spearman(x, up), 0);
        assertEquals(1.0, Correlation.kendallTauB(x, up), 0);
        assertTrue(Correlation.pearson(x, up) < 0.95, "exp is monotone but far from linear");
        assertEquals(-1.0, Correlation.spearman(x, down), 0);
        assertEquals(-1.0, Correlation.kendallTauB(x, down), 0);
        double[] lin = {3, 5, 7, 9, 11, 13, 15};
        assertEquals(1.0, Correlation.pearson(new double[] {1, 2, 3, 4, 5, 6, 7}, lin), 1e-15);
    }

    @Test
    void averageRanksSplitTies() {
        double[] r = Correlation.averageRanks(new double[] {10, 20, 20, 5, 20});
        assertArrayEquals(new double[] {2, 4, 4, 1, 4}, r);
    }

    @Test
    void spearmanWithTiesIsPearsonOnAverageRanks() {
        double[] x = {1, 2, 2, 3};
        double[] y = {1, 3, 2, 4};
        // ranks x = 1, 2.5, 2.5, 4 (mean 2.5); ranks y = 1, 3, 2, 4 (mean 2.5)
        // dx = -1.5, 0, 0, 1.5; dy = -1.5, 0.5, -0.5, 1.5: sxy = 4.5, sxx = 4.5, syy = 5
        assertEquals(4.5 / Math.sqrt(4.5 * 5), Correlation.spearman(x, y), 1e-15);
    }

    @Test
    void kendallTauBHandCase() {
        double[] x = {1, 2, 2, 3};
        double[] y = {1, 3, 2, 4};
        // pairs: (0,1)c (0,2)c (0,3)c (1,2) tie in x (1,3)c (2,3)c: C = 5, D = 0, n0 = 6, n1 = 1, n2 = 0
        assertEquals(5 / Math.sqrt(5 * 6), Correlation.kendallTauB(x, y), 1e-15);
    }

    @Test
    void kendallTauBMatchesPairCountingWithManyTies() {
        SplitMix64 rng = new SplitMix64(7);
        for (int rep = 0; rep < 50; rep++) {
            int n = 3 + rng.nextInt(60);
            double[] x = new double[n];
            double[] y = new double[n];
            for (int i = 0; i < n; i++) {
                x[i] = rng.nextInt(5);
                y[i] = rng.nextInt(4) + 0.5 * x[i];
            }
            double expected = tauBByPairs(x, y);
            double got = Correlation.kendallTauB(x, y);
            if (Double.isNaN(expected)) {
                assertTrue(Double.isNaN(got));
            } else {
                assertEquals(expected, got, 1e-12, "n=" + n);
            }
        }
    }

    @Test
    void undefinedCoefficients() {
        assertTrue(Double.isNaN(Correlation.pearson(new double[] {1, 1, 1}, new double[] {1, 2, 3})));
        assertTrue(Double.isNaN(Correlation.spearman(new double[] {1, 2, 3}, new double[] {4, 4, 4})));
        assertTrue(Double.isNaN(Correlation.kendallTauB(new double[] {2, 2}, new double[] {1, 2})));
        assertTrue(Double.isNaN(Correlation.pearson(new double[] {1}, new double[] {2})));
        assertThrows(IllegalArgumentException.class,
                () -> Correlation.pearson(new double[] {1, Double.NaN}, new double[] {1, 2}));
        assertThrows(IllegalArgumentException.class,
                () -> Correlation.pearson(new double[] {1, 2}, new double[] {1, 2, 3}));
    }

    private static void assertArrayEquals(double[] expected, double[] actual) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected, actual, 0);
    }
}
