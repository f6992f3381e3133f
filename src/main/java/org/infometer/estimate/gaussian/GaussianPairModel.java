package org.infometer.estimate.gaussian;

import org.infometer.estimate.Blas;
import org.infometer.estimate.FittedPairModel;
import org.infometer.estimate.Linalg;
import org.infometer.estimate.MomentScoring;
import org.infometer.estimate.PairModelHandle;
import org.infometer.estimate.SampleCodelengths;
import org.infometer.estimate.SampleMoments;
import org.infometer.estimate.SceneBlockStats;

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
public final class GaussianPairModel implements FittedPairModel, PairModelHandle, MomentScoring {

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
    /** The model's centre (X mean, then Y mean) and its codelength weights, see {@link #score(SampleMoments)}. */
    private final double[] centre;
    private final double[][] weights;

    GaussianPairModel(GaussianMarginal mx, GaussianMarginal my, double[] rho, double[] canonX, double[] canonY) {
        this.mx = mx;
        this.my = my;
        this.rho = rho;
        this.projectX = concat(mx.whitening, canonX);
        this.projectY = concat(my.whitening, canonY);
        this.projectXf = toFloat(projectX);
        this.projectYf = toFloat(projectY);
        this.centre = concat(mx.mean, my.mean);
        this.weights = codelengthWeights(mx, my, rho, canonX, canonY);
    }

