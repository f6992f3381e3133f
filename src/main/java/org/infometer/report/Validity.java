package org.infometer.report;

import org.apache.commons.math3.distribution.ChiSquaredDistribution;
import org.infometer.estimate.SceneRefit;
import org.infometer.estimate.variational.CrossFittedBound;
import org.infometer.estimate.variational.VariationalEstimatorSpec;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Validity checks that run with every job and give every estimate row a {@link Status} and a reason, so a number
 * that cannot be trusted never looks like one that can. Each check and threshold is documented in the README
 * section "Validity status"; the constants below are those thresholds.
 *
 * <p>Usage: {@code Verdict v = Validity.runMi(mi, samples, dx + dy, tokenGranularity);} then
 * {@code v.status()} (ok, unreliable, failed) and {@code v.reason()} (null when ok, several joined by "; ").
 * The checks depend only on numbers (no Spark, no job classes), so they can be tested in isolation.
 */
public final class Validity {

    /** An estimate below minus this many standard errors is impossible for MI (which is >= 0). */
    public static final double NEGATIVE_SE = 2.0;
    /** Chi-square heterogeneity test of the per-fold means: p below this means the folds disagree. */
    public static final double FOLD_HETEROGENEITY_P = 1e-3;
    /** Fewer observations (tokens, or samples at map granularity) per joint dimension dx + dy than this. */
    public static final double MIN_OBSERVATIONS_PER_DIMENSION = 10;
    /** Fewer samples than this behind a run or scene estimate. */
    public static final int MIN_SAMPLES = 10;
    /** Standard error larger than |estimate| + this (bits per token): the estimate carries no information. */
    public static final double SE_ABSOLUTE_BITS = 0.1;
    /** Excess kurtosis of the per-sample MI per token above this: heavy tails, the SE itself is not reliable. */
    public static final double MAX_EXCESS_KURTOSIS = 20;
    /** PID: fewer counted rows (tokens) per occupied (x, y, target) cell than this. */
    public static final double MIN_ROWS_PER_CELL = 5;
    /** PID: a term's bootstrap bias estimate larger than this share of the plug-in I(X, Y; T). */
    public static final double MAX_BIAS_SHARE = 0.1;
    /** Overfit: in-fold MI above held-out MI by more than this share of the held-out MI ... */
    public static final double OVERFIT_SHARE = 0.5;
    /** ... plus this many bits per token ... */
    public static final double OVERFIT_ABSOLUTE_BITS = 0.05;
    /** ... and by more than this many SE of the paired difference. */
    public static final double OVERFIT_SE = 3;
    /** Overfit: fewer samples scored in fold than this and the check is skipped. */
    public static final int MIN_OVERFIT_SAMPLES = 5;
    /** Scene refit: the small-sample correction may be at most this many SE of the scene value. */
    public static final double MAX_CORRECTION_SE = 2;

    private Validity() {
    }

    public enum Status {
        OK, UNRELIABLE, FAILED;

        /** The value written to tables and summaries: ok, unreliable, failed. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A status and the reasons behind it (empty when ok). */
    public record Verdict(Status status, List<String> reasons) implements Serializable {

        public static final Verdict OK = new Verdict(Status.OK, List.of());

        public Verdict {
            reasons = List.copyOf(reasons);
        }

        /** The reasons joined by "; ", or null when there are none. */
        public String reason() {
            return reasons.isEmpty() ? null : String.join("; ", reasons);
        }

        public boolean ok() {
            return status == Status.OK;
        }

        /** How the console marks it: empty when ok, else e.g. "UNRELIABLE (MI below -2 SE)". */
        public String mark() {
            return ok() ? "" : status.name() + " (" + reason() + ")";
        }
    }

    /** Collects failed checks; the worst status wins. */
    static final class Builder {
        private Status status = Status.OK;
        private final List<String> reasons = new ArrayList<>();

        Builder add(Status s, String reason) {
            if (s.ordinal() > status.ordinal()) {
                status = s;
            }
            reasons.add(reason);
            return this;
        }

        Builder addAll(Verdict v) {
            if (v.status().ordinal() > status.ordinal()) {
                status = v.status();
            }
            reasons.addAll(v.reasons());
            return this;
        }

        Verdict build() {
            return new Verdict(status, reasons);
        }
    }

