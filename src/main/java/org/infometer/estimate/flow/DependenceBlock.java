package org.infometer.estimate.flow;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Conditional flow for the dependence part of the learned estimator: the density of k target coordinates b
 * given context features c of the other modality, q(b | c), and with the context switched off (flag 0) the
 * marginal q(b). One network serves both, so errors in modelling b's own shape appear in both terms of
 * ln q(b | c) - ln q(b) and cancel, leaving the difference to the dependence.
 *
 * <p>Transform: a conditional affine map z = (b - m(h)) exp(-s(h)) with h = (c * flag, flag), then affine
 * couplings whose conditioners see the untouched coordinates and h; entropy model: per coordinate a mixture of
 * Gaussians whose weights, locations and scales also depend on h. The affine map's linear part starts at the
 * Gaussian canonical-correlation solution (m = rho * a, s = ln(1 - rho^2) / 2 with a context present), every
 * non-linear output layer starts at zero and the mixture starts close to a standard normal, so training starts
 * from the Gaussian model and moves away only where the data pays for it.
 *
 * <p>Input: (b [N, k], c [N, m], flag [N, 1]); output: -ln q in nats, shape [N].
 */
final class DependenceBlock extends AbstractBlock {

    private static final float LN_SQRT_2PI = (float) (0.5 * Math.log(2 * Math.PI));
    private static final float SCALE_BOUND = 7f;
    private static final float COUPLING_BOUND = 2f;

    private final int k;
    private final int m;
    private final int hidden;
    private final int components;
    private final int couplings;
    private final Parameter wm;
    private final Parameter ws;
    private final Parameter w1;
    private final Parameter b1;
    private final Parameter w2;
    private final Parameter b2;
    private final Parameter wo;
    private final Parameter bo;
    private final Parameter mixLogit;
    private final Parameter mixLoc;
    private final Parameter mixLogScale;
    private final List<Parameter[]> coupling = new ArrayList<>();

    DependenceBlock(int targetDims, int contextDims, int hidden, int components, int couplings) {
        super((byte) 1);
        this.k = targetDims;
        this.m = contextDims;
        this.hidden = hidden;
        this.components = components;
        this.couplings = targetDims > 1 ? couplings : 0;
        inputNames = List.of("b", "c", "flag");
        wm = addParameter(FlowLayer.trainable("wm"));
        ws = addParameter(FlowLayer.trainable("ws"));
        w1 = addParameter(FlowLayer.trainable("w1"));
        b1 = addParameter(FlowLayer.trainable("b1"));
        w2 = addParameter(FlowLayer.trainable("w2"));
        b2 = addParameter(FlowLayer.trainable("b2"));
        wo = addParameter(FlowLayer.trainable("wo"));
        bo = addParameter(FlowLayer.trainable("bo"));
        mixLogit = addParameter(FlowLayer.trainable("mixLogit"));
        mixLoc = addParameter(FlowLayer.trainable("mixLoc"));
        mixLogScale = addParameter(FlowLayer.trainable("mixLogScale"));
        for (int l = 0; l < this.couplings; l++) {
            Parameter[] p = new Parameter[8];
            String[] names = {"w1", "b1", "w2", "b2", "ws", "bs", "wt", "bt"};
            for (int i = 0; i < 8; i++) {
                p[i] = addParameter(FlowLayer.trainable("c" + l + names[i]));
            }
            coupling.add(p);
        }
    }

    private int outWidth() {
        return 2 * k + 3 * k * components;
    }

    /**
     * Sets every parameter: the linear heads from the canonical correlations of the first k context columns
     * (the target's canonical partners), hidden layers from seeded He initialisation, output layers at zero.
     */
    void initialize(NDManager pm, double[] rho, SplittableRandom rng) {
        int h1 = m + 1;
        float[] wmv = new float[h1 * k];
        float[] wsv = new float[h1 * k];
        for (int i = 0; i < k; i++) {
            double r = i < rho.length ? rho[i] : 0;
            wmv[i * k + i] = (float) r;
            wsv[m * k + i] = (float) (0.5 * Math.log1p(-r * r));
        }
        initialize(pm, wmv, wsv, rng);
    }

