package org.infometer.estimate.gaussian;

import org.infometer.estimate.Blas;
import org.infometer.estimate.FittedPairModel;
import org.infometer.estimate.PairModelHandle;
import org.infometer.estimate.SampleCodelengths;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * Gaussian pair model at token level. X and Y each get a {@link GaussianMarginal}. The (X,Y) model's invertible
 * transform is the two marginal whitenings followed by a rotation into canonical coordinates, and its entropy
 * model is a product of bivariate normals over the kept canonical pairs (correlation rho_i) and standard
 * normals elsewhere. Its X- and Y-marginals are exactly the X and Y models, so in
 * I = H(X) + H(Y) - H(X,Y) the marginal terms cancel token by token and only the canonical pairs remain:
 * shrinkage of the marginals can never create or destroy dependence.
 *
 * <p>Usage: produced by {@link GaussianPairFitter}; {@link #score} per sample; serialise with
 * {@link #toBytes()}/{@link #fromBytes(byte[])}. It is its own {@link PairModelHandle} (pure JVM, broadcastable).
 */
public final class GaussianPairModel implements FittedPairModel, PairModelHandle {

    private static final long serialVersionUID = 1L;
    private static final int MAGIC = 0x494d4750; // "IMGP"
    private static final int VERSION = 1;
    private static final double LN2 = Math.log(2);

    private final GaussianMarginal mx;
    private final GaussianMarginal my;
    private final double[] rho;
    /** Column-major cx x (cx + r): whitening followed by the canonical directions. */
    private final double[] projectX;
    private final double[] projectY;
    /** Single-precision copies used for scoring; built once here, never lazily, since tasks share the model. */
    private final float[] projectXf;
    private final float[] projectYf;

    GaussianPairModel(GaussianMarginal mx, GaussianMarginal my, double[] rho, double[] canonX, double[] canonY) {
        this.mx = mx;
        this.my = my;
        this.rho = rho;
        this.projectX = concat(mx.whitening, canonX);
        this.projectY = concat(my.whitening, canonY);
        this.projectXf = toFloat(projectX);
        this.projectYf = toFloat(projectY);
    }

    private static double[] concat(double[] a, double[] b) {
        double[] out = new double[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Override
    public String estimator() {
        return "gaussian";
    }

    @Override
    public int channelsX() {
        return mx.channels;
    }

    @Override
    public int channelsY() {
        return my.channels;
    }

    /** Number of canonical pairs the (X,Y) model keeps. */
    public int rank() {
        return rho.length;
    }

    public double[] canonicalCorrelations() {
        return rho.clone();
    }

    public double shrinkageX() {
        return mx.shrinkage;
    }

    public double shrinkageY() {
        return my.shrinkage;
    }

    /** Population MI of the fitted model, in bits per token: -1/2 sum ln(1 - rho^2). */
    public double modelMiBitsPerToken() {
        double s = 0;
        for (double r : rho) {
            s -= 0.5 * Math.log1p(-r * r);
        }
        return s / LN2;
    }

    /** The same model keeping only its first {@code r} canonical pairs. */
    public GaussianPairModel truncate(int r) {
        int cx = mx.channels;
        int cy = my.channels;
        if (r < 0 || r > rho.length) {
            throw new IllegalArgumentException("Rank " + r + " outside 0.." + rho.length);
        }
        return new GaussianPairModel(mx, my, java.util.Arrays.copyOf(rho, r),
                java.util.Arrays.copyOfRange(projectX, cx * cx, cx * cx + cx * r),
                java.util.Arrays.copyOfRange(projectY, cy * cy, cy * cy + cy * r));
    }

    /**
     * X tokens in this model's coordinates, row-major {@code tokens x (cx + r)}: the whitened coordinates (a
     * standard normal under the X model), then the canonical coordinates (unit variance, correlation rho_i
     * with the matching canonical coordinate of Y).
     */
    public float[] coordinatesX(float[] x, int tokens) {
        return coordinatesX(x, tokens, BLAS_PRODUCT);
    }

    /** Y tokens in this model's coordinates, as {@link #coordinatesX}. */
    public float[] coordinatesY(float[] y, int tokens) {
        return coordinatesY(y, tokens, BLAS_PRODUCT);
    }

    /** As {@link #coordinatesX(float[], int)}, the projection computed by {@code product}. */
    public float[] coordinatesX(float[] x, int tokens, Product product) {
        return project(mx, projectXf, x, tokens, rho.length, product);
    }

    /** As {@link #coordinatesY(float[], int)}, the projection computed by {@code product}. */
    public float[] coordinatesY(float[] y, int tokens, Product product) {
        return project(my, projectYf, y, tokens, rho.length, product);
    }

    /**
     * {@code out = P' z} in single precision: P is column-major {@code c x cols} in {@code p}, z column-major
     * {@code c x tokens}, out column-major {@code cols x tokens}. The learned estimator projects a whole training
     * buffer (150,000 tokens) at once and passes PyTorch's product, several times faster there than the Java BLAS.
     */
    @FunctionalInterface
    public interface Product {
        void multiply(float[] p, int c, int cols, float[] z, int tokens, float[] out);
    }

    private static final Product BLAS_PRODUCT = (p, c, cols, z, tokens, out) ->
            Blas.blas().sgemm("T", "N", cols, tokens, c, 1.0f, p, c, z, c, 0.0f, out, cols);

    /**
     * Only the canonical coordinates of X's tokens, row-major {@code tokens x r}: one SGEMM with the r canonical
     * columns (c x r), a small fraction of the full projection's cost when r is much below c.
     */
    public float[] canonicalX(float[] x, int tokens) {
        return projectColumns(mx, projectXf, mx.channels * mx.channels, rho.length, x, tokens);
    }

    /** Y's canonical coordinates, as {@link #canonicalX}. */
    public float[] canonicalY(float[] y, int tokens) {
        return projectColumns(my, projectYf, my.channels * my.channels, rho.length, y, tokens);
    }

    /** ln of the X model's density at its origin minus the log-Jacobian (nats per token, negated). */
    public double logNormaliserX() {
        return mx.logNormaliser;
    }

    public double logNormaliserY() {
        return my.logNormaliser;
    }

    @Override
    public FittedPairModel open() {
        return this;
    }

    @Override
    public SampleCodelengths score(float[] x, float[] y, int tokens) {
        int r = rho.length;
        int cx = mx.channels;
        int cy = my.channels;
        float[] px = project(mx, projectXf, x, tokens, r, BLAS_PRODUCT);
        float[] py = project(my, projectYf, y, tokens, r, BLAS_PRODUCT);
        double hx = tokens * mx.logNormaliser + 0.5 * sumSquares(px, tokens, cx, cx + r);
        double hy = tokens * my.logNormaliser + 0.5 * sumSquares(py, tokens, cy, cy + r);
        double mi = 0;
        for (int i = 0; i < r; i++) {
            double p = rho[i];
            double oneMinus = 1 - p * p;
            double constant = -0.5 * Math.log(oneMinus);
            double acc = 0;
            for (int t = 0; t < tokens; t++) {
                double u = px[t * (cx + r) + cx + i];
                double v = py[t * (cy + r) + cy + i];
                acc += (p * p * (u * u + v * v) - 2 * p * u * v);
            }
            mi += tokens * constant - acc / (2 * oneMinus);
        }
        double hxBits = hx / LN2;
        double hyBits = hy / LN2;
        double miBits = mi / LN2;
        return new SampleCodelengths(hxBits, hyBits, hxBits + hyBits - miBits);
    }

    private static float[] toFloat(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            f[i] = (float) a[i];
        }
        return f;
    }

    /**
     * Standardises the map and applies [whitening | canonical] in one SGEMM. Standardised values are O(1), so
     * single precision costs nothing measurable in the codelengths. Result: row-major tokens x (c + r).
     */
    private static float[] project(GaussianMarginal m, float[] projection, float[] map, int tokens, int r,
                                   Product product) {
        int c = m.channels;
        float[] z = standardised(m, map, tokens);
        int outCols = c + r;
        float[] out = new float[tokens * outCols];
        // z is column-major c x tokens; out (column-major outCols x tokens) = projection' z
        product.multiply(projection, c, outCols, z, tokens, out);
        return out;
    }

    private static float[] projectColumns(GaussianMarginal m, float[] projection, int offset, int cols, float[] map,
                                          int tokens) {
        int c = m.channels;
        float[] z = standardised(m, map, tokens);
        float[] out = new float[tokens * cols];
        Blas.blas().sgemm("T", "N", cols, tokens, c, 1.0f, projection, offset, c, z, 0, c, 0.0f, out, 0, cols);
        return out;
    }

    private static float[] standardised(GaussianMarginal m, float[] map, int tokens) {
        int c = m.channels;
        if (map.length != tokens * c) {
            throw new IllegalArgumentException("Map has " + map.length + " values; expected " + tokens + " x " + c);
        }
        float[] z = new float[tokens * c];
        for (int t = 0; t < tokens; t++) {
            int o = t * c;
            for (int j = 0; j < c; j++) {
                z[o + j] = (float) ((map[o + j] - m.mean[j]) / m.sd[j]);
            }
        }
        return z;
    }

    private static double sumSquares(float[] a, int tokens, int cols, int stride) {
        double s = 0;
        for (int t = 0; t < tokens; t++) {
            int o = t * stride;
            for (int j = 0; j < cols; j++) {
                double v = a[o + j];
                s += v * v;
            }
        }
        return s;
    }

    public byte[] toBytes() {
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream();
             DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            mx.write(out);
            my.write(out);
            GaussianMarginal.writeArray(out, rho);
            int cx = mx.channels;
            int cy = my.channels;
            GaussianMarginal.writeArray(out, java.util.Arrays.copyOfRange(projectX, cx * cx, projectX.length));
            GaussianMarginal.writeArray(out, java.util.Arrays.copyOfRange(projectY, cy * cy, projectY.length));
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static GaussianPairModel fromBytes(byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            int magic = in.readInt();
            int version = in.readInt();
            if (magic != MAGIC || version != VERSION) {
                throw new IllegalArgumentException("Not a Gaussian pair model (magic " + Integer.toHexString(magic)
                        + ", version " + version + ")");
            }
            GaussianMarginal mx = GaussianMarginal.read(in);
            GaussianMarginal my = GaussianMarginal.read(in);
            double[] rho = GaussianMarginal.readArray(in);
            return new GaussianPairModel(mx, my, rho, GaussianMarginal.readArray(in), GaussianMarginal.readArray(in));
        } catch (IOException e) {
            throw new IllegalArgumentException("Truncated Gaussian pair model", e);
        }
    }
}
