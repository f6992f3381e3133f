package org.infometer.job;

import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.infometer.config.JobConfig;
import org.infometer.estimate.StableHash;
import org.infometer.estimate.variational.Complementarity;
import org.infometer.pid.BrojaSolver;
import org.infometer.pid.JointDistribution;
import org.infometer.pid.PidBootstrap;
import org.infometer.pid.PidResult;
import org.infometer.pid.SampleCounts;
import org.infometer.progress.Progress;
import org.infometer.report.Validity;
import org.infometer.schema.RowValidator;
import org.infometer.spark.DecodedSample;
import org.infometer.spark.RejectedRow;
import org.infometer.spark.ShardPass;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

import static org.infometer.job.PidAnalysis.MINE_FOLDS;
import static org.infometer.job.PidAnalysis.MINE_MAX_TOKENS;

/**
 * The PID job's driver side as it was before the counting pass merged states (commit 7bfa31c): every sample's
 * counts collected ({@link #count}), grouped, and bootstrapped in memory ({@link PidBootstrap#run}). Kept
 * verbatim as the reference the merged-state path must equal bit for bit ({@link PidStatesTest}).
 */
final class PidPerSampleReference {

    private PidPerSampleReference() {
    }

    /** Bootstraps one set of samples and builds its row with corrected terms, intervals and status. */
    static PidAnalysis.PidRow row(String level, String runId, String scene, int k, String disc, int pcaDims, int targetValues,
                      List<SampleCounts> samples, Map<Integer, Integer> dict, BrojaSolver solver, JobConfig cfg,
                      boolean bootstrap) {
        JobConfig.Pid pid = cfg.pid();
        long tokens = samples.stream().mapToLong(s -> Arrays.stream(s.counts()).sum()).sum();
        JointDistribution dist = distribution(samples, k, dict);
        long occupied = occupiedCells(samples);
        PidResult result;
        double[] low = null;
        double[] high = null;
        int reps = 0;
        int failed = 0;
        List<PidBootstrap.Corrected> corrected = null;
        double[] bias = null;
        if (bootstrap) {
            PidBootstrap.Result boot = new PidBootstrap(solver).run(k, k, Math.max(dict.size(), 1),
                    bootstrapSamples(samples, k, dict), new PidBootstrap.Options(pid.bootstrap(), pid.ciLevel(),
                            StableHash.of(runId + "/" + (scene == null ? "" : scene) + "/" + k,
                                    cfg.estimator().seed()), Math.max(1, Runtime.getRuntime().availableProcessors())));
            result = boot.point();
            reps = boot.replicates() - boot.failedReplicates();
            failed = boot.failedReplicates();
            if (reps >= 2) {
                corrected = boot.corrected();
                low = new double[4];
                high = new double[4];
                bias = new double[4];
                for (int i = 0; i < 4; i++) {
                    low[i] = corrected.get(i).lower();
                    high[i] = corrected.get(i).upper();
                    bias[i] = corrected.get(i).bias();
                }
            }
        } else {
            result = solver.solve(dist);
        }
        // The verdict rules are the job's own (corrected is null exactly when bias is).
        Validity.Verdict verdict = PidAnalysis.verdict(result, tokens, occupied, bias, bootstrap, failed, pid);
        return new PidAnalysis.PidRow(level, runId, scene, k, disc, pcaDims, samples.size(), tokens, targetValues, result, low,
                high, reps, failed, corrected, occupied, verdict);
    }

