package org.infometer.estimate.gaussian;

import org.infometer.estimate.Blas;
import org.infometer.estimate.JointMoments;
import org.infometer.estimate.Linalg;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * Fits cross-fitted Gaussian pair models from per-fold sufficient statistics, on the driver.
 *
 * <p>Usage: {@code fitCrossFitted(foldMoments)} with one {@link JointMoments} per fold of one run; the model
 * returned for fold k was fitted on every other fold and must only score fold k.
 *
 * <p>How many canonical pairs the (X,Y) model keeps is chosen by an inner cross-validation that also never
 * looks at fold k: for every other fold j, a model fitted without k and j is scored on j, and the rank with the
 * best total held-out gain in log-likelihood wins. The held-out gain is computed exactly from fold j's moments,
 * so no extra pass over the data is needed. In high dimension with few tokens the sample canonical
 * correlations are large even for independent modalities; only components that predict held-out data
 * survive, which is what keeps the estimate near zero there.
 *
 * <p>The same inner folds choose how strongly each modality's correlations are shrunk toward the identity:
 * the Schäfer-Strimmer intensity suits a marginal alone, but the canonical pairs are fitted in the shrunk
 * coordinates, and where the within-modality sample correlations explain part of the sample cross-covariance,
 * shrinking them away costs dependence (8 + 8 channels, rho = 0.8, 1,200 tokens: 5.25 bits/token against a
 * truth of 5.90, where an unshrunk fit gives 5.86). Each candidate scale of the intensity is scored by held-out
 * joint codelength (marginal codelengths minus pointwise MI, exact from the held-out moments), jointly with
 * the rank; the unscaled intensity wins ties.
 */
public final class GaussianPairFitter {

    /** Largest canonical correlation a model may use: beyond it a pair is treated as (nearly) deterministic. */
    static final double MAX_RHO = 1 - 1e-9;

    /** Candidate scales of the marginal shrinkage intensity, the default first (it wins ties). */
    static final double[] SHRINK_SCALES = {1.0, 0.5, 0.2, 0.0};

    private GaussianPairFitter() {
    }

    /** The fitted model of one fold and how it was chosen. */
    public record FoldFit(int fold, GaussianPairModel model, long trainTokens, long trainSamples, int rank,
                          double heldOutGainBitsPerToken) {
    }

    public static Map<Integer, FoldFit> fitCrossFitted(Map<Integer, JointMoments> folds) {
        List<Integer> present = new ArrayList<>();
        for (Map.Entry<Integer, JointMoments> e : new TreeMap<>(folds).entrySet()) {
            if (e.getValue().tokens() > 0) {
                present.add(e.getKey());
            }
        }
        if (present.size() < 3) {
            throw new IllegalArgumentException("Cross-fitting needs samples in at least 3 folds, found "
                    + present.size() + "; add samples or check the fold count");
        }
        int f = present.size();
        int rmax = Math.min(folds.get(present.get(0)).channelsX(), folds.get(present.get(0)).channelsY());
        int scales = SHRINK_SCALES.length;
        // held[q][k][j]: on fold j, the model fitted without k and j at shrink scale q (null: too little data)
        HeldOut[][][] held = new HeldOut[scales][f][f];
        int[][] pairs = IntStream.range(0, f).boxed()
                .flatMap(a -> IntStream.range(a + 1, f).mapToObj(b -> new int[] {a, b}))
                .toArray(int[][]::new);
        // Concurrent only with a native LAPACK: the pure-Java LAPACK keeps Fortran SAVE variables in statics, and
        // concurrent first calls can corrupt them (NaN, then an endless loop inside the eigen-solver). Each fit is
        // its own computation, so the results are the same bits either way.
        parallelIfNative(Arrays.stream(pairs)).forEach(p -> {
            JointMoments train = mergeExcept(folds, present, p[0], p[1]);
            if (train.tokens() < 2) {
                return;
            }
            for (int q = 0; q < scales; q++) {
                Structure s = structure(train, SHRINK_SCALES[q]);
                held[q][p[0]][p[1]] = s.heldOut(folds.get(present.get(p[1])));
                held[q][p[1]][p[0]] = s.heldOut(folds.get(present.get(p[0])));
            }
        });
        Map<Integer, FoldFit> out = new TreeMap<>();
        FoldFit[] fits = new FoldFit[f];
        parallelIfNative(IntStream.range(0, f).boxed()).forEach(k -> {
            List<HeldOut> perScale = new ArrayList<>();
            List<Long> tokens = new ArrayList<>();
            Choice best = null;
            for (int q = 0; q < scales; q++) {
                perScale.clear();
                tokens.clear();
                for (int j = 0; j < f; j++) {
                    if (j != k && held[q][k][j] != null) {
                        perScale.add(held[q][k][j]);
                        tokens.add(folds.get(present.get(j)).tokens());
                    }
                }
                Choice c = choose(perScale, tokens, rmax, q);
                if (best == null || c.score() > best.score()) {
                    best = c;
                }
            }
            JointMoments train = mergeExcept(folds, present, k, -1);
            Structure s = structure(train, SHRINK_SCALES[best.scale()]);
            fits[k] = new FoldFit(present.get(k), s.truncate(best.rank()), train.tokens(), train.samples(),
                    best.rank(), best.gainBitsPerToken());
        });
        for (FoldFit fit : fits) {
            out.put(fit.fold(), fit);
        }
        return out;
    }