    /**
     * Checks of a run's MI per token: non-finite codelengths (failed), MI below -2 SE, folds that disagree beyond
     * their SEs, too few samples or observations per dimension, an SE larger than the estimate, heavy tails.
     *
     * @param dims             dx + dy, the joint dimension of one observation (a token's channels)
     * @param tokenGranularity true when every token is an observation; false when every sample (map) is
     */
    public static Verdict runMi(Estimate miPerToken, List<SampleResult> samples, int dims,
                                boolean tokenGranularity) {
        return runMi(miPerToken, Evidence.of(samples), foldHeterogeneityP(samples), overfitGap(samples), dims,
                tokenGranularity);
    }

    /**
     * {@link #runMi(Estimate, List, int, boolean)} from what the checks read of the samples: the evidence, the
     * fold heterogeneity p-value (NaN: no test) and the overfit gap ({@link #overfitGap}; null: too few samples),
     * however they were computed (from a list, or from mergeable sums).
     */
    public static Verdict runMi(Estimate miPerToken, Evidence samples, double foldHeterogeneityP, double[] overfitGap,
                                int dims, boolean tokenGranularity) {
        Builder b = new Builder();
        if (common(b, miPerToken, samples, dims, tokenGranularity, true)) {
            return b.build();
        }
        foldHeterogeneity(b, foldHeterogeneityP);
        overfit(b, overfitGap);
        return b.build();
    }

    /**
     * What the common checks read of a set of samples: their count, tokens, how many have non-finite codelengths
     * ({@link #finite}) and the excess kurtosis of the per-sample {@link #KURTOSIS_QUANTITIES} per token.
     */
    public record Evidence(long samples, long tokens, long nonFinite, double[] excessKurtosis) implements Serializable {

        public static Evidence of(List<SampleResult> samples) {
            long tokens = 0;
            long nonFinite = 0;
            for (SampleResult s : samples) {
                tokens += s.tokens();
                nonFinite += finite(s) ? 0 : 1;
            }
            double[] kurtosis = new double[KURTOSIS_QUANTITIES.size()];
            for (int i = 0; i < kurtosis.length; i++) {
                kurtosis[i] = Validity.excessKurtosis(samples, KURTOSIS_QUANTITIES.get(i));
            }
            return new Evidence(samples.size(), tokens, nonFinite, kurtosis);
        }
    }

    /** The quantities whose tails are checked, in the order the first heavy one is reported. */
    public static final List<String> KURTOSIS_QUANTITIES = List.of("mi", "hx", "hy", "hxy");

    /** Whether a sample's codelengths are finite (entropies only where the estimator gives them). */
    public static boolean finite(SampleResult s) {
        boolean entropies = !s.hasEntropies()
                || Double.isFinite(s.hxBits()) && Double.isFinite(s.hyBits()) && Double.isFinite(s.hxyBits());
        return entropies && Double.isFinite(s.miBits());
    }

    /**
     * Overfit: the subsample also scored by a model fitted with it ({@code inFoldMiBits}) has an in-fold MI per
     * token above its held-out MI by more than {@link #OVERFIT_SHARE} of the held-out value plus
     * {@link #OVERFIT_ABSOLUTE_BITS}, and by more than {@link #OVERFIT_SE} SE of the paired difference.
     */
    static void overfit(Builder b, double[] g) {
        if (g == null) {
            return;
        }
        double gap = g[0];
        double heldOut = g[1];
        double se = g[2];
        if (gap > OVERFIT_SHARE * Math.abs(heldOut) + OVERFIT_ABSOLUTE_BITS && gap > OVERFIT_SE * se) {
            b.add(Status.UNRELIABLE, String.format(Locale.ROOT, "overfit: in-fold MI %.4g bits/token against %.4g "
                    + "held out on the same %d samples (gap %.3g, SE %.2g)", heldOut + gap, heldOut, (int) g[3], gap,
                    se));
        }
    }

    /** {in-fold minus held-out MI per token, held-out MI per token, SE of the gap, samples}, or null (too few). */
    public static double[] overfitGap(List<SampleResult> samples) {
        List<SampleResult> seen = samples.stream().filter(s -> s.inFoldMiBits() != null).toList();
        if (seen.size() < MIN_OVERFIT_SAMPLES) {
            return null;
        }
        double tokens = 0;
        double gapSum = 0;
        double heldSum = 0;
        for (SampleResult s : seen) {
            tokens += s.tokens();
            gapSum += s.inFoldMiBits() - s.miBits();
            heldSum += s.miBits();
        }
        double gap = gapSum / tokens;
        double ss = 0;
        for (SampleResult s : seen) {
            double e = (s.inFoldMiBits() - s.miBits()) - gap * s.tokens();
            ss += e * e;
        }
        return overfitGap(seen.size(), tokens, gapSum, heldSum, ss);
    }

