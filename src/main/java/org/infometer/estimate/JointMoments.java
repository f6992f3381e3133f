package org.infometer.estimate;

import dev.ludovic.netlib.blas.BLAS;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
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
    private transient double[] scratch;
    private transient double[] gram;

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
     * Adds one sample's maps (row-major {@code tokens x cx} and {@code tokens x cy}). The per-sample Gram matrix
     * is formed with one BLAS rank-k update, then enters the exact sums once per entry.
     */
    public void addSample(float[] x, float[] y, int t) {
        int d = cx + cy;
        if (x.length != t * cx || y.length != t * cy) {
            throw new IllegalArgumentException("Sample maps have " + x.length + " and " + y.length
                    + " values; expected " + t + " x " + cx + " and " + t + " x " + cy);
        }
        if (scratch == null || scratch.length < t * d) {
            scratch = new double[t * d];
        }
        if (gram == null) {
            gram = new double[d * d];
        }
        double[] z = scratch;
        double[] colSums = new double[d];
        // column-major t x d: channel j of token i at j * t + i
        for (int i = 0; i < t; i++) {
            int xo = i * cx;
            for (int j = 0; j < cx; j++) {
                double v = x[xo + j];
                z[j * t + i] = v;
            }
            int yo = i * cy;
            for (int j = 0; j < cy; j++) {
                double v = y[yo + j];
                z[(cx + j) * t + i] = v;
            }
        }
        for (int j = 0; j < d; j++) {
            double s = 0;
            int o = j * t;
            for (int i = 0; i < t; i++) {
                s += z[o + i];
            }
            colSums[j] = s;
        }
        BLAS.getInstance().dsyrk("U", "T", d, t, 1.0, z, t, 0.0, gram, d);
        sums.add(colSums, 0, d);
        int k = 0;
        for (int col = 0; col < d; col++) {
            int o = col * d;
            for (int row = 0; row <= col; row++) {
                outer.addTerm(k++, gram[o + row]);
            }
        }
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
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream();
             DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeInt(cx);
            out.writeInt(cy);
            out.writeLong(tokens);
            out.writeLong(samples);
            sums.write(out);
            outer.write(out);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static JointMoments fromBytes(byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            int magic = in.readInt();
            int version = in.readInt();
            if (magic != MAGIC || version != VERSION) {
                throw new IllegalArgumentException("Not a JointMoments state (magic " + Integer.toHexString(magic)
                        + ", version " + version + "); expected magic " + Integer.toHexString(MAGIC)
                        + " version " + VERSION);
            }
            int cx = in.readInt();
            int cy = in.readInt();
            long tokens = in.readLong();
            long samples = in.readLong();
            return new JointMoments(cx, cy, tokens, samples, ExactSums.read(in), ExactSums.read(in));
        } catch (IOException e) {
            throw new IllegalArgumentException("Truncated JointMoments state", e);
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
