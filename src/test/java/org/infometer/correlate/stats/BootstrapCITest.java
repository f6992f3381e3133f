package org.infometer.correlate.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BootstrapCITest {

    private static final double[] X = {0.3, 1.2, 0.8, 2.5, 1.9, 3.1, 2.2, 4.0, 3.3, 2.8, 1.1, 0.2};
    private static final double[] Y = {1.0, 0.7, 1.6, 1.2, 2.4, 1.9, 3.0, 2.2, 2.9, 2.0, 1.5, 0.1};

    @Test
    void deterministicForASeedAndBracketsTheEstimate() {
        for (CorrelationMethod m : CorrelationMethod.values()) {
            BootstrapCI.Interval a = BootstrapCI.percentile(m, X, Y, 1000, 0.95, 9);
            BootstrapCI.Interval b = BootstrapCI.percentile(m, X, Y, 1000, 0.95, 9);
            assertEquals(a, b);
            double c = Correlation.coefficient(m, X, Y);
            assertTrue(a.low() <= c && c <= a.high(), m + " " + a);
            assertTrue(a.low() >= -1 && a.high() <= 1);
            BootstrapCI.Interval other = BootstrapCI.percentile(m, X, Y, 1000, 0.95, 10);
            assertFalse(a.low() == other.low() && a.high() == other.high(), "a different seed resamples differently");
        }
    }

    @Test
    void narrowerLevelGivesNarrowerInterval() {
        BootstrapCI.Interval wide = BootstrapCI.percentile(CorrelationMethod.PEARSON, X, Y, 2000, 0.95, 1);
        BootstrapCI.Interval narrow = BootstrapCI.percentile(CorrelationMethod.PEARSON, X, Y, 2000, 0.5, 1);
        assertTrue(narrow.low() >= wide.low() && narrow.high() <= wide.high());
    }

    @Test
    void perfectMonotoneDataGivesDegenerateIntervalAtOne() {
        double[] x = {1, 2, 3, 4, 5, 6, 7, 8};
        double[] y = {1, 4, 9, 16, 25, 36, 49, 64};
        BootstrapCI.Interval ci = BootstrapCI.percentile(CorrelationMethod.SPEARMAN, x, y, 500, 0.95, 3);
        assertEquals(1.0, ci.low(), 0);
        assertEquals(1.0, ci.high(), 0);
    }

    @Test
    void undefinedCasesSayWhy() {
        BootstrapCI.Interval small = BootstrapCI.percentile(CorrelationMethod.PEARSON, new double[] {1, 2},
                new double[] {3, 4}, 100, 0.95, 1);
        assertTrue(Double.isNaN(small.low()) && Double.isNaN(small.high()));
        assertTrue(small.note().contains("n = 2 < 3"), small.note());
        BootstrapCI.Interval flat = BootstrapCI.percentile(CorrelationMethod.KENDALL_TAU_B,
                new double[] {1, 2, 3, 4}, new double[] {7, 7, 7, 7}, 100, 0.95, 1);
        assertTrue(Double.isNaN(flat.low()));
        assertTrue(flat.note().contains("y is constant"), flat.note());
    }

    @Test
    void quantileInterpolatesBetweenOrderStatistics() {
        double[] s = {0, 10, 20, 30, 40};
        assertEquals(0, BootstrapCI.quantile(s, 0), 0);
        assertEquals(40, BootstrapCI.quantile(s, 1), 0);
        assertEquals(5, BootstrapCI.quantile(s, 0.125), 1e-12);
        assertEquals(20, BootstrapCI.quantile(s, 0.5), 0);
    }
}
