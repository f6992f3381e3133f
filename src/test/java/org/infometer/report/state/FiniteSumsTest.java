package org.infometer.report.state;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FiniteSumsTest {

    @Test
    void nonFiniteTermsGiveWhatAFloatingPointSumGives() {
        FiniteSums s = new FiniteSums(4);
        s.add(0, 1.5);
        s.add(0, Double.NaN);
        s.add(1, Double.POSITIVE_INFINITY);
        s.add(1, -2);
        s.add(2, Double.POSITIVE_INFINITY);
        FiniteSums other = new FiniteSums(4);
        other.add(2, Double.NEGATIVE_INFINITY);
        other.add(3, -0.25);
        s.merge(other);
        assertTrue(Double.isNaN(s.get(0)));
        assertEquals(Double.POSITIVE_INFINITY, s.get(1));
        assertTrue(Double.isNaN(s.get(2)));
        assertEquals(-0.25, s.get(3));
    }

    @Test
    void aNegativeTotalReadsAsAccuratelyAsAPositiveOne() {
        double v = -2.859521400463805;
        FiniteSums s = new FiniteSums(1);
        s.add(0, v);
        s.add(0, 0.5);
        s.add(0, -0.5);
        // (ExactSums alone read this total about 3e-12 away: a negative total's low word is near 2^64)
        assertEquals(v, s.get(0), 1e-14);
    }
}
