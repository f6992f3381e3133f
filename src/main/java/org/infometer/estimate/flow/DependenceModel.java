package org.infometer.estimate.flow;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import org.infometer.estimate.SampleCodelengths;
import org.infometer.estimate.gaussian.GaussianPairModel;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;

/**
 * The token-granularity learned pair model ("dependence flow"). Its invertible transform for X is a per-channel
 * quantile Gaussianisation followed by the Gaussian model's whitening and canonical rotation; the same for Y; the
 * (X, Y) transform is the two marginal transforms side by side. So the marginal log-Jacobians are shared by
 * H(X), H(Y) and H(X, Y) and cancel token by token in the MI, exactly as in the Gaussian model. The entropy
 * models: standard normals for the marginals; for the joint, the canonical pairs the rank selection kept and, when
 * held-out data paid for it, a conditional flow q(b | c) of Y's coordinates b given X's coordinates c (all
 * Gaussianised channels for small modalities, else the leading canonical coordinates), used as
 * ln q(b | c) - ln q(b) (both from one network, {@link DependenceBlock}) in place of those
 * k Gaussian pairs. Independence is the special case with rank 0 and no conditional flow, which the fit chooses
 * by held-out codelength, so independent data scores 0 on average rather than the difference of three
 * separately fitted densities.
 *
 * <p>Codelengths are exact for the model, including every log-Jacobian: hX and hY are true differential
 * codelengths of the marginals (up to the Gaussianisation's fit), and hX + hY - hXY is the model's pointwise MI.
 */
final class DependenceModel implements AutoCloseable {

    private static final int MAGIC = 0x494d4450; // "IMDP"
    private static final int VERSION = 1;
    private static final double LN2 = Math.log(2);

    /** Architecture of the conditional flow; {@code k == 0} means none was kept. */
    /**
     * @param raw with {@code true}, b is all of Y's Gaussianised channels and c all of X's (both small), and the
     *            flow replaces every Gaussian pair; else b and c are canonical coordinates (see {@link #inputs})
     */
    record Net(int k, int contextDims, boolean contextWhitened, int hidden, int components, int couplings,
            boolean raw, byte[] parameters) {
        static final Net NONE = new Net(0, 0, false, 0, 0, 0, false, new byte[0]);

        Net withParameters(byte[] p) {
            return new Net(k, contextDims, contextWhitened, hidden, components, couplings, raw, p);
        }

        /** Gaussian pairs the flow replaces. */
        int replaces(int rank) {
            return raw ? rank : Math.min(k, rank);
        }

        DependenceBlock block() {
            return new DependenceBlock(k, contextDims, hidden, components, couplings);
        }
    }

    private final QuantileGaussianizer gx;
    private final QuantileGaussianizer gy;
    private final GaussianPairModel gauss;
    private final int rank;
    private final Net net;
    private final Model model;
    private final DependenceBlock block;
    private final FrozenParameterStore parameters;

    DependenceModel(QuantileGaussianizer gx, QuantileGaussianizer gy, GaussianPairModel gauss, int rank, Net net,
            Device device) {
        this.gx = gx;
        this.gy = gy;
        this.gauss = gauss;
        this.rank = rank;
        this.net = net;
        if (net.k() > 0) {
            model = Model.newInstance("dependence", device, FlowEngine.ENGINE_NAME);
            try {
                block = net.block();
                model.setBlock(block);
                block.loadParameters(model.getNDManager(),
                        new DataInputStream(new ByteArrayInputStream(net.parameters())));
                parameters = new FrozenParameterStore(model.getNDManager());
            } catch (IOException | MalformedModelException | RuntimeException e) {
                model.close();
                throw new IllegalStateException("Cannot restore the dependence flow: " + e.getMessage(), e);
            }
        } else {
            model = null;
            block = null;
            parameters = null;
        }
    }

    int channelsX() {
        return gx.channels();
    }

    int channelsY() {
        return gy.channels();
    }

    /** Canonical pairs the joint entropy model keeps (as Gaussian pairs or inside the conditional flow). */
    int rank() {
        return rank;
    }

    /** Target coordinates modelled by the conditional flow (0: the model is Gaussian on Gaussianised data). */
    int learnedDims() {
        return net.k();
    }

