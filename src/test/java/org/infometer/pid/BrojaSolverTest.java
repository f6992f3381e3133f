package org.infometer.pid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BrojaSolverTest {

    private final BrojaSolver solver = BrojaSolver.withDefaults();

    /** Identities, signs, certificate and feasibility of the optimum, for one distribution. */
    private static PidResult assertSound(JointDistribution p, BrojaSolver.Solution sol) {
        PidResult r = sol.result();
        String ctx = p + " -> " + r;
        assertTrue(r.converged(), ctx);
        assertEquals(p.miJointBits(), r.redundancyBits() + r.uniqueX1Bits() + r.uniqueX2Bits() + r.synergyBits(), 1e-9,
                ctx);
        assertEquals(p.miX1YBits(), r.redundancyBits() + r.uniqueX1Bits(), 1e-9, ctx);
        assertEquals(p.miX2YBits(), r.redundancyBits() + r.uniqueX2Bits(), 1e-9, ctx);
        assertTrue(r.redundancyBits() >= -1e-12, ctx);
        assertTrue(r.uniqueX1Bits() >= -1e-12, ctx);
        assertTrue(r.uniqueX2Bits() >= -1e-12, ctx);
        assertTrue(r.synergyBits() >= -1e-12, ctx);
        assertTrue(r.dualityGapBits() <= 1e-12, ctx);
        assertTrue(r.feasibilityResidual() <= 1e-13, ctx);

        // The optimum lies in Δp and carries the reported I_q(X1,X2;Y).
        JointDistribution q = sol.optimum();
        double[][] p1 = p.marginalX1Y();
        double[][] q1 = q.marginalX1Y();
        double[][] p2 = p.marginalX2Y();
        double[][] q2 = q.marginalX2Y();
        for (int a = 0; a < p.sizeX1(); a++) {
            for (int y = 0; y < p.sizeY(); y++) {
                assertEquals(p1[a][y], q1[a][y], 1e-13, ctx);
            }
        }
        for (int b = 0; b < p.sizeX2(); b++) {
            for (int y = 0; y < p.sizeY(); y++) {
                assertEquals(p2[b][y], q2[b][y], 1e-13, ctx);
            }
        }
        for (int a = 0; a < p.sizeX1(); a++) {
            for (int b = 0; b < p.sizeX2(); b++) {
                for (int y = 0; y < p.sizeY(); y++) {
                    if (q.p(a, b, y) > 0) {
                        assertTrue(p1[a][y] > 0 && p2[b][y] > 0, "mass outside the allowed support " + ctx);
                    }
                }
            }
        }
        assertEquals(p.miJointBits() - r.synergyBits(), q.miJointBits(), 1e-9, ctx);
        return r;
    }

    @Test
    void identitiesHoldOnRandomDenseDistributions() {
        SplittableRandom rng = new SplittableRandom(1);
        for (int k = 0; k < 25; k++) {
            JointDistribution p = PidTestData.random(1 + rng.nextInt(8), 1 + rng.nextInt(8), 2 + rng.nextInt(5), 1.0,
                    rng);
            assertSound(p, solver.solveWithOptimum(p));
        }
    }

    @Test
    void identitiesHoldOnRandomSparseDistributionsWithZeroCells() {
        SplittableRandom rng = new SplittableRandom(2);
        for (int k = 0; k < 40; k++) {
            double density = 0.05 + 0.4 * rng.nextDouble();
            JointDistribution p = PidTestData.random(1 + rng.nextInt(10), 1 + rng.nextInt(10), 1 + rng.nextInt(6),
                    density, rng);
            assertSound(p, solver.solveWithOptimum(p));
        }
    }

    @Test
    void mediumDenseAndSparseProblemsConverge() {
        SplittableRandom rng = new SplittableRandom(3);
        JointDistribution dense = PidTestData.random(24, 20, 8, 1.0, rng);
        assertSound(dense, solver.solveWithOptimum(dense));
        JointDistribution sparse = PidTestData.random(24, 24, 8, 0.1, rng);
        assertSound(sparse, solver.solveWithOptimum(sparse));
    }

    @Test
    void matchesBruteForceOnTwoByTwoSources() {
        // With binary sources each y-slice of Δp is a segment, so the problem has one free parameter per y;
        // coordinate-wise golden-section search on the convex objective gives an independent answer.
        SplittableRandom rng = new SplittableRandom(4);
        for (int k = 0; k < 10; k++) {
            JointDistribution p = PidTestData.random(2, 2, 2 + rng.nextInt(2), 1.0, rng);
            double iq = bruteForceMinIq(p);
            PidResult r = solver.solve(p);
            assertEquals(p.miJointBits() - iq, r.synergyBits(), 1e-7, p + " -> " + r);
        }
    }

    private static double bruteForceMinIq(JointDistribution p) {
        int ny = p.sizeY();
        double[][] p1 = p.marginalX1Y();
        double[][] p2 = p.marginalX2Y();
        double[] lo = new double[ny];
        double[] hi = new double[ny];
        double[] t = new double[ny];
        for (int y = 0; y < ny; y++) {
            // q(0,0,y) = t; q(0,1,y) = p1(0,y) - t; q(1,0,y) = p2(0,y) - t; q(1,1,y) = p1(1,y) - p2(0,y) + t.
            lo[y] = Math.max(0, p2[0][y] - p1[1][y]);
            hi[y] = Math.min(p1[0][y], p2[0][y]);
            t[y] = 0.5 * (lo[y] + hi[y]);
        }
        for (int sweep = 0; sweep < 60; sweep++) {
            for (int y = 0; y < ny; y++) {
                double a = lo[y];
                double b = hi[y];
                double g = (Math.sqrt(5) - 1) / 2;
                for (int it = 0; it < 80; it++) {
                    double c = b - g * (b - a);
                    double d = a + g * (b - a);
                    t[y] = c;
                    double fc = conditionalEntropyNeg(p1, p2, t);
                    t[y] = d;
                    double fd = conditionalEntropyNeg(p1, p2, t);
                    if (fc < fd) {
                        b = d;
                    } else {
                        a = c;
                    }
                }
                t[y] = 0.5 * (a + b);
            }
        }
        return p.entropyYBits() + conditionalEntropyNeg(p1, p2, t) / Math.log(2);
    }

    /** f = sum q ln(q / q(x1,x2)) for the 2 x 2 coupling with parameters t. */
    private static double conditionalEntropyNeg(double[][] p1, double[][] p2, double[] t) {
        int ny = t.length;
        double[][] q = new double[4][ny];
        for (int y = 0; y < ny; y++) {
            q[0][y] = t[y];
            q[1][y] = p1[0][y] - t[y];
            q[2][y] = p2[0][y] - t[y];
            q[3][y] = p1[1][y] - p2[0][y] + t[y];
        }
        double f = 0;
        for (double[] cell : q) {
            double s = 0;
            for (double v : cell) {
                s += Math.max(v, 0);
            }
            for (double v : cell) {
                if (v > 0) {
                    f += v * Math.log(v / s);
                }
            }
        }
        return f;
    }

    @Test
    void invariantToRelabellingValues() {
        SplittableRandom rng = new SplittableRandom(5);
        for (int k = 0; k < 8; k++) {
            int n1 = 2 + rng.nextInt(5);
            int n2 = 2 + rng.nextInt(5);
            int ny = 2 + rng.nextInt(4);
            JointDistribution p = PidTestData.random(n1, n2, ny, k % 2 == 0 ? 1.0 : 0.3, rng);
            JointDistribution relabelled = p.relabel(PidTestData.randomPermutation(n1, rng),
                    PidTestData.randomPermutation(n2, rng), PidTestData.randomPermutation(ny, rng));
            PidResult a = solver.solve(p);
            PidResult b = solver.solve(relabelled);
            assertEquals(a.redundancyBits(), b.redundancyBits(), 1e-10);
            assertEquals(a.uniqueX1Bits(), b.uniqueX1Bits(), 1e-10);
            assertEquals(a.uniqueX2Bits(), b.uniqueX2Bits(), 1e-10);
            assertEquals(a.synergyBits(), b.synergyBits(), 1e-10);
        }
    }

    @Test
    void swappingSourcesSwapsUniqueTerms() {
        SplittableRandom rng = new SplittableRandom(6);
        for (int k = 0; k < 8; k++) {
            JointDistribution p = PidTestData.random(2 + rng.nextInt(6), 2 + rng.nextInt(6), 2 + rng.nextInt(4),
                    k % 2 == 0 ? 1.0 : 0.3, rng);
            PidResult a = solver.solve(p);
            PidResult b = solver.solve(p.swapSources());
            assertEquals(a.uniqueX1Bits(), b.uniqueX2Bits(), 1e-10);
            assertEquals(a.uniqueX2Bits(), b.uniqueX1Bits(), 1e-10);
            assertEquals(a.redundancyBits(), b.redundancyBits(), 1e-10);
            assertEquals(a.synergyBits(), b.synergyBits(), 1e-10);
            assertEquals(a.miX1YBits(), b.miX2YBits(), 1e-12);
            PidResult swappedBack = b.swapSources();
            assertEquals(a.uniqueX1Bits(), swappedBack.uniqueX1Bits(), 1e-10);
        }
    }

    @Test
    void constantTargetIsTrivial() {
        PidResult r = solver.solve(PidTestData.outcomes(2, 3, 1, "000", "010", "120"));
        assertTrue(r.converged());
        assertEquals(PidResult.Status.TRIVIAL, r.status());
        assertEquals(0, r.totalBits());
        assertTrue(Double.isNaN(r.complementarity()));
        assertTrue(r.complementarityNote().contains("undefined"), r.complementarityNote());
    }

    @Test
    void independentSourcesAndTargetGiveZerosAndUndefinedComplementarity() {
        double[] w = new double[3 * 2 * 2];
        double[] a = {0.2, 0.5, 0.3};
        double[] b = {0.6, 0.4};
        double[] y = {0.7, 0.3};
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 2; j++) {
                for (int k = 0; k < 2; k++) {
                    w[(i * 2 + j) * 2 + k] = a[i] * b[j] * y[k];
                }
            }
        }
        PidResult r = solver.solve(JointDistribution.fromFlat(3, 2, 2, w));
        assertTrue(r.converged(), r.message());
        assertEquals(0, r.redundancyBits(), 1e-12);
        assertEquals(0, r.synergyBits(), 1e-12);
        assertTrue(Double.isNaN(r.complementarity()));
        assertFalse(r.complementarityNote().isEmpty());
    }

    @Test
    void constantSourceCarriesNothing() {
        SplittableRandom rng = new SplittableRandom(7);
        JointDistribution p = PidTestData.random(1, 5, 3, 1.0, rng);
        PidResult r = solver.solve(p);
        assertTrue(r.converged(), r.message());
        assertEquals(0, r.redundancyBits(), 1e-12);
        assertEquals(0, r.uniqueX1Bits(), 1e-12);
        assertEquals(0, r.synergyBits(), 1e-12);
        assertEquals(p.miX2YBits(), r.uniqueX2Bits(), 1e-12);
    }

    @Test
    void complementarityIsOneMinusRedundancyShare() {
        JointDistribution p = PidTestData.outcomes(2, 2, 2, "000", "001", "010", "101");
        PidResult r = solver.solve(p);
        assertEquals(1 - r.redundancyBits() / r.miJointBits(), r.complementarity(), 1e-15);
        assertEquals("", r.complementarityNote());
    }

    @Test
    void unconvergedRunSaysSo() {
        BrojaSolver oneStep = new BrojaSolver(new BrojaSolver.Options(1e-12, 1, 1e-12));
        PidResult r = oneStep.solve(PidTestData.random(6, 6, 4, 1.0, new SplittableRandom(8)));
        assertFalse(r.converged());
        assertNotEquals(PidResult.Status.CONVERGED, r.status());
        assertTrue(r.message().startsWith("not converged"), r.message());
        assertTrue(r.dualityGapBits() > 1e-12);
        // An uncertified first run is followed by a second one, and the message says the bounds are both runs'.
        assertEquals(2, r.iterations(), r.message());
        assertTrue(r.message().contains("2 interior-point runs, their best bounds combined"), r.message());
    }

    @Test
    void rejectsBadArguments() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> solver.solve(null));
        assertTrue(e.getMessage().contains("null"));
        assertThrows(IllegalArgumentException.class, () -> new BrojaSolver(null));
        e = assertThrows(IllegalArgumentException.class, () -> new BrojaSolver.Options(0, 10, 1e-12));
        assertTrue(e.getMessage().contains("gapToleranceBits"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new BrojaSolver.Options(1e-12, 0, 1e-12));
        assertTrue(e.getMessage().contains("maxIterations"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new BrojaSolver.Options(1e-12, 10, Double.NaN));
        assertTrue(e.getMessage().contains("negativeToleranceBits"), e.getMessage());
    }
}
