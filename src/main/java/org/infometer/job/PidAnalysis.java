package org.infometer.job;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.infometer.config.JobConfig;
import org.infometer.estimate.StableHash;
import org.infometer.estimate.variational.Complementarity;
import org.infometer.io.IcebergTables;
import org.infometer.pid.BrojaSolver;
import org.infometer.pid.JointDistribution;
import org.infometer.pid.PidBootstrap;
import org.infometer.pid.PidResult;
import org.infometer.pid.SampleCounts;
import org.infometer.progress.Progress;
import org.infometer.report.SummaryJson;
import org.infometer.report.Validity;
import org.infometer.schema.TableContract;

import java.io.PrintStream;
import java.sql.Date;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Driver side of the PID job: sums per-sample counts, solves BROJA per run and k and per scene, bootstraps samples
 * within scenes for intervals ({@link PidBootstrap}), and writes and prints the results. All inputs are sorted by stable keys first, so
 * the outcome does not depend on partitioning.
 */
final class PidAnalysis {

    static final String[] TERMS = {"redundancy", "unique_x", "unique_y", "synergy"};

    private PidAnalysis() {
    }

    /**
     * One row of the pid table. {@code corrected} holds the bias-corrected terms in
     * {@link PidBootstrap.Result#CORRECTED_TERMS} order (null where no bootstrap ran: then the reported terms are
     * the plug-in ones); {@code verdict} the validity status.
     */
    record PidRow(String level, String runId, String sceneToken, int k, String discretisation, int pcaDims,
                  long samples, long tokens, int targetValues, PidResult result, double[] low, double[] high,
                  int replicates, int failed, List<PidBootstrap.Corrected> corrected, long occupiedCells,
                  Validity.Verdict verdict, Complementarity.Result mine) {

        PidRow(String level, String runId, String sceneToken, int k, String discretisation, int pcaDims,
               long samples, long tokens, int targetValues, PidResult result, double[] low, double[] high,
               int replicates, int failed, List<PidBootstrap.Corrected> corrected, long occupiedCells,
               Validity.Verdict verdict) {
            this(level, runId, sceneToken, k, discretisation, pcaDims, samples, tokens, targetValues, result, low,
                    high, replicates, failed, corrected, occupiedCells, verdict, null);
        }

        /** This row with its MINE-based complementarity. */
        PidRow withMine(Complementarity.Result m) {
            return new PidRow(level, runId, sceneToken, k, discretisation, pcaDims, samples, tokens, targetValues,
                    result, low, high, replicates, failed, corrected, occupiedCells, verdict, m);
        }

        /** The reported R, U_x, U_y, S: bias-corrected where a bootstrap ran, else plug-in. */
        double[] terms() {
            if (corrected != null) {
                return new double[] {corrected.get(0).value(), corrected.get(1).value(), corrected.get(2).value(),
                        corrected.get(3).value()};
            }
            return new double[] {result.redundancyBits(), result.uniqueX1Bits(), result.uniqueX2Bits(),
                    result.synergyBits()};
        }

        /** The reported I(X;T), I(Y;T), I(X,Y;T), corrected like the terms (so the identities hold). */
        double[] information() {
            if (corrected != null) {
                return new double[] {corrected.get(4).value(), corrected.get(5).value(), corrected.get(6).value()};
            }
            return new double[] {result.miX1YBits(), result.miX2YBits(), result.miJointBits()};
        }

        String dominant() {
            double[] v = terms();
            int best = 0;
            for (int i = 1; i < 4; i++) {
                if (v[i] > v[best]) {
                    best = i;
                }
            }
            return TERMS[best];
        }
    }

