package org.infometer.estimate.variational;

import java.util.Arrays;

/**
 * A variational MI estimate cross-fitted over folds: for each fold a critic is trained on the other folds and the
 * bound is evaluated on the held-out fold only, so no token is scored by a critic that saw it.
 *
 * <p>The standard error is that of the mean of the per-token contributions; for MINE it leaves out the
 * variability of the fold's log-partition term, so it is a lower figure for that bound.
 */
public final class CrossFittedBound {

    /**
     * InfoNCE estimates at or above this share of ln K are reported as at the ceiling. The bound nears ln K only
     * asymptotically: with K = 16 and a true MI of 4 nats (1.44 ln K) the held-out value measured 0.85 ln K, so a
     * share of 0.9 would have called that saturated estimate valid.
     */
    public static final double CEILING_SHARE = 0.8;

    /**
     * @param valueNats mean of {@code localsNats}, the bound's value in nats
     * @param ceilingNats ln K for InfoNCE, +infinity for MINE
     */
    public record Result(Bound bound, double valueNats, double seNats, double[] localsNats, double ceilingNats) {

        /** True when the estimate is within {@link #CEILING_SHARE} of ln K: the truth may be far higher. */
        public boolean nearCeiling() {
            return valueNats >= CEILING_SHARE * ceilingNats;
        }
    }

    private CrossFittedBound() {
    }

    /**
     * @param fold fold of each of the {@code n} tokens, in [0, folds)
     */
    public static Result estimate(float[] x, float[] y, int n, int cx, int cy, int[] fold, int folds, Bound bound,
            CriticConfig config) {
        double[] locals = new double[n];
        for (int k = 0; k < folds; k++) {
            int[] held = rowsWhere(fold, k, true);
            int[] train = rowsWhere(fold, k, false);
            if (held.length == 0 || train.length < config.batch()) {
                throw new IllegalArgumentException("Fold " + k + " has " + held.length + " held-out and "
                        + train.length + " training tokens; needs at least one and batch=" + config.batch());
            }
            CriticConfig foldConfig = config.withSeed(mix(config.seed(), k));
            Critic c = CriticTrainer.train(gather(x, train, cx), gather(y, train, cy), train.length, cx, cy, bound,
                    foldConfig);
            double[] v = HeldOutBound.locals(c, x, y, held, bound, config.batch(), mix(config.seed(), ~k));
            for (int i = 0; i < held.length; i++) {
                locals[held[i]] = v[i];
            }
        }
        double mean = Arrays.stream(locals).average().orElse(Double.NaN);
        double ss = 0;
        for (double v : locals) {
            ss += (v - mean) * (v - mean);
        }
        double se = n > 1 ? Math.sqrt(ss / (n - 1) / n) : Double.NaN;
        double ceiling = bound == Bound.INFONCE ? Math.log(config.batch()) : Double.POSITIVE_INFINITY;
        return new Result(bound, mean, se, locals, ceiling);
    }

    private static int[] rowsWhere(int[] fold, int k, boolean equal) {
        return java.util.stream.IntStream.range(0, fold.length).filter(i -> (fold[i] == k) == equal).toArray();
    }

    private static float[] gather(float[] a, int[] rows, int c) {
        float[] out = new float[rows.length * c];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(a, rows[i] * c, out, i * c, c);
        }
        return out;
    }

    private static long mix(long seed, int k) {
        long z = seed ^ (0x9E3779B97F4A7C15L * (k + 1));
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
