package org.infometer.estimate.variational;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MINE complementarity against closed forms: X, Y uniform bits and a target that is their XOR (I(X;T) = I(Y;T) = 0,
 * I(X,Y;T) = 1 bit, so C = 1 bit) or a copy of X (I(X;T) = 1 = I(X,Y;T), I(Y;T) = 0, so C = 0).
 */
class ComplementarityTest {

    static final int N = 3000;
    // The settings of the pid job's MINE terms.
    static final CriticConfig CONFIG = Complementarity.DEFAULT_CRITIC.withSeed(11L);

    private static Complementarity.Result run(boolean xor) {
        SplittableRandom r = new SplittableRandom(5);
        int[] x = new int[N];
        int[] y = new int[N];
        int[] t = new int[N];
        int[] fold = new int[N];
        for (int i = 0; i < N; i++) {
            x[i] = r.nextInt(2);
            y[i] = r.nextInt(2);
            t[i] = xor ? x[i] ^ y[i] : x[i];
            fold[i] = (i / 10) % 3;   // ten tokens per "sample", samples dealt to 3 folds
        }
        return Complementarity.estimate(x, y, t, fold, 2, 2, 2, 3, CONFIG);
    }

    @Test
    void xorTargetIsFullyComplementary() {
        Complementarity.Result c = run(true);
        System.out.printf("XOR: I(X;T) %.4f I(Y;T) %.4f I(X,Y;T) %.4f C %.4f ± %.4f%n", c.iX().bits(),
                c.iY().bits(), c.iJoint().bits(), c.complementarity().bits(), c.complementarity().seBits());
        // A lower bound trained briefly: within 0.1 bits of the truth; the single terms within 0.05 of 0.
        assertEquals(1.0, c.iJoint().bits(), 0.1);
        assertEquals(0.0, c.iX().bits(), 0.05);
        assertEquals(0.0, c.iY().bits(), 0.05);
        assertEquals(1.0, c.complementarity().bits(), 0.1);
        assertTrue(c.complementarity().seBits() > 0);
    }

    @Test
    void copiedTargetHasNoComplementarity() {
        Complementarity.Result c = run(false);
        System.out.printf("copy: I(X;T) %.4f I(Y;T) %.4f I(X,Y;T) %.4f C %.4f ± %.4f%n", c.iX().bits(),
                c.iY().bits(), c.iJoint().bits(), c.complementarity().bits(), c.complementarity().seBits());
        assertEquals(1.0, c.iX().bits(), 0.1);
        assertEquals(0.0, c.iY().bits(), 0.05);
        assertEquals(0.0, c.complementarity().bits(), 0.05);
    }
}