    /** Bootstraps one set of samples and builds its row with corrected terms, intervals and status. */
    static PidRow row(String level, String runId, String scene, int k, String disc, int pcaDims, int targetValues,
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
        Validity.Verdict verdict = Validity.pid(result.converged(), result.message(), tokens, occupied, TERMS, bias,
                result.miJointBits());
        if (bootstrap && corrected == null) {
            List<String> reasons = new ArrayList<>(verdict.reasons());
            reasons.add("bootstrap failed (" + failed + " of " + pid.bootstrap() + " replicates did not converge): "
                    + "terms are not bias-corrected");
            verdict = new Validity.Verdict(verdict.status() == Validity.Status.FAILED ? Validity.Status.FAILED
                    : Validity.Status.UNRELIABLE, reasons);
        } else if (!bootstrap) {
            List<String> reasons = new ArrayList<>(verdict.reasons());
            reasons.add("pid.bootstrap = 0: terms are plug-in, not bias-corrected, and have no interval");
            verdict = new Validity.Verdict(verdict.status() == Validity.Status.FAILED ? Validity.Status.FAILED
                    : Validity.Status.UNRELIABLE, reasons);
        }
        return new PidRow(level, runId, scene, k, disc, pcaDims, samples.size(), tokens, targetValues, result, low,
                high, reps, failed, corrected, occupied, verdict);
    }

    /** Tokens MINE complementarity is trained and evaluated on, at most (a stable-hash subsample beyond). */
    static final int MINE_MAX_TOKENS = 12_000;
    /** Cross-fitting folds of the MINE terms (by sample). */
    static final int MINE_FOLDS = 3;

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
        List<PidRow> rows = new ArrayList<>();
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
                PidRow runRow = row("run", runId, null, k, disc, d.x().dims(), dict.size(), samples, dict, solver,
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
        return toDistribution(total, k, dict);
    }