    double[] canonicalCorrelations() {
        return java.util.Arrays.copyOf(gauss.canonicalCorrelations(), rank);
    }

    /** Coordinates of one sample in the model's spaces, with the marginal log-Jacobians (nats). */
    record Coordinates(float[] px, float[] py, int tokens, double lnJx, double lnJy, float[] zx, float[] zy) {
    }

    Coordinates coordinates(float[] x, float[] y, int tokens) {
        float[] zx = new float[x.length];
        float[] zy = new float[y.length];
        double lnJx = gx.transform(x, tokens, zx, null);
        double lnJy = gy.transform(y, tokens, zy, null);
        return new Coordinates(gauss.coordinatesX(zx, tokens, TorchProduct.INSTANCE),
                gauss.coordinatesY(zy, tokens, TorchProduct.INSTANCE), tokens, lnJx, lnJy,
                zx, zy);
    }

    SampleCodelengths score(float[] x, float[] y, int tokens) {
        Coordinates c = coordinates(x, y, tokens);
        int cx = gx.channels();
        int cy = gy.channels();
        int r = gauss.rank();
        double hx = tokens * gauss.logNormaliserX() + 0.5 * sumSquares(c.px(), tokens, cx, cx + r) - c.lnJx();
        double hy = tokens * gauss.logNormaliserY() + 0.5 * sumSquares(c.py(), tokens, cy, cy + r) - c.lnJy();
        double pmi = 0;
        for (double v : gaussianPmi(c, net.replaces(rank), rank)) {
            pmi += v;
        }
        if (net.k() > 0) {
            for (double v : learnedPmi(c)) {
                pmi += v;
            }
        }
        return new SampleCodelengths(hx / LN2, hy / LN2, (hx + hy - pmi) / LN2);
    }

    /** Per token, the Gaussian pointwise MI (nats) of canonical pairs {@code from <= i < to}. */
    double[] gaussianPmi(Coordinates c, int from, int to) {
        int cx = gx.channels();
        int cy = gy.channels();
        int r = gauss.rank();
        double[] rho = gauss.canonicalCorrelations();
        double[] out = new double[c.tokens()];
        for (int i = from; i < to; i++) {
            double p = rho[i];
            double oneMinus = 1 - p * p;
            double constant = -0.5 * Math.log(oneMinus);
            for (int t = 0; t < c.tokens(); t++) {
                double u = c.px()[t * (cx + r) + cx + i];
                double v = c.py()[t * (cy + r) + cy + i];
                out[t] += constant - (p * p * (u * u + v * v) - 2 * p * u * v) / (2 * oneMinus);
            }
        }
        return out;
    }

    /**
     * Share of the defensive components. Scoring uses q~(b) = (1 - e) q(b) + e N(b; 0, I) and
     * q~(b | c) = (1 - e) q(b | c) + e q~(b): the network's densities are sharp where it saw data and can be
     * arbitrarily small far from it, so one token outside the training range could dominate a sample (measured
     * on Student-t nu = 1, 5 + 5: +267 bits/token for one sample, -59 for another). Mixed, every token's
     * pointwise MI is at least ln e and q~(b) is floored by a normal density, at a cost of at most -ln(1 - e)
     * nats per density where the network is right.
     */
    static final double DEFENSIVE_SHARE = 0.01;
    private static final double LN_DEFENSIVE = Math.log(DEFENSIVE_SHARE);
    private static final double LN_KEEP = Math.log1p(-DEFENSIVE_SHARE);
    private static final double LN_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

    private static double logAddExp(double a, double b) {
        double m = Math.max(a, b);
        if (m == Double.NEGATIVE_INFINITY) {
            return m;
        }
        return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
    }