    /** The driver's fits run on every core when the LAPACK is native (thread-safe), one after another otherwise. */
    private static <T> java.util.stream.Stream<T> parallelIfNative(java.util.stream.Stream<T> s) {
        return Blas.isNativeLapack() ? s.parallel() : s;
    }

    /** One model on all given folds, with its rank (and shrink scale) chosen by leave-one-fold-out held-out data. */
    public record RankedFit(GaussianPairModel full, int rank, double heldOutGainBitsPerToken, double shrinkScale) {

        /** The model with only the chosen canonical pairs. */
        public GaussianPairModel chosen() {
            return full.truncate(rank);
        }
    }

    /** The rank and shrink scale with the best held-out joint log-likelihood, and what they scored. */
    private record Choice(int scale, int rank, double score, double gainBitsPerToken) {
    }

    /**
     * The best rank at shrink scale {@code q} over held-out folds: score = token-weighted held-out joint
     * log-likelihood (nats), i.e. minus the marginal codelengths plus the kept pairs' pointwise MI.
     */
    private static Choice choose(List<HeldOut> held, List<Long> tokens, int rmax, int q) {
        double[] total = new double[rmax + 1];
        long heldTokens = 0;
        for (int j = 0; j < held.size(); j++) {
            long nj = tokens.get(j);
            heldTokens += nj;
            HeldOut h = held.get(j);
            double base = -h.marginalNats();
            total[0] += nj * base;
            double cum = 0;
            for (int r = 1; r <= rmax; r++) {
                cum += h.gains()[r - 1];
                total[r] += nj * (base + cum);
            }
        }
        int best = 0;
        for (int r = 1; r <= rmax; r++) {
            if (total[r] > total[best]) {
                best = r;
            }
        }
        double gain = heldTokens > 0 ? (total[best] - total[0]) / heldTokens / Math.log(2) : 0.0;
        // Non-finite scores (a singular unshrunk fit) never win: the default scale is always finite.
        double score = Double.isFinite(total[best]) ? total[best] : Double.NEGATIVE_INFINITY;
        return new Choice(q, best, held.isEmpty() ? 0 : score, gain);
    }

