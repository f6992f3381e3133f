package org.infometer.job;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.infometer.config.JobConfig;
import org.infometer.estimate.StableHash;
import org.infometer.pid.PidBootstrap;
import org.infometer.schema.RowValidator;
import org.infometer.spark.DecodedSample;
import org.infometer.spark.RejectedRow;
import org.infometer.spark.ShardPass;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * What the PID driver knows of the samples without their counts: a keys-only pass (no maps decoded) gives every
 * sample's run, scene, token count and target values, or why it is not counted. From these keys alone the driver
 * draws the bootstrap ({@link PidBootstrap#draw}: the draws depend on the strata's sizes and the samples' sorted
 * order, never on their counts), so the counting pass can sum every replicate's table on the executors.
 */
final class PidSampleKeys {

    private PidSampleKeys() {
    }

    /** One row's keys: a sample that is counted ({@code rejection} null), or a row that is not, and why. */
    record Key(String runId, String sceneToken, String sampleToken, long tokens, int[] targets, String rejection)
            implements Serializable {
    }

    /** A run's counted samples, sorted by (scene, sample) as the bootstrap sorts them, and its target values. */
    record Run(String runId, List<Key> samples, TreeMap<String, Integer> sceneSizes, Map<Integer, Integer> dict,
               long tokens) {

        int[] strataSizes() {
            return sceneSizes.values().stream().mapToInt(Integer::intValue).toArray();
        }
    }

    /** Every row's keys (small: strings and the distinct target values, no counts). */
    static List<Key> scan(Dataset<Row> features, RowValidator validator, boolean perToken) {
        return ShardPass.map(features, validator, partition -> new ShardPass.Pass<Key>() {
            @Override
            public boolean needsMaps(DecodedSample ids) {
                return false;
            }

            @Override
            public void rejected(RejectedRow r, Consumer<Key> out) {
                out.accept(new Key(r.runId(), null, r.sampleToken(), 0, null, r.rejection().code() + ": "
                        + r.rejection().reason()));
            }

            @Override
            public void valid(DecodedSample s, InternalRow row, Consumer<Key> out) {
                PidJob.Target t = PidJob.target(row, s.tokens(), perToken);
                if (t.rejection() != null) {
                    out.accept(new Key(s.runId(), null, s.sampleToken(), 0, null, t.rejection()));
                    return;
                }
                TreeSet<Integer> values = new TreeSet<>();
                for (int v : t.values()) {
                    values.add(v);
                }
                out.accept(new Key(s.runId(), s.sceneToken(), s.sampleToken(), s.tokens(),
                        values.stream().mapToInt(Integer::intValue).toArray(), null));
            }
        }).collect();
    }

    /** Rows not counted, by the reason's code. */
    static Map<String, Long> rejected(List<Key> keys) {
        Map<String, Long> out = new TreeMap<>();
        for (Key k : keys) {
            if (k.rejection() != null) {
                out.merge(k.rejection().split(":")[0], 1L, Long::sum);
            }
        }
        return out;
    }

    /** The runs with counted samples, by run id. */
    static Map<String, Run> runs(List<Key> keys) {
        Map<String, List<Key>> byRun = new TreeMap<>();
        for (Key k : keys) {
            if (k.rejection() == null) {
                byRun.computeIfAbsent(k.runId(), r -> new ArrayList<>()).add(k);
            }
        }
        Map<String, Run> out = new TreeMap<>();
        byRun.forEach((runId, samples) -> {
            samples.sort(Comparator.comparing(Key::sceneToken).thenComparing(Key::sampleToken));
            TreeMap<String, Integer> sizes = new TreeMap<>();
            TreeSet<Integer> values = new TreeSet<>();
            long tokens = 0;
            for (Key k : samples) {
                sizes.merge(k.sceneToken(), 1, Integer::sum);
                for (int v : k.targets()) {
                    values.add(v);
                }
                tokens += k.tokens();
            }
            // Dense target indices in sorted order, as the per-sample path numbered the values its cells held.
            Map<Integer, Integer> dict = new HashMap<>();
            for (int v : values) {
                dict.put(v, dict.size());
            }
            out.put(runId, new Run(runId, samples, sizes, dict, tokens));
        });
        return out;
    }

    /** The scenes of a run that get a scene-level row ("run\0scene"): those with enough samples. */
    static Set<String> sceneRows(Map<String, Run> runs, int minSceneSamples) {
        Set<String> out = new HashSet<>();
        for (Run r : runs.values()) {
            r.sceneSizes().forEach((scene, n) -> {
                if (n >= minSceneSamples) {
                    out.add(key(r.runId(), scene));
                }
            });
        }
        return out;
    }

    static String key(String runId, String token) {
        return runId + "\u0000" + token;
    }

    /** The seed of the bootstrap of one run (scene null) or scene at cluster count k, as the job always drew it. */
    static long bootstrapSeed(String runId, String scene, int k, long seed) {
        return StableHash.of(runId + "/" + (scene == null ? "" : scene) + "/" + k, seed);
    }

    /**
     * Every counted sample's multiplicities ("run\0sample" to {@link Weights}): block ki is its multiplicity in
     * the run-level bootstrap of the ki-th k, block nk (present only where its scene gets a row) in its scene's
     * bootstrap at the main k; each block holds the B outer replicates, then the B inner ones. Empty without a
     * bootstrap. Size: samples x (nk + 1) x 2B bytes (ints for a sample once one of its multiplicities passes 127,
     * which needs a scene of more than 127 samples), plus one level's draws (2B x the run's samples ints) while
     * drawing.
     */
    static Map<String, Weights> weights(Map<String, Run> runs, Set<String> sceneRows, JobConfig cfg) {
        JobConfig.Pid pid = cfg.pid();
        int b = pid.bootstrap();
        Map<String, Weights> out = new HashMap<>();
        if (b == 0) {
            return out;
        }
        int nk = pid.k().size();
        long seed = cfg.estimator().seed();
        for (Run run : runs.values()) {
            List<Key> samples = run.samples();
            int n = samples.size();
            Weights[] w = new Weights[n];
            for (int i = 0; i < n; i++) {
                boolean scene = sceneRows.contains(key(run.runId(), samples.get(i).sceneToken()));
                w[i] = new Weights((nk + (scene ? 1 : 0)) * 2 * b, 2 * b);
            }
            for (int ki = 0; ki < nk; ki++) {
                PidBootstrap.Draws d = PidBootstrap.draw(run.strataSizes(), b,
                        bootstrapSeed(run.runId(), null, pid.k().get(ki), seed));
                copy(d, w, 0, n, ki * 2 * b);
            }
            int start = 0;
            for (Map.Entry<String, Integer> sc : run.sceneSizes().entrySet()) {
                int size = sc.getValue();
                if (sceneRows.contains(key(run.runId(), sc.getKey()))) {
                    PidBootstrap.Draws d = PidBootstrap.draw(new int[] {size}, b,
                            bootstrapSeed(run.runId(), sc.getKey(), pid.k().get(0), seed));
                    copy(d, w, start, size, nk * 2 * b);
                }
                start += size;
            }
            for (int i = 0; i < n; i++) {
                out.put(key(run.runId(), samples.get(i).sampleToken()), w[i]);
            }
        }
        return out;
    }

    /** Draws over samples [from, from + n) of the sorted list into each sample's block at {@code offset}. */
    private static void copy(PidBootstrap.Draws d, Weights[] w, int from, int n, int offset) {
        int b = d.replicates();
        for (int r = 0; r < b; r++) {
            int[] outer = d.outer(r);
            int[] inner = d.inner(r);
            for (int i = 0; i < n; i++) {
                w[from + i].set(offset + r, outer[i]);
                w[from + i].set(offset + b + r, inner[i]);
            }
        }
    }

    /** One sample's multiplicities in blocks of 2B: bytes, ints once one passes 127. */
    static final class Weights implements Serializable {
        private static final long serialVersionUID = 1L;
        private byte[] small;
        private int[] large;
        private final int blockLength;

        Weights(int length, int blockLength) {
            small = new byte[length];
            this.blockLength = blockLength;
        }

        void set(int i, int v) {
            if (large == null && v > Byte.MAX_VALUE) {
                large = new int[small.length];
                for (int j = 0; j < small.length; j++) {
                    large[j] = small[j];
                }
                small = null;
            }
            if (large != null) {
                large[i] = v;
            } else {
                small[i] = (byte) v;
            }
        }

        /** Block {@code b} (outer replicates, then inner ones), or null where the sample has no such block. */
        int[] block(int b) {
            int length = small != null ? small.length : large.length;
            if ((b + 1) * blockLength > length) {
                return null;
            }
            int[] out = new int[blockLength];
            for (int j = 0; j < blockLength; j++) {
                out[j] = small != null ? small[b * blockLength + j] : large[b * blockLength + j];
            }
            return out;
        }
    }
}
