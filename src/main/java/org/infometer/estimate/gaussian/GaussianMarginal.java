package org.infometer.estimate.gaussian;

import org.infometer.estimate.Linalg;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serializable;

/**
 * Gaussian entropy model of one modality's token vectors: per-channel standardisation, then whitening by the
 * shrunk correlation matrix (an invertible affine transform), then a standard normal. Shrinkage toward the
 * identity is applied to the correlation matrix, not the covariance, so the model is equivariant under
 * per-channel affine maps and channel permutations.
 */
public final class GaussianMarginal implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final double LN_2PI = Math.log(2 * Math.PI);

    final int channels;
    final double[] mean;
    final double[] sd;
    /** Whitening matrix (column-major c x c): w = P^T z for standardised z. */
    final double[] whitening;
    /** Eigenvalues of the shrunk correlation matrix. */
    final double[] eigen;
    final double shrinkage;
    /** -ln density of the origin of the whitened space plus the log-Jacobian of the transform, in nats. */
    final double logNormaliser;

    private GaussianMarginal(int channels, double[] mean, double[] sd, double[] whitening, double[] eigen,
                             double shrinkage) {
        this.channels = channels;
        this.mean = mean;
        this.sd = sd;
        this.whitening = whitening;
        this.eigen = eigen;
        this.shrinkage = shrinkage;
        double logDet = 0;
        for (double e : eigen) {
            logDet += Math.log(e);
        }
        double logSd = 0;
        for (double s : sd) {
            logSd += Math.log(s);
        }
        this.logNormaliser = 0.5 * channels * LN_2PI + 0.5 * logDet + logSd;
    }

    /**
     * Fits from the mean and the (column-major) covariance block of this modality over {@code n} tokens.
     * The shrinkage intensity is the Schäfer-Strimmer estimate for a correlation target: the summed estimated
     * variance of the off-diagonal correlations over their summed squares, clipped to [0, 1].
     */
    static GaussianMarginal fit(double[] mean, double[] cov, int c, long n) {
        return fit(mean, cov, c, n, 1.0);
    }

    /** As {@link #fit(double[], double[], int, long)} with the shrinkage intensity scaled by {@code shrinkScale}. */
    static GaussianMarginal fit(double[] mean, double[] cov, int c, long n, double shrinkScale) {
        double[] sd = new double[c];
        double avgVar = 0;
        for (int i = 0; i < c; i++) {
            avgVar += Math.max(cov[i * c + i], 0) / c;
        }
        // A constant channel has no density; a floor far below the data's scale keeps it finite and harmless.
        double floor = Math.max(avgVar * 1e-10, Double.MIN_NORMAL);
        for (int i = 0; i < c; i++) {
            sd[i] = Math.sqrt(Math.max(cov[i * c + i], floor));
        }
        double[] corr = new double[c * c];
        double offSq = 0;
        double offVar = 0;
        for (int j = 0; j < c; j++) {
            for (int i = 0; i < c; i++) {
                double r = i == j ? 1.0 : cov[j * c + i] / (sd[i] * sd[j]);
                corr[j * c + i] = r;
                if (i != j) {
                    offSq += r * r;
                    double oneMinus = 1 - r * r;
                    offVar += oneMinus * oneMinus / Math.max(n - 1, 1);
                }
            }
        }
        double lambda = shrinkScale * (offSq > 0 ? Math.min(1.0, Math.max(0.0, offVar / offSq)) : 1.0);
        for (int j = 0; j < c; j++) {
            for (int i = 0; i < c; i++) {
                corr[j * c + i] = (1 - lambda) * corr[j * c + i] + (i == j ? lambda : 0.0);
            }
        }
        double[] vectors = new double[c * c];
        double[] eig = Linalg.symmetricEigen(corr, c, vectors);
        double eigFloor = 1e-10;
        double[] whitening = new double[c * c];
        for (int k = 0; k < c; k++) {
            eig[k] = Math.max(eig[k], eigFloor);
            double scale = 1.0 / Math.sqrt(eig[k]);
            for (int i = 0; i < c; i++) {
                whitening[k * c + i] = vectors[k * c + i] * scale;
            }
        }
        return new GaussianMarginal(c, mean, sd, whitening, eig, lambda);
    }

    public double shrinkage() {
        return shrinkage;
    }

    void write(DataOutputStream out) throws IOException {
        out.writeInt(channels);
        writeArray(out, mean);
        writeArray(out, sd);
        writeArray(out, whitening);
        writeArray(out, eigen);
        out.writeDouble(shrinkage);
    }

    static GaussianMarginal read(DataInputStream in) throws IOException {
        int c = in.readInt();
        return new GaussianMarginal(c, readArray(in), readArray(in), readArray(in), readArray(in), in.readDouble());
    }

    static void writeArray(DataOutputStream out, double[] a) throws IOException {
        out.writeInt(a.length);
        for (double v : a) {
            out.writeDouble(v);
        }
    }

    static double[] readArray(DataInputStream in) throws IOException {
        double[] a = new double[in.readInt()];
        for (int i = 0; i < a.length; i++) {
            a[i] = in.readDouble();
        }
        return a;
    }
}