    /**
     * Fits on the union of {@code folds} and keeps every canonical pair in {@link RankedFit#full()}, while the
     * rank and shrink scale that predict held-out data best are chosen as in {@link #fitCrossFitted}: each fold
     * is scored by the model fitted on the others. With fewer than two non-empty folds the rank is 0 and the
     * scale the default (nothing is validated).
     */
    public static RankedFit fitSelectingRank(List<JointMoments> folds) {
        List<JointMoments> present = folds.stream().filter(m -> m.tokens() > 0).toList();
        if (present.isEmpty()) {
            throw new IllegalArgumentException("No tokens to fit a Gaussian pair model on");
        }
        JointMoments all = null;
        for (JointMoments m : present) {
            all = all == null ? m.copy() : all.merge(m);
        }
        int rmax = Math.min(all.channelsX(), all.channelsY());
        List<JointMoments> trains = new ArrayList<>();
        List<Integer> heldIndex = new ArrayList<>();
        if (present.size() >= 2) {
            for (int j = 0; j < present.size(); j++) {
                JointMoments train = null;
                for (int i = 0; i < present.size(); i++) {
                    if (i != j) {
                        train = train == null ? present.get(i).copy() : train.merge(present.get(i));
                    }
                }
                if (train.tokens() >= 2) {
                    trains.add(train);
                    heldIndex.add(j);
                }
            }
        }
        Choice best = new Choice(0, 0, 0, 0);
        if (!trains.isEmpty()) {
            best = null;
            for (int q = 0; q < SHRINK_SCALES.length; q++) {
                List<HeldOut> held = new ArrayList<>();
                List<Long> tokens = new ArrayList<>();
                for (int t = 0; t < trains.size(); t++) {
                    JointMoments h = present.get(heldIndex.get(t));
                    held.add(structure(trains.get(t), SHRINK_SCALES[q]).heldOut(h));
                    tokens.add(h.tokens());
                }
                Choice c = choose(held, tokens, rmax, q);
                if (best == null || c.score() > best.score()) {
                    best = c;
                }
            }
        }
        double scale = SHRINK_SCALES[best.scale()];
        Structure s = structure(all, scale);
        return new RankedFit(s.truncate(rmax), best.rank(), best.gainBitsPerToken(), scale);
    }

    /** The model on {@code all} with a rank and shrink scale chosen elsewhere (e.g. {@link #fitSelectingRank}). */
    public static RankedFit fitWithRank(JointMoments all, int rank, double shrinkScale,
                                        double heldOutGainBitsPerToken) {
        int rmax = Math.min(all.channelsX(), all.channelsY());
        if (rank < 0 || rank > rmax) {
            throw new IllegalArgumentException("rank " + rank + " outside 0.." + rmax);
        }
        return new RankedFit(structure(all, shrinkScale).truncate(rmax), rank, heldOutGainBitsPerToken,
                shrinkScale);
    }

    /** As {@link #fitWithRank(JointMoments, int, double, double)} at the default shrinkage. */
    public static RankedFit fitWithRank(JointMoments all, int rank, double heldOutGainBitsPerToken) {
        return fitWithRank(all, rank, 1.0, heldOutGainBitsPerToken);
    }

    private static JointMoments mergeExcept(Map<Integer, JointMoments> folds, List<Integer> present, int a, int b) {
        JointMoments acc = null;
        for (int i = 0; i < present.size(); i++) {
            if (i == a || i == b) {
                continue;
            }
            JointMoments m = folds.get(present.get(i));
            acc = acc == null ? m.copy() : acc.merge(m);
        }
        return acc;
    }

    /** Marginal models plus every canonical pair, before the rank is chosen (default shrinkage). */
    static Structure structure(JointMoments m) {
        return structure(m, 1.0);
    }

    /** As {@link #structure(JointMoments)} with the marginal shrinkage intensities scaled by {@code shrinkScale}. */
    static Structure structure(JointMoments m, double shrinkScale) {
        int cx = m.channelsX();
        int cy = m.channelsY();
        int d = cx + cy;
        double[] mean = m.mean();
        double[] cov = m.covariance();
        GaussianMarginal mx = GaussianMarginal.fit(Arrays.copyOfRange(mean, 0, cx),
                Linalg.block(cov, d, 0, cx, 0, cx), cx, m.tokens(), shrinkScale);
        GaussianMarginal my = GaussianMarginal.fit(Arrays.copyOfRange(mean, cx, d),
                Linalg.block(cov, d, cx, cy, cx, cy), cy, m.tokens(), shrinkScale);
        double[] rxy = Linalg.block(cov, d, 0, cx, cx, cy);
        for (int j = 0; j < cy; j++) {
            for (int i = 0; i < cx; i++) {
                rxy[j * cx + i] /= mx.sd[i] * my.sd[j];
            }
        }
        double[] k1 = Linalg.multiply(mx.whitening, cx, cx, true, rxy, cx, cy, false);
        double[] whitenedCross = Linalg.multiply(k1, cx, cy, false, my.whitening, cy, cy, false);
        int r = Math.min(cx, cy);
        double[] u = new double[cx * r];
        double[] vt = new double[r * cy];
        double[] s = Linalg.svd(whitenedCross, cx, cy, u, vt);
        double[] canonX = Linalg.multiply(mx.whitening, cx, cx, false, u, cx, r, false);
        double[] canonY = Linalg.multiply(my.whitening, cy, cy, false, vt, r, cy, true);
        double[] rho = new double[r];
        for (int i = 0; i < r; i++) {
            rho[i] = Math.min(s[i], MAX_RHO);
        }
        return new Structure(mx, my, rho, canonX, canonY);
    }

