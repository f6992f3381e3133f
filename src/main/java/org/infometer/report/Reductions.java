package org.infometer.report;

import org.apache.commons.math3.distribution.TDistribution;
import org.infometer.estimate.MeanVariance;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Driver-side reduction of per-sample codelengths into run (dataset) and scene aggregates with uncertainties.
 * Inputs are small per-sample records, sorted by key first so the result does not depend on partitioning.
 *
 * <p>Run-level standard errors are clustered by scene: samples of one scene share conditions, and treating them
 * as independent would understate the uncertainty. Intervals use Student t with (scenes - 1) degrees of freedom.
 */
public final class Reductions {

    public static final List<String> QUANTITIES = List.of("hx", "hy", "hxy", "mi", "hx_given_y", "hy_given_x");

    private Reductions() {
    }

    /** Dataset-level values of one run. */
    public record RunStats(String runId, long samples, long tokens, long scenes, Map<String, Estimate> perSample,
                           Map<String, Estimate> perToken, double ci95Low, double ci95High) implements Serializable {
    }

    /**
     * Scene-level values of one run, with the scene's redundancy rank in that run (1 = most redundant). Values come
     * from the scene-refitted per-sample values ({@link SceneValues}, listed in {@code values}) when
     * {@code refitted}; {@code pooledMiPerToken} is the plain mean of the run models' values, for comparison.
     * {@code conditionalPerToken} holds H(X|Y) and H(Y|X) per token ({@link LossOfPrecision#CONDITIONALS}) over
     * the same values, so the scene row needs no sample once {@link #withoutValues() the values are dropped}.
     */
    public record SceneStats(String runId, String sceneToken, long samples, long tokens, Estimate miPerSample,
                             Estimate miPerToken, double hxPerToken, double hyPerToken, double hxyPerToken,
                             int rank, double percentile, Estimate pooledMiPerToken, boolean refitted,
                             int refitPairs, long refitTrainTokens, String notRefittedBecause,
                             List<SampleResult> values, Map<String, Estimate> conditionalPerToken)
            implements Serializable {

        /** These statistics without the per-sample values (what leaves the executor that reduced the run). */
        public SceneStats withoutValues() {
            return new SceneStats(runId, sceneToken, samples, tokens, miPerSample, miPerToken, hxPerToken,
                    hyPerToken, hxyPerToken, rank, percentile, pooledMiPerToken, refitted, refitPairs,
                    refitTrainTokens, notRefittedBecause, List.of(), conditionalPerToken);
        }
    }

    public static List<SampleResult> sorted(List<SampleResult> samples) {
        List<SampleResult> s = new ArrayList<>(samples);
        s.sort(Comparator.comparing(SampleResult::runId).thenComparing(SampleResult::sampleToken));
        return s;
    }

    public static Map<String, List<SampleResult>> byRun(List<SampleResult> samples) {
        Map<String, List<SampleResult>> out = new TreeMap<>();
        for (SampleResult s : sorted(samples)) {
            out.computeIfAbsent(s.runId(), k -> new ArrayList<>()).add(s);
        }
        return out;
    }

    public static RunStats run(String runId, List<SampleResult> samples) {
        Map<String, List<SampleResult>> clusters = new TreeMap<>();
        long tokens = 0;
        for (SampleResult s : samples) {
            clusters.computeIfAbsent(s.sceneToken(), k -> new ArrayList<>()).add(s);
            tokens += s.tokens();
        }
        Map<String, Estimate> perSample = new LinkedHashMap<>();
        Map<String, Estimate> perToken = new LinkedHashMap<>();
        for (String q : QUANTITIES) {
            perSample.put(q, ratio(clusters, q, false));
            perToken.put(q, ratio(clusters, q, true));
        }
        Estimate mi = perToken.get("mi");
        double crit = critical95(clusters.size() >= 2 ? clusters.size() : samples.size());
        return new RunStats(runId, samples.size(), tokens, clusters.size(), perSample, perToken,
                mi.low(crit), mi.high(crit));
    }

    /** Two-sided 95% critical value of Student t with (units - 1) degrees of freedom. */
    public static double critical95(long units) {
        if (units < 2) {
            return Double.NaN;
        }
        return new TDistribution(null, units - 1).inverseCumulativeProbability(0.975);
    }

    /**
     * Ratio estimator sum(q) / sum(w) with w = tokens (per token) or 1 (per sample), and its linearised variance
     * clustered by the map's keys; with one cluster, samples are the clusters.
     */
    static Estimate ratio(Map<String, List<SampleResult>> clusters, String q, boolean perToken) {
        List<double[]> units = new ArrayList<>();   // {sum q, sum w} per cluster
        boolean sampleUnits = clusters.size() < 2;
        for (List<SampleResult> c : clusters.values()) {
            double sq = 0;
            double sw = 0;
            for (SampleResult s : c) {
                double w = perToken ? s.tokens() : 1.0;
                if (sampleUnits) {
                    units.add(new double[] {s.quantity(q), w});
                } else {
                    sq += s.quantity(q);
                    sw += w;
                }
            }
            if (!sampleUnits) {
                units.add(new double[] {sq, sw});
            }
        }
        long n = 0;
        for (List<SampleResult> c : clusters.values()) {
            n += c.size();
        }
        return ratioOfUnits(units, n);
    }

