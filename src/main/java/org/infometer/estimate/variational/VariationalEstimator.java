package org.infometer.estimate.variational;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.infometer.estimate.CrossFitEstimator;
import org.infometer.estimate.PairModelHandle;
import org.infometer.estimate.RunFold;
import org.infometer.estimate.StableHash;
import org.infometer.progress.Progress;
import org.infometer.schema.RowValidator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * MINE or InfoNCE as a cross-fitted job estimator. One Spark pass gathers, per (run, fold), a bounded token
 * subsample ({@link TokenSubsample}); on the driver, for every fold k a critic is trained with DJL on the other
 * folds' subsamples, and fold k's own subsample (never seen by that critic) gives the bound's held-out part:
 * MINE's log-partition term, InfoNCE's negatives. The apply pass then scores every sample of fold k with that
 * {@link BoundModel}.
 *
 * <p>Training runs on the driver: the subsample is small by construction (at most {@code maxTokensPerFold} tokens
 * per fold), a critic trains in seconds to minutes on a CPU, and it keeps one PyTorch model per JVM at a time,
 * closed after training, with no native engine needed on the executors (scoring is plain Java).
 */
public final class VariationalEstimator implements CrossFitEstimator {

    /** Largest InfoNCE negative pool kept per fold (first-layer projections travel in the broadcast). */
    static final int MAX_NEGATIVE_POOL = 2048;
    /** Convergence: the training curve's last tenth may differ from the tenth before by at most this (nats) ... */
    static final double CONVERGENCE_NATS = 0.05;
    /** ... or this share of its value, whichever is larger. */
    static final double CONVERGENCE_SHARE = 0.1;

    private final Bound bound;
    private final String label;
    private final VariationalOptions options;

    VariationalEstimator(Bound bound, String label, VariationalOptions options) {
        this.bound = bound;
        this.label = label;
        this.options = options;
    }

    @Override
    public String name() {
        return label;
    }

    public VariationalOptions options() {
        return options;
    }

    @Override
    public Fitted fit(Dataset<Row> features, RowValidator validator, Settings settings, Progress progress) {
        features.sparkSession().sparkContext().setJobDescription("infometer: " + label + " training subsample");
        Map<RunFold, TokenSubsample.Tokens> sub = TokenSubsample.gather(features, validator, settings.folds(),
                settings.seed(), options.maxTokensPerFold());
        Map<String, Map<Integer, TokenSubsample.Tokens>> byRun = new TreeMap<>();
        sub.forEach((k, v) -> byRun.computeIfAbsent(k.runId(), r -> new TreeMap<>()).put(k.fold(), v));
        Map<RunFold, PairModelHandle> models = new TreeMap<>();
        Map<String, Map<String, Double>> diagnostics = new TreeMap<>();
        CriticConfig base = options.critic(settings.seed());
        byRun.forEach((run, folds) -> {
            int diverged = 0;
            int unconverged = 0;
            double trainTokens = 0;
            for (Map.Entry<Integer, TokenSubsample.Tokens> e : folds.entrySet()) {
                int k = e.getKey();
                TokenSubsample.Tokens held = e.getValue();
                List<TokenSubsample.Tokens> others = new ArrayList<>();
                folds.forEach((f, t) -> {
                    if (f != k) {
                        others.add(t);
                    }
                });
                FoldFit fit = fitFold(run, k, held, others, base.withSeed(StableHash.combine(base.seed(),
                        StableHash.of(run, 0x11ce), k)));
                models.put(new RunFold(run, k), fit.model());
                diverged += fit.diverged() ? 1 : 0;
                unconverged += !fit.diverged() && !fit.converged() ? 1 : 0;
                trainTokens += fit.trainTokens();
                progress.info(String.format(Locale.ROOT, "%s run %s fold %d: critic trained on %,d tokens of the "
                                + "other folds, held-out subsample %,d of %,d tokens; training bound by tenth (nats) %s%s",
                        label, run, k, fit.trainTokens(), held.n(), held.seen(), curve(fit.curve()),
                        fit.diverged() ? " DIVERGED" : fit.converged() ? "" : " (not converged)"));
            }
            Map<String, Double> d = new LinkedHashMap<>();
            d.put(VariationalEstimatorSpec.CEILING, bound == Bound.INFONCE
                    ? Math.log(options.batchSize()) / Math.log(2) : null);
            d.put(VariationalEstimatorSpec.DIVERGED, (double) diverged);
            d.put(VariationalEstimatorSpec.UNCONVERGED, (double) unconverged);
            d.put(VariationalEstimatorSpec.TRAIN_TOKENS, trainTokens / folds.size());
            diagnostics.put(run, d);
        });
        return new Fitted(models, diagnostics, Map.of(), null);
    }

