package org.infometer.synth;

import org.infometer.estimate.StableHash;

import java.io.Serializable;
import java.util.SplittableRandom;

/**
 * The generator's feature model for one run: per token, a shared latent z ~ N(0, I_k) drives both modalities,
 * x = c A z + sx e_x and y = c B z + sy e_y, with A (cx x k) and B (cy x k) fixed per run and the scale c set per
 * scene (its redundancy level). Every information quantity has a closed form through k x k determinants:
 * <pre>
 *   ln det Sxx = cx ln sx^2 + ln det(I + c^2 A'A / sx^2)
 *   ln det S   = cx ln sx^2 + cy ln sy^2 + ln det(I + c^2 (A'A / sx^2 + B'B / sy^2))
 *   I(X;Y)     = (ln det Sxx + ln det Syy - ln det S) / 2
 * </pre>
 */
public final class LatentFactorModel implements Serializable {

    private static final double LN2 = Math.log(2);

    private final int cx;
    private final int cy;
    private final int k;
    private final double sx;
    private final double sy;
    /** Row-major cx x k and cy x k. */
    private final double[] a;
    private final double[] b;

    public LatentFactorModel(int cx, int cy, int k, double sx, double sy, long seed) {
        if (cx <= 0 || cy <= 0 || k <= 0) {
            throw new IllegalArgumentException("channels and latent factors must be positive");
        }
        this.cx = cx;
        this.cy = cy;
        this.k = k;
        this.sx = sx;
        this.sy = sy;
        SplittableRandom rnd = new SplittableRandom(seed);
        // Columns of unit expected norm, so c alone sets each factor's signal-to-noise ratio.
        this.a = new double[cx * k];
        this.b = new double[cy * k];
        for (int i = 0; i < a.length; i++) {
            a[i] = rnd.nextGaussian() / Math.sqrt(cx);
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = rnd.nextGaussian() / Math.sqrt(cy);
        }
    }

    public int channelsX() {
        return cx;
    }

    public int channelsY() {
        return cy;
    }

    /** Draws one sample's maps (row-major tokens x channels) at scale c. */
    public void drawSample(SplittableRandom rnd, double c, int tokens, float[] x, float[] y) {
        double[] z = new double[k];
        for (int t = 0; t < tokens; t++) {
            for (int j = 0; j < k; j++) {
                z[j] = rnd.nextGaussian();
            }
            for (int i = 0; i < cx; i++) {
                double v = 0;
                for (int j = 0; j < k; j++) {
                    v += a[i * k + j] * z[j];
                }
                x[t * cx + i] = (float) (c * v + sx * rnd.nextGaussian());
            }
            for (int i = 0; i < cy; i++) {
                double v = 0;
                for (int j = 0; j < k; j++) {
                    v += b[i * k + j] * z[j];
                }
                y[t * cy + i] = (float) (c * v + sy * rnd.nextGaussian());
            }
        }
    }

    /** Closed-form per-token entropies and MI in bits at scale c: {H(X), H(Y), H(X,Y), I(X;Y)}. */
    public double[] trueBitsPerToken(double c) {
        double[] ga = gram(a, cx, 1 / (sx * sx));
        double[] gb = gram(b, cy, 1 / (sy * sy));
        double[] gj = new double[k * k];
        for (int i = 0; i < gj.length; i++) {
            gj[i] = ga[i] + gb[i];
        }
        double ldx = cx * Math.log(sx * sx) + logDetIdentityPlus(ga, c * c);
        double ldy = cy * Math.log(sy * sy) + logDetIdentityPlus(gb, c * c);
        double ldj = cx * Math.log(sx * sx) + cy * Math.log(sy * sy) + logDetIdentityPlus(gj, c * c);
        double e = Math.log(2 * Math.PI * Math.E);
        double hx = 0.5 * (cx * e + ldx);
        double hy = 0.5 * (cy * e + ldy);
        double hxy = 0.5 * ((cx + cy) * e + ldj);
        return new double[] {hx / LN2, hy / LN2, hxy / LN2, (hx + hy - hxy) / LN2};
    }

    private double[] gram(double[] m, int rows, double scale) {
        double[] g = new double[k * k];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                double s = 0;
                for (int r = 0; r < rows; r++) {
                    s += m[r * k + i] * m[r * k + j];
                }
                g[i * k + j] = s * scale;
            }
        }
        return g;
    }

    /** ln det(I + s G) for a symmetric positive semi-definite k x k matrix, by Cholesky. */
    static double logDetIdentityPlus(double[] g, double s) {
        int n = (int) Math.round(Math.sqrt(g.length));
        double[] m = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                m[i * n + j] = s * g[i * n + j] + (i == j ? 1 : 0);
            }
        }
        double logDet = 0;
        for (int j = 0; j < n; j++) {
            double d = m[j * n + j];
            for (int p = 0; p < j; p++) {
                d -= m[j * n + p] * m[j * n + p];
            }
            if (d <= 0) {
                throw new ArithmeticException("matrix is not positive definite");
            }
            double l = Math.sqrt(d);
            m[j * n + j] = l;
            logDet += 2 * Math.log(l);
            for (int i = j + 1; i < n; i++) {
                double v = m[i * n + j];
                for (int p = 0; p < j; p++) {
                    v -= m[i * n + p] * m[j * n + p];
                }
                m[i * n + j] = v / l;
            }
        }
        return logDet;
    }

    /** A 32-character hex token, nuScenes style, derived from a stable key. */
    public static String token(String key, long seed) {
        long h1 = StableHash.of(key, seed);
        long h2 = StableHash.of(key, ~seed);
        return String.format("%016x%016x", h1, h2);
    }
}
