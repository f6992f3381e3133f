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

    /**
     * Bulk adds (pending 32-bit halves, carried over on every read) give the same bits as one addTerm per term, for
     * terms on both paths and both signs, across merges, copies, the byte codec and Java serialization.
     */
    @Test
    void bulkAddsEqualTermByTermAddsBitForBit() throws Exception {
        SplittableRandom rnd = new SplittableRandom(7);
        int n = 64;
        ExactSums bulk = new ExactSums(n);
        ExactSums single = new ExactSums(n);
        BigInteger[] exact = new BigInteger[n];
        java.util.Arrays.fill(exact, BigInteger.ZERO);
        for (int call = 0; call < 500; call++) {
            int offset = rnd.nextInt(0, 8);
            double[] v = new double[n - offset];
            for (int i = 0; i < v.length; i++) {
                v[i] = Math.scalb(rnd.nextDouble(), rnd.nextInt(-50, 30)) * (rnd.nextBoolean() ? 1 : -1);
                if (i % 7 == 0) {
                    v[i] = Math.copySign(Math.nextDown(Math.scalb(1.0, 14)), v[i]);
                }
                single.addTerm(offset + i, v[i]);
                exact[offset + i] = exact[offset + i].add(quantised(v[i]));
            }
            bulk.add(v, offset, v.length);
            if (call == 250) {
                assertEquals(single, bulk, "mid-way");
            }
        }
        assertEquals(single, bulk);
        for (int i = 0; i < n; i++) {
            double expected = new BigDecimal(exact[i]).divide(QUANTUM_INV).doubleValue();
            assertEquals(expected, bulk.get(i), Math.ulp(expected), "entry " + i);
        }
        ExactSums more = new ExactSums(n);
        double[] ones = new double[n];
        java.util.Arrays.fill(ones, -1.25);
        more.add(ones, 0, n);
        ExactSums merged = bulk.copy();
        merged.merge(more);
        ExactSums reference = single.copy();
        for (int i = 0; i < n; i++) {
            reference.addTerm(i, -1.25);
        }
        assertEquals(reference, merged);
        // Pending terms travel: through the codec and through Java serialization.
        ExactSums fresh = new ExactSums(n);
        fresh.add(ones, 0, n);
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(fresh.encodedSize());
        fresh.write(buf);
        buf.flip();
        assertEquals(more, ExactSums.read(buf));
        ExactSums again = new ExactSums(n);
        again.add(ones, 0, n);
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(again);
        }
        try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(
                new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            assertEquals(more, in.readObject());
        }
    }
}
