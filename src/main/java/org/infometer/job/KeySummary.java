package org.infometer.job;

import org.apache.spark.sql.Row;
import org.infometer.estimate.StableHash;
import org.infometer.schema.RowValidator;

import java.io.Serializable;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What one pass over the input's key columns finds, as a mergeable state: rows per (run, x channels, y channels)
 * with their token sums, a 64-bit hash of every (run, sample) key, and the distinct sample tokens of every run
 * while it has at most {@link KeyScan#SMALL_RUN_SAMPLES} of them. Each partition builds one; merged on the driver,
 * they answer what three grouped jobs with shuffles answered before, in one job without a shuffle. The driver
 * holds 8 bytes per sample (the key hashes) plus the tokens of small runs.
 *
 * <p>Algebra: a new summary is the identity of {@link #merge}; merge is associative and commutative.
 */
final class KeySummary implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Rows of one (run, channels) group with their x token counts; any field may be null. */
    record Group(String run, Integer cx, Integer cy) implements Serializable {
    }

    /** {rows, sum of non-null x token counts, rows with a non-null x token count} per group. */
    final Map<Group, long[]> groups = new HashMap<>();
    private long[] hashes = new long[64];
    private int hashCount;
    /** Distinct sample tokens per run, for runs not yet known to exceed the small-run limit. */
    final Map<String, Set<String>> smallRunSamples = new HashMap<>();
    /** Runs with more distinct sample tokens than the small-run limit. */
    final Set<String> largeRuns = new TreeSet<>();

    /** The summary of one partition's key rows (run_id, sample_token, x channels, y channels, x tokens). */
    static KeySummary of(Iterator<Row> rows) {
        KeySummary s = new KeySummary();
        while (rows.hasNext()) {
            s.add(rows.next());
        }
        return s;
    }

    void add(Row r) {
        String run = r.isNullAt(0) ? null : r.getString(0);
        String sample = r.isNullAt(1) ? null : r.getString(1);
        Group g = new Group(run, r.isNullAt(2) ? null : r.getInt(2), r.isNullAt(3) ? null : r.getInt(3));
        long[] c = groups.computeIfAbsent(g, k -> new long[3]);
        c[0]++;
        if (!r.isNullAt(4)) {
            c[1] += r.getInt(4);
            c[2]++;
        }
        if (run != null && sample != null) {
            addHash(keyHash(run, sample));
            if (!largeRuns.contains(run)) {
                Set<String> samples = smallRunSamples.computeIfAbsent(run, k -> new TreeSet<>());
                samples.add(sample);
                if (samples.size() > KeyScan.SMALL_RUN_SAMPLES) {
                    smallRunSamples.remove(run);
                    largeRuns.add(run);
                }
            }
        }
    }

    static long keyHash(String run, String sample) {
        return StableHash.of(RowValidator.key(run, sample), 0x6b657973L);
    }

    private void addHash(long h) {
        if (hashCount == hashes.length) {
            hashes = Arrays.copyOf(hashes, hashes.length * 2);
        }
        hashes[hashCount++] = h;
    }

    KeySummary merge(KeySummary o) {
        o.groups.forEach((g, c) -> {
            long[] mine = groups.computeIfAbsent(g, k -> new long[3]);
            for (int i = 0; i < 3; i++) {
                mine[i] += c[i];
            }
        });
        if (hashCount + o.hashCount > hashes.length) {
            hashes = Arrays.copyOf(hashes, Math.max(hashes.length * 2, hashCount + o.hashCount));
        }
        System.arraycopy(o.hashes, 0, hashes, hashCount, o.hashCount);
        hashCount += o.hashCount;
        largeRuns.addAll(o.largeRuns);
        o.smallRunSamples.forEach((run, samples) -> {
            if (!largeRuns.contains(run)) {
                smallRunSamples.computeIfAbsent(run, k -> new TreeSet<>()).addAll(samples);
            }
        });
        smallRunSamples.keySet().removeAll(largeRuns);
        smallRunSamples.entrySet().removeIf(e -> {
            if (e.getValue().size() > KeyScan.SMALL_RUN_SAMPLES) {
                largeRuns.add(e.getKey());
                return true;
            }
            return false;
        });
        return this;
    }

    /** The key hashes that occur more than once (sorted), or an empty array. */
    long[] repeatedHashes() {
        long[] h = Arrays.copyOf(hashes, hashCount);
        Arrays.sort(h);
        long[] out = new long[16];
        int n = 0;
        for (int i = 1; i < h.length; i++) {
            if (h[i] == h[i - 1] && (n == 0 || out[n - 1] != h[i])) {
                if (n == out.length) {
                    out = Arrays.copyOf(out, n * 2);
                }
                out[n++] = h[i];
            }
        }
        return Arrays.copyOf(out, n);
    }
}