    /**
     * MINE-based complementarity on the PID's own discretised tokens (cluster ids of the main k and the target):
     * each sample's counted tokens, at most {@link #MINE_MAX_TOKENS} kept by a stable hash of (sample, cell, copy),
     * folds by sample.
     */
    static Complementarity.Result mineComplementarity(String runId, List<SampleCounts> samples, int k,
                                                      Map<Integer, Integer> dict, long seed) {
        long total = samples.stream().mapToLong(s -> Arrays.stream(s.counts()).sum()).sum();
        double rate = Math.min(1.0, (double) MINE_MAX_TOKENS / Math.max(total, 1));
        long hashSeed = StableHash.combine(seed, StableHash.of(runId, 0x3c0));
        List<int[]> tokens = new ArrayList<>();
        for (SampleCounts s : samples) {
            int fold = StableHash.fold(s.sampleToken(), MINE_FOLDS, hashSeed);
            long sh = StableHash.of(s.sampleToken(), hashSeed);
            long[] cells = s.cells().clone();
            Integer[] order = new Integer[cells.length];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            Arrays.sort(order, Comparator.comparingLong(i -> cells[i]));
            for (int i : order) {
                for (long c = 0; c < s.counts()[i]; c++) {
                    long h = StableHash.combine(sh, cells[i], c);
                    if (rate >= 1 || Long.compareUnsigned(h, (long) (rate * 0x1p63) << 1) < 0) {
                        tokens.add(new int[] {SampleCounts.x1(cells[i], k), SampleCounts.x2(cells[i], k),
                                dict.get(SampleCounts.target(cells[i])), fold});
                    }
                }
            }
        }
        int n = tokens.size();
        int[] x = new int[n];
        int[] y = new int[n];
        int[] t = new int[n];
        int[] f = new int[n];
        for (int i = 0; i < n; i++) {
            int[] v = tokens.get(i);
            x[i] = v[0];
            y[i] = v[1];
            t[i] = v[2];
            f[i] = v[3];
        }
        return Complementarity.estimate(x, y, t, f, k, k, Math.max(dict.size(), 1), MINE_FOLDS,
                Complementarity.DEFAULT_CRITIC.withSeed(hashSeed));
    }

    /** Distinct (x, y, target) cells with a count in these samples. */
    static long occupiedCells(List<SampleCounts> samples) {
        java.util.HashSet<Long> cells = new java.util.HashSet<>();
        for (SampleCounts s : samples) {
            for (int i = 0; i < s.cells().length; i++) {
                if (s.counts()[i] > 0) {
                    cells.add(s.cells()[i]);
                }
            }
        }
        return cells.size();
    }

    static PidOutcome analyse(JobConfig cfg, List<SampleCounts> counts,
                              Map<String, PidJob.RunDiscretizers> discretizers, Progress progress) {
        JobConfig.Pid pid = cfg.pid();
        Map<String, Long> rejected = new TreeMap<>();
        Map<String, Map<Integer, List<SampleCounts>>> byRun = new TreeMap<>();
        for (SampleCounts c : counts) {
            if (c.rejection() != null) {
                rejected.merge(c.rejection().split(":")[0], 1L, Long::sum);
                continue;
            }
            byRun.computeIfAbsent(c.runId(), r -> new TreeMap<>())
                    .computeIfAbsent(c.kIndex(), k -> new ArrayList<>()).add(c);
        }
        BrojaSolver solver = BrojaSolver.withDefaults();
        List<PidAnalysis.PidRow> rows = new ArrayList<>();
        for (Map.Entry<String, Map<Integer, List<SampleCounts>>> run : byRun.entrySet()) {
            String runId = run.getKey();
            PidJob.RunDiscretizers d = discretizers.get(runId);
            String disc = "x: " + d.x().describe() + "; y: " + d.y().describe();
            TreeSet<Integer> values = new TreeSet<>();
            run.getValue().values().forEach(list -> list.forEach(s -> {
                for (long cell : s.cells()) {
                    values.add(SampleCounts.target(cell));
                }
            }));
            Map<Integer, Integer> dict = new HashMap<>();
            for (int v : values) {
                dict.put(v, dict.size());
            }
            for (Map.Entry<Integer, List<SampleCounts>> e : run.getValue().entrySet()) {
                int k = pid.k().get(e.getKey());
                List<SampleCounts> samples = new ArrayList<>(e.getValue());
                samples.sort(Comparator.comparing(SampleCounts::sampleToken));
                boolean bootstrap = pid.bootstrap() > 0;
                PidAnalysis.PidRow runRow = row("run", runId, null, k, disc, d.x().dims(), dict.size(), samples, dict, solver,
                        cfg, bootstrap);
                if (e.getKey() == 0) {
                    runRow = runRow.withMine(mineComplementarity(runId, samples, k, dict, cfg.estimator().seed()));
                    Complementarity.Result m = runRow.mine();
                    progress.info(String.format(Locale.ROOT, "run %s, k=%d: MINE I(X;T) %.4f, I(Y;T) %.4f, "
                            + "I(X,Y;T) %.4f, complementarity %.4f ± %.4f bits/token (%,d tokens)", runId, k,
                            m.iX().bits(), m.iY().bits(), m.iJoint().bits(), m.complementarity().bits(),
                            m.complementarity().seBits(), m.tokens()));
                }
                rows.add(runRow);
                if (e.getKey() == 0) {
                    double[] v = runRow.terms();
                    progress.info(String.format("run %s, k=%d: R %.4f, U_x %.4f, U_y %.4f, S %.4f bits%s (gap %.1e)%s",
                            runId, k, v[0], v[1], v[2], v[3], runRow.corrected() == null ? "" : " bias-corrected",
                            runRow.result().dualityGapBits(),
                            runRow.verdict().ok() ? "" : " " + runRow.verdict().mark()));
                    Map<String, List<SampleCounts>> byScene = new TreeMap<>();
                    samples.forEach(s -> byScene.computeIfAbsent(s.sceneToken(), x -> new ArrayList<>()).add(s));
                    for (Map.Entry<String, List<SampleCounts>> sc : byScene.entrySet()) {
                        if (sc.getValue().size() < pid.minSceneSamples()) {
                            continue;
                        }
                        rows.add(row("scene", runId, sc.getKey(), k, disc, d.x().dims(), dict.size(), sc.getValue(),
                                dict, solver, cfg, bootstrap));
                    }
                }
            }
        }
        return new PidOutcome(rows, rejected);
    }

