package org.infometer.job;

import org.apache.spark.sql.Row;
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
    record RunChannels(ChannelMi mi, ChannelRanks ranks) {
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

    static List<Row> rows(Map<String, RunChannels> channels, Date date, String job, String x, String y) {
        TableContract table = TableContract.load("channel_mi");
        List<Row> rows = new ArrayList<>();
        channels.forEach((run, c) -> {
            ChannelMi m = c.mi();
            for (int i = 0; i < m.channelsX(); i++) {
                for (int j = 0; j < m.channelsY(); j++) {
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
                    rows.add(table.row(v));
                }
            }
        });
        return rows;
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
