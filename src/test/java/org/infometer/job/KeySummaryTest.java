package org.infometer.job;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The key scan's per-partition summaries: however the rows are split, merged summaries say the same. */
class KeySummaryTest {

    /** Rows (run_id, sample_token, x channels, y channels, x tokens) with nulls, repeats, a small and a large run. */
    private static List<Row> rows(long seed) {
        Random r = new Random(seed);
        List<Row> out = new ArrayList<>();
        for (int i = 0; i < KeyScan.SMALL_RUN_SAMPLES + 50; i++) {
            out.add(RowFactory.create("large", "s" + i, 4, 6, 10));
        }
        for (int i = 0; i < 7; i++) {
            out.add(RowFactory.create("small", "t" + i, i == 3 ? 5 : 4, 6, i == 2 ? null : 10));
        }
        out.add(RowFactory.create("small", "t1", 4, 6, 10));
        out.add(RowFactory.create("small", "t1", 4, 6, 10));
        out.add(RowFactory.create(null, "t9", 4, 6, 10));
        out.add(RowFactory.create("small", null, null, 6, 10));
        java.util.Collections.shuffle(out, r);
        return out;
    }

    private static Map<String, List<Long>> groups(KeySummary s) {
        Map<String, List<Long>> out = new TreeMap<>();
        s.groups.forEach((g, c) -> out.put(String.valueOf(g), Arrays.stream(c).boxed().toList()));
        return out;
    }

    @Test
    void mergedPartitionSummariesEqualTheWholeInputsSummary() {
        for (long seed = 1; seed <= 5; seed++) {
            List<Row> all = rows(seed);
            KeySummary whole = KeySummary.of(all.iterator());
            // Split into 1 to 9 partitions of uneven sizes, merged in a shuffled order.
            Random r = new Random(seed);
            int parts = 1 + r.nextInt(9);
            List<KeySummary> summaries = new ArrayList<>();
            int from = 0;
            for (int p = 0; p < parts; p++) {
                int to = p == parts - 1 ? all.size() : from + r.nextInt(all.size() - from + 1);
                summaries.add(KeySummary.of(all.subList(from, to).iterator()));
                from = to;
            }
            java.util.Collections.shuffle(summaries, r);
            KeySummary merged = new KeySummary();
            for (KeySummary s : summaries) {
                merged = merged.merge(s);
            }
            assertEquals(groups(whole), groups(merged), "seed " + seed);
            assertArrayEquals(whole.repeatedHashes(), merged.repeatedHashes());
            assertEquals(whole.smallRunSamples, merged.smallRunSamples);
            assertEquals(whole.largeRuns, merged.largeRuns);
        }
    }

    @Test
    void countsRowsTokensRepeatsAndSmallRunsAsTheGroupedQueriesDid() {
        KeySummary s = KeySummary.of(rows(7).iterator());
        long rows = s.groups.values().stream().mapToLong(c -> c[0]).sum();
        assertEquals(KeyScan.SMALL_RUN_SAMPLES + 50 + 7 + 2 + 2, rows);
        // (small, 4, 6): t0..t6 but t3, plus two more t1; one null token count is not summed.
        long[] small = s.groups.get(new KeySummary.Group("small", 4, 6));
        assertArrayEquals(new long[] {8, 70, 7}, small);
        // The one repeated key is (small, t1), three times; a null run or sample is no key.
        assertEquals(1, s.repeatedHashes().length);
        assertEquals(KeySummary.keyHash("small", "t1"), s.repeatedHashes()[0]);
        assertEquals(java.util.Set.of("large"), s.largeRuns);
        assertTrue(s.smallRunSamples.containsKey("small"));
        assertEquals(7, s.smallRunSamples.get("small").size());
        assertFalse(s.smallRunSamples.containsKey("large"));
    }
}
