package org.infometer.estimate.variational;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Cross-fitted MINE and InfoNCE against Gaussian pairs of known MI: channel c of x and of y have correlation rho,
 * so I = -pairs/2 ln(1 - rho^2) nats. Both bounds are biased low with a finite critic and finite steps; the
 * tolerance below is what these settings reach, not a property of the bounds.
 */
class CrossFittedBoundTest {

    private static final int N = 3000;
    private static final int FOLDS = 2;

    private record Data(float[] x, float[] y, int[] fold, double truth) {
    }

    private static Data gaussian(int pairs, double rho, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[N * pairs];
        float[] y = new float[N * pairs];
        int[] fold = new int[N];
        double s = Math.sqrt(1 - rho * rho);
        for (int i = 0; i < N; i++) {
            fold[i] = r.nextInt(FOLDS);
            for (int c = 0; c < pairs; c++) {
                double a = CriticTrainer.gaussian(r);
                x[i * pairs + c] = (float) a;
                y[i * pairs + c] = (float) (rho * a + s * CriticTrainer.gaussian(r));
            }
        }
        return new Data(x, y, fold, -0.5 * pairs * Math.log(1 - rho * rho));
    }

    private static CrossFittedBound.Result run(Data d, int pairs, Bound b, int batch, int steps) {
        CriticConfig cfg = new CriticConfig(32, steps, batch, 3e-3, 0.01, 42L);
        return CrossFittedBound.estimate(d.x(), d.y(), N, pairs, pairs, d.fold(), FOLDS, b, cfg);
    }

    @Test
    void mineRecoversGaussianMiFromBelow() {
        Data d = gaussian(2, 0.8, 1);
        CrossFittedBound.Result r = run(d, 2, Bound.MINE, 128, 800);
        System.out.printf("MINE 2+2 rho .8: %.4f +- %.4f, truth %.4f%n", r.valueNats(), r.seNats(), d.truth());
        assertTrue(r.valueNats() > d.truth() - 0.3, "MINE " + r.valueNats() + " vs " + d.truth());
        assertTrue(r.valueNats() < d.truth() + 3 * r.seNats() + 0.05, "MINE above truth: " + r.valueNats());
    }

    @Test
    void infoNceRecoversGaussianMiFromBelow() {
        Data d = gaussian(2, 0.8, 2);
        CrossFittedBound.Result r = run(d, 2, Bound.INFONCE, 32, 400);
        System.out.printf("InfoNCE K=32 2+2 rho .8: %.4f +- %.4f, truth %.4f%n", r.valueNats(), r.seNats(),
                d.truth());
        assertTrue(r.valueNats() > d.truth() - 0.3, "InfoNCE " + r.valueNats() + " vs " + d.truth());
        assertTrue(r.valueNats() < d.truth() + 3 * r.seNats() + 0.05, "InfoNCE above truth: " + r.valueNats());
        assertFalse(r.nearCeiling());
    }

    @Test
    void independenceGivesAboutZero() {
        Data d = gaussian(2, 0.0, 3);
        for (Bound b : Bound.values()) {
            CrossFittedBound.Result r = run(d, 2, b, 32, 300);
            System.out.printf("%s independent: %.4f +- %.4f%n", b, r.valueNats(), r.seNats());
            assertTrue(r.valueNats() < 3 * r.seNats() + 0.03, b + " positive under independence: " + r.valueNats());
            assertTrue(r.valueNats() > -0.15, b + " strongly negative: " + r.valueNats());
        }
    }

    @Test
    void infoNceSaturatesAtLnKAndSaysSo() {
        double rho = Math.sqrt(1 - Math.exp(-2));
        Data d = gaussian(4, rho, 4);
        assertEquals(4.0, d.truth(), 1e-9);
        CrossFittedBound.Result r = run(d, 4, Bound.INFONCE, 16, 500);
        System.out.printf("InfoNCE K=16, truth 4 nats: %.4f (ln K %.4f)%n", r.valueNats(), r.ceilingNats());
        assertTrue(r.valueNats() <= Math.log(16) + 1e-9);
        assertTrue(r.nearCeiling(), "estimate " + r.valueNats() + " not flagged at ceiling " + r.ceilingNats());
    }

    @Test
    void sameSeedSameLocals() {
        Data d = gaussian(2, 0.8, 5);
        double[] a = run(d, 2, Bound.MINE, 64, 50).localsNats();
        double[] b = run(d, 2, Bound.MINE, 64, 50).localsNats();
        assertArrayEquals(a, b);
    }
}
