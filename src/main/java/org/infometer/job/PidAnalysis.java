package org.infometer.job;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.infometer.config.JobConfig;
import org.infometer.estimate.StableHash;
import org.infometer.estimate.variational.Complementarity;
import org.infometer.io.IcebergTables;
import org.infometer.pid.BrojaSolver;
import org.infometer.pid.CellVectors;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Driver side of the PID job: solves BROJA per run and k and per scene on the merged count tables of the counting
 * pass, with the bootstrap's replicate tables for intervals ({@link PidBootstrap#runOnTables}), and writes and
 * prints the results. Tables are integer sums and the groups arrive in key order, so the outcome does not depend
 * on partitioning.
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
        double rate = mineRate(total);
        long hashSeed = mineHashSeed(runId, seed);
        List<PidCounting.MineToken> kept = new ArrayList<>();
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
                    if (mineKeeps(StableHash.combine(sh, cells[i], c), rate)) {
                        kept.add(new PidCounting.MineToken(s.sampleToken(), cells[i], c, fold));
                    }
                }
            }
        }
        return mineFromTokens(runId, kept, k, dict, seed);
    }

    /** The share of a run's {@code total} tokens MINE keeps. */
    static double mineRate(long total) {
        return Math.min(1.0, (double) MINE_MAX_TOKENS / Math.max(total, 1));
    }

    /** The seed of a run's MINE subsample, folds and critic. */
    static long mineHashSeed(String runId, long seed) {
        return StableHash.combine(seed, StableHash.of(runId, 0x3c0));
    }

    /** Whether the token with hash {@code h} is in the subsample at {@code rate}. */
    static boolean mineKeeps(long h, double rate) {
        return rate >= 1 || Long.compareUnsigned(h, (long) (rate * 0x1p63) << 1) < 0;
    }

    /**
     * MINE complementarity on the kept tokens of a run, trained on in the given order (the job's: sample, cell,
     * copy, {@link PidCounting.MineToken#ORDER}, whatever pass or partitioning selected them).
     */
    static Complementarity.Result mineFromTokens(String runId, List<PidCounting.MineToken> tokens, int k,
                                                 Map<Integer, Integer> dict, long seed) {
        int n = tokens.size();
        int[] x = new int[n];
        int[] y = new int[n];
        int[] t = new int[n];
        int[] f = new int[n];
        for (int i = 0; i < n; i++) {
            PidCounting.MineToken v = tokens.get(i);
            x[i] = SampleCounts.x1(v.cell(), k);
            y[i] = SampleCounts.x2(v.cell(), k);
            t[i] = dict.get(SampleCounts.target(v.cell()));
            f[i] = v.fold();
        }
        return Complementarity.estimate(x, y, t, f, k, k, Math.max(dict.size(), 1), MINE_FOLDS,
                Complementarity.DEFAULT_CRITIC.withSeed(mineHashSeed(runId, seed)));
    }

    /**
     * The pid rows from merged states: the keys of every row (per-sample strings, no counts) and the groups of the
     * counting pass in key order ({@link PidCounting}), each solved and dropped before the next is read. The same
     * rows, bit for bit, as solving per-sample counts in memory: every table is an integer sum of the samples'
     * counts with the multiplicities the bootstrap would draw.
     */
    static PidOutcome analyse(JobConfig cfg, List<PidSampleKeys.Key> keys,
                              java.util.Iterator<scala.Tuple2<PidCounting.GroupKey, PidCounting.Group>> groups,
                              Map<String, PidJob.RunDiscretizers> discretizers, Progress progress) {
        JobConfig.Pid pid = cfg.pid();
        Map<String, PidSampleKeys.Run> runs = PidSampleKeys.runs(keys);
        java.util.Set<String> sceneRows = PidSampleKeys.sceneRows(runs, pid.minSceneSamples());
        List<PidCounting.GroupKey> expected = expectedGroups(runs, sceneRows, pid.k().size());
        BrojaSolver solver = BrojaSolver.withDefaults();
        boolean bootstrap = pid.bootstrap() > 0;
        List<PidRow> rows = new ArrayList<>();
        for (PidCounting.GroupKey want : expected) {
            scala.Tuple2<PidCounting.GroupKey, PidCounting.Group> g = groups.hasNext() ? groups.next() : null;
            if (g == null || !g._1().equals(want)) {
                throw new IllegalStateException("PID counting pass: expected group " + want + ", got "
                        + (g == null ? "none" : g._1()) + " (the keys and counting passes disagree)");
            }
            String runId = want.runId();
            PidSampleKeys.Run run = runs.get(runId);
            PidJob.RunDiscretizers d = discretizers.get(runId);
            String disc = "x: " + d.x().describe() + "; y: " + d.y().describe();
            Map<Integer, Integer> dict = run.dict();
            int k = pid.k().get(want.kIndex());
            if (want.sceneToken() != null) {
                rows.add(row("scene", runId, want.sceneToken(), k, disc, d.x().dims(), dict.size(),
                        run.sceneSizes().get(want.sceneToken()), 1, g._2().tables, dict, solver, cfg, bootstrap));
                continue;
            }
            PidRow runRow = row("run", runId, null, k, disc, d.x().dims(), dict.size(), run.samples().size(),
                    run.sceneSizes().size(), g._2().tables, dict, solver, cfg, bootstrap);
            if (want.kIndex() == 0) {
                List<PidCounting.MineToken> tokens = new ArrayList<>(g._2().mine);
                tokens.sort(PidCounting.MineToken.ORDER);
                runRow = runRow.withMine(mineFromTokens(runId, tokens, k, dict, cfg.estimator().seed()));
                Complementarity.Result m = runRow.mine();
                progress.info(String.format(Locale.ROOT, "run %s, k=%d: MINE I(X;T) %.4f, I(Y;T) %.4f, "
                                + "I(X,Y;T) %.4f, complementarity %.4f ± %.4f bits/token (%,d tokens)", runId, k,
                        m.iX().bits(), m.iY().bits(), m.iJoint().bits(), m.complementarity().bits(),
                        m.complementarity().seBits(), m.tokens()));
            }
            rows.add(runRow);
            if (want.kIndex() == 0) {
                double[] v = runRow.terms();
                progress.info(String.format("run %s, k=%d: R %.4f, U_x %.4f, U_y %.4f, S %.4f bits%s (gap %.1e)%s",
                        runId, k, v[0], v[1], v[2], v[3], runRow.corrected() == null ? "" : " bias-corrected",
                        runRow.result().dualityGapBits(),
                        runRow.verdict().ok() ? "" : " " + runRow.verdict().mark()));
            }
        }
        if (groups.hasNext()) {
            throw new IllegalStateException("PID counting pass: unexpected group " + groups.next()._1());
        }
        return new PidOutcome(rows, PidSampleKeys.rejected(keys));
    }

    /** The groups the counting pass emits, in its key order: per run, per k the run level, then main-k scenes. */
    static List<PidCounting.GroupKey> expectedGroups(Map<String, PidSampleKeys.Run> runs,
                                                     java.util.Set<String> sceneRows, int nk) {
        List<PidCounting.GroupKey> out = new ArrayList<>();
        for (PidSampleKeys.Run run : runs.values()) {
            for (int ki = 0; ki < nk; ki++) {
                out.add(new PidCounting.GroupKey(run.runId(), ki, null));
                if (ki == 0) {
                    for (String scene : run.sceneSizes().keySet()) {
                        if (sceneRows.contains(PidSampleKeys.key(run.runId(), scene))) {
                            out.add(new PidCounting.GroupKey(run.runId(), 0, scene));
                        }
                    }
                }
            }
        }
        return out;
    }

    /** One group's row: plug-in table from column 0, replicate r from columns 1 + r (outer) and 1 + B + r (inner). */
    static PidRow row(String level, String runId, String scene, int k, String disc, int pcaDims, int targetValues,
                      int samples, int scenes, CellVectors tables, Map<Integer, Integer> dict, BrojaSolver solver,
                      JobConfig cfg, boolean bootstrap) {
        JobConfig.Pid pid = cfg.pid();
        long[] cells = tables.sortedCells();
        TreeMap<Long, Long> total = new TreeMap<>();
        long tokens = 0;
        long occupied = 0;
        for (long c : cells) {
            long n = tables.count(c, 0);
            total.put(c, n);
            tokens += n;
            occupied += n > 0 ? 1 : 0;
        }
        PidResult result;
        double[] low = null;
        double[] high = null;
        int reps = 0;
        int failed = 0;
        List<PidBootstrap.Corrected> corrected = null;
        double[] bias = null;
        if (bootstrap) {
            int ny = Math.max(dict.size(), 1);
            int[] flat = new int[cells.length];
            for (int i = 0; i < cells.length; i++) {
                flat[i] = (SampleCounts.x1(cells[i], k) * k + SampleCounts.x2(cells[i], k)) * ny
                        + dict.get(SampleCounts.target(cells[i]));
            }
            int b = pid.bootstrap();
            java.util.function.IntFunction<long[]> column = col -> {
                long[] table = new long[k * k * ny];
                for (int i = 0; i < cells.length; i++) {
                    table[flat[i]] += tables.count(cells[i], col);
                }
                return table;
            };
            PidBootstrap.Result boot = new PidBootstrap(solver).runOnTables(k, k, ny, new PidBootstrap.Tables(
                    column.apply(0), r -> column.apply(1 + r), r -> column.apply(1 + b + r), samples, tokens,
                    scenes), new PidBootstrap.Options(b, pid.ciLevel(), PidSampleKeys.bootstrapSeed(runId, scene, k,
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
            result = solver.solve(toDistribution(total, k, dict));
        }
        return new PidRow(level, runId, scene, k, disc, pcaDims, samples, tokens, targetValues, result, low, high,
                reps, failed, corrected, occupied, verdict(result, tokens, occupied, bias, bootstrap, failed, pid));
    }

    /** The row's status: the table's validity, and whether the terms are bias-corrected with an interval. */
    static Validity.Verdict verdict(PidResult result, long tokens, long occupied, double[] bias, boolean bootstrap,
                                    int failed, JobConfig.Pid pid) {
        Validity.Verdict verdict = Validity.pid(result.converged(), result.message(), tokens, occupied, TERMS, bias,
                result.miJointBits());
        if (bootstrap && bias == null) {
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
        return verdict;
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