    /**
     * As {@link #initialize(NDManager, double[], SplittableRandom)} with the linear heads given: {@code meanHead}
     * and {@code logScaleHead} are row-major (m + 1) x k, the last row the constant (flag) row.
     */
    void initialize(NDManager pm, float[] meanHead, float[] logScaleHead, SplittableRandom rng) {
        int h1 = m + 1;
        float[] wmv = meanHead;
        float[] wsv = logScaleHead;
        FlowLayer.assign(wm, pm, wmv, new Shape(h1, k));
        FlowLayer.assign(ws, pm, wsv, new Shape(h1, k));
        FlowLayer.assign(w1, pm, AffineCoupling.gaussian(rng, h1 * hidden, Math.sqrt(2.0 / h1)),
                new Shape(h1, hidden));
        FlowLayer.assign(b1, pm, new float[hidden], new Shape(hidden));
        FlowLayer.assign(w2, pm, AffineCoupling.gaussian(rng, hidden * hidden, Math.sqrt(2.0 / hidden)),
                new Shape(hidden, hidden));
        FlowLayer.assign(b2, pm, new float[hidden], new Shape(hidden));
        FlowLayer.assign(wo, pm, new float[hidden * outWidth()], new Shape(hidden, outWidth()));
        FlowLayer.assign(bo, pm, new float[outWidth()], new Shape(outWidth()));
        // Components spread slightly around 0 with a total variance of 1: close to a standard normal, yet not
        // identical, so their gradients differ and they can separate where the data is not Gaussian.
        float[] logit = new float[k * components];
        float[] loc = new float[k * components];
        float[] ls = new float[k * components];
        double spread = components > 1 ? 0.3 : 0;
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < components; j++) {
                double off = components > 1 ? spread * (2.0 * j / (components - 1) - 1) : 0;
                loc[i * components + j] = (float) off;
                ls[i * components + j] = (float) (0.5 * Math.log(1 - spread * spread / 3));
            }
        }
        FlowLayer.assign(mixLogit, pm, logit, new Shape(k, components));
        FlowLayer.assign(mixLoc, pm, loc, new Shape(k, components));
        FlowLayer.assign(mixLogScale, pm, ls, new Shape(k, components));
        int in = k + h1;
        for (Parameter[] p : coupling) {
            FlowLayer.assign(p[0], pm, AffineCoupling.gaussian(rng, in * hidden, Math.sqrt(2.0 / in)),
                    new Shape(in, hidden));
            FlowLayer.assign(p[1], pm, new float[hidden], new Shape(hidden));
            FlowLayer.assign(p[2], pm, AffineCoupling.gaussian(rng, hidden * hidden, Math.sqrt(2.0 / hidden)),
                    new Shape(hidden, hidden));
            FlowLayer.assign(p[3], pm, new float[hidden], new Shape(hidden));
            FlowLayer.assign(p[4], pm, new float[hidden * k], new Shape(hidden, k));
            FlowLayer.assign(p[5], pm, new float[k], new Shape(k));
            FlowLayer.assign(p[6], pm, new float[hidden * k], new Shape(hidden, k));
            FlowLayer.assign(p[7], pm, new float[k], new Shape(k));
        }
    }

    /**
     * Which coordinates a coupling leaves untouched: alternately the even and odd ones, then the first and
     * second halves, so after four couplings every coordinate has been conditioned on every other group.
     */
    private float[] mask(int layer) {
        float[] mv = new float[k];
        int half = (k + 1) / 2;
        for (int c = 0; c < k; c++) {
            boolean keep = switch (layer % 4) {
                case 0 -> c % 2 == 0;
                case 1 -> c % 2 == 1;
                case 2 -> c < half;
                default -> c >= half;
            };
            mv[c] = keep ? 1f : 0f;
        }
        return mv;
    }

    /** -ln q(b | c, flag) in nats, one value per row. */
    NDArray negLogDensity(ParameterStore ps, NDArray b, NDArray c, NDArray flag, boolean training) {
        NDManager mgr = b.getManager();
        NDArray h = NDArrays.concat(new NDList(c.mul(flag), flag), 1);
        NDArray g = Activation.relu(h.matMul(v(ps, w1, b, training)).add(v(ps, b1, b, training)));
        g = Activation.relu(g.matMul(v(ps, w2, b, training)).add(v(ps, b2, b, training)));
        NDArray o = g.matMul(v(ps, wo, b, training)).add(v(ps, bo, b, training));
        NDArray mean = h.matMul(v(ps, wm, b, training)).add(o.get(":, 0:" + k));
        NDArray raw = h.matMul(v(ps, ws, b, training)).add(o.get(":, " + k + ":" + 2 * k));
        NDArray s = FlowLayer.times(FlowLayer.times(raw, 1f / SCALE_BOUND).tanh(), SCALE_BOUND);
        NDArray z = b.sub(mean).mul(s.neg().exp());
        NDArray logdet = s.sum(new int[] {1}).neg();
        for (int l = 0; l < couplings; l++) {
            Parameter[] p = coupling.get(l);
            float[] mv = mask(l);
            float[] fv = new float[k];
            for (int i = 0; i < k; i++) {
                fv[i] = 1f - mv[i];
            }
            NDArray keep = mgr.create(mv).duplicate();
            NDArray free = mgr.create(fv).duplicate();
            NDArray in = NDArrays.concat(new NDList(FlowLayer.squash(z.mul(keep)), h), 1);
            NDArray e = Activation.relu(in.matMul(v(ps, p[0], b, training)).add(v(ps, p[1], b, training)));
            e = Activation.relu(e.matMul(v(ps, p[2], b, training)).add(v(ps, p[3], b, training)));
            NDArray sr = e.matMul(v(ps, p[4], b, training)).add(v(ps, p[5], b, training));
            NDArray sc = FlowLayer.times(FlowLayer.times(sr, 1f / COUPLING_BOUND).tanh(), COUPLING_BOUND).mul(free);
            NDArray t = e.matMul(v(ps, p[6], b, training)).add(v(ps, p[7], b, training)).mul(free);
            z = z.mul(sc.exp()).add(t);
            logdet = logdet.add(sc.sum(new int[] {1}));
        }
        int kk = k * components;
        Shape mix = new Shape(-1, k, components);
        NDArray logits = o.get(":, " + 2 * k + ":" + (2 * k + kk)).reshape(mix)
                .add(v(ps, mixLogit, b, training)).logSoftmax(2);
        NDArray loc = o.get(":, " + (2 * k + kk) + ":" + (2 * k + 2 * kk)).reshape(mix)
                .add(v(ps, mixLoc, b, training));
        NDArray lsc = FlowLayer.times(FlowLayer.times(o.get(":, " + (2 * k + 2 * kk) + ":" + (2 * k + 3 * kk))
                .reshape(mix).add(v(ps, mixLogScale, b, training)), 1f / SCALE_BOUND).tanh(), SCALE_BOUND);
        NDArray u = z.expandDims(2).sub(loc).mul(lsc.neg().exp());
        NDArray logComp = logits.sub(lsc).sub(FlowLayer.times(u.square(), 0.5f))
                .sub(mgr.full(new Shape(), LN_SQRT_2PI));
        NDArray max = logComp.max(new int[] {2}, true).stopGradient();
        // Far-below components are floored at e^-40 of the best: their share is negligible either way, and
        // subnormal floats in exp() and its gradient slow CPUs down by an order of magnitude.
        NDArray lse = logComp.sub(max).clip(-40f, 0f).exp().sum(new int[] {2}).log().add(max.squeeze(2));
        return lse.sum(new int[] {1}).add(logdet).neg();
    }

    private static NDArray v(ParameterStore ps, Parameter p, NDArray like, boolean training) {
        return FlowLayer.value(ps, p, like, training);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        return new NDList(negLogDensity(ps, inputs.get(0), inputs.get(1), inputs.get(2), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0))};
    }
}
