package org.infometer.estimate.flow;

import org.apache.commons.math3.special.Erf;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.util.Arrays;

/**
 * Per-channel monotone map of one modality's token values to approximately standard normal values: a
 * piecewise-linear interpolation between empirical quantiles of the training tokens and the matching normal
 * quantiles, with logarithmic, bounded tails beyond the outermost knots. Each channel's map is strictly increasing, so
 * the transform is invertible and its log-Jacobian is the sum of the log slopes at the token's values.
 *
 * <p>Why it exists: mutual information is invariant under invertible maps of each modality, so this map changes
 * no MI, but it hands the dependence model marginals that are already Gaussian. Heavy tails (Cauchy), bounded
 * margins (uniform), skew and multi-modal margins all become light-tailed, so neither the Gaussian part nor the
 * learned part spends capacity (or numerical range) on the shape of each margin. The logarithmic tails keep
 * values far outside the training range finite and moderate instead of extrapolating a steep last segment.
 */
final class QuantileGaussianizer implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final int MIN_KNOTS = 16;
    private static final int MAX_KNOTS = 512;

    /**
     * Beyond the outermost knots the score grows like log(1 + u) (u: distance in units of the last segment),
     * squashed so it never exceeds the knot by more than this many normal-score units. Unbounded tails let a
     * heavy-tailed test token far outside the training range (Student-t nu = 1, 5 + 5) reach scores where
     * the dependence model has never seen data: single samples scored +267 and -59 bits/token and the run's
     * interval widened tenfold; bounded, the map is still strictly increasing and its log-Jacobian exact.
     */
    static final double TAIL_BOUND = 1.5;


    private final int channels;
    /** Per channel: strictly increasing knot positions in input units and their normal scores. */
    private final double[][] xs;
    private final double[][] zs;

    /** Per channel and segment: slope and its log, precomputed (a log per value was a third of the transform). */
    private final double[][] slopes;
    private final double[][] logSlopes;
    /**
     * Per channel, a guide over equal-width buckets of [first knot, last knot]: the segment holding each bucket's
     * start. A value's segment is then its bucket's entry plus a step or two, where a binary search took about
     * nine unpredictable branches (the search was most of the Gaussianisation, itself a third of a flow fit).
     */
    private final int[][] guides;
    private final double[] guideScale;

    private QuantileGaussianizer(int channels, double[][] xs, double[][] zs) {
        this.channels = channels;
        this.xs = xs;
        this.zs = zs;
        if (xs == null) {
            this.slopes = null;
            this.logSlopes = null;
            this.guides = null;
            this.guideScale = null;
            return;
        }
        this.slopes = new double[channels][];
        this.logSlopes = new double[channels][];
        this.guides = new int[channels][];
        this.guideScale = new double[channels];
        for (int c = 0; c < channels; c++) {
            int segments = xs[c].length - 1;
            slopes[c] = new double[segments];
            logSlopes[c] = new double[segments];
            for (int i = 0; i < segments; i++) {
                slopes[c][i] = (zs[c][i + 1] - zs[c][i]) / (xs[c][i + 1] - xs[c][i]);
                logSlopes[c][i] = Math.log(slopes[c][i]);
            }
            double[] kx = xs[c];
            int buckets = 2 * segments;
            double scale = buckets / (kx[segments] - kx[0]);
            int[] g = new int[buckets];
            int seg = 0;
            for (int b = 0; b < buckets; b++) {
                double start = kx[0] + b / scale;
                while (seg < segments - 1 && kx[seg + 1] <= start) {
                    seg++;
                }
                g[b] = seg;
            }
            guides[c] = g;
            guideScale[c] = scale;
        }
    }

    /**
     * The segment of {@code x} strictly inside the knots: the largest i <= last - 1 with kx[i] <= x, exactly
     * what a binary search gives. The guide entry is never past that segment (rounding of the bucket index is
     * corrected both ways), so the forward steps end on it.
     */
    private int segment(int c, double x) {
        double[] kx = xs[c];
        int[] g = guides[c];
        int b = (int) ((x - kx[0]) * guideScale[c]);
        int i = g[Math.max(0, Math.min(g.length - 1, b))];
        while (i > 0 && kx[i] > x) {
            i--;
        }
        int last = kx.length - 1;
        while (i < last - 1 && kx[i + 1] <= x) {
            i++;
        }
        return i;
    }

    int channels() {
        return channels;
    }

    /**
     * The identity map (log-Jacobian 0). Where Gaussianising the margins does not pay on held-out data (Gaussian
     * margins), the estimated quantile knots only add noise: the dependence model then sees the tokens as they are
     * and equals the Gaussian pair model.
     */
    static QuantileGaussianizer identity(int channels) {
        if (channels <= 0) {
            throw new IllegalArgumentException("Channel count must be positive, got " + channels);
        }
        return new QuantileGaussianizer(channels, null, null);
    }

    /** Channel {@code c}'s knots, {@code {positions, normal scores}} (copies). */
    double[][] knots(int c) {
        return new double[][] {xs[c].clone(), zs[c].clone()};
    }

    boolean isIdentity() {
        return xs == null;
    }

    /**
     * Fits on {@code n} row-major tokens of {@code channels} values. Knots sit at evenly spaced order statistics
     * (about 2 sqrt(n) of them, 16 to 512); tied values collapse to one knot at the mean normal score of the
     * tie, so discrete channels still get a strictly increasing map.
     */
    static QuantileGaussianizer fit(float[] data, int n, int channels) {
        if (n < 2) {
            throw new IllegalArgumentException("Need at least 2 tokens to fit a marginal transform, got " + n);
        }
        double[][] xs = new double[channels][];
        double[][] zs = new double[channels][];
        double[] col = new double[n];
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < n; i++) {
                col[i] = data[i * channels + c];
            }
            double[][] k = knots(col);
            xs[c] = k[0];
            zs[c] = k[1];
        }
        return new QuantileGaussianizer(channels, xs, zs);
    }

    /** Knots of the quantile map of one channel's values (sorted in place). */
    private static double[][] knots(double[] col) {
        int n = col.length;
        Arrays.sort(col);
        int knots = (int) Math.max(MIN_KNOTS, Math.min(MAX_KNOTS, Math.round(2 * Math.sqrt(n))));
        knots = Math.min(knots, n);
        double[] kx = new double[knots];
        double[] kz = new double[knots];
        int m = 0;
        for (int j = 0; j < knots; j++) {
            int idx = (int) Math.round(j * (n - 1) / (double) (knots - 1));
            double x = col[idx];
            double z = normalQuantile((idx + 0.5) / n);
            if (m > 0 && x <= kx[m - 1]) {
                kz[m - 1] = 0.5 * (kz[m - 1] + z);
                continue;
            }
            kx[m] = x;
            kz[m] = z;
            m++;
        }
        if (m == 1) {
            // A constant channel: any strictly increasing map will do; unit slope through the value.
            return new double[][] {{kx[0] - 0.5, kx[0] + 0.5}, {-0.5, 0.5}};
        }
        return new double[][] {Arrays.copyOf(kx, m), Arrays.copyOf(kz, m)};
    }

    static double normalQuantile(double p) {
        return Math.sqrt(2) * Erf.erfInv(2 * p - 1);
    }

    /**
     * Transforms {@code tokens} row-major tokens into {@code out} and returns the summed natural-log Jacobian
     * over all of them (per token when {@code perToken} is given: its entries receive each token's sum).
     */
    double transform(float[] map, int tokens, float[] out, double[] perToken) {
        if (map.length != tokens * channels) {
            throw new IllegalArgumentException("Map has " + map.length + " values; expected " + tokens + " x "
                    + channels);
        }
        if (xs == null) {
            System.arraycopy(map, 0, out, 0, tokens * channels);
            if (perToken != null) {
                Arrays.fill(perToken, 0, tokens, 0.0);
            }
            return 0;
        }
        double total = 0;
        double[] logSlope = new double[1];
        for (int t = 0; t < tokens; t++) {
            double lj = 0;
            int o = t * channels;
            for (int c = 0; c < channels; c++) {
                out[o + c] = (float) map1(c, map[o + c], logSlope);
                lj += logSlope[0];
            }
            if (perToken != null) {
                perToken[t] = lj;
            }
            total += lj;
        }
        return total;
    }

    /** One value through one channel's quantile map; the log of its slope goes to {@code logSlope[0]}. */
    private double map1(int c, double x, double[] logSlope) {
        double[] kx = xs[c];
        double[] kz = zs[c];
        double[] slope = slopes[c];
        double[] lnSlope = logSlopes[c];
        int last = kx.length - 1;
        if (x <= kx[0] || x >= kx[last]) {
            boolean low = x <= kx[0];
            int a = low ? 0 : last - 1;
            double s = slope[a];
            double u = s * (low ? kx[0] - x : x - kx[last]);
            double t = Math.log1p(u) / TAIL_BOUND;
            logSlope[0] = lnSlope[a] - Math.log1p(u) + lnSech2(t);
            return low ? kz[0] - TAIL_BOUND * Math.tanh(t) : kz[last] + TAIL_BOUND * Math.tanh(t);
        }
        int i = segment(c, x);
        logSlope[0] = lnSlope[i];
        return kz[i] + slope[i] * (x - kx[i]);
    }

    /** ln(1 - tanh(t)^2) for t >= 0, without cancellation when tanh(t) rounds to 1. */
    private static double lnSech2(double t) {
        return 2 * (Math.log(2) - t - Math.log1p(Math.exp(-2 * t)));
    }

    void write(DataOutputStream out) throws IOException {
        if (xs == null) {
            // A negative count marks the identity; stores written before it existed never hold one.
            out.writeInt(-channels);
            return;
        }
        out.writeInt(channels);
        for (int c = 0; c < channels; c++) {
            out.writeInt(xs[c].length);
            for (int i = 0; i < xs[c].length; i++) {
                out.writeDouble(xs[c][i]);
                out.writeDouble(zs[c][i]);
            }
        }
    }

    static QuantileGaussianizer read(DataInputStream in) throws IOException {
        int channels = in.readInt();
        if (channels < 0) {
            return identity(-channels);
        }
        double[][] xs = new double[channels][];
        double[][] zs = new double[channels][];
        for (int c = 0; c < channels; c++) {
            int m = in.readInt();
            xs[c] = new double[m];
            zs[c] = new double[m];
            for (int i = 0; i < m; i++) {
                xs[c][i] = in.readDouble();
                zs[c][i] = in.readDouble();
            }
        }
        return new QuantileGaussianizer(channels, xs, zs);
    }
}