    /**
     * {@link #overfitGap(List)} from sums over the n samples scored in fold: their tokens, in-fold minus held-out
     * MI, held-out MI, and the squared residuals of the gap around gap per token times tokens; null below
     * {@link #MIN_OVERFIT_SAMPLES}.
     */
    public static double[] overfitGap(long n, double tokens, double gapSum, double heldSum, double ss) {
        if (n < MIN_OVERFIT_SAMPLES) {
            return null;
        }
        double gap = gapSum / tokens;
        double se = Math.sqrt((double) n / (n - 1) * ss) / tokens;
        return new double[] {gap, heldSum / tokens, se, n};
    }

    /**
     * The run checks without the fold test (a scene's samples are too few to split by fold) and without the
     * observations-per-dimension test: a scene is scored by its run's models, fitted on the run's data, which the
     * run's verdict covers; so a run that is not ok passes its status on to its scenes ({@code run} may be null).
     */
    public static Verdict sceneMi(Estimate miPerToken, List<SampleResult> samples, int dims,
                                  boolean tokenGranularity, Verdict run) {
        return sceneMi(miPerToken, Evidence.of(samples), dims, tokenGranularity, run);
    }

    /** {@link #sceneMi(Estimate, List, int, boolean, Verdict)} from the evidence of the samples. */
    public static Verdict sceneMi(Estimate miPerToken, Evidence samples, int dims, boolean tokenGranularity,
                                  Verdict run) {
        Builder b = new Builder();
        common(b, miPerToken, samples, dims, tokenGranularity, false);
        if (run != null && !run.ok()) {
            b.add(run.status(), "scored by the run's models, which are " + run.status().label() + " ("
                    + run.reason() + ")");
        }
        return b.build();
    }

    /**
     * A scene row: {@link #sceneMi(Estimate, List, int, boolean, Verdict)} on the scene's (refitted) per-sample
     * values, plus the scene refit's own checks: a scene left with the run models' values is pulled toward the run;
     * a refit whose small-sample correction, r^2 / (2 n) nats per token for r pairs fitted on n tokens, exceeds
     * {@link #MAX_CORRECTION_SE} SE rests more on that first-order correction than on the data.
     */
    public static Verdict sceneMi(Reductions.SceneStats scene, int dims, boolean tokenGranularity, Verdict run) {
        return sceneMi(scene, Evidence.of(scene.values()), dims, tokenGranularity, run);
    }

    /**
     * {@link #sceneMi(Reductions.SceneStats, int, boolean, Verdict)} with the evidence of the scene's values given
     * (for statistics that no longer carry their values).
     */
    public static Verdict sceneMi(Reductions.SceneStats scene, Evidence values, int dims, boolean tokenGranularity,
                                  Verdict run) {
        Verdict base = sceneMi(scene.miPerToken(), values, dims, tokenGranularity, run);
        Builder b = new Builder();
        b.addAll(base);
        if (scene.notRefittedBecause() != null) {
            b.add(Status.UNRELIABLE, "not refitted for the scene (" + scene.notRefittedBecause() + "): the run "
                    + "models' values are pulled toward the run");
        } else if (scene.refitted()) {
            int r = scene.refitPairs();
            double bias = SceneRefit.miCorrectionBitsPerToken(r, scene.refitTrainTokens());
            double se = scene.miPerToken().se();
            if (Double.isFinite(se) && bias > MAX_CORRECTION_SE * se) {
                b.add(Status.UNRELIABLE, String.format(Locale.ROOT, "scene refit of %d canonical pairs on %,d tokens: "
                        + "small-sample correction %.3g bits/token exceeds %.0f SE (SE %.3g)", r,
                        scene.refitTrainTokens(), bias, MAX_CORRECTION_SE, se));
            }
        }
        return b.build();
    }