    record FoldFit(BoundModel model, int trainTokens, double[] curve, boolean diverged, boolean converged) {
    }

    private FoldFit fitFold(String run, int k, TokenSubsample.Tokens held, List<TokenSubsample.Tokens> others,
                            CriticConfig cfg) {
        int cx = held.cx();
        int cy = held.cy();
        int n = others.stream().mapToInt(TokenSubsample.Tokens::n).sum();
        if (n < cfg.batch()) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%s: run %s fold %d: the other folds hold "
                    + "%d subsampled tokens, fewer than batchSize=%d; lower estimator.options.batchSize or give the "
                    + "run more tokens", label, run, k, n, cfg.batch()));
        }
        float[] x = new float[n * cx];
        float[] y = new float[n * cy];
        int at = 0;
        for (TokenSubsample.Tokens t : others) {
            System.arraycopy(t.x(), 0, x, at * cx, t.n() * cx);
            System.arraycopy(t.y(), 0, y, at * cy, t.n() * cy);
            at += t.n();
        }
        float[][] sx = Standardiser.fit(x, n, cx);
        float[][] sy = Standardiser.fit(y, n, cy);
        CriticTrainer.Trained trained = CriticTrainer.trainTraced(Standardiser.apply(x, sx[0], sx[1]),
                Standardiser.apply(y, sy[0], sy[1]), n, cx, cy, bound, cfg);
        Critic critic = trained.critic();
        float[] hx = Standardiser.apply(held.x(), sx[0], sx[1]);
        float[] hy = Standardiser.apply(held.y(), sy[0], sy[1]);
        SplittableRandom rng = new SplittableRandom(StableHash.combine(cfg.seed(), 0x4e6));
        double logZ = Double.NaN;
        double[][] negatives = new double[0][];
        if (bound == Bound.MINE) {
            int[] pos = new int[held.n()];
            for (int i = 0; i < pos.length; i++) {
                pos[i] = i;
            }
            pos = CriticTrainer.shuffle(rng, pos);
            double[] neg = new double[held.n()];
            for (int i = 0; i < neg.length; i++) {
                neg[i] = critic.value(hx, i, hy, pos[i]);
            }
            logZ = HeldOutBound.logSumExp(neg, 0, neg.length) - Math.log(neg.length);
        } else {
            int pool = Math.min(held.n(), MAX_NEGATIVE_POOL);
            negatives = new double[pool][];
            for (int i = 0; i < pool; i++) {
                negatives[i] = critic.projectY(hy, i);
            }
        }
        double[] curve = trained.curve();
        boolean diverged = !finite(curve) || (bound == Bound.MINE && !Double.isFinite(logZ)) || !finite(critic);
        int last = curve.length - 1;
        boolean converged = last < 1 || Math.abs(curve[last] - curve[last - 1])
                <= Math.max(CONVERGENCE_NATS, CONVERGENCE_SHARE * Math.abs(curve[last]));
        BoundModel model = new BoundModel(bound, label, critic, sx[0], sx[1], sy[0], sy[1], logZ, negatives,
                cfg.batch());
        return new FoldFit(model, n, curve, diverged, converged);
    }

    private static boolean finite(double[] v) {
        for (double d : v) {
            if (!Double.isFinite(d)) {
                return false;
            }
        }
        return true;
    }

    private static boolean finite(Critic c) {
        for (float f : c.w1()) {
            if (!Float.isFinite(f)) {
                return false;
            }
        }
        for (float f : c.w2()) {
            if (!Float.isFinite(f)) {
                return false;
            }
        }
        return Float.isFinite(c.b2());
    }

    private static String curve(double[] c) {
        StringBuilder b = new StringBuilder();
        for (double v : c) {
            b.append(b.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.3f", v));
        }
        return b.toString();
    }
}
