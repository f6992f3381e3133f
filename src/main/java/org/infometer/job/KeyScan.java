package org.infometer.job;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.infometer.schema.FeatureContract;
import org.infometer.schema.InputException;
import org.infometer.schema.RowValidator;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.col;

/**
 * The cheap first look at the input, over scalar columns only: row and token counts, the channels each run uses
 * (its most common value; ties go to the smaller), and duplicated keys. Its result builds the row validator that
 * every later pass applies identically.
 */
public final class KeyScan {

    /** Duplicate keys collected for validation; beyond this the input is broken beyond quarantining. */
    static final int MAX_DUPLICATE_KEYS = 1_000_000;

    private KeyScan() {
    }

    public record Result(RowValidator validator, long rows, Map<String, Long> tokensByRun, int duplicateKeys) {

        /** Bytes of the float maps of the runs' tokens at their usual channel counts (what a pass decodes). */
        public long mapBytes() {
            long bytes = 0;
            for (Map.Entry<String, Long> e : tokensByRun.entrySet()) {
                int[] ch = validator.channels(e.getKey());
                bytes += ch == null ? 0 : e.getValue() * (ch[0] + ch[1]) * (long) Float.BYTES;
            }
            return bytes;
        }
    }

    /** The key columns one summary pass reads, in {@link KeySummary#add}'s order. */
    private static Dataset<Row> keyColumns(Dataset<Row> features, FeatureContract contract) {
        return features.select(col("run_id"), col("sample_token"), col(contract.x() + "_channels"),
                col(contract.y() + "_channels"), col(contract.x() + "_tokens"));
    }

    /**
     * One job over the key columns: each partition summarises its rows, the driver merges the summaries. It
     * replaces three grouped jobs, each with its shuffle, which were most of the input check (0.7 s of 1.3 s on
     * the quarter-val bench).
     */
    static KeySummary summarize(Dataset<Row> features, FeatureContract contract) {
        features.sparkSession().sparkContext().setJobDescription("infometer: key scan (counts, channels, duplicates)");
        // A few bytes per sample: in as many partitions as the cluster has task slots, not one per input split.
        int slots = Math.max(1, features.sparkSession().sparkContext().defaultParallelism());
        return keyColumns(features, contract).coalesce(slots).toJavaRDD()
                .mapPartitions((java.util.Iterator<Row> rows) -> List.of(KeySummary.of(rows)).iterator())
                .reduce(KeySummary::merge);
    }

    /** The scan of {@code features}: one {@link #summarize} job (two when keys repeat). */
    public static Result scan(Dataset<Row> features, FeatureContract contract, String path) {
        return scan(features, summarize(features, contract), contract, path);
    }

    /** The scan from a {@link #summarize} of {@code features}. */
    static Result scan(Dataset<Row> features, KeySummary summary, FeatureContract contract, String path) {
        long total = 0;
        Map<String, long[]> best = new TreeMap<>();
        Map<String, Long> tokens = new TreeMap<>();
        for (Map.Entry<KeySummary.Group, long[]> e : summary.groups.entrySet()) {
            KeySummary.Group g = e.getKey();
            long n = e.getValue()[0];
            total += n;
            if (g.run() == null || g.cx() == null || g.cy() == null) {
                continue;
            }
            if (e.getValue()[2] > 0) {
                tokens.merge(g.run(), e.getValue()[1], Long::sum);
            }
            long[] cur = best.get(g.run());
            long cx = g.cx();
            long cy = g.cy();
            if (cur == null || n > cur[2] || (n == cur[2] && (cx < cur[0] || (cx == cur[0] && cy < cur[1])))) {
                best.put(g.run(), new long[] {cx, cy, n});
            }
        }
        if (total == 0) {
            throw new InputException("Input " + path + " has no rows");
        }
        Map<String, int[]> channels = new HashMap<>();
        best.forEach((run, v) -> channels.put(run, new int[] {(int) v[0], (int) v[1]}));
        Map<String, Long> duplicates = duplicates(features, contract, summary.repeatedHashes(), path);
        return new Result(new RowValidator(contract, channels, duplicates), total, tokens, duplicates.size());
    }

    /**
     * The keys behind repeated hashes, counted exactly (a hash collision of two different keys counts once each
     * and is no duplicate); a second, filtered job that runs only when some hash repeats.
     */
    private static Map<String, Long> duplicates(Dataset<Row> features, FeatureContract contract, long[] repeated,
                                                String path) {
        Map<String, Long> duplicates = new HashMap<>();
        if (repeated.length == 0) {
            return duplicates;
        }
        if (repeated.length > MAX_DUPLICATE_KEYS) {
            throw new InputException("Input " + path + " has more than " + MAX_DUPLICATE_KEYS
                    + " duplicated (run_id, sample_token) keys");
        }
        List<String> keys = keyColumns(features, contract).toJavaRDD()
                .filter(r -> !r.isNullAt(0) && !r.isNullAt(1)
                        && java.util.Arrays.binarySearch(repeated, KeySummary.keyHash(r.getString(0), r.getString(1))) >= 0)
                .map(r -> RowValidator.key(r.getString(0), r.getString(1))).collect();
        Map<String, Long> counts = new HashMap<>();
        keys.forEach(k -> counts.merge(k, 1L, Long::sum));
        counts.forEach((k, n) -> {
            if (n > 1) {
                duplicates.put(k, n);
            }
        });
        return duplicates;
    }

    /** Cross-fitting with an inner selection needs held-out samples in at least this many folds. */
    public static final int MIN_FOLDS_WITH_SAMPLES = 3;

    /** Runs with more samples than this are not checked for empty folds (all but impossible by hash). */
    static final int SMALL_RUN_SAMPLES = 200;

    /**
     * Runs whose samples fall into fewer than {@link #MIN_FOLDS_WITH_SAMPLES} folds, with the reason their rows are
     * quarantined: such a run cannot be cross-fitted, and failing the whole job for it would lose every other
     * run. Counted over samples with usable keys (not null, not empty, not duplicated); only small runs (at most
     * {@link #SMALL_RUN_SAMPLES} distinct sample tokens, whose tokens the {@link #summarize} of the input kept) are
     * looked at.
     */
    static Map<String, String> unfittableRuns(KeySummary summary, RowValidator validator, int folds, long seed) {
        Map<String, String> out = new TreeMap<>();
        for (Map.Entry<String, java.util.Set<String>> e : new TreeMap<>(summary.smallRunSamples).entrySet()) {
            String run = e.getKey();
            java.util.Set<String> s = new java.util.TreeSet<>();
            for (String sample : e.getValue()) {
                if (!run.isBlank() && !sample.isBlank() && !validator.isDuplicate(run, sample)) {
                    s.add(sample);
                }
            }
            long used = s.stream().mapToInt(t -> org.infometer.estimate.StableHash.fold(t, folds, seed)).distinct()
                    .count();
            if (used < MIN_FOLDS_WITH_SAMPLES) {
                out.put(run, "run " + run + " has " + s.size() + " usable sample(s), in " + used + " of the " + folds
                        + " folds; cross-fitting needs samples in at least " + MIN_FOLDS_WITH_SAMPLES
                        + " folds, so the run is not estimated (the other runs are)");
            }
        }
        return out;
    }
}
