package org.infometer.estimate.flow;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import java.util.SplittableRandom;

/**
 * Factorised entropy model on the flow's output: per channel, a mixture of K Student-t components with learned
 * weights, locations, scales and degrees of freedom. Several components give several modes; the learned
 * degrees of freedom (0.5 to 1000) span Cauchy-like tails down to an almost Gaussian shape, which a mixture of
 * Gaussians or logistics can only mimic with many components.
 *
 * <p>{@link #negLogDensity} returns nats per observation, summed over channels and positions.
 */
final class MixtureDensity extends AbstractBlock {

    private static final float LOG_NU_MIN = (float) Math.log(0.5);
    private static final float LOG_NU_MAX = (float) Math.log(1000);
    private static final float INIT_NU = 5f;

    private final int d;
    private final int k;
    private final Parameter logits;
    private final Parameter loc;
    private final Parameter logScale;
    private final Parameter logNu;

    MixtureDensity(int channels, int components) {
        super((byte) 1);
        this.d = channels;
        this.k = components;
        logits = addParameter(FlowLayer.trainable("logits"));
        loc = addParameter(FlowLayer.trainable("loc"));
        logScale = addParameter(FlowLayer.trainable("logScale"));
        logNu = addParameter(FlowLayer.trainable("logNu"));
    }

    NDArray negLogDensity(ParameterStore ps, NDArray x, boolean training) {
        NDArray lw = FlowLayer.value(ps, logits, x, training).logSoftmax(1);
        NDArray mu = FlowLayer.value(ps, loc, x, training);
        NDArray ls = FlowLayer.value(ps, logScale, x, training);
        NDArray nu = FlowLayer.value(ps, logNu, x, training).clip(LOG_NU_MIN, LOG_NU_MAX).exp();
        NDArray half = FlowLayer.times(nu.add(1f), 0.5f);
        // Per-component constant: log weight + log normaliser of a Student-t with scale exp(ls).
        NDArray c = lw.add(half.gammaln()).sub(FlowLayer.times(nu, 0.5f).gammaln())
                .sub(FlowLayer.times(FlowLayer.times(nu, (float) Math.PI).log(), 0.5f)).sub(ls);
        int nd = x.getShape().dimension();
        NDArray u = x.expandDims(nd).sub(mu).mul(ls.neg().exp());
        NDArray logComp = c.sub(u.square().div(nu).add(1f).log().mul(half));
        NDArray max = logComp.max(new int[] {nd}, true).stopGradient();
        // Components more than e^40 below the best one are floored there: their share of the density is below
        // 1e-17 either way, and left alone their exp() and gradients become subnormal floats, which CPUs process
        // up to a hundred times slower (fits and scoring slowed down by 10x on such data).
        NDArray shifted = logComp.sub(max).clip(-40f, 0f);
        NDArray lse = shifted.exp().sum(new int[] {nd}).log().add(max.squeeze(nd));
        return FlowLayer.perObservation(lse).neg();
    }

    void initFromData(NDManager paramManager, NDArray x, SplittableRandom rng) {
        float[][] cols = FlowLayer.channelColumns(x);
        float[] mu = new float[d * k];
        float[] ls = new float[d * k];
        float[] nu = new float[d * k];
        for (int c = 0; c < d; c++) {
            float[] s = FlowLayer.sortedCopy(cols[c]);
            // Spreading the components over the quantiles lets separated modes each claim one from the start.
            double scale = FlowLayer.robustScale(s) * (k == 1 ? 1.0 : 0.5);
            for (int j = 0; j < k; j++) {
                mu[c * k + j] = FlowLayer.quantile(s, (j + 0.5) / k);
                ls[c * k + j] = (float) Math.log(scale);
                nu[c * k + j] = (float) Math.log(INIT_NU);
            }
        }
        FlowLayer.assign(logits, paramManager, new float[d * k], new Shape(d, k));
        FlowLayer.assign(loc, paramManager, mu, new Shape(d, k));
        FlowLayer.assign(logScale, paramManager, ls, new Shape(d, k));
        FlowLayer.assign(logNu, paramManager, nu, new Shape(d, k));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        return new NDList(negLogDensity(ps, inputs.head(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0))};
    }
}
