package org.infometer.report;

import org.infometer.estimate.ScoredRow;
import org.infometer.estimate.ShardScoredRow;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Driver-side combination of per-shard estimates. Per run, each shard's estimate is the mean over its samples of
 * MI per token ({@code miBits / tokens}) with standard error {@code sd / sqrt(n)}; the combined run estimate is
 * the inverse-variance weighted mean {@code sum(w_i m_i) / sum(w_i)}, {@code w_i = 1 / se_i^2}, with standard
 * error {@code 1 / sqrt(sum w_i)}.
 *
 * <p>This is reported beside, not instead of, the run table's estimate (mean of per-sample values with a
 * scene-clustered standard error). Both depend on how the input was partitioned in per-shard mode.
 */
public final class ShardEstimates {

    private ShardEstimates() {
    }

    /** One shard's estimate for one run, in bits per token. */
    public record Shard(String shardId, int partition, long samples, long tokens, double miPerToken, double se)
            implements Serializable {
    }

    /** One shard's estimate of one run. */
    public record RunShard(String runId, Shard shard) implements Serializable {
    }

    /** A run's shard estimates and their inverse-variance weighted combination, in bits per token. */
    public record Combined(String runId, List<Shard> shards, double miPerToken, double se) {
    }

    /**
     * Combines the scored (non-rejected) rows per run and shard. Fails when a shard has fewer than 2 scored
     * samples of a run or a standard error that is not positive, since it could not be weighted.
     */
    public static Map<String, Combined> combine(List<ShardScoredRow> rows) {
        Map<Integer, List<ShardScoredRow>> byPartition = new TreeMap<>();
        rows.forEach(r -> byPartition.computeIfAbsent(r.partition(), k -> new ArrayList<>()).add(r));
        List<RunShard> shards = new ArrayList<>();
        byPartition.values().forEach(p -> shards.addAll(perShard(p)));
        return combineShards(shards);
    }

    /**
     * The estimates of one shard's runs from that shard's rows (in the order the shard scored them: the mean is a
     * running mean), rejected rows skipped; one entry per run, sorted by run id.
     */
    public static List<RunShard> perShard(List<ShardScoredRow> rowsOfOneShard) {
        Map<String, List<ShardScoredRow>> byRun = new TreeMap<>();
        for (ShardScoredRow r : rowsOfOneShard) {
            if (!r.row().rejected()) {
                byRun.computeIfAbsent(r.row().runId(), k -> new ArrayList<>()).add(r);
            }
        }
        List<RunShard> out = new ArrayList<>();
        byRun.forEach((run, list) -> out.add(new RunShard(run, shard(list))));
        return out;
    }

    /** Combines shard estimates (of any shards, in any order) per run, weighting shards in partition order. */
    public static Map<String, Combined> combineShards(List<RunShard> shardEstimates) {
        Map<String, Map<Integer, Shard>> byRun = new TreeMap<>();
        for (RunShard r : shardEstimates) {
            if (byRun.computeIfAbsent(r.runId(), k -> new TreeMap<>()).put(r.shard().partition(), r.shard()) != null) {
                throw new IllegalArgumentException("Run " + r.runId() + " has two estimates for partition "
                        + r.shard().partition());
            }
        }
        Map<String, Combined> out = new TreeMap<>();
        byRun.forEach((run, shards) -> {
            List<Shard> list = new ArrayList<>();
            double sumW = 0;
            double sumWm = 0;
            for (Shard e : shards.values()) {
                if (!(e.se() > 0) || !Double.isFinite(e.se())) {
                    throw new IllegalStateException("Run " + run + ", shard " + e.shardId() + " (partition "
                            + e.partition() + "): " + e.samples() + " scored samples give no positive standard "
                            + "error, so the shard cannot be weighted; use fewer input partitions or fitMode global");
                }
                double w = 1.0 / (e.se() * e.se());
                sumW += w;
                sumWm += w * e.miPerToken();
                list.add(e);
            }
            list.sort(Comparator.comparingInt(Shard::partition));
            out.put(run, new Combined(run, List.copyOf(list), sumWm / sumW, 1.0 / Math.sqrt(sumW)));
        });
        return out;
    }

    private static Shard shard(List<ShardScoredRow> rows) {
        long n = rows.size();
        long tokens = 0;
        double mean = 0;
        double m2 = 0;
        long i = 0;
        for (ShardScoredRow r : rows) {
            ScoredRow s = r.row();
            tokens += s.tokens();
            double v = s.bits().miBits() / s.tokens();
            i++;
            double d = v - mean;
            mean += d / i;
            m2 += d * (v - mean);
        }
        double se = n < 2 ? Double.NaN : Math.sqrt(m2 / (n - 1) / n);
        ShardScoredRow first = rows.get(0);
        return new Shard(first.shardId(), first.partition(), n, tokens, mean, se);
    }
}
