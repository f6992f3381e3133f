package org.infometer.estimate;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link ExactSums} against exact decimal arithmetic: every term truncated toward zero to a multiple of 2^-48, the
 * total then exact. Terms straddle the small-term fast path (|v| < 2^14) and the general path, with both signs,
 * so the two paths must agree bit for bit and any order of adding gives the same total.
 */
class ExactSumsArithmeticTest {

    private static final BigDecimal QUANTUM_INV = new BigDecimal(BigInteger.ONE.shiftLeft(48));

    private static BigInteger quantised(double v) {
        return new BigDecimal(v).multiply(QUANTUM_INV).setScale(0, RoundingMode.DOWN).toBigIntegerExact();
    }

    @Test
    void totalsEqualTheExactSumOfTruncatedTermsOnBothPaths() {
        SplittableRandom rnd = new SplittableRandom(20261207);
        for (int trial = 0; trial < 200; trial++) {
            ExactSums forward = new ExactSums(1);
            ExactSums backward = new ExactSums(1);
            double[] terms = new double[50];
            BigInteger exact = BigInteger.ZERO;
            for (int i = 0; i < terms.length; i++) {
                // magnitudes from 2^-60 to 2^40: below, at and above the fast path's limit 2^14
                double v = Math.scalb(rnd.nextDouble(), rnd.nextInt(-60, 40)) * (rnd.nextBoolean() ? 1 : -1);
                if (i % 10 == 0) {
                    v = Math.copySign(Math.nextDown(Math.scalb(1.0, 14)), v);
                }
                terms[i] = v;
                exact = exact.add(quantised(v));
                forward.addTerm(0, v);
            }
            for (int i = terms.length - 1; i >= 0; i--) {
                backward.addTerm(0, terms[i]);
            }
            assertEquals(forward, backward, "order changed the total");
            double expected = new BigDecimal(exact).divide(QUANTUM_INV).doubleValue();
            assertEquals(expected, forward.get(0), Math.ulp(expected), "trial " + trial);
        }
    }

    @Test
    void aSmallTermAndItsNegationCancelToExactZero() {
        ExactSums s = new ExactSums(1);
        s.addTerm(0, 1234.5678);
        s.addTerm(0, -1234.5678);
        s.addTerm(0, 3e4);   // general path
        s.addTerm(0, -3e4);
        assertEquals(new ExactSums(1), s);
    }
}
