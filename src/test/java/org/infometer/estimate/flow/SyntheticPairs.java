package org.infometer.estimate.flow;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Synthetic pairs with known mutual information, plus the closed forms and the Gaussian plug-in estimate the
 * tests compare against. All MI values are in bits per token.
 */
final class SyntheticPairs {

    static final double LN2 = Math.log(2);

    /** Samples and the true MI per token. */
    record Case(String name, List<PairSample> samples, int dx, int dy, double truthBits) {
    }

    private SyntheticPairs() {
    }

    // ---------------------------------------------------------------- warped Gaussian

    /**
     * d independent latent pairs with correlation rho, each channel pushed through its own invertible monotone
     * warp. Warps leave MI unchanged, -(d/2) ln(1 - rho^2), but change the entropies and the correlations.
     */
    static Case warpedGaussian(int samples, int tokens, int d, double rho, long seed) {
        Random r = new Random(seed);
        List<PairSample> out = new ArrayList<>();
        double e = Math.sqrt(1 - rho * rho);
        for (int s = 0; s < samples; s++) {
            float[] x = new float[tokens * d];
            float[] y = new float[tokens * d];
            for (int t = 0; t < tokens; t++) {
                for (int c = 0; c < d; c++) {
                    double u = r.nextGaussian();
                    double v = rho * u + e * r.nextGaussian();
                    x[t * d + c] = (float) warpX(c, u);
                    y[t * d + c] = (float) warpY(c, v);
                }
            }
            out.add(new PairSample(x, y, tokens));
        }
        return new Case("warped-gaussian", out, d, d, -0.5 * d * Math.log(1 - rho * rho) / LN2);
    }

    static double warpX(int c, double a) {
        switch (c % 4) {
            case 0: return a * Math.sqrt(Math.abs(a));
            case 1: return Math.exp(1.2 * a);
            case 2: return asinh(3 * a);
            default: return Math.sinh(1.5 * a);
        }
    }

    static double warpY(int c, double a) {
        switch (c % 4) {
            case 0: return Math.exp(a);
            case 1: return a * Math.sqrt(Math.abs(a));
            case 2: return Math.sinh(1.5 * a);
            default: return 2 * a + 1;
        }
    }

    static double asinh(double a) {
        return Math.log(a + Math.sqrt(a * a + 1));
    }

    // ---------------------------------------------------------------- Student-t

    /**
     * Multivariate Student-t with identity dispersion and nu degrees of freedom, split dx + dy: uncorrelated, yet
     * dependent through the shared scale.
     */
    static Case studentT(int samples, int tokens, int dx, int dy, int nu, long seed) {
        Random r = new Random(seed);
        List<PairSample> out = new ArrayList<>();
        for (int s = 0; s < samples; s++) {
            float[] x = new float[tokens * dx];
            float[] y = new float[tokens * dy];
            for (int t = 0; t < tokens; t++) {
                double w = 0;
                for (int k = 0; k < nu; k++) {
                    double g = r.nextGaussian();
                    w += g * g;
                }
                double scale = 1 / Math.sqrt(w / nu);
                for (int c = 0; c < dx; c++) {
                    x[t * dx + c] = (float) (r.nextGaussian() * scale);
                }
                for (int c = 0; c < dy; c++) {
                    y[t * dy + c] = (float) (r.nextGaussian() * scale);
                }
            }
            out.add(new PairSample(x, y, tokens));
        }
        double truth = (studentH(dx, nu) + studentH(dy, nu) - studentH(dx + dy, nu)) / LN2;
        return new Case("student-t", out, dx, dy, truth);
    }

    /** Dimension-dependent part of the Student-t entropy (the (k/2) ln(nu pi) terms cancel in the MI). */
    static double studentH(int k, double nu) {
        double a = (nu + k) / 2;
        double b = nu / 2;
        return -lnGamma(a) + lnGamma(b) + a * (digamma(a) - digamma(b));
    }

    /** Lanczos approximation (g = 7, 9 terms), about 15 significant digits for x > 0. */
    static double lnGamma(double x) {
        if (x < 0.5) {
            return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lnGamma(1 - x);
        }
        double[] c = {0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
            1.5056327351493116e-7};
        double z = x - 1;
        double a = c[0];
        double t = z + 7.5;
        for (int i = 1; i < 9; i++) {
            a += c[i] / (z + i);
        }
        return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
    }

