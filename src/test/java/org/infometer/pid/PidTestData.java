package org.infometer.pid;

import java.util.SplittableRandom;

/** Distributions shared by the PID tests. */
final class PidTestData {

    static final double LOG2_3 = Math.log(3) / Math.log(2);

    private PidTestData() {
    }

    /**
     * Equally likely outcomes written as digit strings "x1 x2 y", e.g. {@code "000", "011"}; repeating an
     * outcome doubles its weight.
     */
    static JointDistribution outcomes(int n1, int n2, int ny, String... outcomes) {
        double[] w = new double[n1 * n2 * ny];
        for (String o : outcomes) {
            int a = o.charAt(0) - '0';
            int b = o.charAt(1) - '0';
            int y = o.charAt(2) - '0';
            w[(a * n2 + b) * ny + y] += 1.0;
        }
        return JointDistribution.fromFlat(n1, n2, ny, w);
    }

    /** Y = (X1, X2) encoded as x1 * nB + x2, with X1 uniform on nA values and X2 uniform on nB, independent. */
    static JointDistribution copy(int nA, int nB) {
        double[] w = new double[nA * nB * nA * nB];
        for (int a = 0; a < nA; a++) {
            for (int b = 0; b < nB; b++) {
                w[(a * nB + b) * (nA * nB) + a * nB + b] = 1.0;
            }
        }
        return JointDistribution.fromFlat(nA, nB, nA * nB, w);
    }

    /** Random weights; each cell nonzero with probability {@code density} (at least one cell is nonzero). */
    static JointDistribution random(int n1, int n2, int ny, double density, SplittableRandom rng) {
        double[] w = new double[n1 * n2 * ny];
        boolean any = false;
        for (int i = 0; i < w.length; i++) {
            if (rng.nextDouble() < density) {
                w[i] = rng.nextDouble() + 1e-3;
                any = true;
            }
        }
        if (!any) {
            w[rng.nextInt(w.length)] = 1.0;
        }
        return JointDistribution.fromFlat(n1, n2, ny, w);
    }

    static int[] randomPermutation(int n, SplittableRandom rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
