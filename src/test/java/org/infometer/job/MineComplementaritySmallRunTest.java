package org.infometer.job;

import org.infometer.estimate.variational.Complementarity;
import org.infometer.pid.SampleCounts;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A run with fewer counted tokens than the MINE critic's batch still gets its complementarity (the batch shrinks
 * to the smallest training part); ClusterIT's small pid job failed with "needs at least one and batch=512".
 */
class MineComplementaritySmallRunTest {

    @Test
    void runSmallerThanOneBatchIsEstimated() {
        int k = 2;
        List<SampleCounts> samples = new ArrayList<>();
        // 16 samples x 16 tokens = 256 tokens, T = X XOR Y, every (x, y) cell 4 times per sample.
        for (int s = 0; s < 16; s++) {
            long[] cells = new long[4];
            long[] counts = new long[4];
            int i = 0;
            for (int x = 0; x < 2; x++) {
                for (int y = 0; y < 2; y++) {
                    cells[i] = SampleCounts.pack(x, y, k, x ^ y);
                    counts[i++] = 4;
                }
            }
            samples.add(new SampleCounts("r", "scene-" + (s % 4), "sample-" + s, 0, cells, counts, null));
        }
        Complementarity.Result c = PidAnalysis.mineComplementarity("r", samples, k, Map.of(0, 0, 1, 1), 5L);
        assertEquals(256, c.tokens());
        assertTrue(Complementarity.DEFAULT_CRITIC.batch() > 256 / 2, "the run is smaller than one batch of training");
        assertTrue(Double.isFinite(c.complementarity().bits()), "complementarity " + c.complementarity().bits());
    }
}