    /** Recurrence up to x >= 10, then the asymptotic series (error below 1e-13). */
    static double digamma(double x) {
        double acc = 0;
        while (x < 10) {
            acc -= 1 / x;
            x += 1;
        }
        double f = 1 / (x * x);
        return acc + Math.log(x) - 0.5 / x
                - f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f / 132))));
    }

    // ---------------------------------------------------------------- mixture

    /**
     * Each X channel is an equal mixture of N(-m_c, s^2) and N(+m_c, s^2) (well separated), Y = X + N(0, sigma^2)
     * per channel. Channels are independent, so I = sum_c [h(Y_c) - h(N)], with h(Y_c) of the two-component
     * Gaussian mixture by numerical integration.
     */
    static Case mixture(int samples, int tokens, int d, double s, double sigma, long seed) {
        Random r = new Random(seed);
        List<PairSample> out = new ArrayList<>();
        for (int n = 0; n < samples; n++) {
            float[] x = new float[tokens * d];
            float[] y = new float[tokens * d];
            for (int t = 0; t < tokens; t++) {
                for (int c = 0; c < d; c++) {
                    double m = modeOffset(c);
                    double xv = (r.nextBoolean() ? m : -m) + s * r.nextGaussian();
                    x[t * d + c] = (float) xv;
                    y[t * d + c] = (float) (xv + sigma * r.nextGaussian());
                }
            }
            out.add(new PairSample(x, y, tokens));
        }
        double truth = 0;
        double hNoise = 0.5 * Math.log(2 * Math.PI * Math.E * sigma * sigma);
        for (int c = 0; c < d; c++) {
            truth += mixtureEntropy(modeOffset(c), Math.sqrt(s * s + sigma * sigma)) - hNoise;
        }
        return new Case("mixture", out, d, d, truth / LN2);
    }

    static double modeOffset(int c) {
        return 1.5 + 0.5 * c;
    }

    /** Differential entropy (nats) of 0.5 N(-m, v^2) + 0.5 N(m, v^2), Simpson's rule on +-(m + 12 v). */
    static double mixtureEntropy(double m, double v) {
        double lo = -(m + 12 * v);
        double hi = m + 12 * v;
        int n = 200_000;
        double h = (hi - lo) / n;
        double sum = 0;
        for (int i = 0; i <= n; i++) {
            double y = lo + i * h;
            double p = 0.5 * (normal(y, -m, v) + normal(y, m, v));
            double f = p > 0 ? -p * Math.log(p) : 0;
            sum += f * (i == 0 || i == n ? 1 : (i % 2 == 1 ? 4 : 2));
        }
        return sum * h / 3;
    }

    static double normal(double y, double mu, double sd) {
        double z = (y - mu) / sd;
        return Math.exp(-0.5 * z * z) / (sd * Math.sqrt(2 * Math.PI));
    }

    // ---------------------------------------------------------------- Gaussian plug-in

    /** I_gauss = 0.5 (ln det Sxx + ln det Syy - ln det S) / ln 2 from the sample covariance of all tokens. */
    static double gaussianMiBits(List<PairSample> samples, int dx, int dy) {
        int d = dx + dy;
        double[] mean = new double[d];
        double[][] cov = new double[d][d];
        long n = 0;
        double[] row = new double[d];
        for (PairSample s : samples) {
            for (int t = 0; t < s.tokens(); t++) {
                for (int c = 0; c < dx; c++) {
                    row[c] = s.x()[t * dx + c];
                }
                for (int c = 0; c < dy; c++) {
                    row[dx + c] = s.y()[t * dy + c];
                }
                n++;
                // Welford-style update keeps the covariance accurate for heavy-tailed values.
                double[] delta = new double[d];
                for (int i = 0; i < d; i++) {
                    delta[i] = row[i] - mean[i];
                    mean[i] += delta[i] / n;
                }
                for (int i = 0; i < d; i++) {
                    for (int j = 0; j < d; j++) {
                        cov[i][j] += delta[i] * (row[j] - mean[j]);
                    }
                }
            }
        }
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                cov[i][j] /= (n - 1);
            }
        }
        double ldx = logDet(block(cov, 0, dx));
        double ldy = logDet(block(cov, dx, dy));
        double ld = logDet(cov);
        return 0.5 * (ldx + ldy - ld) / LN2;
    }

    static double[][] block(double[][] a, int from, int size) {
        double[][] b = new double[size][size];
        for (int i = 0; i < size; i++) {
            System.arraycopy(a[from + i], from, b[i], 0, size);
        }
        return b;
    }

    /** Cholesky log-determinant of a symmetric positive-definite matrix. */
    static double logDet(double[][] a) {
        int n = a.length;
        double[][] l = new double[n][n];
        double ld = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double sum = a[i][j];
                for (int k = 0; k < j; k++) {
                    sum -= l[i][k] * l[j][k];
                }
                if (i == j) {
                    if (sum <= 0) {
                        throw new IllegalStateException("Covariance is not positive definite");
                    }
                    l[i][i] = Math.sqrt(sum);
                    ld += 2 * Math.log(l[i][i]);
                } else {
                    l[i][j] = sum / l[j][j];
                }
            }
        }
        return ld;
    }

    /** Mean out-of-sample MI in bits per token over {@code samples}. */
    static double meanMiBitsPerToken(FlowPairModel model, List<PairSample> samples) {
        double mi = 0;
        long tokens = 0;
        for (PairSample s : samples) {
            mi += model.score(s.x(), s.y(), s.tokens()).miBits();
            tokens += s.tokens();
        }
        return mi / tokens;
    }
}
