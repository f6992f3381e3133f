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
    private transient SampleMoments.Workspace work;
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
     * Computes {@code gram = A A'} (d x d, column-major) for the column-major d x t matrix {@code a}; the default
     * (no kernel) is the BLAS upper-triangle product of {@link SampleMoments}. A caller with a faster matrix engine
     * at hand (the learned estimator has PyTorch loaded) passes its own; the result must be the same product in
     * single precision.
     */
    @FunctionalInterface
    public interface GramKernel {
        void gram(float[] a, int d, int t, float[] gram);
    }

    /** Adds one sample's maps (row-major {@code tokens x cx} and {@code tokens x cy}), via its moments. */
    public void addSample(float[] x, float[] y, int t) {
        addSample(x, y, t, null);
    }

    /** As {@link #addSample(float[], float[], int)} with the Gram from {@code kernel} (null: the BLAS default). */
    public void addSample(float[] x, float[] y, int t, GramKernel kernel) {
        if (work == null) {
            work = new SampleMoments.Workspace();
        }
        add(SampleMoments.of(x, y, t, cx, cy, work, kernel));
    }

    /**
     * Adds one sample's moments. Its Gram is centred on the sample's own mean, so single precision loses nothing
     * that matters; the raw second moments are restored in double (G + m s' + s m' + t m m') before they enter the
     * exact sums once per entry.
     */
    public void add(SampleMoments m) {
        if (m.channelsX() != cx || m.channelsY() != cy) {
            throw new IllegalArgumentException("Cannot add moments of " + m.channelsX() + "+" + m.channelsY()
                    + " channels to " + cx + "+" + cy);
        }
        int d = cx + cy;
        int t = m.tokens();
        double[] resid = new double[d];
        double[] mean = new double[d];
        for (int j = 0; j < d; j++) {
            mean[j] = m.mean(j);
            resid[j] = m.residual(j);
        }
        sums.add(m.colSums(), 0, d);
        if (raw == null) {
            raw = new double[d * (d + 1) / 2];
        }
        float[] gram = m.packedGram();
        int k = 0;
        for (int col = 0; col < d; col++) {
            double mc = mean[col];
            for (int row = 0; row <= col; row++, k++) {
                double mr = mean[row];
                // sum v_r v_c = sum (z_r + m_r)(z_c + m_c) = G_rc + m_r resid_c + m_c resid_r + t m_r m_c
                raw[k] = gram[k] + mr * resid[col] + mc * resid[row] + t * mr * mc;
            }
        }
        // The same terms in the same order as one addTerm per entry, a third faster as two plain loops (the
        // fused loop was a tenth of the fit pass).
        outer.add(raw, 0, k);
        tokens += t;
        samples++;
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
