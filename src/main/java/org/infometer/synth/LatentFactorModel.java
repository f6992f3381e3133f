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

    /**
     * MI in bits per token of the equal-weight mixture of this model at the given scales (a run's pooled token
     * distribution: every scene contributes the same number of tokens), by Monte Carlo: {mean, Monte Carlo SE}.
     * Each draw picks its scene in turn (stratified), draws (x, y) from that scene's Gaussian, and scores
     * ln p(x, y) - ln p(x) - ln p(y) under the mixture densities. Every component density is evaluated through the
     * latent structure (Woodbury: covariance = noise + W W' with few latent columns), so a draw costs
     * O(channels x latents + scenes x latents^2) and the estimate is cheap even at 256 + 256 channels.
     */
    public double[] pooledMiBits(double[] scales, int draws, long seed) {
        int sc = scales.length;
        int mx = k + p;
        int mj = k + 2 * p;
        double[][] lj = new double[sc][];
        double[][] lx = new double[sc][];
        double[][] ly = new double[sc][];
        double[] ldj = new double[sc];
        double[] ldx = new double[sc];
        double[] ldy = new double[sc];
        for (int s = 0; s < sc; s++) {
            double c = scales[s];
            // Whitened loadings (divided by the noise sd) of (z, u_x, u_y) on x and on y.
            double[] wx = new double[cx * mj];
            double[] wy = new double[cy * mj];
            for (int i = 0; i < cx; i++) {
                for (int j = 0; j < k; j++) {
                    wx[i * mj + j] = c * a[i * k + j] / sx;
                }
                for (int j = 0; j < p; j++) {
                    wx[i * mj + k + j] = px[i * p + j] / sx;
                }
            }
            for (int i = 0; i < cy; i++) {
                for (int j = 0; j < k; j++) {
                    wy[i * mj + j] = c * b[i * k + j] / sy;
                }
                for (int j = 0; j < p; j++) {
                    wy[i * mj + k + p + j] = py[i * p + j] / sy;
                }
            }
            double[] gx = gram(wx, cx, mj);
            double[] gy = gram(wy, cy, mj);
            double[] gj = new double[mj * mj];
            for (int i = 0; i < gj.length; i++) {
                gj[i] = gx[i] + gy[i];
            }
            lj[s] = choleskyOfIdentityPlus(gj, mj);
            lx[s] = choleskyOfIdentityPlus(sub(gx, mj, 0, mx), mx);
            // y's latents are z (columns 0..k) and u_y (columns k+p..k+2p)
            double[] gyy = new double[(k + p) * (k + p)];
            int[] cols = new int[k + p];
            for (int j = 0; j < k; j++) {
                cols[j] = j;
            }
            for (int j = 0; j < p; j++) {
                cols[k + j] = k + p + j;
            }
            for (int i = 0; i < k + p; i++) {
                for (int j = 0; j < k + p; j++) {
                    gyy[i * (k + p) + j] = gy[cols[i] * mj + cols[j]];
                }
            }
            ly[s] = choleskyOfIdentityPlus(gyy, k + p);
            ldj[s] = logDetOfCholesky(lj[s], mj);
            ldx[s] = logDetOfCholesky(lx[s], mx);
            ldy[s] = logDetOfCholesky(ly[s], k + p);
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] z = new double[k];
        double[] ux = new double[Math.max(p, 1)];
        double[] uy = new double[Math.max(p, 1)];
        double[] x = new double[cx];
        double[] y = new double[cy];
        double[] ga = new double[k];
        double[] gb = new double[k];
        double[] gpx = new double[p];
        double[] gpy = new double[p];
        double[] uj = new double[mj];
        double[] uxv = new double[mx];
        double[] uyv = new double[k + p];
        double[] lpj = new double[sc];
        double[] lpx = new double[sc];
        double[] lpy = new double[sc];
        double sum = 0;
        double sum2 = 0;
        for (int d = 0; d < draws; d++) {
            double c = scales[d % sc];
            for (int j = 0; j < k; j++) {
                z[j] = rnd.nextGaussian();
            }
            for (int j = 0; j < p; j++) {
                ux[j] = rnd.nextGaussian();
                uy[j] = rnd.nextGaussian();
            }
            double qx = 0;
            double qy = 0;
            for (int i = 0; i < cx; i++) {
                double v = 0;
                for (int j = 0; j < k; j++) {
                    v += a[i * k + j] * z[j];
                }
                double w = 0;
                for (int j = 0; j < p; j++) {
                    w += px[i * p + j] * ux[j];
                }
                x[i] = c * v + w + sx * rnd.nextGaussian();
                qx += x[i] * x[i] / (sx * sx);
            }
            for (int i = 0; i < cy; i++) {
                double v = 0;
                for (int j = 0; j < k; j++) {
                    v += b[i * k + j] * z[j];
                }
                double w = 0;
                for (int j = 0; j < p; j++) {
                    w += py[i * p + j] * uy[j];
                }
                y[i] = c * v + w + sy * rnd.nextGaussian();
                qy += y[i] * y[i] / (sy * sy);
            }
            // Loadings' projections of the whitened observation, before the scene scale.
            project(a, x, cx, k, sx, ga);
            project(b, y, cy, k, sy, gb);
            project(px, x, cx, p, sx, gpx);
            project(py, y, cy, p, sy, gpy);
            for (int s = 0; s < sc; s++) {
                double cs = scales[s];
                for (int j = 0; j < k; j++) {
                    uj[j] = cs * (ga[j] + gb[j]);
                    uxv[j] = cs * ga[j];
                    uyv[j] = cs * gb[j];
                }
                for (int j = 0; j < p; j++) {
                    uj[k + j] = gpx[j];
                    uj[k + p + j] = gpy[j];
                    uxv[k + j] = gpx[j];
                    uyv[k + j] = gpy[j];
                }
                // ln N up to the constants shared by every scene (they cancel in the MI).
                lpj[s] = -0.5 * (ldj[s] + qx + qy - solvedNorm2(lj[s], uj, mj));
                lpx[s] = -0.5 * (ldx[s] + qx - solvedNorm2(lx[s], uxv, mx));
                lpy[s] = -0.5 * (ldy[s] + qy - solvedNorm2(ly[s], uyv, k + p));
            }
            double v = (logSumExp(lpj) - logSumExp(lpx) - logSumExp(lpy) + Math.log(sc)) / LN2;
            sum += v;
            sum2 += v * v;
        }
        double mean = sum / draws;
        double var = Math.max(0, (sum2 - draws * mean * mean) / (draws - 1));
        return new double[] {mean, Math.sqrt(var / draws)};
    }

    /** out = M' v / s^2 for a row-major rows x cols loading matrix M. */
    private static void project(double[] m, double[] v, int rows, int cols, double s, double[] out) {
        for (int j = 0; j < cols; j++) {
            double t = 0;
            for (int i = 0; i < rows; i++) {
                t += m[i * cols + j] * v[i];
            }
            out[j] = t / (s * s);
        }
    }

    private static double[] sub(double[] g, int m, int from, int size) {
        double[] out = new double[size * size];
        for (int i = 0; i < size; i++) {
            for (int j = 0; j < size; j++) {
                out[i * size + j] = g[(from + i) * m + from + j];
            }
        }
        return out;
    }

    /** Lower Cholesky factor of I + G (row-major n x n). */
    private static double[] choleskyOfIdentityPlus(double[] g, int n) {
        double[] l = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double v = g[i * n + j] + (i == j ? 1 : 0);
                for (int q = 0; q < j; q++) {
                    v -= l[i * n + q] * l[j * n + q];
                }
                l[i * n + j] = i == j ? Math.sqrt(v) : v / l[j * n + j];
            }
        }
        return l;
    }

    private static double logDetOfCholesky(double[] l, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += 2 * Math.log(l[i * n + i]);
        }
        return s;
    }

    /** |L^-1 u|^2 by forward substitution. */
    private static double solvedNorm2(double[] l, double[] u, int n) {
        double[] w = new double[n];
        double s = 0;
        for (int i = 0; i < n; i++) {
            double v = u[i];
            for (int q = 0; q < i; q++) {
                v -= l[i * n + q] * w[q];
            }
            w[i] = v / l[i * n + i];
            s += w[i] * w[i];
        }
        return s;
    }

    private static double logSumExp(double[] v) {
        double m = Double.NEGATIVE_INFINITY;
        for (double x : v) {
            m = Math.max(m, x);
        }
        double s = 0;
        for (double x : v) {
            s += Math.exp(x - m);
        }
        return m + Math.log(s);
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
