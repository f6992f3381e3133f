package org.infometer.report;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ValidityOverfitTest {

    /** 60 samples of 100 tokens with MI about 0.5 bits/token; every 5th also scored in fold with the given gap. */
    private static List<SampleResult> samples(double inFoldGapBitsPerToken, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<SampleResult> out = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            double mi = 100 * (0.5 + 0.05 * rnd.nextGaussian());
            Double inFold = i % 5 == 0 ? mi + 100 * (inFoldGapBitsPerToken + 0.01 * rnd.nextGaussian()) : null;
            out.add(new SampleResult("r", "scene" + i % 12, "s" + i, 0L, i % 5, 100, 300, 300, 600 - mi, null,
                    inFold));
        }
        return out;
    }

    @Test
    void aModelThatCodesItsOwnTrainingDataFarBetterIsMarkedOverfit() {
        List<SampleResult> s = samples(0.6, 1);
        Estimate mi = new Estimate(0.5, 0.01, s.size());
        Validity.Verdict v = Validity.runMi(mi, s, 20, true);
        assertEquals(Validity.Status.UNRELIABLE, v.status());
        assertTrue(v.reason().startsWith("overfit: in-fold MI"), v.reason());
        double[] gap = Validity.overfitGap(s);
        assertEquals(0.6, gap[0], 0.02);
        assertEquals(12, gap[3]);
    }

    @Test
    void theOrdinaryInFoldOptimismOfAWellFittedModelPasses() {
        List<SampleResult> s = samples(0.02, 2);
        Validity.Verdict v = Validity.runMi(new Estimate(0.5, 0.01, s.size()), s, 20, true);
        assertTrue(v.ok(), String.valueOf(v.reason()));
    }

    @Test
    void tooFewSamplesScoredInFoldSkipTheCheck() {
        List<SampleResult> s = samples(0.6, 3).subList(0, 20);   // 4 in-fold samples
        assertNull(Validity.overfitGap(s));
    }
}
