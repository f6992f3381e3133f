package org.infometer.estimate;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fixed-point range of {@link ExactSums}: totals beyond 2^79 fail instead of wrapping to a wrong value. */
class ExactSumsRangeTest {

    static final double BIG = Math.scalb(1.0, 77) * 1.5;   // inside the per-term range 2^78

    @Test
    void aTotalBeyondTheRangeFailsInsteadOfWrapping() {
        ExactSums s = new ExactSums(1);
        s.addTerm(0, BIG);
        s.addTerm(0, BIG);   // 1.5 * 2^78 < 2^79: still representable
        assertEquals(2 * BIG, s.get(0));
        ArithmeticException e = assertThrows(ArithmeticException.class, () -> s.addTerm(0, BIG));
        assertTrue(e.getMessage().contains("overflows the fixed-point range 2^79"), e.getMessage());
    }

    @Test
    void negativeTotalsFailTheSameWay() {
        ExactSums s = new ExactSums(1);
        s.addTerm(0, -BIG);
        s.addTerm(0, -BIG);
        assertThrows(ArithmeticException.class, () -> s.addTerm(0, -BIG));
    }

    @Test
    void mergingTwoLargeTotalsFailsAndSmallOnesStayExact() {
        ExactSums a = new ExactSums(2);
        ExactSums b = new ExactSums(2);
        a.addTerm(0, BIG);
        a.addTerm(0, BIG);
        b.addTerm(0, BIG);
        b.addTerm(0, BIG);
        assertThrows(ArithmeticException.class, () -> a.copy().merge(b));
        ExactSums c = new ExactSums(2);
        ExactSums d = new ExactSums(2);
        c.addTerm(1, 0.1);
        c.addTerm(1, -3e20);
        d.addTerm(1, 3e20);
        c.merge(d);
        assertEquals(0.1, c.get(1), 1e-14);
    }

    @Test
    void aSingleTermBeyondTwoTo78IsRefused() {
        ExactSums s = new ExactSums(1);
        assertThrows(ArithmeticException.class, () -> s.addTerm(0, 1e30));
        assertThrows(ArithmeticException.class, () -> s.addTerm(0, Double.NaN));
    }
}
