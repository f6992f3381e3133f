package org.infometer.report;

import org.infometer.estimate.SceneBlockStats;
import org.infometer.estimate.SceneRefit;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SceneValuesTest {

    private static final int TOKENS = 200;

    /** One pair per token with correlation rho in the sample's scene. */
    private static SceneBlockStats block(SplittableRandom rnd, double rho) {
        double[] u = new double[TOKENS];
        double[] v = new double[TOKENS];
        for (int t = 0; t < TOKENS; t++) {
            double a = rnd.nextGaussian();
            u[t] = a;
            v[t] = rho * a + Math.sqrt(1 - rho * rho) * rnd.nextGaussian();
        }
        return SceneBlockStats.of(u, v, TOKENS, 1);
    }

    private static double truthBitsPerToken(double rho) {
        return -0.5 * Math.log1p(-rho * rho) / Math.log(2);
    }

    /**
     * Two scenes of one run, strongly and weakly dependent; every sample is scored by the run's (pooled) Gaussian,
     * as a run model would, so the plain scene means are pulled toward the run.
     */
    private static List<SampleResult> run(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<SceneBlockStats> blocks = new ArrayList<>();
        List<String> scenes = new ArrayList<>();
        for (int s = 0; s < 24; s++) {
            boolean strong = s % 2 == 0;
            blocks.add(block(rnd, strong ? 0.9 : 0.1));
            scenes.add(strong ? "strong" : "weak");
        }
        SceneBlockStats total = blocks.stream().reduce(SceneBlockStats::plus).orElseThrow();
        List<SampleResult> out = new ArrayList<>();
        for (int i = 0; i < blocks.size(); i++) {
            double[] h = SceneRefit.heldOutBits(total.minus(blocks.get(i)), blocks.get(i));
            out.add(new SampleResult("run", scenes.get(i), String.format("s%02d", i), 0L, 0, TOKENS, h[0], h[1], h[2],
                    blocks.get(i)));
        }
        return out;
    }

    private static Reductions.SceneStats scene(List<Reductions.SceneStats> all, String token) {
        return all.stream().filter(s -> s.sceneToken().equals(token)).findFirst().orElseThrow();
    }

    @Test
    void refittedSceneValuesCoverEachScenesOwnMiWhileTheRunModelsValuesDoNot() {
        int covered = 0;
        int coveredPooled = 0;
        int trials = 0;
        for (long seed = 1; seed <= 10; seed++) {
            List<Reductions.SceneStats> scenes = Reductions.scenes("run", run(seed));
            for (String token : List.of("strong", "weak")) {
                Reductions.SceneStats s = scene(scenes, token);
                double truth = truthBitsPerToken(token.equals("strong") ? 0.9 : 0.1);
                double crit = Reductions.critical95(s.samples());
                assertTrue(s.refitted());
                assertEquals(1, s.refitPairs());
                assertEquals(11 * TOKENS, s.refitTrainTokens());
                covered += Math.abs(s.miPerToken().value() - truth) <= crit * s.miPerToken().se() ? 1 : 0;
                coveredPooled += Math.abs(s.pooledMiPerToken().value() - truth)
                        <= crit * s.pooledMiPerToken().se() ? 1 : 0;
                trials++;
            }
        }
        assertTrue(covered >= 18, "refitted intervals contain the scene truth in " + covered + " of " + trials);
        assertTrue(coveredPooled <= 4, "the run model's scene means are biased: " + coveredPooled + " of " + trials);
    }

    @Test
    void entropiesStayConsistentWithTheMiAndTheInputOrderDoesNotMatter() {
        List<SampleResult> samples = run(3);
        List<SampleResult> shuffled = new ArrayList<>(samples);
        Collections.shuffle(shuffled, new java.util.Random(9));
        List<Reductions.SceneStats> a = Reductions.scenes("run", samples);
        List<Reductions.SceneStats> b = Reductions.scenes("run", shuffled);
        assertEquals(a, b);
        for (Reductions.SceneStats s : a) {
            assertEquals(s.miPerToken().value(), s.hxPerToken() + s.hyPerToken() - s.hxyPerToken(), 1e-9);
        }
    }

    @Test
    void samplesWithoutSceneStatisticsKeepTheirValuesAndSayWhy() {
        List<SampleResult> plain = run(4).stream().map(s -> new SampleResult(s.runId(), s.sceneToken(),
                s.sampleToken(), s.timestamp(), s.fold(), s.tokens(), s.hxBits(), s.hyBits(), s.hxyBits())).toList();
        Reductions.SceneStats s = scene(Reductions.scenes("run", plain, "map granularity"), "strong");
        assertFalse(s.refitted());
        assertEquals("map granularity", s.notRefittedBecause());
        assertEquals(s.pooledMiPerToken(), s.miPerToken());
        Reductions.SceneStats quiet = scene(Reductions.scenes("run", plain), "weak");
        assertNull(quiet.notRefittedBecause());
        Validity.Verdict v = Validity.sceneMi(s, 2, true, Validity.Verdict.OK);
        assertTrue(v.reason().contains("not refitted for the scene (map granularity)"), v.reason());
    }
}
