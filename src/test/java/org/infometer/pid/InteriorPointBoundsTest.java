package org.infometer.pid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two interior-point runs bound the same optimum, so their bounds combine: the combined gap is never wider than
 * either run's, and the combined bounds still enclose the optimum that a full run certifies.
 */
class InteriorPointBoundsTest {

    @ParameterizedTest(name = "iterations per run {0}")
    @ValueSource(ints = {3, 6, 9})
    void combinedBoundsAreTheBetterOfEachAndEncloseTheOptimum(int iterations) {
        JointDistribution p = PidSolverBenchmark.random(12, 10, 4, 0.5, new SplittableRandom(31 + iterations));
        PairLayout layout = new PairLayout(p);
        BrojaSolver.Options short_ = new BrojaSolver.Options(1e-12, iterations, 1e-12);
        BrojaSolver.Terms terms = new BrojaSolver.Terms(p.entropyYBits(), p.miX1YBits(), p.miX2YBits(),
                p.miJointBits());

        InteriorPoint first = new InteriorPoint(layout, InteriorPoint.COMPLEMENTARITY_FLOOR);
        first.run(short_, terms);
        InteriorPoint second = new InteriorPoint(layout, InteriorPoint.SECOND_COMPLEMENTARITY_FLOOR);
        second.run(short_, terms);
        double f1 = first.bestF;
        double lb1 = first.bestLowerBound;
        first.absorb(second);

        assertEquals(Math.min(f1, second.bestF), first.bestF, 0.0);
        assertEquals(Math.max(lb1, second.bestLowerBound), first.bestLowerBound, 0.0);
        assertTrue(first.bestF - first.bestLowerBound <= Math.min(f1 - lb1, second.bestF - second.bestLowerBound));
        assertEquals(2, first.runs);
        assertEquals(first.feasibility, layout.constraintResidual(first.bestQ), 0.0);

        InteriorPoint full = new InteriorPoint(layout, InteriorPoint.COMPLEMENTARITY_FLOOR);
        full.run(BrojaSolver.Options.defaults(), terms);
        assertTrue(full.bestF - full.bestLowerBound <= 1e-12 * Math.log(2));
        assertTrue(first.bestLowerBound <= full.bestF + 1e-15, "combined lower bound above the optimum");
        assertTrue(first.bestF >= full.bestLowerBound - 1e-15, "combined primal value below the optimum");
    }
}
