package org.infometer.job;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.infometer.estimate.JointMoments;
import org.infometer.estimate.channel.ChannelMi;
import org.infometer.estimate.channel.ChannelRanks;
import org.infometer.testing.SparkTestSession;
import org.junit.jupiter.api.Test;

import java.sql.Date;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** channel_mi rows built by the writing tasks: every pair once, in order, with the driver's values. */
class ChannelMiTableTest {

    private static ChannelMiStep.RunChannels run(long seed, int cx, int cy) {
        Random r = new Random(seed);
        Map<Integer, JointMoments> folds = new TreeMap<>();
        int t = 30;
        for (int f = 0; f < 3; f++) {
            JointMoments m = new JointMoments(cx, cy);
            for (int s = 0; s < 2; s++) {
                float[] x = new float[t * cx];
                float[] y = new float[t * cy];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) r.nextGaussian();
                }
                for (int i = 0; i < y.length; i++) {
                    y[i] = (float) (0.5 * x[(i / cy) * cx + (i % cy) % cx] + r.nextGaussian());
                }
                m.addSample(x, y, t);
            }
            folds.put(f, m);
        }
        ChannelMi mi = ChannelMi.of(folds);
        return new ChannelMiStep.RunChannels(mi, ChannelRanks.of(mi));
    }

    @Test
    void everyPairOnceInOrderSpreadOverTasks() {
        SparkSession spark = SparkTestSession.get();
        Map<String, ChannelMiStep.RunChannels> channels = new TreeMap<>();
        channels.put("run-b", run(2, 90, 100));
        channels.put("run-a", run(1, 100, 90));
        Date date = Date.valueOf("2026-12-07");
        ChannelMiStep.Table whole = ChannelMiStep.table(spark, channels, date, "job", "camera", "lidar");
        assertEquals(1, whole.rows().rdd().getNumPartitions(), "18,000 pairs in one task of up to 262,144 rows");
        assertEquals(18_000, whole.rows().count());
        whole.shared().destroy();
        ChannelMiStep.Table table = ChannelMiStep.table(spark, channels, date, "job", "camera", "lidar", 16_384);
        try {
            assertEquals(2, table.rows().rdd().getNumPartitions(), "18,000 pairs in tasks of 16,384 rows");
            List<Row> rows = table.rows().collectAsList();
            assertEquals(18_000, rows.size());
            int k = 0;
            for (Map.Entry<String, ChannelMiStep.RunChannels> e : channels.entrySet()) {
                ChannelMi m = e.getValue().mi();
                for (int i = 0; i < m.channelsX(); i++) {
                    for (int j = 0; j < m.channelsY(); j++, k++) {
                        Row row = rows.get(k);
                        assertEquals(e.getKey(), row.getAs("run_id"));
                        assertEquals(i, (int) row.getAs("x_channel"));
                        assertEquals(j, (int) row.getAs("y_channel"));
                        assertEquals(date, row.getAs("run_date"));
                        assertEquals(m.miBitsPerToken(i, j), (double) row.getAs("mi_bits_per_token"));
                        assertEquals(m.seBitsPerToken(i, j), (double) row.getAs("mi_se_bits_per_token"));
                        assertEquals(e.getValue().ranks().overall(i, j), (int) row.getAs("redundancy_rank"));
                    }
                }
            }
        } finally {
            table.shared().destroy();
        }
    }

    @Test
    void noRunsGiveAnEmptyTable() {
        ChannelMiStep.Table table = ChannelMiStep.table(SparkTestSession.get(), Map.of(), Date.valueOf("2026-12-07"),
                "job", "camera", "lidar");
        assertTrue(table.rows().isEmpty());
        assertNull(table.shared());
    }
}
