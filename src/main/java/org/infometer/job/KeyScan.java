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
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.sum;

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

    /**
     * The scalar columns {@link #scan} and {@link #unfittableRuns} read, kept in memory: a job that runs both reads
     * the input's key columns once instead of three or four times (each read opens every file's footer).
     * Callers unpersist the result when done.
     */
    public static Dataset<Row> keyColumns(Dataset<Row> features, FeatureContract contract) {
        // A few bytes per sample: in as many partitions as the cluster has task slots, not one per input split
        // (56 on the quarter-val bench), so each of the scan's jobs is a few tasks instead of a stage of 56.
        int slots = Math.max(1, features.sparkSession().sparkContext().defaultParallelism());
        return features.select(col("run_id"), col("sample_token"), col(contract.x() + "_channels"),
                col(contract.y() + "_channels"), col(contract.x() + "_tokens")).coalesce(slots)
                .persist(org.apache.spark.storage.StorageLevel.MEMORY_ONLY());
    }

    /** The scan of {@code features} (the whole input, or its {@link #keyColumns}). */
    public static Result scan(Dataset<Row> features, FeatureContract contract, String path) {
        features.sparkSession().sparkContext().setJobDescription("infometer: key scan (counts, channels, duplicates)");
        String cxCol = contract.x() + "_channels";
        String cyCol = contract.y() + "_channels";
        List<Row> channelCounts = features.groupBy(col("run_id"), col(cxCol), col(cyCol))
                .agg(count("*"), sum(col(contract.x() + "_tokens"))).collectAsList();
        long total = 0;
        Map<String, long[]> best = new TreeMap<>();
        Map<String, Long> tokens = new TreeMap<>();
        for (Row r : channelCounts) {
            long n = r.getLong(3);
            total += n;
            if (r.isNullAt(0) || r.isNullAt(1) || r.isNullAt(2)) {
                continue;
            }
            if (!r.isNullAt(4)) {
                tokens.merge(r.getString(0), r.getLong(4), Long::sum);
            }
            long[] cur = best.get(r.getString(0));
            long cx = r.getInt(1);
            long cy = r.getInt(2);
            if (cur == null || n > cur[2] || (n == cur[2] && (cx < cur[0] || (cx == cur[0] && cy < cur[1])))) {
                best.put(r.getString(0), new long[] {cx, cy, n});
            }
        }
        if (total == 0) {
            throw new InputException("Input " + path + " has no rows");
        }
        Map<String, int[]> channels = new HashMap<>();
        best.forEach((run, v) -> channels.put(run, new int[] {(int) v[0], (int) v[1]}));
        List<Row> dups = features.groupBy(col("run_id"), col("sample_token")).count()
                .filter(col("count").gt(1)).limit(MAX_DUPLICATE_KEYS + 1).collectAsList();
        if (dups.size() > MAX_DUPLICATE_KEYS) {
            throw new InputException("Input " + path + " has more than " + MAX_DUPLICATE_KEYS
                    + " duplicated (run_id, sample_token) keys");
        }
        Map<String, Long> duplicates = new HashMap<>();
        for (Row d : dups) {
            if (!d.isNullAt(0) && !d.isNullAt(1)) {
                duplicates.put(RowValidator.key(d.getString(0), d.getString(1)), d.getLong(2));
            }
        }
        return new Result(new RowValidator(contract, channels, duplicates), total, tokens, dups.size());
    }

    /** Cross-fitting with an inner selection needs held-out samples in at least this many folds. */
    public static final int MIN_FOLDS_WITH_SAMPLES = 3;

    /** Runs with more samples than this are not checked for empty folds (all but impossible by hash). */
    static final int SMALL_RUN_SAMPLES = 200;

    /**
     * Runs whose samples fall into fewer than {@link #MIN_FOLDS_WITH_SAMPLES} folds, with the reason their rows are
     * quarantined: such a run cannot be cross-fitted, and failing the whole job for it would lose every other
     * run. Counted over samples with usable keys (not null, not empty, not duplicated); only small runs are
     * looked at, by collecting their sample tokens.
     */
    public static Map<String, String> unfittableRuns(Dataset<Row> features, RowValidator validator, int folds,
                                                     long seed) {
        Dataset<Row> keys = features.select(col("run_id"), col("sample_token"))
                .filter(col("run_id").isNotNull().and(col("sample_token").isNotNull()));
        List<Row> small = keys.groupBy(col("run_id")).agg(org.apache.spark.sql.functions.countDistinct(
                col("sample_token")).as("n")).filter(col("n").leq(SMALL_RUN_SAMPLES)).collectAsList();
        Map<String, String> out = new TreeMap<>();
        if (small.isEmpty()) {
            return out;
        }
        List<String> runs = small.stream().map(r -> r.getString(0)).toList();
        Map<String, java.util.Set<String>> samples = new TreeMap<>();
        for (Row r : keys.filter(col("run_id").isin(runs.toArray())).distinct().collectAsList()) {
            String run = r.getString(0);
            String sample = r.getString(1);
            if (!run.isBlank() && !sample.isBlank() && !validator.isDuplicate(run, sample)) {
                samples.computeIfAbsent(run, k -> new java.util.TreeSet<>()).add(sample);
            }
        }
        for (String run : runs) {
            java.util.Set<String> s = samples.getOrDefault(run, java.util.Set.of());
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