    static JointDistribution distribution(List<SampleCounts> samples, int k, Map<Integer, Integer> dict) {
        TreeMap<Long, Long> total = new TreeMap<>();
        for (SampleCounts s : samples) {
            for (int i = 0; i < s.cells().length; i++) {
                total.merge(s.cells()[i], s.counts()[i], Long::sum);
            }
        }
        return PidAnalysis.toDistribution(total, k, dict);
    }

    /** Per-sample counts in the bootstrap's form (scene key, sample key, sparse cells). */
    static List<PidBootstrap.Sample> bootstrapSamples(List<SampleCounts> samples, int k, Map<Integer, Integer> dict) {
        List<PidBootstrap.Sample> out = new ArrayList<>();
        for (SampleCounts s : samples) {
            int n = s.cells().length;
            int[] x1 = new int[n];
            int[] x2 = new int[n];
            int[] y = new int[n];
            for (int i = 0; i < n; i++) {
                x1[i] = SampleCounts.x1(s.cells()[i], k);
                x2[i] = SampleCounts.x2(s.cells()[i], k);
                y[i] = dict.get(SampleCounts.target(s.cells()[i]));
            }
            out.add(new PidBootstrap.Sample(s.sceneToken(), s.sampleToken(), x1, x2, y, s.counts()));
        }
        return out;
    }


    /**
     * Per-sample counts (one record per sample and k, collected): the old job's counting pass, the reference the
     * job's merged counting pass ({@link PidCounting}) is checked against; the job itself never collects these.
     */
    static List<SampleCounts> count(Dataset<Row> features, RowValidator validator,
                                    Broadcast<Map<String, PidJob.RunDiscretizers>> bd, int nk, boolean perToken) {
        return ShardPass.map(features, validator, partition -> new ShardPass.Pass<SampleCounts>() {
            private final Map<String, PidJob.RunDiscretizers> ds = bd.value();

            @Override
            public boolean needsMaps(DecodedSample ids) {
                return true;
            }

            @Override
            public void rejected(RejectedRow r, Consumer<SampleCounts> out) {
                out.accept(SampleCounts.rejected(r.runId(), r.sampleToken(), r.rejection().code() + ": "
                        + r.rejection().reason()));
            }

            @Override
            public void valid(DecodedSample s, InternalRow row, Consumer<SampleCounts> out) {
                String run = s.runId();
                String sampleToken = s.sampleToken();
                PidJob.RunDiscretizers d = ds.get(run);
                int t = s.tokens();
                PidJob.Target read = PidJob.target(row, t, perToken);
                if (read.rejection() != null) {
                    out.accept(SampleCounts.rejected(run, sampleToken, read.rejection()));
                    return;
                }
                int[] target = read.values();
                float[] sx = new float[d.x().dims()];
                float[] sy = new float[d.y().dims()];
                for (int ki = 0; ki < nk; ki++) {
                    TreeMap<Long, Long> cells = PidJob.cells(d, s, target, ki, sx, sy);
                    long[] keys = new long[cells.size()];
                    long[] vals = new long[cells.size()];
                    int j = 0;
                    for (Map.Entry<Long, Long> c : cells.entrySet()) {
                        keys[j] = c.getKey();
                        vals[j++] = c.getValue();
                    }
                    out.accept(new SampleCounts(run, s.sceneToken(),
                            sampleToken, ki, keys, vals, null));
                }
            }
        }).collect();
    }
}
