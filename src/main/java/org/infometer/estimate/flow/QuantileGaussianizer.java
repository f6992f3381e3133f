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
 * quantiles, with logarithmic tails beyond the outermost knots. Each channel's map is strictly increasing, so
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

    private final int channels;
    /** Per channel: strictly increasing knot positions in input units and their normal scores. */
    private final double[][] xs;
    private final double[][] zs;

    private QuantileGaussianizer(int channels, double[][] xs, double[][] zs) {
        this.channels = channels;
        this.xs = xs;
        this.zs = zs;
    }

    int channels() {
        return channels;
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
        int knots = (int) Math.max(MIN_KNOTS, Math.min(MAX_KNOTS, Math.round(2 * Math.sqrt(n))));
        knots = Math.min(knots, n);
        double[][] xs = new double[channels][];
        double[][] zs = new double[channels][];
        double[] col = new double[n];
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < n; i++) {
                col[i] = data[i * channels + c];
            }
            Arrays.sort(col);
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
                xs[c] = new double[] {kx[0] - 0.5, kx[0] + 0.5};
                zs[c] = new double[] {-0.5, 0.5};
            } else {
                xs[c] = Arrays.copyOf(kx, m);
                zs[c] = Arrays.copyOf(kz, m);
            }
        }
        return new QuantileGaussianizer(channels, xs, zs);
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
        double total = 0;
        for (int t = 0; t < tokens; t++) {
            double lj = 0;
            int o = t * channels;
            for (int c = 0; c < channels; c++) {
                double[] kx = xs[c];
                double[] kz = zs[c];
                double x = map[o + c];
                int last = kx.length - 1;
                double z;
                double slope;
                if (x <= kx[0]) {
                    double s = (kz[1] - kz[0]) / (kx[1] - kx[0]);
                    double u = s * (kx[0] - x);
                    z = kz[0] - Math.log1p(u);
                    slope = s / (1 + u);
                } else if (x >= kx[last]) {
                    double s = (kz[last] - kz[last - 1]) / (kx[last] - kx[last - 1]);
                    double u = s * (x - kx[last]);
                    z = kz[last] + Math.log1p(u);
                    slope = s / (1 + u);
                } else {
                    int i = Arrays.binarySearch(kx, x);
                    if (i < 0) {
                        i = -i - 2;
                    }
                    i = Math.min(i, last - 1);
                    slope = (kz[i + 1] - kz[i]) / (kx[i + 1] - kx[i]);
                    z = kz[i] + slope * (x - kx[i]);
                }
                out[o + c] = (float) z;
                lj += Math.log(slope);
            }
            if (perToken != null) {
                perToken[t] = lj;
            }
            total += lj;
        }
        return total;
    }

    void write(DataOutputStream out) throws IOException {
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
