package org.infometer.synth;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Monte Carlo MI of a run's pooled (scene-mixture) distribution against what is known in closed form. */
class PooledTruthTest {

    @Test
    void mixtureOfIdenticalScenesIsTheClosedFormGaussianMi() {
        LatentFactorModel m = new LatentFactorModel(12, 10, 3, 2, 0.5, 0.6, 11);
        double c = 1.1;
        double truth = m.trueBitsPerToken(c)[3];
        double[] one = m.pooledMiBits(new double[] {c}, 20_000, 1);
        double[] many = m.pooledMiBits(new double[] {c, c, c, c, c}, 20_000, 2);
        System.out.printf("closed form %.4f, MC one scene %.4f ± %.4f, five identical %.4f ± %.4f%n", truth, one[0],
                one[1], many[0], many[1]);
        assertTrue(one[1] > 0 && one[1] < 0.05, "MC SE " + one[1]);
        assertEquals(truth, one[0], 4 * one[1]);
        assertEquals(truth, many[0], 4 * many[1]);
    }

    @Test
    void pooledMiDiffersFromTheMeanOfTheSceneMiWhenScenesDiffer() {
        // Scenes that differ only in coupling strength: the mixture's MI is its own quantity, neither the mean of
        // the scene values nor bounded by them; it must at least stay between 0 and the joint entropy reduction.
        LatentFactorModel m = new LatentFactorModel(32, 32, 4, 2, 0.5, 0.6, 7);
        double[] scales = {0.3, 0.8, 1.4, 2.0};
        double mean = 0;
        for (double c : scales) {
            mean += m.trueBitsPerToken(c)[3] / scales.length;
        }
        double[] pooled = m.pooledMiBits(scales, 40_000, 3);
        System.out.printf("mean of scene MI %.4f, pooled %.4f ± %.4f%n", mean, pooled[0], pooled[1]);
        assertTrue(pooled[0] > 0);
        assertTrue(Math.abs(pooled[0] - mean) > 4 * pooled[1], "pooled " + pooled[0] + " vs mean " + mean);
        // deterministic for a seed
        assertEquals(pooled[0], m.pooledMiBits(scales, 40_000, 3)[0], 0.0);
    }
}
