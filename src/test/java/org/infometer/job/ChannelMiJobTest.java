package org.infometer.job;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.infometer.config.JobConfig;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.infometer.estimate.JointMoments;
import org.infometer.estimate.RunFold;
import org.infometer.spark.ShardRunner;
import org.infometer.estimate.channel.ChannelMi;
import org.infometer.io.FeatureInput;
import org.infometer.progress.Progress;
import org.infometer.schema.FeatureContract;
import org.infometer.synth.GenerateConfig;
import org.infometer.synth.GenerateJob;
import org.infometer.testing.SparkTestSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The channel_mi table as the job writes it: every pair, the library's values, ranks, partition invariance. */
class ChannelMiJobTest {

    @TempDir
    static Path dir;
    static SparkSession spark;

    @BeforeAll
    static void generate() {
        spark = SparkTestSession.get();
        GenerateJob.run(spark, new GenerateConfig(dir.resolve("data").toString(), 2, 6, 6, 30, 7, 5, 3, 17, 3,
                "camera", "lidar"), Progress.stderr());
    }

    static JobConfig config(String name, String... overrides) {
        try {
            ObjectNode root = (ObjectNode) JobConfig.JSON.readTree("{\"name\": \"" + name + "\"}");
            List<String> o = new ArrayList<>(List.of("input.features=" + dir.resolve("data/features"),
                    "output.warehouse=" + dir.resolve("warehouse"), "output.summaryDir=" + dir.resolve("out")));
            o.addAll(Arrays.asList(overrides));
            return JobConfig.fromTree(root, o, java.time.LocalDate.of(2026, 11, 24), "test");
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<Row> rows(String job) {
        return spark.table("im.infometer.channel_mi").filter("job_name = '" + job + "'").drop("job_name")
                .orderBy("run_id", "x_channel", "y_channel").collectAsList();
    }

    @Test
    void everyPairOfEveryRunWithTheFitPassValuesAndConsistentRanks() {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        MeasureJob.run(spark, config("ch"), new PrintStream(console, true, StandardCharsets.UTF_8));
        List<Row> rows = rows("ch");
        assertEquals(2 * 7 * 5, rows.size());
        // The same values from the library on the same moments: the table is the library's output, no pass added.
        Dataset<Row> features = FeatureInput.open(spark, dir.resolve("data/features").toString(),
                new FeatureContract("camera", "lidar"), null);
        var validator = KeyScan.scan(features, new FeatureContract("camera", "lidar"), "test").validator()
                .forMeasurement();
        Map<String, Map<Integer, JointMoments>> byRun = new TreeMap<>();
        ShardRunner.fitMoments(features, validator, 5, 20240601L).forEach((RunFold k, JointMoments v) ->
                byRun.computeIfAbsent(k.runId(), r -> new TreeMap<>()).put(k.fold(), v));
        for (Row r : rows) {
            ChannelMi m = ChannelMi.of(byRun.get(r.getString(r.fieldIndex("run_id"))));
            int i = r.getInt(r.fieldIndex("x_channel"));
            int j = r.getInt(r.fieldIndex("y_channel"));
            assertEquals(m.miBitsPerToken(i, j), r.getDouble(r.fieldIndex("mi_bits_per_token")), 0.0);
            assertEquals(m.seBitsPerToken(i, j), r.getDouble(r.fieldIndex("mi_se_bits_per_token")), 0.0);
            assertEquals(m.tokens(), r.getLong(r.fieldIndex("n_tokens")));
            assertEquals(5, r.getInt(r.fieldIndex("folds")));
        }
        for (String run : byRun.keySet()) {
            List<Row> rr = rows.stream().filter(r -> r.getString(r.fieldIndex("run_id")).equals(run)).toList();
            List<Row> byRank = new ArrayList<>(rr);
            byRank.sort((a, b) -> Integer.compare(a.getInt(a.fieldIndex("redundancy_rank")),
                    b.getInt(b.fieldIndex("redundancy_rank"))));
            for (int k = 0; k < byRank.size(); k++) {
                assertEquals(k + 1, byRank.get(k).getInt(byRank.get(k).fieldIndex("redundancy_rank")));
                if (k > 0) {
                    assertTrue(byRank.get(k).getDouble(byRank.get(k).fieldIndex("mi_bits_per_token"))
                            <= byRank.get(k - 1).getDouble(byRank.get(k - 1).fieldIndex("mi_bits_per_token")));
                }
            }
            // Each x channel's partner rank 1 is its best y channel.
            for (int i = 0; i < 7; i++) {
                int x = i;
                List<Row> partners = rr.stream().filter(r -> r.getInt(r.fieldIndex("x_channel")) == x).toList();
                double best = partners.stream().mapToDouble(r -> r.getDouble(r.fieldIndex("mi_bits_per_token")))
                        .max().orElseThrow();
                Row first = partners.stream().filter(r -> r.getInt(r.fieldIndex("x_partner_rank")) == 1)
                        .findFirst().orElseThrow();
                assertEquals(best, first.getDouble(first.fieldIndex("mi_bits_per_token")), 0.0);
            }
            Row top = byRank.get(0);
            String printed = String.format(java.util.Locale.ROOT, "#1 x%d-y%d %.4f", top.getInt(top.fieldIndex(
                    "x_channel")), top.getInt(top.fieldIndex("y_channel")),
                    top.getDouble(top.fieldIndex("mi_bits_per_token")));
            assertTrue(console.toString(StandardCharsets.UTF_8).contains(printed), "console top pair " + printed);
        }
    }

    @Test
    void identicalForAnyPartitioningAndEmptyWhenSwitchedOff() {
        MeasureJob.run(spark, config("ch1", "input.repartition=1"), new PrintStream(PrintStream.nullOutputStream()));
        MeasureJob.run(spark, config("ch3", "input.repartition=3"), new PrintStream(PrintStream.nullOutputStream()));
        assertEquals(rows("ch1"), rows("ch3"));
        MeasureJob.run(spark, config("choff"), new PrintStream(PrintStream.nullOutputStream()));
        assertEquals(70, rows("choff").size());
        MeasureJob.run(spark, config("choff", "channelMi.enabled=false"),
                new PrintStream(PrintStream.nullOutputStream()));
        assertEquals(0, rows("choff").size(), "a rerun with channelMi off replaces the date's pairs with none");
    }
}