    /** The ratio estimator of {sum q, sum w} units (in a fixed order) over n samples; see {@link #ratio}. */
    public static Estimate ratioOfUnits(List<double[]> units, long n) {
        double totalQ = 0;
        double totalW = 0;
        for (double[] u : units) {
            totalQ += u[0];
            totalW += u[1];
        }
        double r = totalQ / totalW;
        double ss = 0;
        if (units.size() >= 2) {
            for (double[] u : units) {
                double e = u[0] - r * u[1];
                ss += e * e;
            }
        }
        return ratioEstimate(r, totalW, n, units.size(), ss);
    }

    /**
     * A ratio estimate r = sum q / sum w over n samples with its linearised SE from {@code units} units whose
     * residuals q_u - r w_u have the squared sum {@code ss}; NaN SE below two units.
     */
    public static Estimate ratioEstimate(double r, double totalW, long n, long units, double ss) {
        double se = Double.NaN;
        if (units >= 2) {
            se = Math.sqrt((double) units / (units - 1) * ss) / totalW;
        }
        return new Estimate(r, se, n);
    }

    /** Scene aggregates of one run, ranked by mean MI per token (ties broken by scene token). */
    public static List<SceneStats> scenes(String runId, List<SampleResult> samples) {
        return scenes(runId, samples, null);
    }

    /**
     * As {@link #scenes(String, List)}; {@code undescribed} says why samples carry no scene statistics, if they
     * may not (null when the only reason is a run without dependence to refit).
     */
    public static List<SceneStats> scenes(String runId, List<SampleResult> samples, String undescribed) {
        Map<String, SceneValues.Scene> byScene = SceneValues.of(sorted(samples), undescribed);
        List<SceneStats> unranked = new ArrayList<>();
        for (Map.Entry<String, SceneValues.Scene> e : byScene.entrySet()) {
            SceneValues.Scene scene = e.getValue();
            List<SampleResult> ss = scene.samples();
            MeanVariance mi = new MeanVariance();
            long tokens = 0;
            double hx = 0;
            double hy = 0;
            double hxy = 0;
            for (SampleResult s : ss) {
                mi.add(s.miBits());
                tokens += s.tokens();
                hx += s.hxBits();
                hy += s.hyBits();
                hxy += s.hxyBits();
            }
            Map<String, List<SampleResult>> asUnits = new TreeMap<>();
            asUnits.put(e.getKey(), ss);
            Estimate perToken = ratio(asUnits, "mi", true);
            Estimate pooled = perToken;
            if (scene.refitted()) {
                pooled = ratio(Map.of(e.getKey(), scene.raw()), "mi", true);
            }
            Map<String, Estimate> conditional = new LinkedHashMap<>();
            for (String q : LossOfPrecision.CONDITIONALS) {
                conditional.put(q, ratio(asUnits, q, true));
            }
            unranked.add(new SceneStats(runId, e.getKey(), ss.size(), tokens,
                    new Estimate(mi.mean(), mi.standardError(), ss.size()), perToken,
                    hx / tokens, hy / tokens, hxy / tokens, 0, 0, pooled, scene.refitted(), scene.pairs(),
                    scene.minTrainTokens(), scene.why(), ss, conditional));
        }
        return ranked(unranked);
    }

    /** The scenes of one run ranked by MI per token, largest first (ties by scene token), with percentiles. */
    public static List<SceneStats> ranked(List<SceneStats> unranked) {
        List<SceneStats> ranked = new ArrayList<>(unranked);
        ranked.sort(Comparator.comparingDouble((SceneStats s) -> -s.miPerToken().value())
                .thenComparing(SceneStats::sceneToken));
        List<SceneStats> out = new ArrayList<>();
        int n = ranked.size();
        for (int i = 0; i < n; i++) {
            SceneStats s = ranked.get(i);
            double pct = n == 1 ? 100.0 : 100.0 * (n - 1 - i) / (n - 1);
            out.add(new SceneStats(s.runId(), s.sceneToken(), s.samples(), s.tokens(), s.miPerSample(),
                    s.miPerToken(), s.hxPerToken(), s.hyPerToken(), s.hxyPerToken(), i + 1, pct,
                    s.pooledMiPerToken(), s.refitted(), s.refitPairs(), s.refitTrainTokens(),
                    s.notRefittedBecause(), s.values(), s.conditionalPerToken()));
        }
        return out;
    }
}
