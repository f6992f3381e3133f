package org.infometer.report;

import org.infometer.estimate.SampleCodelengths;
import org.infometer.estimate.ScoredRow;
import org.infometer.estimate.ShardScoredRow;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Inverse-variance combination of per-shard estimates. */
class ShardEstimatesTest {

    private static ShardScoredRow row(String shard, int partition, String sample, double miPerToken) {
        int tokens = 4;
        return new ShardScoredRow(shard, partition, new ScoredRow("r", "s", sample, 0L, "f", 0, tokens,
                new SampleCodelengths(miPerToken * tokens, 0, 0), null, null, null));
    }

    @Test
    void combinesShardMeansByInverseVariance() {
        List<ShardScoredRow> rows = new ArrayList<>();
        // shard a: values 1, 3 -> mean 2, sd sqrt(2), se 1; shard b: 0, 1, 2, 3 -> mean 1.5, se sqrt(5/12)/2...
        rows.add(row("a", 0, "a1", 1));
        rows.add(row("a", 0, "a2", 3));
        double[] vb = {0, 1, 2, 3};
        for (int i = 0; i < vb.length; i++) {
            rows.add(row("b", 1, "b" + i, vb[i]));
        }
        Map<String, ShardEstimates.Combined> c = ShardEstimates.combine(rows);
        ShardEstimates.Combined r = c.get("r");
        assertEquals(2, r.shards().size());
        assertEquals(2.0, r.shards().get(0).miPerToken(), 1e-12);
        assertEquals(1.0, r.shards().get(0).se(), 1e-12);
        double seB = Math.sqrt((5.0 / 3.0) / 4.0);
        assertEquals(seB, r.shards().get(1).se(), 1e-12);
        double wa = 1.0;
        double wb = 1.0 / (seB * seB);
        assertEquals((wa * 2.0 + wb * 1.5) / (wa + wb), r.miPerToken(), 1e-12);
        assertEquals(1.0 / Math.sqrt(wa + wb), r.se(), 1e-12);
    }

    @Test
    void refusesAShardWithoutAStandardError() {
        List<ShardScoredRow> rows = List.of(row("a", 0, "a1", 1), row("a", 0, "a2", 3), row("b", 1, "b1", 2));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ShardEstimates.combine(rows));
        assertTrue(e.getMessage().contains("shard b (partition 1)"), e.getMessage());
    }
}