    /** Per token, ln q~(b | c) - ln q~(b) of the conditional flow with its defensive components (nats). */
    double[] learnedPmi(Coordinates c) {
        float[][] bc = inputs(c, net, gx.channels(), gy.channels(), gauss.rank());
        FlowEngine.disableGrad();
        try (NDScope scope = new NDScope(); NDManager m = model.getNDManager().newSubManager()) {
            int n = c.tokens();
            NDArray b = m.create(FloatBuffer.wrap(bc[0]), new Shape(n, net.k()));
            NDArray ctx = m.create(FloatBuffer.wrap(bc[1]), new Shape(n, net.contextDims()));
            float[] with = block.negLogDensity(parameters, b, ctx, m.ones(new Shape(n, 1)), false).toFloatArray();
            float[] without = block.negLogDensity(parameters, b, ctx, m.zeros(new Shape(n, 1)), false)
                    .toFloatArray();
            double[] out = new double[n];
            int k = net.k();
            for (int t = 0; t < n; t++) {
                double lnPhi = 0;
                for (int i = 0; i < k; i++) {
                    double v = bc[0][t * k + i];
                    lnPhi -= 0.5 * v * v + LN_SQRT_2PI;
                }
                double lnQb = logAddExp(LN_KEEP - without[t], LN_DEFENSIVE + lnPhi);
                double lnQbc = logAddExp(LN_KEEP - with[t], LN_DEFENSIVE + lnQb);
                out[t] = lnQbc - lnQb;
            }
            scope.suppressNotUsedWarning();
            return out;
        }
    }

    /**
     * The conditional flow's inputs, row-major: b = Y's first k canonical coordinates; c = X's first k canonical
     * coordinates (their partners), then X's whitened coordinates when X is small enough to give them all. In
     * raw mode (both modalities small), b and c are the Gaussianised channels themselves: the whitening and
     * canonical rotations are arbitrary where correlations are weak, and rotating mixes the per-channel
     * structure (a shared scale shows along the channel axes) that per-coordinate mixtures model best; measured
     * on multivariate Student-t 5 + 5, canonical inputs recover about half the MI, raw inputs about 90 %.
     */
    static float[][] inputs(Coordinates c, Net net, int cx, int cy, int r) {
        int n = c.tokens();
        if (net.raw()) {
            return new float[][] {c.zy(), c.zx()};
        }
        int k = net.k();
        int m = net.contextDims();
        float[] b = new float[n * k];
        float[] ctx = new float[n * m];
        for (int t = 0; t < n; t++) {
            for (int i = 0; i < k; i++) {
                b[t * k + i] = c.py()[t * (cy + r) + cy + i];
                ctx[t * m + i] = c.px()[t * (cx + r) + cx + i];
            }
            if (net.contextWhitened()) {
                for (int j = 0; j < cx; j++) {
                    ctx[t * m + k + j] = c.px()[t * (cx + r) + j];
                }
            }
        }
        return new float[][] {b, ctx};
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

    byte[] toBytes() {
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream();
             DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            gx.write(out);
            gy.write(out);
            byte[] g = gauss.toBytes();
            out.writeInt(g.length);
            out.write(g);
            out.writeInt(rank);
            out.writeInt(net.k());
            out.writeInt(net.contextDims());
            out.writeBoolean(net.contextWhitened());
            out.writeInt(net.hidden());
            out.writeInt(net.components());
            out.writeInt(net.couplings());
            out.writeBoolean(net.raw());
            out.writeInt(net.parameters().length);
            out.write(net.parameters());
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static DependenceModel fromBytes(byte[] data, Device device) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            int magic = in.readInt();
            int version = in.readInt();
            if (magic != MAGIC || version != VERSION) {
                throw new IllegalArgumentException("Not a dependence flow model (magic "
                        + Integer.toHexString(magic) + ", version " + version + ", this build reads " + VERSION + ")");
            }
            QuantileGaussianizer gx = QuantileGaussianizer.read(in);
            QuantileGaussianizer gy = QuantileGaussianizer.read(in);
            byte[] g = new byte[in.readInt()];
            in.readFully(g);
            int rank = in.readInt();
            int k = in.readInt();
            int m = in.readInt();
            boolean whitened = in.readBoolean();
            int hidden = in.readInt();
            int components = in.readInt();
            int couplings = in.readInt();
            boolean raw = in.readBoolean();
            byte[] p = new byte[in.readInt()];
            in.readFully(p);
            Net net = k == 0 ? Net.NONE : new Net(k, m, whitened, hidden, components, couplings, raw, p);
            return new DependenceModel(gx, gy, GaussianPairModel.fromBytes(g), rank, net, device);
        } catch (IOException e) {
            throw new IllegalArgumentException("Truncated dependence flow model: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (model != null) {
            model.close();
        }
    }
}
