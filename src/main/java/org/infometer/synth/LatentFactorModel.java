package org.infometer.synth;

import org.infometer.estimate.StableHash;

import java.io.Serializable;
import java.util.SplittableRandom;

/**
 * The generator's feature model for one run: per token, a shared latent z ~ N(0, I_k) drives both modalities and
 * each modality also has private latents u_x, u_y ~ N(0, I_p):
 * <pre>
 *   x = c A z + Px u_x + sx e_x,   y = c B z + Py u_y + sy e_y
 * </pre>
 * with A, B, Px, Py fixed per run and the scale c set per scene (its redundancy level). Every information quantity
 * has a closed form through small determinants: with W the loadings of all latents on (x, y) and D the noise
 * variances, ln det S = ln det D + ln det(I + W' D^-1 W), and I(X;Y) = (ln det Sxx + ln det Syy - ln det S) / 2.
 *
 * <p>The per-token task target (for partial information decomposition) is a function of the first latent of a
 * kind, so which modality holds the information about it is known: {@link TargetStructure}.
 */
public final class LatentFactorModel implements Serializable {

    private static final double LN2 = Math.log(2);

    private final int cx;
    private final int cy;
    private final int k;
    private final int p;
    private final double sx;
    private final double sy;
    /** Row-major cx x k, cy x k, cx x p, cy x p. */
    private final double[] a;
    private final double[] b;
    private final double[] px;
    private final double[] py;

    /** Which latent the per-token target reads: shared (redundant), private to one side, or both (synergy). */
    public enum TargetStructure {
        REDUNDANT, UNIQUE_X, UNIQUE_Y, SYNERGY;

        public int target(double[] z, double[] ux, double[] uy) {
            return switch (this) {
                case REDUNDANT -> z[0] > 0 ? 1 : 0;
                case UNIQUE_X -> ux[0] > 0 ? 1 : 0;
                case UNIQUE_Y -> uy[0] > 0 ? 1 : 0;
                case SYNERGY -> (ux[0] > 0) ^ (uy[0] > 0) ? 1 : 0;
            };
        }
    }

    public LatentFactorModel(int cx, int cy, int k, double sx, double sy, long seed) {
        this(cx, cy, k, 0, sx, sy, seed);
    }

    public LatentFactorModel(int cx, int cy, int k, int p, double sx, double sy, long seed) {
        if (cx <= 0 || cy <= 0 || k <= 0 || p < 0) {
            throw new IllegalArgumentException("channels and latent factors must be positive");
        }
        this.cx = cx;
        this.cy = cy;
        this.k = k;
        this.p = p;
        this.sx = sx;
        this.sy = sy;
        SplittableRandom rnd = new SplittableRandom(seed);
        // Columns of unit expected norm, so c alone sets each shared factor's signal-to-noise ratio.
        this.a = gaussian(rnd, cx * k, cx);
        this.b = gaussian(rnd, cy * k, cy);
        this.px = gaussian(rnd, cx * p, cx);
        this.py = gaussian(rnd, cy * p, cy);
    }

    private static double[] gaussian(SplittableRandom rnd, int n, int rows) {
        double[] m = new double[n];
        for (int i = 0; i < n; i++) {
            m[i] = rnd.nextGaussian() / Math.sqrt(rows);
        }
        return m;
    }

    public int channelsX() {
        return cx;
    }

    public int channelsY() {
        return cy;
    }

    /** Draws one sample's maps (row-major tokens x channels) at scale c. */
    public void drawSample(SplittableRandom rnd, double c, int tokens, float[] x, float[] y) {
        drawSample(rnd, c, tokens, x, y, null, null);
    }

    /** As above, also writing each token's target under the given structure (when targets is not null). */
    public void drawSample(SplittableRandom rnd, double c, int tokens, float[] x, float[] y,
                           TargetStructure structure, int[] targets) {
        double[] z = new double[k];
        double[] ux = new double[Math.max(p, 1)];
        double[] uy = new double[Math.max(p, 1)];
        for (int t = 0; t < tokens; t++) {
            for (int j = 0; j < k; j++) {
                z[j] = rnd.nextGaussian();
            }
            for (int j = 0; j < p; j++) {
                ux[j] = rnd.nextGaussian();
                uy[j] = rnd.nextGaussian();
            }
            mix(x, t * cx, cx, c, a, z, px, ux, sx, rnd);
            mix(y, t * cy, cy, c, b, z, py, uy, sy, rnd);
            if (targets != null) {
                targets[t] = structure.target(z, ux, uy);
            }
        }
    }

    private void mix(float[] out, int offset, int channels, double c, double[] shared, double[] z,
                     double[] priv, double[] u, double noise, SplittableRandom rnd) {
        for (int i = 0; i < channels; i++) {
            double v = 0;
            for (int j = 0; j < k; j++) {
                v += shared[i * k + j] * z[j];
            }
            double w = 0;
            for (int j = 0; j < p; j++) {
                w += priv[i * p + j] * u[j];
            }
            out[offset + i] = (float) (c * v + w + noise * rnd.nextGaussian());
        }
    }

    /** Closed-form per-token entropies and MI in bits at scale c: {H(X), H(Y), H(X,Y), I(X;Y)}. */
    public double[] trueBitsPerToken(double c) {
        // Loadings of (z, u_x, u_y) on x and on y, each row scaled by 1 / noise sd.
        int m = k + 2 * p;
        double[] wx = new double[cx * m];
        double[] wy = new double[cy * m];
        for (int i = 0; i < cx; i++) {
            for (int j = 0; j < k; j++) {
                wx[i * m + j] = c * a[i * k + j] / sx;
            }
            for (int j = 0; j < p; j++) {
                wx[i * m + k + j] = px[i * p + j] / sx;
            }
        }
        for (int i = 0; i < cy; i++) {
            for (int j = 0; j < k; j++) {
                wy[i * m + j] = c * b[i * k + j] / sy;
            }
            for (int j = 0; j < p; j++) {
                wy[i * m + k + p + j] = py[i * p + j] / sy;
            }
        }
        double[] gx = gram(wx, cx, m);
        double[] gy = gram(wy, cy, m);
        double[] gj = new double[m * m];
        for (int i = 0; i < gj.length; i++) {
            gj[i] = gx[i] + gy[i];
        }
        double ldx = cx * Math.log(sx * sx) + logDetIdentityPlus(gx, 1);
        double ldy = cy * Math.log(sy * sy) + logDetIdentityPlus(gy, 1);
        double ldj = cx * Math.log(sx * sx) + cy * Math.log(sy * sy) + logDetIdentityPlus(gj, 1);
        double e = Math.log(2 * Math.PI * Math.E);
        double hx = 0.5 * (cx * e + ldx);
        double hy = 0.5 * (cy * e + ldy);
        double hxy = 0.5 * ((cx + cy) * e + ldj);
        return new double[] {hx / LN2, hy / LN2, hxy / LN2, (hx + hy - hxy) / LN2};
    }

    /** W'W of a row-major rows x m matrix. */
    private static double[] gram(double[] w, int rows, int m) {
        double[] g = new double[m * m];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                double s = 0;
                for (int r = 0; r < rows; r++) {
                    s += w[r * m + i] * w[r * m + j];
                }
                g[i * m + j] = s;
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
