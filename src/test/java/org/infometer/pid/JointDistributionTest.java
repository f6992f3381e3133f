package org.infometer.pid;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class JointDistributionTest {

    private static void assertRejected(Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' lacks '" + f + "'");
        }
    }

    @Test
    void countsAreNormalisedAndTotalMassKept() {
        JointDistribution p = JointDistribution.fromCounts(new long[][][]{{{1, 0}, {0, 1}}, {{0, 1}, {1, 0}}});
        assertEquals(4.0, p.totalMass());
        assertEquals(0.25, p.p(0, 0, 0));
        assertEquals(0.0, p.p(0, 0, 1));
        assertEquals(4, p.supportSize());
    }

    @Test
    void xorInformationTermsInBits() {
        JointDistribution p = PidTestData.outcomes(2, 2, 2, "000", "011", "101", "110");
        assertEquals(0, p.miX1YBits(), 1e-15);
        assertEquals(0, p.miX2YBits(), 1e-15);
        assertEquals(1, p.miJointBits(), 1e-15);
        assertEquals(1, p.entropyYBits(), 1e-15);
        assertEquals(0, p.conditionalEntropyYGivenSourcesBits(), 1e-15);
    }

    @Test
    void marginalsSumToOne() {
        JointDistribution p = JointDistribution.fromCounts(new double[][][]{{{1, 2, 3}}, {{4, 5, 6}}});
        assertArrayEquals(new double[]{6.0 / 21, 15.0 / 21}, p.marginalX1(), 1e-15);
        assertArrayEquals(new double[]{1.0}, p.marginalX2(), 1e-15);
        assertArrayEquals(new double[]{5.0 / 21, 7.0 / 21, 9.0 / 21}, p.marginalY(), 1e-15);
        assertArrayEquals(new double[]{4.0 / 21, 5.0 / 21, 6.0 / 21}, p.marginalX1Y()[1], 1e-15);
        assertArrayEquals(new double[]{15.0 / 21}, p.marginalX1X2()[1], 1e-15);
    }

    @Test
    void sparseTriplesAddUpAndMatchDense() {
        JointDistribution sparse = JointDistribution.fromSparseCounts(2, 2, 2, new int[]{0, 1, 1, 0},
                new int[]{1, 0, 0, 0}, new int[]{1, 1, 1, 0}, new long[]{2, 1, 1, 0});
        JointDistribution dense = JointDistribution.fromCounts(new long[][][]{{{0, 0}, {0, 2}}, {{0, 2}, {0, 0}}});
        assertEquals(dense, sparse);
        JointDistribution cells = JointDistribution.fromCells(2, 2, 2,
                List.of(new JointDistribution.Cell(0, 1, 1, 2), new JointDistribution.Cell(1, 0, 1, 2)));
        assertEquals(dense, cells);
    }

    @Test
    void probabilitiesMustSumToOne() {
        JointDistribution p = JointDistribution.fromProbabilities(new double[][][]{{{0.5, 0.5}}});
        assertEquals(1.0, p.totalMass(), 1e-15);
        assertRejected(() -> JointDistribution.fromProbabilities(new double[][][]{{{0.5, 0.4}}}), "sum to", "0.9");
    }

    @Test
    void swapAndRelabelPermuteCells() {
        JointDistribution p = JointDistribution.fromCounts(new long[][][]{{{1, 2}, {3, 4}, {5, 6}}});
        JointDistribution q = p.swapSources();
        assertEquals(3, q.sizeX1());
        assertEquals(1, q.sizeX2());
        assertEquals(p.p(0, 2, 1), q.p(2, 0, 1));
        JointDistribution r = p.relabel(new int[]{0}, new int[]{2, 0, 1}, new int[]{1, 0});
        assertEquals(p.p(0, 0, 0), r.p(0, 2, 1));
        assertEquals(p.miJointBits(), r.miJointBits(), 1e-14);
        assertRejected(() -> p.relabel(new int[]{0}, new int[]{0, 0, 1}, new int[]{1, 0}), "perm2", "permutation");
    }

    @Test
    void rejectsNegativeCounts() {
        assertRejected(() -> JointDistribution.fromCounts(new long[][][]{{{1, -2}}}), "counts[0][0][1]", "negative");
        assertRejected(() -> JointDistribution.fromCounts(new double[][][]{{{1, -0.5}}}), "x1=0, x2=0, y=1",
                "negative");
        assertRejected(() -> JointDistribution.fromSparseCounts(1, 1, 1, new int[]{0}, new int[]{0}, new int[]{0},
                new long[]{-1}), "counts[0]", "negative");
    }

    @Test
    void rejectsNanAndInfinity() {
        assertRejected(() -> JointDistribution.fromCounts(new double[][][]{{{1, Double.NaN}}}), "NaN", "finite");
        assertRejected(() -> JointDistribution.fromFlat(1, 1, 2, new double[]{1, Double.POSITIVE_INFINITY}),
                "Infinity", "finite");
    }

    @Test
    void rejectsAllZero() {
        assertRejected(() -> JointDistribution.fromCounts(new long[][][]{{{0, 0}}, {{0, 0}}}), "all zero");
        assertRejected(() -> JointDistribution.fromSparseCounts(2, 2, 2, new int[0], new int[0], new int[0],
                new long[0]), "all zero");
    }

    @Test
    void rejectsWrongSizes() {
        assertRejected(() -> JointDistribution.fromCounts(new long[][][]{{{1, 2}}, {{1}}}), "counts[1][0]",
                "expected ny = 2");
        assertRejected(() -> JointDistribution.fromCounts(new long[][][]{{{1}, {2}}, {{1}}}), "counts[1]",
                "rectangular");
        assertRejected(() -> JointDistribution.fromCounts(new long[0][][]), "non-empty");
        assertRejected(() -> JointDistribution.fromFlat(2, 2, 2, new double[7]), "length 7", "n1*n2*ny");
        assertRejected(() -> JointDistribution.fromFlat(0, 2, 2, new double[0]), "sizes must be >= 1");
        assertRejected(() -> JointDistribution.fromSparseCounts(2, 2, 2, new int[]{2}, new int[]{0}, new int[]{0},
                new long[]{1}), "x1[0] = 2", "outside [0, 2)");
        assertRejected(() -> JointDistribution.fromSparseCounts(2, 2, 2, new int[]{0, 1}, new int[]{0}, new int[]{0},
                new long[]{1, 1}), "differ in length");
        assertRejected(() -> JointDistribution.fromCounts((long[][][]) null), "non-empty");
    }
}
