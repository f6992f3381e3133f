package org.infometer.pid;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bootstrap bias correction of the plug-in BROJA terms. With x, y and target independent (12 x 12 x 4 cells) every
 * true term is 0, while the plug-in terms are positive (synergy about 0.015 bits at 20,000 rows): the corrected
 * terms must lie within 2 bootstrap SE of 0 and every interval must contain 0 and the reported (corrected) value.
 */
class PidBiasCorrectionTest {

    static final int K = 12;
    static final int T = 4;

    /** Independent uniform x1, x2, y in samples of 20 tokens, 10 samples per scene. */
    static List<PidBootstrap.Sample> independent(int rows, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<PidBootstrap.Sample> out = new ArrayList<>();
        int tokens = 20;
        for (int i = 0; i < rows / tokens; i++) {
            int[] a = new int[tokens];
            int[] b = new int[tokens];
            int[] y = new int[tokens];
            for (int t = 0; t < tokens; t++) {
                a[t] = rnd.nextInt(K);
                b[t] = rnd.nextInt(K);
                y[t] = rnd.nextInt(T);
            }
            out.add(PidBootstrap.Sample.ofTokens("scene-" + (i / 10), "sample-" + i, a, b, y));
        }
        return out;
    }

    static void assertCorrectedNearZero(int rows, int replicates) {
        PidBootstrap.Result r = new PidBootstrap(BrojaSolver.withDefaults()).run(K, K, T, independent(rows, rows),
                new PidBootstrap.Options(replicates, 0.95, 42L, 2));
        assertEquals(0, r.failedReplicates());
        for (int i = 0; i < 4; i++) {
            PidBootstrap.Corrected c = r.corrected().get(i);
            String term = PidBootstrap.Result.CORRECTED_TERMS.get(i);
            System.out.printf("rows %d %s: raw %.5f bias %.5f corrected %.5f se %.5f [%.5f, %.5f]%n", rows, term,
                    c.raw(), c.bias(), c.value(), c.se(), c.lower(), c.upper());
            assertTrue(Math.abs(c.value()) <= 2 * c.se(), rows + " rows, " + term + ": " + c);
            assertTrue(c.contains(0), rows + " rows, " + term + ": " + c);
            assertTrue(c.contains(c.value()), rows + " rows, " + term + ": " + c);
            assertEquals(c.raw() + c.bias(), 2 * c.raw() - c.value(), 1e-12);
        }
        // The plug-in synergy is biased upward by far more than its corrected value's distance from 0.
        PidBootstrap.Corrected s = r.corrected().get(3);
        assertTrue(s.raw() > 0 && s.bias() > 0, s.toString());
        // Corrected terms keep the identities: R + U1 + U2 + S = I(X1,X2;Y), R + U1 = I(X1;Y), R + U2 = I(X2;Y).
        double[] v = r.corrected().stream().mapToDouble(PidBootstrap.Corrected::value).toArray();
        assertEquals(v[6], v[0] + v[1] + v[2] + v[3], 1e-9);
        assertEquals(v[4], v[0] + v[1], 1e-9);
        assertEquals(v[5], v[0] + v[2], 1e-9);
    }

    @Test
    void correctedTermsOfIndependentDataAreZeroWithinTheirIntervals2k() {
        assertCorrectedNearZero(2_000, 100);
    }

    @Test
    void correctedTermsOfIndependentDataAreZeroWithinTheirIntervals20k() {
        assertCorrectedNearZero(20_000, 100);
    }

    @Test
    void correctedTermsOfIndependentDataAreZeroWithinTheirIntervals200k() {
        assertCorrectedNearZero(200_000, 40);
    }
}
