package org.infometer.report.state;

import org.infometer.report.Estimate;
import org.infometer.report.Reductions;
import org.infometer.report.RunReduction;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Field-by-field comparison of two reductions' outcomes: counts, labels and verdicts equal, numbers close. */
public final class OutcomeComparison {

    private OutcomeComparison() {
    }

    public static void assertClose(Map<String, RunReduction.Outcome> expected, Map<String, RunReduction.Outcome> got,
                                   double relative) {
        assertEquals(expected.keySet(), got.keySet());
        expected.forEach((run, e) -> assertClose(e, got.get(run), relative, run));
    }

    static void assertClose(RunReduction.Outcome e, RunReduction.Outcome g, double tol, String where) {
        Reductions.RunStats a = e.run();
        Reductions.RunStats b = g.run();
        assertEquals(a.runId(), b.runId(), where);
        assertEquals(a.samples(), b.samples(), where);
        assertEquals(a.tokens(), b.tokens(), where);
        assertEquals(a.scenes(), b.scenes(), where);
        assertClose(a.perSample(), b.perSample(), tol, where + " per sample");
        assertClose(a.perToken(), b.perToken(), tol, where + " per token");
        assertClose(a.ci95Low(), b.ci95Low(), tol, where + " ci low");
        assertClose(a.ci95High(), b.ci95High(), tol, where + " ci high");
        assertEquals(e.scenes().size(), g.scenes().size(), where);
        for (int i = 0; i < e.scenes().size(); i++) {
            Reductions.SceneStats x = e.scenes().get(i);
            Reductions.SceneStats y = g.scenes().get(i);
            String w = where + " scene " + x.sceneToken();
            assertEquals(x.runId(), y.runId(), w);
            assertEquals(x.sceneToken(), y.sceneToken(), w);
            assertEquals(x.samples(), y.samples(), w);
            assertEquals(x.tokens(), y.tokens(), w);
            assertClose(x.miPerSample(), y.miPerSample(), tol, w + " mi per sample");
            assertClose(x.miPerToken(), y.miPerToken(), tol, w + " mi per token");
            assertClose(x.hxPerToken(), y.hxPerToken(), tol, w + " hx");
            assertClose(x.hyPerToken(), y.hyPerToken(), tol, w + " hy");
            assertClose(x.hxyPerToken(), y.hxyPerToken(), tol, w + " hxy");
            assertEquals(x.rank(), y.rank(), w);
            assertEquals(x.percentile(), y.percentile(), 0.0, w);
            assertClose(x.pooledMiPerToken(), y.pooledMiPerToken(), tol, w + " pooled");
            assertEquals(x.refitted(), y.refitted(), w);
            assertEquals(x.refitPairs(), y.refitPairs(), w);
            assertEquals(x.refitTrainTokens(), y.refitTrainTokens(), w);
            assertEquals(x.notRefittedBecause(), y.notRefittedBecause(), w);
            assertEquals(x.values(), y.values(), w);
            assertClose(x.conditionalPerToken(), y.conditionalPerToken(), tol, w + " conditional");
        }
        assertEquals(e.runVerdict(), g.runVerdict(), where);
        assertEquals(e.sceneVerdicts(), g.sceneVerdicts(), where);
        assertEquals(e.foldsUsed(), g.foldsUsed(), where);
    }

    static void assertClose(Map<String, Estimate> a, Map<String, Estimate> b, double tol, String where) {
        assertEquals(a.keySet(), b.keySet(), where);
        a.forEach((k, v) -> assertClose(v, b.get(k), tol, where + " " + k));
    }

    static void assertClose(Estimate a, Estimate b, double tol, String where) {
        assertClose(a.value(), b.value(), tol, where + " value");
        assertClose(a.se(), b.se(), tol, where + " se");
        assertEquals(a.n(), b.n(), where + " n");
    }

    static void assertClose(double a, double b, double tol, String where) {
        if (Double.isNaN(a) || Double.isInfinite(a)) {
            assertEquals(a, b, where);
            return;
        }
        assertTrue(Math.abs(a - b) <= tol * Math.max(Math.abs(a), Math.abs(b)), where + ": " + a + " vs " + b
                + " (relative " + Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b)) + ")");
    }
}
