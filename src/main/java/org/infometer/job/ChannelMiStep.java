package org.infometer.job;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.infometer.estimate.JointMoments;
import org.infometer.estimate.RunFold;
import org.infometer.estimate.channel.ChannelMi;
import org.infometer.estimate.channel.ChannelRanks;
import org.infometer.progress.Progress;
import org.infometer.schema.TableContract;

import java.io.PrintStream;
import java.sql.Date;
import java.util.ArrayList;
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

    /** The columns in the order rows are built; checked against the contract once per call. */
    private static final List<String> COLUMNS = List.of("run_date", "job_name", "run_id", "x_modality", "y_modality",
            "x_channel", "y_channel", "folds", "n_tokens", "rho", "mi_plugin_bits_per_token", "mi_bits_per_token",
            "mi_se_bits_per_token", "redundancy_rank", "x_partner_rank", "y_partner_rank");

    static List<Row> rows(Map<String, RunChannels> channels, Date date, String job, String x, String y) {
        // 65,536 rows a run at 256 + 256 channels: built positionally (TableContract.row parses the contract per
        // row), after one check that the positions are the contract's.
        List<String> contract = List.of(TableContract.load("channel_mi").schema().fieldNames());
        if (!contract.equals(COLUMNS)) {
            throw new IllegalStateException("data-schemas/channel_mi.ddl has columns " + contract + ", the writer "
                    + COLUMNS);
        }
        List<Row> rows = new ArrayList<>();
        channels.forEach((run, c) -> {
            ChannelMi m = c.mi();
            for (int i = 0; i < m.channelsX(); i++) {
                for (int j = 0; j < m.channelsY(); j++) {
                    rows.add(RowFactory.create(date, job, run, x, y, i, j, m.folds(), m.tokens(),
                            MeasureJob.nanToNull(m.rho(i, j)), MeasureJob.nanToNull(m.pluginBitsPerToken(i, j)),
                            MeasureJob.nanToNull(m.miBitsPerToken(i, j)), MeasureJob.nanToNull(m.seBitsPerToken(i, j)),
                            c.ranks().overall(i, j), c.ranks().xPartner(i, j), c.ranks().yPartner(i, j)));
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
