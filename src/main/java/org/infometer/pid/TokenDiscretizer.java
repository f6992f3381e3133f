package org.infometer.pid;

import org.apache.spark.ml.clustering.KMeans;
import org.apache.spark.ml.clustering.KMeansModel;
import org.apache.spark.ml.feature.PCA;
import org.apache.spark.ml.feature.PCAModel;
import org.apache.spark.ml.linalg.DenseMatrix;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns one modality's token vectors into cluster ids: centring, PCA to a few dimensions, then k-means, both from
 * Spark MLlib. Fitted on a bounded, deterministic subsample of tokens (built from stable keys and handed over in
 * a fixed order, so MLlib sees the same single-partition input whatever the job's partitioning); applied to every
 * token on the executors with the small matrices this object holds.
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
    public static TokenDiscretizer fit(SparkSession spark, float[] tokens, int count, int channels, int pcaDims,
                                       List<Integer> ks, long seed) {
        int dims = Math.min(pcaDims, channels);
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
        List<Row> rows = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            double[] v = new double[channels];
            for (int j = 0; j < channels; j++) {
                v[j] = tokens[i * channels + j] - mean[j];
            }
            rows.add(RowFactory.create(Vectors.dense(v)));
        }
        StructType schema = new StructType().add("features", new VectorUDT(), false);
        Dataset<Row> df = spark.createDataFrame(rows, schema).coalesce(1);
        PCAModel pca = new PCA().setInputCol("features").setOutputCol("pca").setK(dims).fit(df);
        DenseMatrix pc = pca.pc();   // channels x dims
        float[] components = new float[dims * channels];
        for (int d = 0; d < dims; d++) {
            for (int j = 0; j < channels; j++) {
                components[d * channels + j] = (float) pc.apply(j, d);
            }
        }
        double explained = 0;
        for (double v : pca.explainedVariance().toArray()) {
            explained += v;
        }
        Dataset<Row> projected = pca.transform(df).select("pca").cache();
        List<float[]> centres = new ArrayList<>();
        for (int k : ks) {
            KMeansModel km = new KMeans().setFeaturesCol("pca").setK(k).setSeed(seed + k).setMaxIter(40)
                    .setInitMode("k-means||").fit(projected);
            Vector[] cs = km.clusterCenters();
            float[] c = new float[k * dims];
            for (int i = 0; i < cs.length; i++) {
                for (int d = 0; d < dims; d++) {
                    c[i * dims + d] = (float) cs[i].apply(d);
                }
            }
            centres.add(c);
        }
        projected.unpersist();
        return new TokenDiscretizer(channels, dims, mean, components, centres, List.copyOf(ks), explained);
    }

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