    static JointDistribution toDistribution(Map<Long, Long> total, int k, Map<Integer, Integer> dict) {
        int n = total.size();
        int[] x1 = new int[n];
        int[] x2 = new int[n];
        int[] y = new int[n];
        long[] c = new long[n];
        int i = 0;
        for (Map.Entry<Long, Long> e : total.entrySet()) {
            x1[i] = SampleCounts.x1(e.getKey(), k);
            x2[i] = SampleCounts.x2(e.getKey(), k);
            y[i] = dict.get(SampleCounts.target(e.getKey()));
            c[i++] = e.getValue();
        }
        return JointDistribution.fromSparseCounts(k, k, Math.max(dict.size(), 1), x1, x2, y, c);
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

    static void write(SparkSession spark, JobConfig cfg, PidOutcome outcome) {
        Date date = Date.valueOf(cfg.date());
        TableContract table = TableContract.load("pid");
        List<Row> rows = new ArrayList<>();
        for (PidRow r : outcome.rows()) {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("run_date", date);
            v.put("job_name", cfg.name());
            v.put("level", r.level());
            v.put("run_id", r.runId());
            v.put("scene_token", r.sceneToken());
            v.put("x_modality", cfg.pair().x());
            v.put("y_modality", cfg.pair().y());
            v.put("target_column", cfg.pid().target());
            v.put("discretisation", r.discretisation());
            v.put("main_k", r.k() == cfg.pid().k().get(0));
            v.put("k_x", r.k());
            v.put("k_y", r.k());
            v.put("pca_dims", r.pcaDims());
            v.putAll(measured(r, cfg.pid().ciLevel()));
            rows.add(table.row(v));
        }
        IcebergTables.ensure(spark, cfg.output().catalog(), cfg.output().namespace(), "pid");
        IcebergTables.publish(spark, cfg.output().catalog(), cfg.output().namespace(), withHistory(rows),
                cfg.date(), cfg.name());
    }

    /** The pid rows and their run-level main-k terms for pid_history, published together. */
    static Map<String, List<Row>> withHistory(List<Row> pidRows) {
        Map<String, List<Row>> tables = new LinkedHashMap<>();
        tables.put("pid", pidRows);
        tables.put(org.infometer.history.HistoryTable.PID_TABLE, org.infometer.history.HistoryTable.fromPid(pidRows));
        return tables;
    }

    /**
     * The pid columns from n_samples on, shared with pid-columns so both modes fill the same contract the same
     * way; the caller adds the identity columns (date, job, level, modalities, discretisation, k, pca_dims).
     */
    static Map<String, Object> measured(PidRow r, double ciLevel) {
        PidResult p = r.result();
        double[] t = r.terms();
        double[] info = r.information();
        double[] raw = {p.redundancyBits(), p.uniqueX1Bits(), p.uniqueX2Bits(), p.synergyBits()};
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("n_samples", r.samples());
        v.put("n_tokens", r.tokens());
        v.put("n_target_values", r.targetValues());
        v.put("n_occupied_cells", r.occupiedCells());
        v.put("bias_corrected", r.corrected() != null);
        for (int i = 0; i < 4; i++) {
            v.put(TERMS[i] + "_bits", nan(t[i]));
            v.put(TERMS[i] + "_raw_bits", raw[i]);
            v.put(TERMS[i] + "_se_bits", r.corrected() == null ? null : nan(r.corrected().get(i).se()));
            v.put(TERMS[i] + "_low_bits", r.low() == null ? null : nan(r.low()[i]));
            v.put(TERMS[i] + "_high_bits", r.high() == null ? null : nan(r.high()[i]));
        }
        v.put("ci_level", r.low() == null ? null : ciLevel);
        v.put("bootstrap_replicates", r.low() == null ? null : r.replicates());
        v.put("bootstrap_failed", r.low() == null ? null : r.failed());
        v.put("i_x_target_bits", nan(info[0]));
        v.put("i_y_target_bits", nan(info[1]));
        v.put("i_joint_target_bits", nan(info[2]));
        v.put("i_joint_target_raw_bits", p.miJointBits());
        v.put("complementarity", nan(info[2] > PidResult.ZERO_INFORMATION_BITS ? 1 - t[0] / info[2]
                : Double.NaN));
        Complementarity.Result m = r.mine();
        putMine(v, "mine_i_x_target", m == null ? null : m.iX());
        putMine(v, "mine_i_y_target", m == null ? null : m.iY());
        putMine(v, "mine_i_joint_target", m == null ? null : m.iJoint());
        putMine(v, "mine_complementarity", m == null ? null : m.complementarity());
        v.put("mine_tokens", m == null ? null : (long) m.tokens());
        v.put("dominant_term", r.dominant());
        v.put("solver_gap_bits", p.dualityGapBits());
        v.put("converged", p.converged());
        v.put("solver_status", p.status().name());
        v.put("status", r.verdict().status().label());
        v.put("status_reason", r.verdict().reason());
        return v;
    }

    private static void putMine(Map<String, Object> v, String name, Complementarity.Term t) {
        v.put(name + "_bits", t == null ? null : nan(t.bits()));
        v.put(name + "_se_bits", t == null ? null : nan(t.seBits()));
    }

    /** Job status and counts of ok, unreliable and failed pid rows. */
    static String status(PidOutcome outcome) {
        return Validity.jobStatus(outcome.rows().stream().map(PidRow::verdict).toList());
    }

    /** summary.json of the PID job: status, row counts, and every run row with its terms and status. */
    static java.nio.file.Path writeSummary(JobConfig cfg, PidOutcome outcome, double seconds) {
        List<Validity.Verdict> verdicts = outcome.rows().stream().map(PidRow::verdict).toList();
        com.fasterxml.jackson.databind.node.ObjectNode root = SummaryJson.header(cfg, status(outcome), seconds);
        Validity.counts(verdicts).forEach((k, n) -> root.put(k + "_rows", n));
        root.put("tables", cfg.table("pid"));
        root.set("rows_not_counted_by_reason", JobConfig.JSON.valueToTree(outcome.rejectedByReason()));
        com.fasterxml.jackson.databind.node.ArrayNode runs = root.putArray("runs");
        for (PidRow r : outcome.rows()) {
            if (!r.level().equals("run")) {
                continue;
            }
            com.fasterxml.jackson.databind.node.ObjectNode o = runs.addObject();
            o.put("run_id", r.runId());
            o.put("k", r.k());
            o.put("bias_corrected", r.corrected() != null);
            double[] t = r.terms();
            double[] raw = {r.result().redundancyBits(), r.result().uniqueX1Bits(), r.result().uniqueX2Bits(),
                    r.result().synergyBits()};
            for (int i = 0; i < 4; i++) {
                com.fasterxml.jackson.databind.node.ObjectNode term = o.putObject(TERMS[i] + "_bits");
                term.put("value", t[i]);
                term.put("raw", raw[i]);
                if (r.low() != null) {
                    term.put("se", r.corrected().get(i).se());
                    term.put("low", r.low()[i]);
                    term.put("high", r.high()[i]);
                }
            }
            o.put("dominant_term", r.dominant());
            double[] info = r.information();
            o.put("complementarity", info[2] > PidResult.ZERO_INFORMATION_BITS ? 1 - t[0] / info[2] : Double.NaN);
            if (r.mine() != null) {
                // Side by side with the PID-based complementarity above (README, "MINE-based complementarity").
                com.fasterxml.jackson.databind.node.ObjectNode m = o.putObject("mine_bits_per_token");
                m.put("i_x_target", r.mine().iX().bits());
                m.put("i_y_target", r.mine().iY().bits());
                m.put("i_joint_target", r.mine().iJoint().bits());
                m.put("complementarity", r.mine().complementarity().bits());
                m.put("complementarity_se", r.mine().complementarity().seBits());
                m.put("tokens", r.mine().tokens());
            }
            SummaryJson.putVerdict(o, r.verdict());
        }
        long sceneNotOk = outcome.rows().stream().filter(r -> r.level().equals("scene") && !r.verdict().ok()).count();
        root.put("scene_rows_not_ok", sceneNotOk);
        return SummaryJson.write(cfg, root);
    }

    static Double nan(double v) {
        return Double.isNaN(v) ? null : v;
    }

    static void print(PrintStream out, JobConfig cfg, PidOutcome outcome) {
        out.println();
        out.printf("PID of target '%s' by %s (x) and %s (y), bits; run date %s%n", cfg.pid().target(),
                cfg.pair().x(), cfg.pair().y(), cfg.runDate());
        if (!outcome.rejectedByReason().isEmpty()) {
            out.println("  rows not counted, by reason: " + outcome.rejectedByReason());
        }
        int mainK = cfg.pid().k().get(0);
        out.printf("%-12s %4s %-22s %-22s %-22s %-22s %-10s %s%n", "run", "k", "redundancy", "unique " + cfg.pair().x(),
                "unique " + cfg.pair().y(), "synergy", "dominant", "certificate");
        for (PidRow r : outcome.rows()) {
            if (!r.level().equals("run")) {
                continue;
            }
            PidResult p = r.result();
            double[] v = r.terms();
            StringBuilder b = new StringBuilder(String.format("%-12s %4d", r.runId(), r.k()));
            for (int i = 0; i < 4; i++) {
                b.append(r.low() == null ? String.format(" %-22s", String.format("%.4f", v[i]))
                        : String.format(" %-22s", String.format("%.4f [%.4f, %.4f]", v[i], r.low()[i], r.high()[i])));
            }
            b.append(String.format(" %-10s gap %.1e%s", r.dominant(), p.dualityGapBits(),
                    p.converged() ? "" : " NOT CONVERGED: " + p.message()));
            if (!r.verdict().ok()) {
                b.append("  ").append(r.verdict().mark());
            }
            out.println(b);
        }
        long scenesNotOk = outcome.rows().stream().filter(r -> r.level().equals("scene") && !r.verdict().ok())
                .count();
        out.printf("Terms are bias-corrected (second-order bootstrap; plug-in values in *_raw_bits) where a bootstrap "
                + "ran. %d of %d scene-level rows are not ok (status_reason in the table).%n", scenesNotOk,
                outcome.rows().stream().filter(r -> r.level().equals("scene")).count());
        long scenes = outcome.rows().stream().filter(r -> r.level().equals("scene")).count();
        out.printf("Main k = %d (intervals: %.0f%% basic bootstrap over samples within scenes); other k show "
                + "sensitivity. "
                + "%d scene-level rows. Table: %s%n", mainK, 100 * cfg.pid().ciLevel(), scenes, cfg.table("pid"));
    }
}
