package org.infometer.job;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.infometer.estimate.StableHash;
import org.infometer.io.IcebergTables;
import org.infometer.pid.BrojaSolver;
import org.infometer.pid.JointDistribution;
import org.infometer.pid.PidBootstrap;
import org.infometer.pid.PidResult;
import org.infometer.pid.SampleCounts;
import org.infometer.report.Progress;

import java.io.PrintStream;
import java.sql.Date;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
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

    /** One row of the pid table. Intervals are null where no bootstrap was run. */
    record PidRow(String level, String runId, String sceneToken, int k, String discretisation, int pcaDims,
                  long samples, long tokens, int targetValues, PidResult result, double[] low, double[] high,
                  int replicates, int failed) {

        String dominant() {
            double[] v = {result.redundancyBits(), result.uniqueX1Bits(), result.uniqueX2Bits(),
                    result.synergyBits()};
            int best = 0;
            for (int i = 1; i < 4; i++) {
                if (v[i] > v[best]) {
                    best = i;
                }
            }
            return TERMS[best];
        }
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
                PidResult result = solver.solve(distribution(samples, k, dict));
                double[] low = null;
                double[] high = null;
                int failed = 0;
                int reps = 0;
                if (e.getKey() == 0 && pid.bootstrap() > 0) {
                    PidBootstrap.Result boot = new PidBootstrap(solver).run(k, k, Math.max(dict.size(), 1),
                            bootstrapSamples(samples, k, dict), new PidBootstrap.Options(pid.bootstrap(),
                                    pid.ciLevel(), StableHash.of(runId, cfg.estimator().seed()), 1));
                    reps = boot.replicates() - boot.failedReplicates();
                    failed = boot.failedReplicates();
                    PidBootstrap.Interval[] iv = {boot.redundancyBits(), boot.uniqueX1Bits(), boot.uniqueX2Bits(),
                            boot.synergyBits()};
                    low = new double[4];
                    high = new double[4];
                    for (int i = 0; i < 4; i++) {
                        low[i] = iv[i].lower();
                        high[i] = iv[i].upper();
                    }
                }
                long tokens = samples.stream().mapToLong(s -> Arrays.stream(s.counts()).sum()).sum();
                rows.add(new PidRow("run", runId, null, k, disc, d.x().dims(), samples.size(), tokens, dict.size(),
                        result, low, high, reps, failed));
                if (e.getKey() == 0) {
                    progress.info(String.format("run %s, k=%d: R %.4f, U_x %.4f, U_y %.4f, S %.4f bits (gap %.1e)",
                            runId, k, result.redundancyBits(), result.uniqueX1Bits(), result.uniqueX2Bits(),
                            result.synergyBits(), result.dualityGapBits()));
                    Map<String, List<SampleCounts>> byScene = new TreeMap<>();
                    samples.forEach(s -> byScene.computeIfAbsent(s.sceneToken(), x -> new ArrayList<>()).add(s));
                    for (Map.Entry<String, List<SampleCounts>> sc : byScene.entrySet()) {
                        if (sc.getValue().size() < pid.minSceneSamples()) {
                            continue;
                        }
                        long st = sc.getValue().stream().mapToLong(s -> Arrays.stream(s.counts()).sum()).sum();
                        rows.add(new PidRow("scene", runId, sc.getKey(), k, disc, d.x().dims(), sc.getValue().size(),
                                st, dict.size(), solver.solve(distribution(sc.getValue(), k, dict)), null, null, 0,
                                0));
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
        List<Row> rows = new ArrayList<>();
        for (PidRow r : outcome.rows()) {
            PidResult p = r.result();
            List<Object> v = new ArrayList<>(Arrays.asList(date, cfg.name(), r.level(), r.runId(), r.sceneToken(),
                    cfg.pair().x(), cfg.pair().y(), cfg.pid().target(), r.discretisation(),
                    r.k() == cfg.pid().k().get(0), r.k(), r.k(),
                    r.pcaDims(), r.samples(), r.tokens(), r.targetValues(), p.redundancyBits(), p.uniqueX1Bits(),
                    p.uniqueX2Bits(), p.synergyBits()));
            for (int i = 0; i < 4; i++) {
                v.add(r.low() == null ? null : nan(r.low()[i]));
                v.add(r.high() == null ? null : nan(r.high()[i]));
            }
            v.addAll(Arrays.asList(r.low() == null ? null : cfg.pid().ciLevel(),
                    r.low() == null ? null : r.replicates(), r.low() == null ? null : r.failed(),
                    p.miX1YBits(), p.miX2YBits(), p.miJointBits(), nan(p.complementarity()), r.dominant(),
                    p.dualityGapBits(), p.converged(), p.status().name()));
            rows.add(RowFactory.create(v.toArray()));
        }
        IcebergTables.ensure(spark, cfg.output().catalog(), cfg.output().namespace(), "pid");
        IcebergTables.replace(spark, cfg.output().catalog(), cfg.output().namespace(), "pid", rows, cfg.date(),
                cfg.name());
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
            double[] v = {p.redundancyBits(), p.uniqueX1Bits(), p.uniqueX2Bits(), p.synergyBits()};
            StringBuilder b = new StringBuilder(String.format("%-12s %4d", r.runId(), r.k()));
            for (int i = 0; i < 4; i++) {
                b.append(r.low() == null ? String.format(" %-22s", String.format("%.4f", v[i]))
                        : String.format(" %-22s", String.format("%.4f [%.3f, %.3f]", v[i], r.low()[i], r.high()[i])));
            }
            b.append(String.format(" %-10s gap %.1e%s", r.dominant(), p.dualityGapBits(),
                    p.converged() ? "" : " NOT CONVERGED: " + p.message()));
            out.println(b);
        }
        long scenes = outcome.rows().stream().filter(r -> r.level().equals("scene")).count();
        out.printf("Main k = %d (intervals: %.0f%% bootstrap over samples within scenes); other k show sensitivity. "
                + "%d scene-level rows. Table: %s%n", mainK, 100 * cfg.pid().ciLevel(), scenes, cfg.table("pid"));
    }
}