    /** Returns true when the estimate failed outright (non-finite), so later checks would be meaningless. */
    private static boolean common(Builder b, Estimate mi, Evidence samples, int dims, boolean tokenGranularity,
                                  boolean checkDimensions) {
        long nonFinite = samples.nonFinite();
        if (nonFinite > 0 || !Double.isFinite(mi.value())) {
            b.add(Status.FAILED, String.format(Locale.ROOT, "non-finite codelengths in %d of %d samples", nonFinite,
                    samples.samples()));
            return true;
        }
        double se = mi.se();
        if (Double.isFinite(se) && mi.value() < -NEGATIVE_SE * se) {
            b.add(Status.UNRELIABLE, String.format(Locale.ROOT, "MI %.4g below -%.0f SE (SE %.3g): impossible for MI",
                    mi.value(), NEGATIVE_SE, se));
        }
        if (samples.samples() < MIN_SAMPLES) {
            b.add(Status.UNRELIABLE, String.format(Locale.ROOT, "%d samples, fewer than %d", samples.samples(),
                    MIN_SAMPLES));
        }
        double observations = tokenGranularity ? samples.tokens() : samples.samples();
        if (checkDimensions && dims > 0 && observations / dims < MIN_OBSERVATIONS_PER_DIMENSION) {
            b.add(Status.UNRELIABLE, String.format(Locale.ROOT, "%.1f %s per dimension (dx + dy = %d), fewer than %.0f",
                    observations / dims, tokenGranularity ? "tokens" : "samples", dims,
                    MIN_OBSERVATIONS_PER_DIMENSION));
        }
        if (!Double.isFinite(se)) {
            b.add(Status.UNRELIABLE, "no standard error (fewer than 2 units)");
        } else if (se > Math.abs(mi.value()) + SE_ABSOLUTE_BITS) {
            b.add(Status.UNRELIABLE, String.format(Locale.ROOT, "SE %.3g larger than |MI| + %.2f bits/token", se,
                    SE_ABSOLUTE_BITS));
        }
        for (int i = 0; i < KURTOSIS_QUANTITIES.size(); i++) {
            String q = KURTOSIS_QUANTITIES.get(i);
            double kurt = samples.excessKurtosis()[i];
            if (kurt > MAX_EXCESS_KURTOSIS) {
                b.add(Status.UNRELIABLE, String.format(Locale.ROOT, "heavy tails: excess kurtosis %.1f of per-sample "
                        + "%s per token (above %.0f)", kurt, q.equals("mi") ? "MI" : q, MAX_EXCESS_KURTOSIS));
                break;
            }
        }
        return false;
    }

    /**
     * Sample excess kurtosis of a per-sample quantity per token (mi, hx, hy, hxy); NaN with fewer than 4 samples
     * or no spread. Per-sample values are sums over tokens, so for light-tailed data they are close to normal
     * (excess kurtosis near 0); heavy-tailed data gives codelengths dominated by a few samples.
     */
    public static double excessKurtosis(List<SampleResult> samples, String quantity) {
        int n = samples.size();
        if (n < 4) {
            return Double.NaN;
        }
        double mean = 0;
        for (SampleResult s : samples) {
            mean += s.quantity(quantity) / s.tokens();
        }
        mean /= n;
        double m2 = 0;
        double m4 = 0;
        for (SampleResult s : samples) {
            double d = s.quantity(quantity) / s.tokens() - mean;
            m2 += d * d;
            m4 += d * d * d * d;
        }
        m2 /= n;
        m4 /= n;
        return m2 > 0 ? m4 / (m2 * m2) - 3 : Double.NaN;
    }

    /**
     * Heterogeneity of the per-fold MI per token: Cochran's Q = sum (m_f - m)^2 / se_f^2 around the
     * inverse-variance weighted mean, chi-square with (folds - 1) degrees of freedom. Folds come from a hash of
     * the sample token, so their means differ only by the split and by the fold's model; p below
     * {@link #FOLD_HETEROGENEITY_P} says the models disagree. Folds with fewer than 2 samples are left out.
     */
    static void foldHeterogeneity(Builder b, double p) {
        if (p < FOLD_HETEROGENEITY_P) {
            b.add(Status.UNRELIABLE, String.format(Locale.ROOT, "folds disagree beyond their SEs (heterogeneity "
                    + "p = %.2g < %.0e)", p, FOLD_HETEROGENEITY_P));
        }
    }

