package org.infometer.estimate;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The algebra of the mergeable states: identity, merge = union, order independence, byte round trips. */
class StatesTest {

    static float[] map(Random r, int t, int c, double scale, double shift) {
        float[] m = new float[t * c];
        for (int i = 0; i < m.length; i++) {
            m[i] = (float) (shift + scale * r.nextGaussian());
        }
        return m;
    }

    @Test
    void exactSumsAreOrderIndependentToTheBit() {
        Random r = new Random(1);
        List<Double> terms = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            terms.add(Math.pow(10, r.nextInt(12) - 4) * r.nextGaussian());
        }
        ExactSums forward = new ExactSums(1);
        terms.forEach(v -> forward.addTerm(0, v));
        Collections.shuffle(terms, new Random(2));
        ExactSums a = new ExactSums(1);
        ExactSums b = new ExactSums(1);
        for (int i = 0; i < terms.size(); i++) {
            (i % 3 == 0 ? a : b).addTerm(0, terms.get(i));
        }
        b.merge(a);
        assertEquals(forward, b);
        assertEquals(Double.doubleToLongBits(forward.get(0)), Double.doubleToLongBits(b.get(0)));
        double naive = terms.stream().mapToDouble(Double::doubleValue).sum();
        assertEquals(naive, forward.get(0), 1e-6 * Math.max(1, Math.abs(naive)));
    }

    @Test
    void exactSumsHandleSignsAndLargeMagnitudes() {
        ExactSums s = new ExactSums(1);
        s.addTerm(0, 1e20);
        s.addTerm(0, -3.25);
        s.addTerm(0, -1e20);
        assertEquals(-3.25, s.get(0), 0.0);
        assertThrows(ArithmeticException.class, () -> s.addTerm(0, Double.NaN));
        assertThrows(ArithmeticException.class, () -> s.addTerm(0, 1e30));
    }

    @Test
    void jointMomentsMergeEqualsUnionExactly() {
        Random r = new Random(3);
        int cx = 5;
        int cy = 3;
        JointMoments all = new JointMoments(cx, cy);
        JointMoments a = new JointMoments(cx, cy);
        JointMoments b = new JointMoments(cx, cy);
        for (int s = 0; s < 20; s++) {
            int t = 3 + s % 4;
            float[] x = map(r, t, cx, 2, 1);
            float[] y = map(r, t, cy, 0.5, -3);
            all.addSample(x, y, t);
            (s % 2 == 0 ? a : b).addSample(x, y, t);
        }
        JointMoments ab = b.copy().merge(a);
        assertEquals(all, ab);
        assertEquals(all, a.copy().merge(b));
        assertEquals(all, all.copy().merge(new JointMoments(cx, cy)));
        assertArrayEquals(all.covariance(), ab.covariance(), 0.0);
        assertEquals(20, all.samples());
    }

    @Test
    void jointMomentsMatchDirectComputation() {
        Random r = new Random(4);
        int t = 50;
        float[] x = map(r, t, 2, 1, 0.5);
        float[] y = map(r, t, 1, 3, 2);
        JointMoments m = new JointMoments(2, 1);
        m.addSample(x, y, t);
        double[] mean = new double[3];
        for (int i = 0; i < t; i++) {
            mean[0] += x[2 * i] / (double) t;
            mean[1] += x[2 * i + 1] / (double) t;
            mean[2] += y[i] / (double) t;
        }
        assertArrayEquals(mean, m.mean(), 1e-12);
        double c02 = 0;
        for (int i = 0; i < t; i++) {
            c02 += (x[2 * i] - mean[0]) * (y[i] - mean[2]) / t;
        }
        // the per-sample Gram is formed in single precision (centred), so agreement is to ~1e-7 relative
        assertEquals(c02, m.covariance()[2 * 3], 1e-6 * Math.abs(c02));
    }

    @Test
    void jointMomentsBytesRoundTrip() {
        Random r = new Random(5);
        JointMoments m = new JointMoments(4, 6);
        m.addSample(map(r, 7, 4, 1, 0), map(r, 7, 6, 1, 0), 7);
        JointMoments back = JointMoments.fromBytes(m.toBytes());
        assertEquals(m, back);
        byte[] bad = m.toBytes();
        bad[3] ^= 1;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JointMoments.fromBytes(bad));
        assertTrue(e.getMessage().contains("Not a JointMoments state"));
    }

    @Test
    void meanVarianceMergeEqualsUnionAndMeanOfLocals() {
        Random r = new Random(6);
        MeanVariance all = new MeanVariance();
        MeanVariance a = new MeanVariance();
        MeanVariance b = new MeanVariance();
        double sum = 0;
        for (int i = 0; i < 1000; i++) {
            double v = 10 + r.nextGaussian() * 3;
            sum += v;
            all.add(v);
            (i < 300 ? a : b).add(v);
        }
        a.merge(b);
        assertEquals(all.count(), a.count());
        assertEquals(all.mean(), a.mean(), 1e-12);
        assertEquals(sum / 1000, all.mean(), 1e-12);
        assertEquals(all.variance(), a.variance(), 1e-9);
        assertEquals(Math.sqrt(all.variance() / 1000), all.standardError(), 1e-15);
        assertTrue(Double.isNaN(new MeanVariance().add(1).standardError()));
    }

    @Test
    void foldsAreStableAndBalanced() {
        int[] counts = new int[5];
        for (int i = 0; i < 10000; i++) {
            counts[StableHash.fold("sample-" + i, 5, 42)]++;
        }
        for (int c : counts) {
            assertTrue(Math.abs(c - 2000) < 150, "fold sizes " + java.util.Arrays.toString(counts));
        }
        assertEquals(StableHash.fold("abc", 5, 42), StableHash.fold("abc", 5, 42));
        // Golden value: changing the hash would silently move samples between folds and change every table.
        assertEquals(137532670194891359L, StableHash.of("sample", 7));
    }
}
