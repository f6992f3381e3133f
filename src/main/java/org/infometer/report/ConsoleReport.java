package org.infometer.report;

import org.infometer.config.JobConfig;

import java.io.PrintStream;
import java.util.Map;
import java.util.TreeMap;

/** The human-readable end of a run: per-run MI with intervals (and truth when known), top scenes, where to look. */
public final class ConsoleReport {

    private ConsoleReport() {
    }

    public static void print(PrintStream out, JobConfig cfg, MeasureResult r) {
        out.println();
        out.printf("InfoMeter: I(%s; %s), estimator %s, %d-fold cross-fitting, run date %s%n",
                cfg.pair().x(), cfg.pair().y(), cfg.estimator().name(), cfg.estimator().folds(), cfg.runDate());
        out.printf("%,d input rows: %,d scored, %,d quarantined%n", r.inputRows(), r.scored(), r.quarantined());
        if (r.quarantined() > 0) {
            out.println("  quarantined by reason: " + new TreeMap<>(r.quarantinedByReason()));
        }
        out.println();
        boolean truth = !r.trueMiBitsPerTokenByRun().isEmpty();
        out.printf("%-14s %8s %7s  %-26s %-24s %s%n", "run", "samples", "scenes", "MI bits/token [95% CI]",
                "H(X) H(Y) H(X,Y) b/tok", truth ? "true pooled MI b/tok" : "");
        for (Reductions.RunStats s : r.runs()) {
            Estimate mi = s.perToken().get("mi");
            String t = truth && r.trueMiBitsPerTokenByRun().containsKey(s.runId())
                    ? String.format("%.4f %s", r.trueMiBitsPerTokenByRun().get(s.runId()),
                    r.trueMiBitsPerTokenByRun().get(s.runId()) >= s.ci95Low()
                            && r.trueMiBitsPerTokenByRun().get(s.runId()) <= s.ci95High() ? "(inside CI)"
                            : "(outside CI)") : "";
            Validity.Verdict v = r.runValidity().getOrDefault(s.runId(), Validity.Verdict.OK);
            out.printf("%-14s %8d %7d  %.4f [%.4f, %.4f]   %7s %7s %7s   %s%s%n", s.runId(), s.samples(),
                    s.scenes(), mi.value(), s.ci95Low(), s.ci95High(), bits(s.perToken().get("hx").value()),
                    bits(s.perToken().get("hy").value()), bits(s.perToken().get("hxy").value()), t,
                    v.ok() ? "" : "  " + v.mark());
        }
        long notOkScenes = r.sceneValidity().values().stream().filter(v -> !v.ok()).count();
        if (!"succeeded".equals(r.status())) {
            out.printf("Status: %s: %d of %d run rows and %d of %d scene rows are not ok (see status_reason)%n",
                    r.status().toUpperCase(java.util.Locale.ROOT).replace('_', ' '),
                    r.runValidity().values().stream().filter(v -> !v.ok()).count(), r.runValidity().size(),
                    notOkScenes, r.sceneValidity().size());
        }
        if (!r.shardEstimatesByRun().isEmpty()) {
            out.println();
            out.println("Per-shard fit: shard estimates (mean MI bits/token ± SE over the shard's samples) and their "
                    + "inverse-variance weighted combination (depends on the input partitioning):");
            for (ShardEstimates.Combined c : r.shardEstimatesByRun().values()) {
                out.printf("  %-14s combined %.4f ± %.4f over %d shards:", c.runId(), c.miPerToken(), c.se(),
                        c.shards().size());
                c.shards().forEach(e -> out.printf("  [p%d %s n=%d] %.4f ± %.4f", e.partition(),
                        shortToken(e.shardId()), e.samples(), e.miPerToken(), e.se()));
                out.println();
            }
        }
        out.println();
        out.println("Most redundant scenes (highest cross-modal MI per token) per run:");
        for (Reductions.RunStats s : r.runs()) {
            StringBuilder b = new StringBuilder("  " + s.runId() + ":");
            r.scenes().stream().filter(sc -> sc.runId().equals(s.runId()) && sc.rank() <= 3)
                    .forEach(sc -> {
                        String key = sc.runId() + "\u0000" + sc.sceneToken();
                        Validity.Verdict v = r.sceneValidity().getOrDefault(key, Validity.Verdict.OK);
                        Double t = r.trueSceneMiBitsPerToken().get(key);
                        b.append(String.format("  #%d %s %.3f%s%s", sc.rank(), shortToken(sc.sceneToken()),
                                sc.miPerToken().value(), t == null ? "" : String.format(" (true %.3f)", t),
                                v.ok() ? "" : " " + v.mark()));
                    });
            out.println(b);
        }
        out.println();
        out.println("Tables: " + cfg.table("run_mi") + ", " + cfg.table("scene_mi") + ", " + cfg.table("sample_mi")
                + ", " + cfg.table("quarantine") + " (warehouse " + cfg.output().warehouse() + ")");
        out.println("Summary: " + r.summary());
    }

    static String shortToken(String t) {
        return t.length() > 12 ? t.substring(0, 12) + "…" : t;
    }

    /** An entropy per token, or n/a where the estimator gives none (the variational bounds: MI only). */
    static String bits(double v) {
        return Double.isNaN(v) ? "n/a" : String.format("%.2f", v);
    }
}
