package org.infometer.pid;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PidSolverBenchmarkTest {

    @Test
    void reportCoversBothKindsOnATinyProblem() {
        String report = PidSolverBenchmark.report(4, 3, 2, 2, 1L);
        assertTrue(report.contains("4 x 3 x 2"), report);
        assertTrue(report.contains("dense"), report);
        assertTrue(report.contains("sparse"), report);
        assertTrue(report.contains("2/2"), report);
    }
}
