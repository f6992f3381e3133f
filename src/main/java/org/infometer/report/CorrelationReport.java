package org.infometer.report;

import org.infometer.correlate.CorrelationAnalysis.CorrelationRow;
import org.infometer.correlate.RunAccuracy;
import org.infometer.correlate.stats.CorrelationMethod;
import org.infometer.correlate.stats.CorrelationResult;
import org.infometer.correlate.stats.PValueKind;
import org.infometer.config.CorrelateConfig;

import java.io.PrintStream;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The console end of the correlate mode: what was correlated with what, then per level and (x, y) pair the
 * Spearman sentence (direction, strength, n, p with how it was obtained, interval, significance) and the Pearson
 * and Kendall figures, and in plain words what the data cannot show: with four runs no test can be significant,
 * pooled scenes are not independent, an association is not an effect.
 */
public final class CorrelationReport {

    private CorrelationReport() {
    }

    public static void print(PrintStream out, CorrelateResult r) {
        CorrelateConfig cfg = r.config();
        out.println();
        out.printf("InfoMeter correlation '%s' (run date %s): MI of job '%s' (run date %s) vs detection accuracy%n",
                cfg.name(), cfg.runDate(), cfg.mi().jobName(), r.miRunDate());
        out.printf("  MI: %s and %s, %d runs, %d (run, scene) points%n", cfg.table("run_mi"), cfg.table("scene_mi"),
                r.runs().size(), r.scenePoints());
        if (!cfg.y().run().isEmpty()) {
            out.println("  Run accuracy: " + runSource(cfg));
        }
        if (cfg.sceneAccuracy() != null && !cfg.y().scene().isEmpty()) {
            CorrelateConfig.SceneAccuracy s = cfg.sceneAccuracy();
            out.printf("  Scene accuracy: our nuScenes evaluation (detection_cvpr_2019) of %s against %s, per run "
                    + "and scene%n", s.detections() != null ? s.detections() : s.resultsDir() + "/<run_id>/results_nusc.json",
                    s.gtBoxes());
        }
        printCheck(out, r);
        out.println("  x: mi_bits_per_token = MI per token; mi_bits_per_sample = mean MI per sample; "
                + "mi_normalised = I / min(H(X), H(Y)) per token (differential entropies: unit-dependent, "
                + "NaN where min H <= 0)");
        for (String note : r.notes()) {
            out.println("  Note: " + note);
        }
        Map<String, List<CorrelationRow>> byLevel = new LinkedHashMap<>();
        byLevel.put("run", new ArrayList<>());
        byLevel.put("scene", new ArrayList<>());
        // In the job file's order of x and y (PID terms after the MI variables), not alphabetically.
        List<String> order = new ArrayList<>(cfg.x());
        order.addAll(cfg.y().run());
        order.addAll(cfg.y().scene());
        List<CorrelationRow> sorted = new ArrayList<>(r.rows());
        sorted.sort(java.util.Comparator.comparingInt((CorrelationRow row) -> rank(order, row.xName()))
                .thenComparing(CorrelationRow::xName).thenComparingInt(row -> rank(order, row.yName())));
        for (CorrelationRow row : sorted) {
            byLevel.get(row.level()).add(row);
        }
        for (Map.Entry<String, List<CorrelationRow>> level : byLevel.entrySet()) {
            if (!level.getValue().isEmpty()) {
                printLevel(out, level.getKey(), level.getValue());
            }
        }
        out.println();
        out.println("Reading: a correlation across runs or scenes is an association, not an effect of MI on "
                + "accuracy;");
        out.println("runs differ in more than their MI, and p-values here are not corrected for the "
                + r.rows().size() / CorrelationMethod.values().length + " (x, y) pairs tested.");
        out.println("Tables: " + cfg.table("correlation") + ", " + cfg.table("run_accuracy") + ", "
                + cfg.table("scene_accuracy") + " (job_name = '" + cfg.name() + "', run_date = " + cfg.runDate()
                + ")");
    }

    private static int rank(List<String> order, String name) {
        int i = order.indexOf(name);
        return i < 0 ? order.size() : i;
    }

    private static String runSource(CorrelateConfig cfg) {
        CorrelateConfig.RunAccuracy a = cfg.runAccuracy();
        if (a.metricsDir() != null) {
            return "devkit summaries " + RunAccuracy.summaryFile(a.metricsDir(), "<run_id>")
                    + " (mean_ap, nd_score: the 10-class devkit figures)";
        }
        return "table " + (a.parquet() != null ? a.parquet() : a.table())
                + (a.where() == null ? "" : " WHERE " + a.where());
    }

    /** How far our evaluation of the detections is from the run accuracy input, per figure. */
    private static void printCheck(PrintStream out, CorrelateResult r) {
        double dMap = 0;
        double dNds = 0;
        int n = 0;
        for (Map.Entry<String, double[]> e : r.runAccuracyFromDetections().entrySet()) {
            RunAccuracy a = r.runAccuracy().get(e.getKey());
            if (a == null) {
                continue;
            }
            dMap = Math.max(dMap, Math.abs(a.map() - e.getValue()[0]));
            dNds = Math.max(dNds, Math.abs(a.nds() - e.getValue()[1]));
            n++;
        }
        if (n > 0) {
            out.printf(Locale.ROOT, "  Check: our evaluation of the detections vs the run accuracy input over %d runs: "
                    + "max |d mAP| = %.2g, max |d NDS| = %.2g%s%n", n, dMap, dNds,
                    dMap > 1e-6 || dNds > 1e-6 ? "  (they differ: are both from the same predictions?)" : "");
        }
    }