    /** What one structure scores on one held-out fold. */
    record HeldOut(double[] gains, double marginalNats) {
    }

    record Structure(GaussianMarginal mx, GaussianMarginal my, double[] rho, double[] canonX, double[] canonY) {

        GaussianPairModel truncate(int r) {
            return new GaussianPairModel(mx, my, Arrays.copyOf(rho, r),
                    Arrays.copyOf(canonX, mx.channels * r), Arrays.copyOf(canonY, my.channels * r));
        }

        /**
         * Expected pointwise-MI contribution of each canonical pair on held-out data, in nats per token, from
         * that data's second moments about this model's mean.
         */
        double[] heldOutGains(JointMoments heldOut) {
            return heldOut(heldOut).gains();
        }

        /** Per-pair held-out gains and the held-out marginal codelengths (nats per token) of this structure. */
        HeldOut heldOut(JointMoments heldOut) {
            int cx = mx.channels;
            int cy = my.channels;
            int d = cx + cy;
            int r = rho.length;
            double[] center = new double[d];
            double[] sd = new double[d];
            System.arraycopy(mx.mean, 0, center, 0, cx);
            System.arraycopy(my.mean, 0, center, cx, cy);
            System.arraycopy(mx.sd, 0, sd, 0, cx);
            System.arraycopy(my.sd, 0, sd, cx, cy);
            double[] m2 = heldOut.secondMomentAbout(center);
            for (int j = 0; j < d; j++) {
                for (int i = 0; i < d; i++) {
                    m2[j * d + i] /= sd[i] * sd[j];
                }
            }
            double[] mxx = Linalg.block(m2, d, 0, cx, 0, cx);
            double[] myy = Linalg.block(m2, d, cx, cy, cx, cy);
            double[] mxy = Linalg.block(m2, d, 0, cx, cx, cy);
            double[] tx = Linalg.multiply(mxx, cx, cx, false, canonX, cx, r, false);
            double[] ty = Linalg.multiply(myy, cy, cy, false, canonY, cy, r, false);
            double[] txy = Linalg.multiply(mxy, cx, cy, false, canonY, cy, r, false);
            double[] g = new double[r];
            for (int i = 0; i < r; i++) {
                double uu = dot(canonX, tx, i * cx, cx);
                double vv = dot(canonY, ty, i * cy, cy);
                double uv = dot(canonX, txy, i * cx, cx);
                double p = rho[i];
                double oneMinus = 1 - p * p;
                g[i] = -0.5 * Math.log(oneMinus) - (p * p * (uu + vv) - 2 * p * uv) / (2 * oneMinus);
            }
            // Marginal codelength: ln normaliser + E|W' z|^2 / 2, z the standardised held-out values.
            double marginal = mx.logNormaliser + 0.5 * quadratic(mxx, mx.whitening, cx)
                    + my.logNormaliser + 0.5 * quadratic(myy, my.whitening, cy);
            return new HeldOut(g, marginal);
        }

        /** trace(W' M W) for column-major c x c matrices. */
        private static double quadratic(double[] m, double[] w, int c) {
            double[] mw = Linalg.multiply(m, c, c, false, w, c, c, false);
            double s = 0;
            for (int i = 0; i < c * c; i++) {
                s += w[i] * mw[i];
            }
            return s;
        }

        private static double dot(double[] a, double[] b, int offset, int n) {
            double s = 0;
            for (int i = 0; i < n; i++) {
                s += a[offset + i] * b[offset + i];
            }
            return s;
        }
    }
}
