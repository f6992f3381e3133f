package org.infometer.pid;

import org.apache.commons.math3.ml.clustering.CentroidCluster;
import org.apache.commons.math3.ml.clustering.DoublePoint;
import org.apache.commons.math3.ml.clustering.KMeansPlusPlusClusterer;
import org.apache.commons.math3.ml.distance.EuclideanDistance;
import org.apache.commons.math3.random.Well19937c;
import org.infometer.estimate.Linalg;


import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns one modality's token vectors into cluster ids: centring, PCA to a few dimensions (LAPACK eigenvectors of
 * the sample covariance), then k-means++ with Lloyd iterations (commons-math3, seeded). Fitted in memory on the
 * driver on a bounded, deterministic subsample of tokens (built from stable keys, in a fixed order, so the fit
 * does not depend on the job's partitioning); applied to every token on the executors with the small matrices
 * this object holds. In memory rather than MLlib: the sample is at most {@code pid.fitTokens} vectors, and
 * MLlib's PCA and k-means|| on a driver-side DataFrame ran hundreds of stages that each shipped the whole sample
 * again (61 s and 832 task-size warnings in the demo).
 *
 * <p>Usage: {@link #fit} on the driver, broadcast, {@link #assign} per token. What was used is stated by
 * {@link #describe()} and recorded beside every result: the PID is that of the cluster ids.
 */
public final class TokenDiscretizer implements Serializable {

    private final int channels;
    private final int dims;
    private final float[] mean;
    /** Row-major dims x channels. */
    private final float[] components;
    /** For each k: row-major k x dims centres. */
    private final List<float[]> centres;
    private final List<Integer> ks;
    private final double explainedVariance;

    private TokenDiscretizer(int channels, int dims, float[] mean, float[] components, List<float[]> centres,
                             List<Integer> ks, double explainedVariance) {
        this.channels = channels;
        this.dims = dims;
        this.mean = mean;
        this.components = components;
        this.centres = centres;
        this.ks = ks;
        this.explainedVariance = explainedVariance;
    }

    /**
     * @param tokens row-major token vectors (count x channels), already in a deterministic order
     * @param ks     cluster counts to fit (one k-means per k on the same PCA space)
     */
    public static TokenDiscretizer fit(float[] tokens, int count, int channels, int pcaDims, List<Integer> ks,
                                       long seed) {
        int dims = Math.min(pcaDims, channels);
        for (int k : ks) {
            if (count < k) {
                throw new IllegalArgumentException("Cannot fit " + k + " clusters on " + count + " token vectors");
            }
        }
        float[] mean = new float[channels];
        double[] sum = new double[channels];
        for (int i = 0; i < count; i++) {
            for (int j = 0; j < channels; j++) {
                sum[j] += tokens[i * channels + j];
            }
        }
        for (int j = 0; j < channels; j++) {
            mean[j] = (float) (sum[j] / count);
        }
        // Row-major count x channels centred vectors = the column-major channels x count matrix A; cov = A A'.
        double[] a = new double[count * channels];
        for (int i = 0; i < count; i++) {
            for (int j = 0; j < channels; j++) {
                a[i * channels + j] = tokens[i * channels + j] - mean[j];
            }
        }
        double[] cov = Linalg.multiply(a, channels, count, false, a, channels, count, true);
        double[] vectors = new double[channels * channels];
        double[] eigen = Linalg.symmetricEigen(cov, channels, vectors);
        double total = 0;
        for (double v : eigen) {
            total += Math.max(0, v);
        }
        float[] components = new float[dims * channels];
        double kept = 0;
        for (int d = 0; d < dims; d++) {
            int col = channels - 1 - d;   // eigenvalues ascend
            kept += Math.max(0, eigen[col]);
            for (int j = 0; j < channels; j++) {
                components[d * channels + j] = (float) vectors[col * channels + j];
            }
        }
        double explained = total > 0 ? kept / total : 0;
        List<DoublePoint> points = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            double[] p = new double[dims];
            for (int d = 0; d < dims; d++) {
                double v = 0;
                for (int j = 0; j < channels; j++) {
                    v += components[d * channels + j] * a[i * channels + j];
                }
                p[d] = v;
            }
            points.add(new DoublePoint(p));
        }
        List<float[]> centres = new ArrayList<>();
        for (int k : ks) {
            KMeansPlusPlusClusterer<DoublePoint> km = new KMeansPlusPlusClusterer<>(k, MAX_ITERATIONS,
                    new EuclideanDistance(), new Well19937c(seed + k));
            List<CentroidCluster<DoublePoint>> clusters = km.cluster(points);
            float[] c = new float[k * dims];
            for (int i = 0; i < clusters.size(); i++) {
                double[] centre = clusters.get(i).getCenter().getPoint();
                for (int d = 0; d < dims; d++) {
                    c[i * dims + d] = (float) centre[d];
                }
            }
            centres.add(c);
        }
        return new TokenDiscretizer(channels, dims, mean, components, centres, List.copyOf(ks), explained);
    }

    /** Lloyd iterations per k-means fit (it stops earlier when no assignment changes). */
    static final int MAX_ITERATIONS = 40;

    public List<Integer> ks() {
        return ks;
    }

    public int dims() {
        return dims;
    }

    /** Share of the variance the kept PCA dimensions explain (of the fitted sample). */
    public double explainedVariance() {
        return explainedVariance;
    }

    /** Cluster id of token t of a row-major map, for the k at index kIndex; {@code scratch} has dims entries. */
    public int assign(float[] map, int t, int kIndex, float[] scratch) {
        int o = t * channels;
        for (int d = 0; d < dims; d++) {
            double s = 0;
            int co = d * channels;
            for (int j = 0; j < channels; j++) {
                s += components[co + j] * (map[o + j] - mean[j]);
            }
            scratch[d] = (float) s;
        }
        float[] c = centres.get(kIndex);
        int k = c.length / dims;
        int best = 0;
        double bestDist = Double.MAX_VALUE;
        for (int i = 0; i < k; i++) {
            double dist = 0;
            for (int d = 0; d < dims; d++) {
                double diff = scratch[d] - c[i * dims + d];
                dist += diff * diff;
            }
            if (dist < bestDist) {
                bestDist = dist;
                best = i;
            }
        }
        return best;
    }

    public String describe() {
        return String.format("pca%d+kmeans (explained variance %.2f)", dims, explainedVariance);
    }

}
