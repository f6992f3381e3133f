package org.infometer.report;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The validity checks on per-sample codelengths constructed to pass or break each one. */
class ValidityTest {

    /** Samples with per-token MI ~ N(mean + foldShift * fold, sd^2 / tokens), hx and hy light-tailed. */
    static List<SampleResult> samples(int n, int tokens, int folds, double mean, double sd, double foldShift,
                                      long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<SampleResult> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int fold = i % folds;
            double mi = tokens * (mean + foldShift * fold) + sd * Math.sqrt(tokens) * rnd.nextGaussian();
            double hx = tokens * 10 + Math.sqrt(tokens) * rnd.nextGaussian();
            double hy = tokens * 10 + Math.sqrt(tokens) * rnd.nextGaussian();
            out.add(new SampleResult("run", "scene-" + (i % 20), "s" + i, 0L, fold, tokens, hx, hy, hx + hy - mi));
        }
        return out;
    }

    static Estimate runEstimate(List<SampleResult> s) {
        return Reductions.run("run", s).perToken().get("mi");
    }

    @Test
    void wellBehavedRunIsOkWithNoReason() {
        List<SampleResult> s = samples(400, 50, 5, 0.8, 1.0, 0, 1);
        Validity.Verdict v = Validity.runMi(runEstimate(s), s, 10, true);
        assertEquals(Validity.Status.OK, v.status(), String.valueOf(v.reason()));
        assertNull(v.reason());
        assertEquals("", v.mark());
    }

    @Test
    void foldHeterogeneityIsUniformUnderTheNullAndDetectsDisagreeingFolds() {
        int small = 0;
        for (int seed = 0; seed < 200; seed++) {
            if (Validity.foldHeterogeneityP(samples(400, 50, 5, 0.8, 1.0, 0, seed)) < 0.05) {
                small++;
            }
        }
        // Under the null about 5% of p-values fall below 0.05 (binomial sd about 3 of 200).
        assertTrue(small >= 2 && small <= 22, small + " of 200 below 0.05");
        List<SampleResult> s = samples(400, 50, 5, 0.8, 1.0, 0.2, 3);
        assertTrue(Validity.foldHeterogeneityP(s) < 1e-6);
        Validity.Verdict v = Validity.runMi(runEstimate(s), s, 10, true);
        assertEquals(Validity.Status.UNRELIABLE, v.status());
        assertTrue(v.reason().contains("folds disagree"), v.reason());
    }

    @Test
    void miBelowMinusTwoStandardErrorsIsUnreliable() {
        List<SampleResult> s = samples(400, 50, 5, -0.5, 1.0, 0, 4);
        Estimate e = runEstimate(s);
        assertTrue(e.value() < -2 * e.se());
        Validity.Verdict v = Validity.runMi(e, s, 10, true);
        assertEquals(Validity.Status.UNRELIABLE, v.status());
        assertTrue(v.reason().contains("below -2 SE"), v.reason());
    }

    @Test
    void tooFewSamplesAndTooFewTokensPerDimensionAreUnreliableWithEveryReasonJoined() {
        List<SampleResult> s = samples(8, 20, 2, 0.8, 1.0, 0, 5);
        Validity.Verdict v = Validity.runMi(runEstimate(s), s, 512, true);
        assertEquals(Validity.Status.UNRELIABLE, v.status());
        assertTrue(v.reason().contains("8 samples, fewer than 10"), v.reason());
        assertTrue(v.reason().contains("tokens per dimension (dx + dy = 512)"), v.reason());
        assertEquals(v.reasons().size(), v.reason().split("; ").length);
        assertEquals("UNRELIABLE (" + v.reason() + ")", v.mark());
    }

    @Test
    void nonFiniteCodelengthFailsAndHeavyTailsAreUnreliable() {
        List<SampleResult> s = new ArrayList<>(samples(400, 50, 5, 0.8, 1.0, 0, 6));
        SampleResult bad = s.get(3);
        s.set(3, new SampleResult(bad.runId(), bad.sceneToken(), bad.sampleToken(), 0L, bad.fold(), bad.tokens(),
                Double.POSITIVE_INFINITY, bad.hyBits(), bad.hxyBits()));
        Validity.Verdict v = Validity.runMi(runEstimate(s), s, 10, true);
        assertEquals(Validity.Status.FAILED, v.status());
        assertTrue(v.reason().contains("non-finite codelengths in 1 of 400 samples"), v.reason());

        // Cauchy-distributed per-sample hx: a few samples dominate.
        SplittableRandom rnd = new SplittableRandom(7);
        List<SampleResult> heavy = new ArrayList<>();
        for (SampleResult r : samples(400, 50, 5, 0.8, 1.0, 0, 8)) {
            double c = 50 * Math.tan(Math.PI * (rnd.nextDouble() - 0.5));
            heavy.add(new SampleResult(r.runId(), r.sceneToken(), r.sampleToken(), 0L, r.fold(), r.tokens(),
                    r.hxBits() + c, r.hyBits(), r.hxyBits() + c));
        }
        assertTrue(Validity.excessKurtosis(heavy, "hx") > 20);
        assertTrue(Math.abs(Validity.excessKurtosis(heavy, "hy")) < 1);
        Validity.Verdict h = Validity.runMi(runEstimate(heavy), heavy, 10, true);
        assertEquals(Validity.Status.UNRELIABLE, h.status());
        assertTrue(h.reason().contains("heavy tails"), h.reason());
        // and the run's status reaches its scenes
        Validity.Verdict scene = Validity.sceneMi(runEstimate(heavy.subList(0, 20)), heavy.subList(0, 20), 10, true,
                h);
        assertEquals(Validity.Status.UNRELIABLE, scene.status());
        assertTrue(scene.reason().contains("scored by the run's models"), scene.reason());
    }

    @Test
    void seLargerThanTheEstimateIsUnreliable() {
        List<SampleResult> s = samples(40, 2, 5, 0.0, 3.0, 0, 9);
        Estimate e = runEstimate(s);
        Validity.Verdict v = Validity.runMi(e, s, 2, true);
        assertTrue(e.se() > Math.abs(e.value()) + Validity.SE_ABSOLUTE_BITS, e.toString());
        assertTrue(v.reason().contains("SE"), v.reason());
    }

    @Test
    void pidChecksCellsBiasAndConvergence() {
        String[] terms = {"redundancy", "unique_x", "unique_y", "synergy"};
        assertTrue(Validity.pid(true, "", 10_000, 500, terms, new double[] {0.001, 0, 0, 0.002}, 0.5).ok());
        Validity.Verdict cells = Validity.pid(true, "", 2_000, 576, terms, null, 0.5);
        assertTrue(cells.reason().contains("3.5 rows per occupied cell"), cells.reason());
        Validity.Verdict bias = Validity.pid(true, "", 20_000, 576, terms, new double[] {0, 0.001, 0.001, 0.013},
                0.02);
        assertEquals(Validity.Status.UNRELIABLE, bias.status());
        assertTrue(bias.reason().contains("synergy 0.013") && !bias.reason().contains("unique_x"), bias.reason());
        assertEquals(Validity.Status.FAILED, Validity.pid(false, "iteration limit", 20_000, 100, terms, null, 1)
                .status());
        assertEquals("succeeded_with_warnings", Validity.jobStatus(List.of(Validity.Verdict.OK, bias)));
        assertEquals("succeeded", Validity.jobStatus(List.of(Validity.Verdict.OK)));
        assertEquals(Map.of("ok", 1L, "unreliable", 2L, "failed", 0L),
                Validity.counts(List.of(Validity.Verdict.OK, bias, cells)));
    }
}
