package org.infometer.pid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DenseCholeskyTest {

    /** Random SPD matrix B B^T + n I, full storage. */
    private static double[] spd(int n, SplittableRandom rng) {
        double[] b = new double[n * n];
        for (int i = 0; i < b.length; i++) {
            b[i] = rng.nextDouble() - 0.5;
        }
        double[] a = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double s = 0;
                for (int k = 0; k < n; k++) {
                    s += b[i * n + k] * b[j * n + k];
                }
                a[i * n + j] = s + (i == j ? n : 0);
                a[j * n + i] = a[i * n + j];
            }
        }
        return a;
    }

    @Test
    void factorAndSolveAcrossBlockBoundaries() {
        SplittableRandom rng = new SplittableRandom(1);
        for (int n : new int[]{1, 5, 64, 65, 150}) {
            double[] a = spd(n, rng);
            double[] l = a.clone();
            assertTrue(DenseCholesky.factor(l, n, DenseCholesky.workspace(n)));
            double[] x = new double[n];
            for (int i = 0; i < n; i++) {
                x[i] = rng.nextDouble();
            }
            double[] b = new double[n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    b[i] += a[i * n + j] * x[j];
                }
            }
            DenseCholesky.solve(l, n, b);
            for (int i = 0; i < n; i++) {
                assertEquals(x[i], b[i], 1e-10);
            }
        }
    }

    @Test
    void indefiniteMatrixFailsUnlessPivotsMayBeDropped() {
        double[] a = {1, 2, 2, 1};
        assertFalse(DenseCholesky.factor(a.clone(), 2, DenseCholesky.workspace(2)));
        double[] l = a.clone();
        assertEquals(1, DenseCholesky.factor(l, 2, DenseCholesky.workspace(2), 1e-14));
        double[] b = {1, 1};
        DenseCholesky.solve(l, 2, b);
        assertTrue(Double.isFinite(b[0]) && Double.isFinite(b[1]));
    }

    @Test
    void gramUpdateMatchesDirectProduct() {
        SplittableRandom rng = new SplittableRandom(2);
        int n = 70;
        int k = 133;
        double[] l = new double[n * k];
        for (int i = 0; i < l.length; i++) {
            l[i] = rng.nextDouble() < 0.3 ? 0 : rng.nextDouble() - 0.5;
        }
        double[] m = new double[n * n];
        DenseCholesky.subtractGram(m, n, l, k);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double s = 0;
                for (int t = 0; t < k; t++) {
                    s += l[i * k + t] * l[j * k + t];
                }
                assertEquals(-s, m[i * n + j], 1e-12);
            }
        }
    }
}