    /**
     * Weights on the packed second moments M about the model's centre (see {@link SampleMoments#contract}) whose
     * contractions are, in nats, H(X) - t ln-normaliser(X), the same for Y, and the canonical pairs' pointwise MI
     * less its constant. With z the standardised tokens (D^-1 (v - centre)), whitened coordinates W'z_x and
     * canonical coordinates u_i = a_i'z_x, v_i = b_i'z_y:
     * sum |W'z_x|^2 / 2 = tr(D^-1 W W' D^-1 M_xx) / 2, and the pairs' quadratic terms
     * sum_i [rho_i^2 (u_i^2 + v_i^2) - 2 rho_i u_i v_i] / (2 (1 - rho_i^2)) are traces with the matrices
     * sum_i c_i a_i a_i' etc. Off-diagonal entries of a symmetric block count twice in the packed sum.
     */
    private static double[][] codelengthWeights(GaussianMarginal mx, GaussianMarginal my, double[] rho,
                                                double[] canonX, double[] canonY) {
        int cx = mx.channels;
        int cy = my.channels;
        int d = cx + cy;
        int r = rho.length;
        double[] qx = Linalg.multiply(mx.whitening, cx, cx, false, mx.whitening, cx, cx, true);
        double[] qy = Linalg.multiply(my.whitening, cy, cy, false, my.whitening, cy, cy, true);
        double[] sx = new double[cx * r];
        double[] sy = new double[cy * r];
        double[] sxy = new double[cy * r];
        for (int i = 0; i < r; i++) {
            double p = rho[i];
            double oneMinus = 1 - p * p;
            double square = p * p / (2 * oneMinus);
            double cross = p / oneMinus;
            for (int l = 0; l < cx; l++) {
                sx[i * cx + l] = square * canonX[i * cx + l];
            }
            for (int l = 0; l < cy; l++) {
                sy[i * cy + l] = square * canonY[i * cy + l];
                sxy[i * cy + l] = cross * canonY[i * cy + l];
            }
        }
        // Column-major products: A diag(c) A' for the squares, A diag(c') B' for the cross term.
        double[] bx = r == 0 ? new double[cx * cx] : Linalg.multiply(sx, cx, r, false, canonX, cx, r, true);
        double[] by = r == 0 ? new double[cy * cy] : Linalg.multiply(sy, cy, r, false, canonY, cy, r, true);
        double[] bxy = r == 0 ? new double[cx * cy] : Linalg.multiply(canonX, cx, r, false, sxy, cy, r, true);
        double[] hx = new double[SampleMoments.packedSize(d)];
        double[] hy = new double[hx.length];
        double[] mi = new double[hx.length];
        int k = 0;
        for (int col = 0; col < d; col++) {
            for (int row = 0; row <= col; row++, k++) {
                double twice = row == col ? 1 : 2;
                if (col < cx) {
                    double scale = twice / (mx.sd[row] * mx.sd[col]);
                    hx[k] = 0.5 * scale * qx[col * cx + row];
                    mi[k] = -scale * bx[col * cx + row];
                } else if (row >= cx) {
                    int i = row - cx;
                    int j = col - cx;
                    double scale = twice / (my.sd[i] * my.sd[j]);
                    hy[k] = 0.5 * scale * qy[j * cy + i];
                    mi[k] = -scale * by[j * cy + i];
                } else {
                    int j = col - cx;
                    mi[k] = bxy[j * cx + row] / (mx.sd[row] * my.sd[j]);
                }
            }
        }
        return new double[][] {hx, hy, mi};
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
     * The sample's statistics in this model's canonical coordinates w = (u, v), u_i = a_i'z_x and v_i = b_i'z_y
     * for the standardised tokens z: sum w = P' D^-1 (s - t c) and sum w w' = P' D^-1 M D^-1 P from its moments
     * (M about the model's centre c, P the canonical directions, block-diagonal).
     */
    public SceneBlockStats canonicalStats(SampleMoments m) {
        int cx = mx.channels;
        int cy = my.channels;
        int d = cx + cy;
        int r = rho.length;
        int w = 2 * r;
        double[] p = new double[d * w];
        for (int i = 0; i < r; i++) {
            for (int l = 0; l < cx; l++) {
                p[i * d + l] = projectX[cx * cx + i * cx + l] / mx.sd[l];
            }
            for (int l = 0; l < cy; l++) {
                p[(r + i) * d + cx + l] = projectY[cy * cy + i * cy + l] / my.sd[l];
            }
        }
        double[] centred = new double[d];
        for (int j = 0; j < d; j++) {
            centred[j] = m.colSum(j) - m.tokens() * centre[j];
        }
        double[] sum = Linalg.multiply(p, d, w, true, centred, d, 1, false);
        // M P from M's upper triangle (DSYMM), in a buffer of this thread: a fresh full d x d matrix per sample was
        // most of the apply pass.
        double[] upper = MOMENTS.get();
        if (upper.length < d * d) {
            upper = new double[d * d];
            MOMENTS.set(upper);
        }
        m.upperSecondMomentsAbout(centre, upper);
        double[] mp = new double[d * w];
        Blas.blas().dsymm("L", "U", d, w, 1.0, upper, d, p, d, 0.0, mp, d);
        double[] cross = Linalg.multiply(p, d, w, true, mp, d, w, false);
        for (int i = 0; i < w; i++) {
            for (int j = 0; j < i; j++) {
                cross[i * w + j] = cross[j * w + i];
            }
        }
        return new SceneBlockStats(r, m.tokens(), sum, cross);
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

    /**
     * Codelengths of one sample's maps: from its {@link SampleMoments}, as every sample of the job is scored (one
     * definition, so a sample gets the same bits whichever path scored it).
     */
    @Override
    public SampleCodelengths score(float[] x, float[] y, int tokens) {
        return score(SampleMoments.of(x, y, tokens, mx.channels, my.channels, WORK.get()));
    }

    /** Second moments of the scene statistics, per thread (tasks share one model). */
    private static final ThreadLocal<double[]> MOMENTS = ThreadLocal.withInitial(() -> new double[0]);

    /** Scratch of the map path's moments, per thread (tasks share one model). */
    private static final ThreadLocal<SampleMoments.Workspace> WORK =
            ThreadLocal.withInitial(SampleMoments.Workspace::new);

    /**
     * Codelengths from a sample's moments: H(X) = t ln-normaliser + tr(D^-1 W W' D^-1 M_xx) / 2 (nats), likewise
     * H(Y), and the pointwise MI of the kept canonical pairs, all linear in the second moments M about the model's
     * centre (see {@link #codelengthWeights}).
     */
    @Override
    public SampleCodelengths score(SampleMoments m) {
        if (m.channelsX() != mx.channels || m.channelsY() != my.channels) {
            throw new IllegalArgumentException("Moments of " + m.channelsX() + "+" + m.channelsY()
                    + " channels for a model of " + mx.channels + "+" + my.channels);
        }
        int tokens = m.tokens();
        double[] q = new double[3];
        m.contract(centre, weights[0], weights[1], weights[2], q);
        double hx = tokens * mx.logNormaliser + q[0];
        double hy = tokens * my.logNormaliser + q[1];
        double mi = q[2];
        for (double p : rho) {
            mi += tokens * (-0.5 * Math.log(1 - p * p));
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
