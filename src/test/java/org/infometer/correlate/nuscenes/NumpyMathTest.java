package org.infometer.correlate.nuscenes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class NumpyMathTest {

    @Test
    void interpUsesLeftRightAndLastOfRepeatedRun() {
        double[] xp = {0.2, 0.5, 0.5, 0.5, 1.0};
        double[] fp = {10, 20, 30, 40, 50};
        double[] got = NumpyMath.interp(new double[] {0.0, 0.2, 0.35, 0.5, 0.75, 1.0, 1.5}, xp, fp, -1, -2);
        // 0.35: between 0.2 (10) and the run's first entry (20); 0.5: run's last (40); 0.75: 40 -> 50.
        assertArrayEquals(new double[] {-1, 10, 15, 40, 45, 50, -2}, got, 1e-12);
    }

    @Test
    void interpWithSinglePoint() {
        double[] got = NumpyMath.interp(new double[] {0.1, 0.3, 0.5}, new double[] {0.3}, new double[] {7}, 1, 0);
        assertArrayEquals(new double[] {1, 7, 0}, got, 0);
    }

    @Test
    void linspaceMatchesNumpyPoints() {
        double[] v = NumpyMath.linspace01(101);
        assertEquals(0.0, v[0], 0);
        assertEquals(7 * 0.01, v[7], 0); // numpy computes i * step, not i / 100
        assertEquals(1.0, v[100], 0);
    }

    @Test
    void cummeanSkipsNaNAndAllNaNIsOnes() {
        assertArrayEquals(new double[] {0, 2, 3, 3}, NumpyMath.cummean(new double[] {Double.NaN, 2, 4, Double.NaN}), 0);
        assertArrayEquals(new double[] {1, 1}, NumpyMath.cummean(new double[] {Double.NaN, Double.NaN}), 0);
    }

    @Test
    void pairwiseSumAgreesWithPlainSum() {
        double[] a = new double[300];
        for (int i = 0; i < a.length; i++) {
            a[i] = 1.0 / (i + 1);
        }
        double plain = 0;
        for (double d : a) {
            plain += d;
        }
        assertEquals(plain, NumpyMath.sum(a, 0, a.length), 1e-12);
        assertEquals(2.0, NumpyMath.nanmean(new double[] {1, Double.NaN, 3}), 0);
    }

    @Test
    void pythonModulo() {
        assertEquals(1.0, NumpyMath.pyMod(-1.0, 2.0), 0);
        assertEquals(0.5, NumpyMath.pyMod(2.5, 2.0), 0);
    }
}
