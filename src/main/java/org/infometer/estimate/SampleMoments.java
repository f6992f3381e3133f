package org.infometer.estimate;

import java.io.Serializable;

/**
 * One sample's token moments: its token count, the per-channel sums of its joint token vectors z = (x, y) (in
 * double), their single-precision mean m, and the Gram matrix of the tokens centred on m (upper triangle, packed
 * column by column: entry (row, col), row &lt;= col, at {@code col (col + 1) / 2 + row}).
 *
 * <p>Every Gaussian quantity of the sample is a linear function of these: the second moments about any centre c
 * are {@code G + (m - c) s' + s (m - c)' + t (m - c)(m - c)'} with {@code s = sum (z - m)}, so a Gaussian model
 * scores the sample (codelengths, scene statistics) from its moments alone, and the fit pass's moments are all
 * the apply pass needs: the feature maps are read once. 512 channels take 0.5 MB here against 1.8 MB of maps
 * for 900 tokens.
 *
 * <p>Usage: {@link #of(float[], float[], int, int, int, Workspace)} on an executor (the Gram is one SSYRK with a
 * native BLAS, blocked SGEMMs with the Java BLAS, or the caller's {@link JointMoments.GramKernel});
 * {@link JointMoments#add(SampleMoments)} accumulates it.
 */
public final class SampleMoments implements Serializable {

    private static final long serialVersionUID = 1L;
    /** Rows of the Gram matrix per BLAS call (measured best of 64, 128, 256 at 256 + 256). */
    private static final int GRAM_BLOCK = 128;
    /** Tile edge of the cache-friendly transpose into channel-major order. */
    private static final int TILE = 32;

    private final int cx;
    private final int cy;
    private final int tokens;
    private final double[] colSums;
    private final float[] mean;
    private final float[] gram;

    private SampleMoments(int cx, int cy, int tokens, double[] colSums, float[] mean, float[] gram) {
        this.cx = cx;
        this.cy = cy;
        this.tokens = tokens;
        this.colSums = colSums;
        this.mean = mean;
        this.gram = gram;
    }

    /** Scratch buffers of one thread's {@link #of} calls (the centred maps and the full Gram), reused. */
    public static final class Workspace {
        private float[] z;
        private float[] full;

        float[] centred(int n) {
            if (z == null || z.length < n) {
                z = new float[n];
            }
            return z;
        }

        float[] full(int n) {
            if (full == null || full.length < n) {
                full = new float[n];
            }
            return full;
        }
    }

    /** Packed entries of a d x d upper triangle. */
    public static int packedSize(int d) {
        return d * (d + 1) / 2;
    }

    /** Bytes one sample's moments take in memory, about (for deciding whether a run's moments fit). */
    public static long bytes(int cx, int cy) {
        int d = cx + cy;
        return 64L + (long) packedSize(d) * Float.BYTES + (long) d * (Double.BYTES + Float.BYTES);
    }

    /** The moments of one sample's maps (row-major {@code t x cx} and {@code t x cy}). */
    public static SampleMoments of(float[] x, float[] y, int t, int cx, int cy, Workspace work) {
        return of(x, y, t, cx, cy, work, null);
    }

    /** As {@link #of(float[], float[], int, int, int, Workspace)}, the Gram from {@code kernel} (null: BLAS). */
    public static SampleMoments of(float[] x, float[] y, int t, int cx, int cy, Workspace work,
                                   JointMoments.GramKernel kernel) {
        int d = cx + cy;
        if (cx <= 0 || cy <= 0 || t <= 0) {
            throw new IllegalArgumentException("Sample moments need positive channel and token counts, got " + cx
                    + ", " + cy + " and " + t);
        }
        if (x.length != t * cx || y.length != t * cy) {
            throw new IllegalArgumentException("Sample maps have " + x.length + " and " + y.length
                    + " values; expected " + t + " x " + cx + " and " + t + " x " + cy);
        }
        double[] colSums = new double[d];
        for (int i = 0; i < t; i++) {
            int xo = i * cx;
            for (int j = 0; j < cx; j++) {
                colSums[j] += x[xo + j];
            }
            int yo = i * cy;
            for (int j = 0; j < cy; j++) {
                colSums[cx + j] += y[yo + j];
            }
        }
        float[] mean = new float[d];
        for (int j = 0; j < d; j++) {
            mean[j] = (float) (colSums[j] / t);
        }
        float[] z = work.centred(t * d);
        float[] full = work.full(d * d);
        if (kernel == null && !Blas.isNative()) {
            centreChannelMajor(x, y, t, cx, cy, mean, z);
            upperGram(z, d, t, full);
        } else {
            // Row-major t x d centred joint vectors, which BLAS sees as a column-major d x t matrix A: Gram = A A'.
            for (int i = 0; i < t; i++) {
                int o = i * d;
                int xo = i * cx;
                for (int j = 0; j < cx; j++) {
                    z[o + j] = x[xo + j] - mean[j];
                }
                int yo = i * cy;
                for (int j = 0; j < cy; j++) {
                    z[o + cx + j] = y[yo + j] - mean[cx + j];
                }
            }
            if (kernel != null) {
                kernel.gram(z, d, t, full);
            } else {
                // A native BLAS's SSYRK reads the token-major values as they are: no transpose, and only the upper
                // triangle is computed (measured 2.0 ms against 2.7 ms plus 0.7 ms of transpose at 900 x 512).
                Blas.blas().ssyrk("U", "N", d, t, 1.0f, z, d, 0.0f, full, d);
            }
        }
        float[] packed = new float[packedSize(d)];
        int k = 0;
        for (int col = 0; col < d; col++) {
            System.arraycopy(full, col * d, packed, k, col + 1);
            k += col + 1;
        }
        return new SampleMoments(cx, cy, t, colSums, mean, packed);
    }

