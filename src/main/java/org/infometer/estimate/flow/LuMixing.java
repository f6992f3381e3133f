package org.infometer.estimate.flow;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;

import java.util.SplittableRandom;

/**
 * Invertible channel mixing z = W x with W = L (U + diag(exp(logS))): L unit lower-triangular, U strictly
 * upper-triangular. det W = prod(exp(logS)), so the log-determinant is exact and costs O(D) instead of an O(D^3)
 * determinant. It starts as the identity (L = I, U = 0, logS = 0), not a random rotation or permutation:
 * channels stay whole, so per-channel structure (separated modes, per-channel warps) stays visible to the
 * factorised entropy model, and in the (X, Y) flow the X block and the Y block stay where the couplings' half
 * masks expect them, so couplings model Y given X and X given Y, the dependence mutual information measures.
 * L and U then add whatever mixing the likelihood asks for. (A permutation factor P would be the identity under
 * this initialisation, so it is left out rather than paid for as a D x D product on every step.)
 */
final class LuMixing extends FlowLayer {

    private final int d;
    private final Parameter lower;
    private final Parameter upper;
    private final Parameter logS;

    LuMixing(int channels) {
        this.d = channels;
        lower = addParameter(trainable("lower"));
        upper = addParameter(trainable("upper"));
        logS = addParameter(trainable("logS"));
    }

    NDArray weight(ParameterStore ps, NDArray like, boolean training) {
        NDManager m = like.getManager();
        NDArray idx = m.arange(0f, (float) d, 1f);
        NDArray rows = idx.reshape(d, 1);
        NDArray cols = idx.reshape(1, d);
        NDArray lowerMask = rows.gt(cols).toType(DataType.FLOAT32, false);
        NDArray upperMask = rows.lt(cols).toType(DataType.FLOAT32, false);
        NDArray eye = m.eye(d);
        NDArray l = lowerMask.mul(value(ps, lower, like, training)).add(eye);
        NDArray u = upperMask.mul(value(ps, upper, like, training))
                .add(eye.mul(value(ps, logS, like, training).exp()));
        return l.matMul(u);
    }

    @Override
    NDList transform(ParameterStore ps, NDArray x, boolean training) {
        NDArray wt = ps instanceof FrozenParameterStore frozen
                ? frozen.derived(this, "weightT", () -> weight(ps, x, false).transpose().duplicate())
                : weight(ps, x, training).transpose();
        NDArray z = x.matMul(wt);
        NDArray logdet = times(value(ps, logS, x, training).sum(), positions(x));
        return new NDList(z, logdet);
    }

    @Override
    void initFromData(NDManager paramManager, NDArray x, SplittableRandom rng) {
        assign(lower, paramManager, new float[d * d], new Shape(d, d));
        assign(upper, paramManager, new float[d * d], new Shape(d, d));
        assign(logS, paramManager, new float[d], new Shape(d));
    }
}
