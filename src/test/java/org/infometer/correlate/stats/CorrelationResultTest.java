package org.infometer.correlate.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CorrelationResultTest {

    private static final Correlation.TestSettings SETTINGS = new Correlation.TestSettings(999, 500, 0.95, 0.05, 7);

    @Test
    void fourPointsCannotBeSignificant() {
        CorrelationResult r = Correlation.test(CorrelationMethod.SPEARMAN, new double[] {1, 2, 3, 4},
                new double[] {0.2, 0.3, 0.5, 0.9}, SETTINGS);
        assertEquals(1.0, r.coefficient(), 0);
        assertEquals(1.0 / 12, r.pValue(), 1e-15);
        assertEquals("positive", r.direction());
        assertEquals("perfect", r.strength());
        assertTrue(r.underpowered());
        String text = r.describe();
        assertTrue(text.contains("n = 4: even a perfect rank correlation cannot reach p < 0.05 two-sided"), text);
        assertTrue(text.contains("exact permutation p = 0.083"), text);
    }

    @Test
    void largeClearNegativeIsSignificant() {
        int n = 40;
        double[] x = new double[n];
        double[] y = new double[n];
        SplitMix64 rng = new SplitMix64(3);
        for (int i = 0; i < n; i++) {
            x[i] = i;
            y[i] = -0.5 * i + 3 * rng.nextGaussian();
        }
        CorrelationResult r = Correlation.test(CorrelationMethod.PEARSON, x, y, SETTINGS);
        assertEquals(PValueKind.MONTE_CARLO, r.pValueKind());
        assertEquals("negative", r.direction());
        assertTrue(r.significant());
        assertFalse(r.underpowered());
        assertTrue(r.ciLow() < r.coefficient() && r.coefficient() < r.ciHigh());
        String text = r.describe();
        assertTrue(text.contains("Monte Carlo permutation p (999 permutations) = 0.001 two-sided"), text);
        assertTrue(text.contains("Significant at the 0.05 level."), text);
    }

    @Test
    void undefinedIsSaidPlainly() {
        CorrelationResult r = Correlation.test(CorrelationMethod.KENDALL_TAU_B, new double[] {1, 2, 3},
                new double[] {2, 2, 2}, SETTINGS);
        assertTrue(Double.isNaN(r.coefficient()));
        assertEquals(PValueKind.UNDEFINED, r.pValueKind());
        assertEquals("Kendall undefined for n = 3: y is constant.", r.describe());
    }

    @Test
    void strengthWords() {
        assertEquals("negligible", CorrelationResult.strength(0.05));
        assertEquals("weak", CorrelationResult.strength(-0.2));
        assertEquals("moderate", CorrelationResult.strength(0.45));
        assertEquals("strong", CorrelationResult.strength(-0.7));
        assertEquals("very strong", CorrelationResult.strength(0.95));
        assertEquals("perfect", CorrelationResult.strength(-1));
        assertEquals("none", CorrelationResult.direction(0));
    }
}
