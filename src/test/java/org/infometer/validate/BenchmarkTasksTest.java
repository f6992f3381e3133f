package org.infometer.validate;

import org.apache.commons.math3.special.Gamma;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchmarkTasksTest {

    @Test
    void suiteCoversTheBmiFamiliesWithUniqueNames() {
        List<BenchmarkTask> all = BenchmarkTasks.all();
        assertTrue(all.size() >= 24, "at least 24 tasks, got " + all.size());
        Set<String> names = new HashSet<>();
        Set<String> families = new HashSet<>();
        for (BenchmarkTask t : all) {
            assertTrue(names.add(t.name()), "duplicate task " + t.name());
            families.add(t.family());
        }
        for (String f : List.of("multinormal", "multinormal-dense", "multinormal-sparse", "uniform-margins",
                "half-cube", "wiggly", "bimodal", "additive-noise", "student-t", "asinh-student-t", "spiral",
                "swiss-roll", "independent")) {
            assertTrue(families.contains(f), "family " + f + " missing");
        }
        assertTrue(names.containsAll(BenchmarkTasks.quick()));
        BenchmarkTask ind = BenchmarkTasks.byName().get("independent-256v256");
        assertEquals(600, ind.fixedSamples());
        assertEquals(0, ind.truthNats());
    }

    @Test
    void closedFormsAgreeWhereFamiliesMeet() {
        // Equicorrelation with one channel per side is one correlated pair.
        assertEquals(BenchmarkTasks.pairsMi(1, 0.5), BenchmarkTasks.equicorrelatedMi(1, 0.5), 1e-12);
        // Additive noise: the two branches meet at e = 1/2.
        assertEquals(0.5, BenchmarkTasks.additiveMi(0.5), 1e-12);
        assertEquals(0.5, BenchmarkTasks.additiveMi(0.5 + 1e-12), 1e-9);
        // Student-t dependence vanishes as nu grows (the distribution tends to independent normals).
        assertTrue(BenchmarkTasks.studentMi(5, 5, 1e6) < 1e-5);
        assertTrue(BenchmarkTasks.studentMi(5, 5, 1) > BenchmarkTasks.studentMi(5, 5, 2));
        // The published value for a bivariate Cauchy (nu = 1): about 0.2242 nats.
        assertEquals(0.2242, BenchmarkTasks.studentMi(1, 1, 1), 5e-4);
    }

    /** log of the multivariate Student-t density with identity dispersion. */
    private static double lnStudent(double[] z, int from, int to, double nu) {
        int k = to - from;
        double q = 0;
        for (int i = from; i < to; i++) {
            q += z[i] * z[i];
        }
        return Gamma.logGamma((nu + k) / 2) - Gamma.logGamma(nu / 2) - 0.5 * k * Math.log(nu * Math.PI)
                - (nu + k) / 2 * Math.log1p(q / nu);
    }

    @Test
    void studentSamplerMatchesItsClosedFormByMonteCarlo() {
        // E[ln p(x, y) - ln p(x) - ln p(y)] over the sampler's draws must be the closed-form MI: checks the
        // sampler (one chi-square per token shared by all channels) and the formula together.
        for (int[] c : new int[][] {{1, 1}, {5, 2}}) {
            int d = c[0];
            int nu = c[1];
            BenchmarkTask t = BenchmarkTasks.byName().get("student-t-" + d + "v" + d + "-nu" + nu);
            SplittableRandom rnd = new SplittableRandom(7);
            double[] x = new double[d];
            double[] y = new double[d];
            double[] z = new double[2 * d];
            int n = 200_000;
            double sum = 0;
            double sum2 = 0;
            for (int i = 0; i < n; i++) {
                t.sampler().draw(rnd, x, y);
                System.arraycopy(x, 0, z, 0, d);
                System.arraycopy(y, 0, z, d, d);
                double pmi = lnStudent(z, 0, 2 * d, nu) - lnStudent(z, 0, d, nu) - lnStudent(z, d, 2 * d, nu);
                sum += pmi;
                sum2 += pmi * pmi;
            }
            double mean = sum / n;
            double se = Math.sqrt((sum2 / n - mean * mean) / n);
            assertEquals(t.truthNats(), mean, 4 * se + 1e-3, t.name());
        }
    }

    @Test
    void gaussianSamplersHaveTheirCorrelations() {
        BenchmarkTask dense = BenchmarkTasks.byName().get("dense-5v5");
        BenchmarkTask sparse = BenchmarkTasks.byName().get("sparse-5v5");
        SplittableRandom rnd = new SplittableRandom(11);
        double[] x = new double[5];
        double[] y = new double[5];
        int n = 100_000;
        double dxy = 0;
        double sxy0 = 0;
        double sxy3 = 0;
        for (int i = 0; i < n; i++) {
            dense.sampler().draw(rnd, x, y);
            dxy += x[1] * y[4];
            sparse.sampler().draw(rnd, x, y);
            sxy0 += x[0] * y[0];
            sxy3 += x[3] * y[3];
        }
        assertEquals(0.5, dxy / n, 0.02);
        assertEquals(0.8, sxy0 / n, 0.02);
        assertEquals(0.0, sxy3 / n, 0.02);
    }

    @Test
    void perChannelTransformsAreStrictlyIncreasing() {
        double prevW = Double.NEGATIVE_INFINITY;
        double prevV = Double.NEGATIVE_INFINITY;
        double prevB = Double.NEGATIVE_INFINITY;
        for (double v = -8; v <= 8; v += 1e-3) {
            double w = BenchmarkTasks.wigglyX(v);
            double wy = BenchmarkTasks.wigglyY(v);
            double b = BenchmarkTasks.BIMODAL_X.quantileOfNormal(v);
            assertTrue(w > prevW && wy > prevV && b > prevB, "not increasing at " + v);
            prevW = w;
            prevV = wy;
            prevB = b;
        }
        // The bimodal map sends N(0, 1) onto the mixture: its CDF at the image is Phi(v).
        for (double v : new double[] {-2, -0.3, 0, 0.7, 2.5}) {
            double q = BenchmarkTasks.BIMODAL_Y.quantileOfNormal(v);
            assertEquals(BenchmarkTasks.normalCdf(v), BenchmarkTasks.BIMODAL_Y.cdf(q), 1e-9);
        }
    }

    @Test
    void spiralKeepsTheNormOfEachModality() {
        BenchmarkTask spiral = BenchmarkTasks.byName().get("spiral-3v3");
        BenchmarkTask base = BenchmarkTasks.byName().get("sparse-3v3");
        double[] x = new double[3];
        double[] y = new double[3];
        double[] bx = new double[3];
        double[] by = new double[3];
        for (int i = 0; i < 100; i++) {
            spiral.sampler().draw(new SplittableRandom(i), x, y);
            base.sampler().draw(new SplittableRandom(i), bx, by);
            assertEquals(norm(bx), norm(x), 1e-9);
            assertEquals(by[2], y[2], 0.0);
        }
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double a : v) {
            s += a * a;
        }
        return Math.sqrt(s);
    }
}
