package org.infometer.estimate.gaussian;

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
 */
public final class GaussianPairFitter {

    /** Largest canonical correlation a model may use: beyond it a pair is treated as (nearly) deterministic. */
    static final double MAX_RHO = 1 - 1e-9;

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
        // gains[k][j]: per-component held-out gain (nats per token) on fold j of the model fitted without k and j
        double[][][] gains = new double[f][f][];
        int[][] pairs = IntStream.range(0, f).boxed()
                .flatMap(a -> IntStream.range(a + 1, f).mapToObj(b -> new int[] {a, b}))
                .toArray(int[][]::new);
        // Sequential on purpose: the pure-Java LAPACK keeps Fortran SAVE variables in statics, and concurrent
        // first calls can corrupt them (NaN, then an endless loop inside the eigen-solver).
        Arrays.stream(pairs).forEach(p -> {
            JointMoments train = mergeExcept(folds, present, p[0], p[1]);
            if (train.tokens() < 2) {
                return;
            }
            Structure s = structure(train);
            gains[p[0]][p[1]] = s.heldOutGains(folds.get(present.get(p[1])));
            gains[p[1]][p[0]] = s.heldOutGains(folds.get(present.get(p[0])));
        });
        Map<Integer, FoldFit> out = new TreeMap<>();
        FoldFit[] fits = new FoldFit[f];
        IntStream.range(0, f).forEach(k -> {
            double[] total = new double[rmax + 1];
            long heldOutTokens = 0;
            for (int j = 0; j < f; j++) {
                if (j == k || gains[k][j] == null) {
                    continue;
                }
                long nj = folds.get(present.get(j)).tokens();
                heldOutTokens += nj;
                double cum = 0;
                for (int r = 1; r <= rmax; r++) {
                    cum += gains[k][j][r - 1];
                    total[r] += nj * cum;
                }
            }
            int best = 0;
            for (int r = 1; r <= rmax; r++) {
                if (total[r] > total[best]) {
                    best = r;
                }
            }
            JointMoments train = mergeExcept(folds, present, k, -1);
            Structure s = structure(train);
            double gain = heldOutTokens > 0 ? total[best] / heldOutTokens / Math.log(2) : 0.0;
            fits[k] = new FoldFit(present.get(k), s.truncate(best), train.tokens(), train.samples(), best, gain);
        });
        for (FoldFit fit : fits) {
            out.put(fit.fold(), fit);
        }
        return out;
    }

    /** One model on all given folds, with its rank chosen by leave-one-fold-out held-out gain. */
    public record RankedFit(GaussianPairModel full, int rank, double heldOutGainBitsPerToken) {

        /** The model with only the chosen canonical pairs. */
        public GaussianPairModel chosen() {
            return full.truncate(rank);
        }
    }

    /**
     * Fits on the union of {@code folds} and keeps every canonical pair in {@link RankedFit#full()}, while the
     * rank that predicts held-out data best is chosen as in {@link #fitCrossFitted}: each fold is scored by the
     * model fitted on the others. With fewer than two non-empty folds the rank is 0 (nothing is validated).
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
        double[] total = new double[rmax + 1];
        long heldOut = 0;
        if (present.size() >= 2) {
            for (int j = 0; j < present.size(); j++) {
                JointMoments train = null;
                for (int i = 0; i < present.size(); i++) {
                    if (i != j) {
                        train = train == null ? present.get(i).copy() : train.merge(present.get(i));
                    }
                }
                if (train.tokens() < 2) {
                    continue;
                }
                double[] g = structure(train).heldOutGains(present.get(j));
                long nj = present.get(j).tokens();
                heldOut += nj;
                double cum = 0;
                for (int r = 1; r <= rmax; r++) {
                    cum += g[r - 1];
                    total[r] += nj * cum;
                }
            }
        }
        int best = 0;
        for (int r = 1; r <= rmax; r++) {
            if (total[r] > total[best]) {
                best = r;
            }
        }
        Structure s = structure(all);
        double gain = heldOut > 0 ? total[best] / heldOut / Math.log(2) : 0.0;
        return new RankedFit(s.truncate(rmax), best, gain);
    }

    /** The model on {@code all} with a rank chosen elsewhere (e.g. by {@link #fitSelectingRank} on a subset). */
    public static RankedFit fitWithRank(JointMoments all, int rank, double heldOutGainBitsPerToken) {
        int rmax = Math.min(all.channelsX(), all.channelsY());
        if (rank < 0 || rank > rmax) {
            throw new IllegalArgumentException("rank " + rank + " outside 0.." + rmax);
        }
        return new RankedFit(structure(all).truncate(rmax), rank, heldOutGainBitsPerToken);
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

    /** Marginal models plus every canonical pair, before the rank is chosen. */
    static Structure structure(JointMoments m) {
        int cx = m.channelsX();
        int cy = m.channelsY();
        int d = cx + cy;
        double[] mean = m.mean();
        double[] cov = m.covariance();
        GaussianMarginal mx = GaussianMarginal.fit(Arrays.copyOfRange(mean, 0, cx),
                Linalg.block(cov, d, 0, cx, 0, cx), cx, m.tokens());
        GaussianMarginal my = GaussianMarginal.fit(Arrays.copyOfRange(mean, cx, d),
                Linalg.block(cov, d, cx, cy, cx, cy), cy, m.tokens());
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
            return g;
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
