package org.infometer.pid;

import static org.infometer.pid.PidTestData.LOG2_3;
import static org.infometer.pid.PidTestData.copy;
import static org.infometer.pid.PidTestData.outcomes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every value of the reference table in shared/reference/pid-canonical.md, to 1e-6 bits (and in fact ~1e-12). */
class BrojaSolverReferenceTest {

    private static final double TOL = 1e-6;

    private final BrojaSolver solver = BrojaSolver.withDefaults();

    private void assertPid(JointDistribution p, double r, double u1, double u2, double s) {
        PidResult res = solver.solve(p);
        assertTrue(res.converged(), res.message());
        assertEquals(r, res.redundancyBits(), TOL, "R: " + res);
        assertEquals(u1, res.uniqueX1Bits(), TOL, "U1: " + res);
        assertEquals(u2, res.uniqueX2Bits(), TOL, "U2: " + res);
        assertEquals(s, res.synergyBits(), TOL, "S: " + res);
        // Far tighter in practice: the certificate bounds the error of every component.
        assertTrue(res.dualityGapBits() <= 1e-12, "gap " + res.dualityGapBits());
        assertEquals(r, res.redundancyBits(), 1e-10);
        assertEquals(s, res.synergyBits(), 1e-10);
    }

    @Test
    void xor() {
        assertPid(outcomes(2, 2, 2, "000", "011", "101", "110"), 0, 0, 0, 1);
    }

    @Test
    void andHasBoundaryOptimum() {
        assertPid(outcomes(2, 2, 2, "000", "010", "100", "111"), 1.5 - 0.75 * LOG2_3, 0, 0, 0.5);
    }

    @Test
    void orHasBoundaryOptimum() {
        assertPid(outcomes(2, 2, 2, "000", "011", "101", "111"), 1.5 - 0.75 * LOG2_3, 0, 0, 0.5);
    }

    @Test
    void redundant() {
        assertPid(outcomes(2, 2, 2, "000", "111"), 1, 0, 0, 0);
    }

    @Test
    void uniqueSourceOneWhenTargetCopiesX1() {
        // y = x1 with x2 an independent fair coin.
        assertPid(outcomes(2, 2, 2, "000", "010", "101", "111"), 0, 1, 0, 0);
    }

    @Test
    void referenceOutcomeListOfUniqueRowCopiesX2() {
        // The table lists 000, 011, 100, 111 for this row; read as (x1, x2, y) those have y = x2, the mirror
        // image of the row's label, so the unique information sits with X2.
        assertPid(outcomes(2, 2, 2, "000", "011", "100", "111"), 0, 0, 1, 0);
    }

    @Test
    void concatenation() {
        assertPid(outcomes(2, 2, 4, "000", "011", "102", "113"), 0, 1, 1, 0);
    }

    @ParameterizedTest(name = "copy {0} x {1}")
    @CsvSource({"1, 3", "2, 2", "2, 3", "3, 5", "4, 4", "7, 2"})
    void copyOfIndependentSources(int nA, int nB) {
        assertPid(PidTestData.copy(nA, nB), 0, Math.log(nA) / Math.log(2), Math.log(nB) / Math.log(2), 0);
    }

    @Test
    void diff() {
        assertPid(outcomes(2, 2, 2, "000", "001", "010", "101"), 2.5 - 1.5 * LOG2_3, 0.75 * LOG2_3 - 1,
                0.75 * LOG2_3 - 1, 0);
    }

    @Test
    void reducedOrHasBoundaryOptimum() {
        // 000 with probability 1/2, 011 and 101 with 1/4 each.
        assertPid(outcomes(2, 2, 2, "000", "000", "011", "101"), 1.5 - 0.75 * LOG2_3, 0, 0,
                1 - (1.5 - 0.75 * LOG2_3));
        assertEquals(0.688721875540867, 1 - (1.5 - 0.75 * LOG2_3), 1e-15);
    }

    @Test
    void referenceConstantsMatchTheirClosedForms() {
        assertEquals(0.311278124459133, 1.5 - 0.75 * LOG2_3, 1e-15);
        assertEquals(0.122556248918266, 2.5 - 1.5 * LOG2_3, 1e-15);
        assertEquals(0.188721875540867, 0.75 * LOG2_3 - 1, 1e-15);
    }

    @Test
    void copyOfLargerAlphabetsStaysExact() {
        PidResult res = solver.solve(copy(6, 9));
        assertTrue(res.converged(), res.message());
        assertEquals(Math.log(6) / Math.log(2), res.uniqueX1Bits(), 1e-9);
        assertEquals(Math.log(9) / Math.log(2), res.uniqueX2Bits(), 1e-9);
        assertEquals(0, res.redundancyBits(), 1e-9);
        assertEquals(0, res.synergyBits(), 1e-9);
    }
}
