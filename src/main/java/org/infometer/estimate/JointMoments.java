package org.infometer.estimate;


import java.io.Serializable;

/**
 * Sufficient statistics of token vectors z = (x, y) of dimension {@code cx + cy}: token count, sample count,
 * per-channel sums and the sums of outer products (upper triangle), all in {@link ExactSums} so that the merged
 * state is bit-identical however the samples were partitioned.
 *
 * <p>Usage: {@code new JointMoments(cx, cy)}, {@link #addSample} per sample on an executor, {@link #merge} the
 * per-partition states on the driver, then read {@link #mean()} and {@link #covariance()}.
 *
 * <p>Algebra: a new state is the identity; merge is associative and commutative; merging the states of A and
 * B equals the state of A ∪ B exactly. Bytes start with a magic and a version.
 */
public final class JointMoments implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final int MAGIC = 0x494d4a4d; // "IMJM"
    private static final int VERSION = 1;

    private final int cx;
    private final int cy;
    private long tokens;
    private long samples;
    private final ExactSums sums;
    private final ExactSums outer;
    private transient float[] scratch;
    private transient float[] gram;
    private transient double[] raw;

    public JointMoments(int cx, int cy) {
        if (cx <= 0 || cy <= 0) {
            throw new IllegalArgumentException("Channel counts must be positive, got " + cx + " and " + cy);
        }
        this.cx = cx;
        this.cy = cy;
        int d = cx + cy;
        this.sums = new ExactSums(d);
        this.outer = new ExactSums(d * (d + 1) / 2);
    }

    private JointMoments(int cx, int cy, long tokens, long samples, ExactSums sums, ExactSums outer) {
        this.cx = cx;
        this.cy = cy;
        this.tokens = tokens;
        this.samples = samples;
        this.sums = sums;
        this.outer = outer;
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

    public long tokens() {
        return tokens;
    }

    public long samples() {
        return samples;
    }

    /**
     * Adds one sample's maps (row-major {@code tokens x cx} and {@code tokens x cy}). The Gram matrix of the
     * sample, centred on its own mean so single precision loses nothing that matters, is one SGEMM; the raw
     * second moments are restored in double (G + T m m') before they enter the exact sums once per entry.
     */
    /**
     * Computes {@code gram = A A'} (d x d, column-major) for the column-major d x t matrix {@code a}; the default
     * (no kernel) is the BLAS upper-triangle product of {@link #addSample(float[], float[], int)}. A caller with a faster matrix engine at hand (the learned estimator has PyTorch loaded)
     * passes its own; the result must be the same product in single precision.
     */
    @FunctionalInterface
    public interface GramKernel {
        void gram(float[] a, int d, int t, float[] gram);
    }

    /** Rows of the Gram matrix per BLAS call in the default path (measured best of 64, 128, 256 at 256 + 256). */
    private static final int GRAM_BLOCK = 128;
    /** Tile edge of the cache-friendly transpose into channel-major order. */
    private static final int TILE = 32;

    public void addSample(float[] x, float[] y, int t) {
        addSample(x, y, t, null);
    }

    /** As {@link #addSample(float[], float[], int)} with the Gram from {@code kernel} (null: the BLAS default). */
    public void addSample(float[] x, float[] y, int t, GramKernel kernel) {
        int d = cx + cy;
        if (x.length != t * cx || y.length != t * cy) {
            throw new IllegalArgumentException("Sample maps have " + x.length + " and " + y.length
                    + " values; expected " + t + " x " + cx + " and " + t + " x " + cy);
        }
        if (scratch == null || scratch.length < t * d) {
            scratch = new float[t * d];
        }
        if (gram == null) {
            gram = new float[d * d];
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
        float[] z = scratch;
        if (kernel == null) {
            centreChannelMajor(x, y, t, mean, z);
            upperGram(z, d, t, gram);
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
            kernel.gram(z, d, t, gram);
        }
        // sum_t (v - m) = s - t m is not exactly zero for the float mean m; keep that residual in the correction.
        double[] resid = new double[d];
        for (int j = 0; j < d; j++) {
            resid[j] = colSums[j] - (double) t * mean[j];
        }
        sums.add(colSums, 0, d);
        if (raw == null) {
            raw = new double[d * (d + 1) / 2];
        }
        int k = 0;
        for (int col = 0; col < d; col++) {
            int o = col * d;
            double mc = mean[col];
            for (int row = 0; row <= col; row++) {
                double mr = mean[row];
                // sum v_r v_c = sum (z_r + m_r)(z_c + m_c) = G_rc + m_r resid_c + m_c resid_r + t m_r m_c
                raw[k++] = gram[o + row] + mr * resid[col] + mc * resid[row] + t * mr * mc;
            }
        }
        // The same terms in the same order as one addTerm per entry, a third faster as two plain loops (the
        // fused loop was a tenth of the fit pass).
        outer.add(raw, 0, k);
        tokens += t;
        samples++;
    }

    /** Centred values channel by channel ({@code z[j t + i]}), transposed in tiles so both sides stay in cache. */
    private void centreChannelMajor(float[] x, float[] y, int t, float[] mean, float[] z) {
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
     * The upper triangle (row <= column) of Z'Z for channel-major Z, by row blocks: only that triangle is read, so
     * most blocks below it are never computed (5/8 of a full Gram's products at 512 channels), and the transposed-A
     * product is the one the vectorised Java BLAS runs as dot products without copying its operands.
     */
    private static void upperGram(float[] z, int d, int t, float[] gram) {
        for (int r0 = 0; r0 < d; r0 += GRAM_BLOCK) {
            int rows = Math.min(GRAM_BLOCK, d - r0);
            Blas.blas().sgemm("T", "N", rows, d - r0, t, 1.0f, z, r0 * t, t, z, r0 * t, t, 0.0f, gram,
                    r0 * d + r0, d);
        }
    }

    public JointMoments merge(JointMoments other) {
        if (other.cx != cx || other.cy != cy) {
            throw new IllegalArgumentException("Cannot merge moments of " + other.cx + "+" + other.cy
                    + " channels into " + cx + "+" + cy);
        }
        sums.merge(other.sums);
        outer.merge(other.outer);
        tokens += other.tokens;
        samples += other.samples;
        return this;
    }

    public JointMoments copy() {
        return new JointMoments(cx, cy, tokens, samples, sums.copy(), outer.copy());
    }

    public double[] mean() {
        double[] m = sums.toDoubles();
        for (int i = 0; i < m.length; i++) {
            m[i] /= tokens;
        }
        return m;
    }

    /** Second moments about {@code center}, column-major {@code d x d}: E[(z - c)(z - c)^T] over tokens. */
    public double[] secondMomentAbout(double[] center) {
        int d = dims();
        double[] mean = mean();
        double[] m = new double[d * d];
        int k = 0;
        for (int col = 0; col < d; col++) {
            for (int row = 0; row <= col; row++) {
                double raw = outer.get(k++) / tokens;
                // E[(zr - cr)(zc - cc)] = E[zr zc] - cr mc - cc mr + cr cc
                double v = raw - center[row] * mean[col] - center[col] * mean[row] + center[row] * center[col];
                m[col * d + row] = v;
                m[row * d + col] = v;
            }
        }
        return m;
    }

    /** Maximum-likelihood covariance (divided by the token count), column-major {@code d x d}. */
    public double[] covariance() {
        return secondMomentAbout(mean());
    }

    public byte[] toBytes() {
        // One exact-size buffer: a stream per value was 5 % of the quarter-val bench (states are 2 MB at 256 + 256).
        java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(32 + sums.encodedSize() + outer.encodedSize());
        out.putInt(MAGIC).putInt(VERSION).putInt(cx).putInt(cy).putLong(tokens).putLong(samples);
        sums.write(out);
        outer.write(out);
        return out.array();
    }

    public static JointMoments fromBytes(byte[] data) {
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(data);
        try {
            int magic = in.getInt();
            int version = in.getInt();
            if (magic != MAGIC || version != VERSION) {
                throw new IllegalArgumentException("Not a JointMoments state (magic " + Integer.toHexString(magic)
                        + ", version " + version + "); expected magic " + Integer.toHexString(MAGIC)
                        + " version " + VERSION);
            }
            int cx = in.getInt();
            int cy = in.getInt();
            long tokens = in.getLong();
            long samples = in.getLong();
            return new JointMoments(cx, cy, tokens, samples, ExactSums.read(in), ExactSums.read(in));
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException("Truncated JointMoments state", e);
        }
    }

    /**
     * States cross JVMs (task results, broadcasts) as their versioned codec bytes, not as Java's field layout:
     * a field change then fails with the codec's message instead of a silent mis-read.
     */
    private Object writeReplace() {
        return new Wire(toBytes());
    }

    private void readObject(java.io.ObjectInputStream in) throws java.io.InvalidObjectException {
        throw new java.io.InvalidObjectException("JointMoments travels as its codec bytes (Wire)");
    }

    /** The serialized form of a {@link JointMoments}: its {@link #toBytes()} bytes. */
    private static final class Wire implements Serializable {
        private static final long serialVersionUID = 1L;
        private final byte[] state;

        Wire(byte[] state) {
            this.state = state;
        }

        private Object readResolve() {
            return fromBytes(state);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JointMoments m && m.cx == cx && m.cy == cy && m.tokens == tokens
                && m.samples == samples && m.sums.equals(sums) && m.outer.equals(outer);
    }

    @Override
    public int hashCode() {
        return 31 * sums.hashCode() + outer.hashCode();
    }
}
