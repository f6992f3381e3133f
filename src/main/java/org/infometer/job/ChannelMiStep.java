package org.infometer.job;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.infometer.estimate.JointMoments;
import org.infometer.estimate.RunFold;
import org.infometer.estimate.channel.ChannelMi;
import org.infometer.estimate.channel.ChannelRanks;
import org.infometer.progress.Progress;
import org.infometer.schema.TableContract;

import java.io.PrintStream;
import java.sql.Date;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The channel_mi table of a measurement run: every run's channel-pair MI from the fit pass's per-fold moments
 * (driver only, no pass over the data), its rows and the console's channel-exchange candidates.
 */
final class ChannelMiStep {

    /** Pairs printed per run on the console. */
    static final int CONSOLE_TOP = 5;

    private ChannelMiStep() {
    }

    /** One run's pair values and ranks. */
    record RunChannels(ChannelMi mi, ChannelRanks ranks) implements java.io.Serializable {
    }

    /** Per run (sorted), from the per-(run, fold) moments; runs in {@code runs} only (the runs with results). */
    static Map<String, RunChannels> compute(Map<RunFold, JointMoments> moments, java.util.Set<String> runs,
                                            Progress progress) {
        Map<String, Map<Integer, JointMoments>> byRun = new TreeMap<>();
        moments.forEach((k, v) -> {
            if (runs.contains(k.runId())) {
                byRun.computeIfAbsent(k.runId(), r -> new TreeMap<>()).put(k.fold(), v);
            }
        });
        Map<String, RunChannels> out = new TreeMap<>();
        long t0 = System.nanoTime();
        byRun.forEach((run, folds) -> {
            ChannelMi mi = ChannelMi.of(folds);
            out.put(run, new RunChannels(mi, ChannelRanks.of(mi)));
        });
        progress.info(String.format(Locale.ROOT, "channel MI: %d runs, %,d channel pairs in %.2f s", out.size(),
                out.values().stream().mapToLong(c -> (long) c.mi().channelsX() * c.mi().channelsY()).sum(),
                (System.nanoTime() - t0) / 1e9));
        return out;
    }

    /**
     * Rows per writing task (and file) of channel_mi: 65,536 pairs per run at 256 x 256 channels, in one file (in
     * four, the tasks' fixed costs were 0.3 s more of the write step).
     */
    static final int ROWS_PER_TASK = 1 << 18;

    /**
     * The channel_mi rows of every run, built by the tasks that write them from a broadcast of the runs' pair
     * values: 65,536 rows built on the driver and shipped in the tasks took 0.8 s of the write step (a megabyte of
     * serialized rows per task of 4,096); built where they are written, in tasks of up to 262,144 rows. The caller
     * destroys the broadcast once the table is written.
     */
    static Table table(SparkSession spark, Map<String, RunChannels> channels, Date date, String job, String x,
                       String y) {
        return table(spark, channels, date, job, x, y, ROWS_PER_TASK);
    }

    /** As {@link #table(SparkSession, Map, Date, String, String, String)} in tasks of {@code rowsPerTask} rows. */
    static Table table(SparkSession spark, Map<String, RunChannels> channels, Date date, String job, String x,
                       String y, int rowsPerTask) {
        StructType schema = TableContract.load("channel_mi").schema();
        long total = channels.values().stream().mapToLong(c -> (long) c.mi().channelsX() * c.mi().channelsY()).sum();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        if (total == 0) {
            return new Table(spark.createDataFrame(List.of(), schema).coalesce(1), null);
        }
        Broadcast<TreeMap<String, RunChannels>> shared = jsc.broadcast(new TreeMap<>(channels));
        int slices = (int) Math.min(Integer.MAX_VALUE, (total + rowsPerTask - 1) / rowsPerTask);
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < slices; i++) {
            ids.add(i);
        }
        JavaRDD<Row> rows = jsc.parallelize(ids, slices).mapPartitions((Iterator<Integer> it) -> {
            List<Row> out = new ArrayList<>();
            while (it.hasNext()) {
                int slice = it.next();
                long from = total * slice / slices;
                long to = total * (slice + 1) / slices;
                rows(shared.value(), date, job, x, y, from, to, out::add);
            }
            return out.iterator();
        });
        return new Table(spark.createDataFrame(rows, schema), shared);
    }

    /** The channel_mi rows and the broadcast they are built from (null when there are none). */
    record Table(Dataset<Row> rows, Broadcast<?> shared) {
    }

    /** Rows {@code from} (inclusive) to {@code to} (exclusive) of every run's rows (runs in order, then x channel, then y channel). */
    private static void rows(TreeMap<String, RunChannels> channels, Date date, String job, String x, String y,
                             long from, long to, java.util.function.Consumer<Row> out) {
        TableContract table = TableContract.load("channel_mi");
        long offset = 0;
        for (Map.Entry<String, RunChannels> e : channels.entrySet()) {
            String run = e.getKey();
            RunChannels c = e.getValue();
            ChannelMi m = c.mi();
            long pairs = (long) m.channelsX() * m.channelsY();
            long start = Math.max(from, offset);
            long end = Math.min(to, offset + pairs);
            for (long g = start; g < end; g++) {
                int i = (int) ((g - offset) / m.channelsY());
                int j = (int) ((g - offset) % m.channelsY());
                Map<String, Object> v = new HashMap<>();
                v.put("run_date", date);
                v.put("job_name", job);
                v.put("run_id", run);
                v.put("x_modality", x);
                v.put("y_modality", y);
                v.put("x_channel", i);
                v.put("y_channel", j);
                v.put("folds", m.folds());
                v.put("n_tokens", m.tokens());
                v.put("rho", MeasureJob.nanToNull(m.rho(i, j)));
                v.put("mi_plugin_bits_per_token", MeasureJob.nanToNull(m.pluginBitsPerToken(i, j)));
                v.put("mi_bits_per_token", MeasureJob.nanToNull(m.miBitsPerToken(i, j)));
                v.put("mi_se_bits_per_token", MeasureJob.nanToNull(m.seBitsPerToken(i, j)));
                v.put("redundancy_rank", c.ranks().overall(i, j));
                v.put("x_partner_rank", c.ranks().xPartner(i, j));
                v.put("y_partner_rank", c.ranks().yPartner(i, j));
                out.accept(table.row(v));
            }
            offset += pairs;
        }
    }

    static void print(PrintStream out, Map<String, RunChannels> channels, String x, String y, String table) {
        if (channels.isEmpty()) {
            return;
        }
        out.println();
        out.printf("Most redundant channel pairs (%s channel - %s channel, cross-fitted Gaussian MI bits/token ± SE; "
                + "channel-exchange candidates) per run, all pairs in %s:%n", x, y, table);
        channels.forEach((run, c) -> {
            StringBuilder b = new StringBuilder("  " + run + ":");
            int n = Math.min(CONSOLE_TOP, c.mi().channelsX() * c.mi().channelsY());
            for (int r = 1; r <= n; r++) {
                int[] p = c.ranks().pairAt(r);
                b.append(String.format(Locale.ROOT, "  #%d x%d-y%d %.4f ± %.4f", r, p[0], p[1],
                        c.mi().miBitsPerToken(p[0], p[1]), c.mi().seBitsPerToken(p[0], p[1])));
            }
            out.println(b);
        });
    }
}