    /** The p-value of the fold heterogeneity test; NaN with fewer than two usable folds. */
    public static double foldHeterogeneityP(List<SampleResult> samples) {
        Map<Integer, List<SampleResult>> byFold = new TreeMap<>();
        samples.forEach(s -> byFold.computeIfAbsent(s.fold(), f -> new ArrayList<>()).add(s));
        List<Estimate> estimates = new ArrayList<>();
        for (List<SampleResult> f : byFold.values()) {
            if (f.size() < 2) {
                continue;
            }
            Map<String, List<SampleResult>> units = new TreeMap<>();
            units.put("fold", f);   // one cluster: the fold's samples are the units
            estimates.add(Reductions.ratio(units, "mi", true));
        }
        return heterogeneityP(estimates);
    }

    /**
     * The fold heterogeneity p-value from the MI per token of each fold of at least 2 samples, in fold order;
     * folds without a finite value and a positive SE are left out.
     */
    public static double heterogeneityP(List<Estimate> foldEstimates) {
        List<double[]> folds = new ArrayList<>();   // {mean, se}
        for (Estimate e : foldEstimates) {
            if (Double.isFinite(e.value()) && e.se() > 0) {
                folds.add(new double[] {e.value(), e.se()});
            }
        }
        if (folds.size() < 2) {
            return Double.NaN;
        }
        double sw = 0;
        double swm = 0;
        for (double[] f : folds) {
            double w = 1 / (f[1] * f[1]);
            sw += w;
            swm += w * f[0];
        }
        double m = swm / sw;
        double q = 0;
        for (double[] f : folds) {
            q += (f[0] - m) * (f[0] - m) / (f[1] * f[1]);
        }
        return 1 - new ChiSquaredDistribution(null, folds.size() - 1).cumulativeProbability(q);
    }

    /**
     * Checks of one PID row: an unconverged solver (failed), too few counted rows per occupied cell, and a
     * bootstrap bias estimate large against the information being decomposed.
     *
     * @param bias            bootstrap bias estimate of each term (mean of replicates - plug-in), or null without a
     *                        bootstrap
     * @param miJointRawBits  plug-in I(X, Y; T)
     */
    public static Verdict pid(boolean converged, String solverMessage, long rows, long occupiedCells,
                              String[] terms, double[] bias, double miJointRawBits) {
        Builder b = new Builder();
        if (!converged) {
            b.add(Status.FAILED, "solver did not converge: " + solverMessage);
        }
        if (occupiedCells > 0 && (double) rows / occupiedCells < MIN_ROWS_PER_CELL) {
            b.add(Status.UNRELIABLE, String.format(Locale.ROOT, "%.1f rows per occupied cell (%d rows, %d cells), "
                    + "fewer than %.0f", (double) rows / occupiedCells, rows, occupiedCells, MIN_ROWS_PER_CELL));
        }
        if (bias != null) {
            List<String> large = new ArrayList<>();
            for (int i = 0; i < terms.length; i++) {
                if (Math.abs(bias[i]) > MAX_BIAS_SHARE * Math.max(miJointRawBits, 0)) {
                    large.add(String.format(Locale.ROOT, "%s %.3g", terms[i], bias[i]));
                }
            }
            if (!large.isEmpty()) {
                b.add(Status.UNRELIABLE, String.format(Locale.ROOT, "bias estimate above %.0f%% of I(X,Y;T) = %.3g "
                        + "bits: %s", 100 * MAX_BIAS_SHARE, miJointRawBits, String.join(", ", large)));
            }
        }
        return b.build();
    }

    /** Top-level status of a job and the row counts: succeeded when every row is ok. */
    public static String jobStatus(List<Verdict> rows) {
        return rows.stream().allMatch(Verdict::ok) ? "succeeded" : "succeeded_with_warnings";
    }

    /** Counts of ok, unreliable and failed rows, in that order. */
    public static Map<String, Long> counts(List<Verdict> rows) {
        Map<String, Long> m = new java.util.LinkedHashMap<>();
        for (Status s : Status.values()) {
            m.put(s.label(), rows.stream().filter(v -> v.status() == s).count());
        }
        return m;
    }

    // ---- Checks of what the data allow the estimate to be (README "Validity status": folds used, scenes,
    // constant channels). Separate from the checks above; each adds its reason to an existing verdict.

