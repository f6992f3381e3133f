package org.infometer.estimate.flow;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The closed forms the flow tests rely on. */
class SyntheticPairsTest {

    @Test
    void lnGammaAndDigammaMatchKnownValues() {
        assertEquals(0.0, SyntheticPairs.lnGamma(1), 1e-12);
        assertEquals(Math.log(Math.sqrt(Math.PI)), SyntheticPairs.lnGamma(0.5), 1e-12);
        assertEquals(Math.log(24), SyntheticPairs.lnGamma(5), 1e-12);
        assertEquals(-0.5772156649015329, SyntheticPairs.digamma(1), 1e-12);
        assertEquals(-0.5772156649015329 - 2 * Math.log(2), SyntheticPairs.digamma(0.5), 1e-12);
    }

    @Test
    void studentTTruthMatchesReferenceValue() {
        // nu = 3, 4 + 4 dimensions: 0.2414337 nats (evaluated independently with library lgamma/digamma).
        double nats = SyntheticPairs.studentH(4, 3) * 2 - SyntheticPairs.studentH(8, 3);
        assertEquals(0.2414337316385291, nats, 1e-10);
    }

    @Test
    void mixtureEntropyReducesToGaussianWhenModesMerge() {
        double v = 0.7;
        assertEquals(0.5 * Math.log(2 * Math.PI * Math.E * v * v), SyntheticPairs.mixtureEntropy(0, v), 1e-9);
        // Far-apart modes add exactly one bit (ln 2) of label uncertainty.
        assertEquals(0.5 * Math.log(2 * Math.PI * Math.E * v * v) + Math.log(2),
                SyntheticPairs.mixtureEntropy(40, v), 1e-9);
    }
}