    private static void printLevel(PrintStream out, String level, List<CorrelationRow> rows) {
        out.println();
        if (level.equals("run")) {
            out.println("Run level: one point per run; y = the devkit's mAP / NDS over the whole split");
        } else {
            out.println("Scene level: one point per (run, scene); y = accuracy over the classes present in the scene "
                    + "(map_present_classes, nds_present_classes), not the devkit's 10-class mean");
        }
        Map<String, Map<CorrelationMethod, CorrelationRow>> pairs = new LinkedHashMap<>();
        Set<String> caveats = new LinkedHashSet<>();
        for (CorrelationRow row : rows) {
            pairs.computeIfAbsent(row.xName() + " vs " + row.yName(), k -> new LinkedHashMap<>())
                    .put(row.result().method(), row);
            for (String c : row.caveats()) {
                if (!c.contains("left out")) {
                    caveats.add(c);
                }
            }
        }
        CorrelationRow underpowered = null;
        long monteCarlo = 0;
        for (Map.Entry<String, Map<CorrelationMethod, CorrelationRow>> p : pairs.entrySet()) {
            CorrelationRow sp = p.getValue().get(CorrelationMethod.SPEARMAN);
            out.println("  " + p.getKey() + ": " + sp.result().describe());
            StringBuilder others = new StringBuilder("      ");
            for (CorrelationMethod m : List.of(CorrelationMethod.PEARSON, CorrelationMethod.KENDALL_TAU_B)) {
                CorrelationRow row = p.getValue().get(m);
                if (row != null) {
                    others.append(brief(row.result())).append(";  ");
                }
            }
            if (sp.nDropped() > 0) {
                others.append(sp.nDropped()).append(" point(s) left out (NaN x or y)");
            }
            out.println(others.toString().replaceAll(";  $", ""));
            if (sp.result().underpowered() && underpowered == null) {
                underpowered = sp;
            }
            if (sp.result().pValueKind() == PValueKind.MONTE_CARLO) {
                monteCarlo = sp.result().permutations();
            }
        }
        if (underpowered != null) {
            CorrelationResult res = underpowered.result();
            out.printf(Locale.ROOT, "  With n = %d %s, even a perfect rank correlation (rho = -1 or +1) gives exact "
                    + "two-sided p = %s = %.3f: no test at this level can reach p < %s.%n  Read it as a direction, "
                    + "not as evidence; only more points can make a test at this level able to succeed.%n", res.n(),
                    level.equals("run") ? "runs" : "points", fraction(res.minAttainablePValue(), res.permutations()),
                    res.minAttainablePValue(), trim(res.alpha()));
        } else if (level.equals("run") && !rows.isEmpty()
                && rows.get(0).result().pValueKind() == PValueKind.EXACT) {
            out.printf("  Run-level p-values are exact: all %d! orderings of the %d runs.%n",
                    rows.get(0).result().n(), rows.get(0).result().n());
        }
        if (monteCarlo > 0) {
            out.printf(Locale.ROOT, "  Monte Carlo p-values (%d random orderings) cannot go below 1/%d = %.1e.%n",
                    monteCarlo, monteCarlo + 1, 1.0 / (monteCarlo + 1));
        }
        for (String c : caveats) {
            out.println("  Caveat: " + c + ".");
        }
    }

    private static String brief(CorrelationResult r) {
        String name = r.method() == CorrelationMethod.PEARSON ? "Pearson" : "Kendall";
        if (Double.isNaN(r.coefficient())) {
            return name + " undefined";
        }
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%s %s = %.3f", name, r.method().symbol(),
                r.coefficient()));
        if (!Double.isNaN(r.pValue())) {
            b.append(String.format(Locale.ROOT, ", p = %s (%s)", p(r.pValue()), r.pValueKind().id()));
        }
        if (!Double.isNaN(r.ciLow())) {
            b.append(String.format(Locale.ROOT, ", %.0f%% CI [%.3f, %.3f]", 100 * r.ciLevel(), r.ciLow(), r.ciHigh()));
        }
        return b.toString();
    }

    /** p as a reduced fraction of the orderings, e.g. 2 of 24 as 1/12. */
    static String fraction(double p, long orderings) {
        long count = Math.round(p * orderings);
        long g = BigInteger.valueOf(count).gcd(BigInteger.valueOf(orderings)).longValue();
        return g == 0 ? "0" : (count / g) + "/" + (orderings / g);
    }

    private static String p(double p) {
        return p < 0.001 ? String.format(Locale.ROOT, "%.1e", p) : String.format(Locale.ROOT, "%.3f", p);
    }

    private static String trim(double v) {
        return String.format(Locale.ROOT, "%.4f", v).replaceAll("0+$", "").replaceAll("\\.$", "");
    }
}