    /** Centred values channel by channel ({@code z[j t + i]}), transposed in tiles so both sides stay in cache. */
    private static void centreChannelMajor(float[] x, float[] y, int t, int cx, int cy, float[] mean, float[] z) {
        for (int i0 = 0; i0 < t; i0 += TILE) {
            int i1 = Math.min(t, i0 + TILE);
            for (int j0 = 0; j0 < cx; j0 += TILE) {
                int j1 = Math.min(cx, j0 + TILE);
                for (int i = i0; i < i1; i++) {
                    int xo = i * cx;
                    for (int j = j0; j < j1; j++) {
                        z[j * t + i] = x[xo + j] - mean[j];
                    }
                }
            }
            for (int j0 = 0; j0 < cy; j0 += TILE) {
                int j1 = Math.min(cy, j0 + TILE);
                for (int i = i0; i < i1; i++) {
                    int yo = i * cy;
                    for (int j = j0; j < j1; j++) {
                        z[(cx + j) * t + i] = y[yo + j] - mean[cx + j];
                    }
                }
            }
        }
    }

    /**
     * The upper triangle (row <= column) of Z'Z for channel-major Z, by row blocks, for the Java BLAS: only that
     * triangle is read, so most blocks below it are never computed (5/8 of a full Gram's products at 512 channels),
     * and the transposed-A product is the one the vectorised Java BLAS runs as dot products without copying.
     */
    private static void upperGram(float[] z, int d, int t, float[] gram) {
        for (int r0 = 0; r0 < d; r0 += GRAM_BLOCK) {
            int rows = Math.min(GRAM_BLOCK, d - r0);
            Blas.blas().sgemm("T", "N", rows, d - r0, t, 1.0f, z, r0 * t, t, z, r0 * t, t, 0.0f, gram,
                    r0 * d + r0, d);
        }
    }

    public int channelsX() {
        return cx;
    }

    public int channelsY() {
        return cy;
    }

    public int dims() {
        return cx + cy;
    }

    public int tokens() {
        return tokens;
    }

    /** Per-channel sum of the token vectors (x channels, then y). */
    public double colSum(int j) {
        return colSums[j];
    }

    double[] colSums() {
        return colSums;
    }

    /** The single-precision mean the Gram is centred on. */
    public double mean(int j) {
        return mean[j];
    }

    /** {@code sum_t (z_tj - m_j)}: not exactly zero, since m is rounded to single precision. */
    public double residual(int j) {
        return colSums[j] - (double) tokens * mean[j];
    }

    /**
     * {@code sum_t (z_tj - m_j)^2}, the Gram's diagonal: exactly 0 for a channel whose tokens all hold one value (its
     * mean is then that value), positive for every channel that varies by more than the squares' underflow.
     */
    public float centredSquares(int j) {
        return gram[j * (j + 1) / 2 + j];
    }

    /** The packed centred Gram (see the class comment); not a copy. */
    public float[] packedGram() {
        return gram;
    }

    /** {@code m - centre}: how far the Gram's centre is from {@code centre}, per channel. */
    private double[] shift(double[] centre) {
        double[] a = new double[dims()];
        for (int j = 0; j < a.length; j++) {
            a[j] = mean[j] - centre[j];
        }
        return a;
    }

    private double[] residuals() {
        double[] s = new double[dims()];
        for (int j = 0; j < s.length; j++) {
            s[j] = residual(j);
        }
        return s;
    }

    /**
     * {@code out[q] = sum over row <= col of w_q[k] M[row, col]} for the three weightings w_0, w_1, w_2 (packed as
     * the Gram), where M is the matrix of second moments about {@code centre}: one pass over the Gram.
     */
    public void contract(double[] centre, double[] w0, double[] w1, double[] w2, double[] out) {
        int d = dims();
        double[] a = shift(centre);
        double[] s = residuals();
        double t = tokens;
        double o0 = 0;
        double o1 = 0;
        double o2 = 0;
        int k = 0;
        for (int col = 0; col < d; col++) {
            double ac = a[col];
            double sc = s[col];
            for (int row = 0; row <= col; row++, k++) {
                double m = gram[k] + a[row] * sc + s[row] * ac + t * a[row] * ac;
                o0 += w0[k] * m;
                o1 += w1[k] * m;
                o2 += w2[k] * m;
            }
        }
        out[0] = o0;
        out[1] = o1;
        out[2] = o2;
    }

    /**
     * The upper triangle (row <= col) of the second moments about {@code centre} into the column-major d x d
     * {@code out}, in double; entries below the diagonal are left as they are (for BLAS routines that read one
     * triangle of a symmetric matrix).
     */
    public void upperSecondMomentsAbout(double[] centre, double[] out) {
        int d = dims();
        double[] a = shift(centre);
        double[] s = residuals();
        double t = tokens;
        int k = 0;
        for (int col = 0; col < d; col++) {
            double ac = a[col];
            double sc = s[col];
            int o = col * d;
            for (int row = 0; row <= col; row++, k++) {
                out[o + row] = gram[k] + a[row] * sc + s[row] * ac + t * a[row] * ac;
            }
        }
    }
}