    /** A run with fewer scenes than this has no scene-clustered SE: its interval treats samples as independent. */
    public static final int MIN_SCENES_FOR_CLUSTERED_SE = 2;

    /** The verdict with one more failed check: the worse status wins, the reason is appended. */
    public static Verdict adding(Verdict v, Status s, String reason) {
        List<String> reasons = new ArrayList<>(v.reasons());
        reasons.add(reason);
        return new Verdict(s.ordinal() > v.status().ordinal() ? s : v.status(), reasons);
    }

    /**
     * Cross-fitting assigns samples to folds by a hash of the sample token; a run with few samples leaves some
     * folds empty, so its estimate rests on fewer (and smaller-trained) models than the job asked for.
     */
    public static Verdict foldsUsed(Verdict v, int foldsUsed, int foldsConfigured, int samples) {
        if (foldsUsed >= foldsConfigured) {
            return v;
        }
        return adding(v, Status.UNRELIABLE, String.format(Locale.ROOT, "only %d of the %d configured folds hold "
                + "samples (%d samples): each model was fitted on at most %d samples", foldsUsed, foldsConfigured,
                samples, Math.max(samples - 1, 0)));
    }

    /**
     * Run intervals are clustered by scene; with a single scene there is one cluster and the SE falls back to
     * samples as units, which ignores the dependence between samples of a scene the clustering exists for.
     */
    public static Verdict singleScene(Verdict v, long scenes) {
        if (scenes >= MIN_SCENES_FOR_CLUSTERED_SE) {
            return v;
        }
        return adding(v, Status.UNRELIABLE, scenes + " scene: no scene-clustered interval exists; SE and interval "
                + "treat the samples as independent");
    }

    /**
     * A channel with the same value in every token has no density: H of that modality and H(X,Y) are -infinity
     * for such data, so the finite H values written (set by the model's variance floor) mean nothing. MI is
     * unaffected by a constant channel, but the row is marked so nobody reads the H columns.
     */
    public static Verdict constantChannels(Verdict v, List<String> constant) {
        if (constant.isEmpty()) {
            return v;
        }
        return adding(v, Status.UNRELIABLE, "constant channel(s) " + String.join(", ", constant) + ": their "
                + "differential entropy is -infinity, so the H values are not meaningful (the true MI does not depend on "
                + "such a channel)");
    }

    /**
     * The variational bounds' own checks, from their per-run diagnostics (no-op for other estimators). InfoNCE can
     * never exceed ln K: an estimate at or above {@link CrossFittedBound#CEILING_SHARE} of it is a lower bound that
     * says little about how much larger the truth is. A critic whose training diverged (non-finite values) or whose
     * training curve was still moving at the end (README, "Validity status") gives a bound nobody should read as
     * the MI.
     */
    public static Verdict variationalBound(Verdict v, Estimate miPerToken, Map<String, Double> diagnostics) {
        if (diagnostics == null) {
            return v;
        }
        Double ceiling = diagnostics.get(VariationalEstimatorSpec.CEILING);
        if (ceiling != null && miPerToken.value() >= CrossFittedBound.CEILING_SHARE * ceiling) {
            v = adding(v, Status.UNRELIABLE, String.format(Locale.ROOT, "near InfoNCE ceiling ln(K)=%.3f nats "
                    + "(%.3f bits/token, K=%d): estimate %.3f bits/token is at least %.0f%% of it; a lower bound, the "
                    + "true MI may be larger (raise batchSize)", ceiling * Math.log(2), ceiling,
                    Math.round(Math.pow(2, ceiling)), miPerToken.value(), 100 * CrossFittedBound.CEILING_SHARE));
        }
        Double diverged = diagnostics.get(VariationalEstimatorSpec.DIVERGED);
        if (diverged != null && diverged > 0) {
            v = adding(v, Status.FAILED, String.format(Locale.ROOT, "critic training diverged (non-finite values) "
                    + "in %.0f fold(s)", diverged));
        }
        Double unconverged = diagnostics.get(VariationalEstimatorSpec.UNCONVERGED);
        if (unconverged != null && unconverged > 0) {
            v = adding(v, Status.UNRELIABLE, String.format(Locale.ROOT, "critic training did not converge in %.0f "
                    + "fold(s): the training bound still moved in the last tenth of the steps (raise steps)",
                    unconverged));
        }
        return v;
    }
}
