package org.infometer.estimate.flow;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Invertible channel mixing z = W x with W = P L (U + diag(sign * exp(logS))): P a fixed permutation, L unit
 * lower-triangular, U strictly upper-triangular. det W = prod(sign * exp(logS)), so the log-det is exact and
 * costs O(D) instead of an O(D^3) determinant. It starts as the identity (P = I, L = I, U = 0, logS = 0),
 * not a random rotation or permutation: channels stay whole, so per-channel structure (separated modes,
 * per-channel warps) stays visible to the factorised entropy model, and in the (X, Y) flow the X block and the Y
 * block stay where the couplings' half masks expect them, so couplings condition Y on X and X on Y, which is the
 * dependence the mutual information measures. L and U then add whatever mixing the likelihood asks for. P stays
 * a stored constant so other initialisations remain loadable.
 */
final class LuMixing extends FlowLayer {

    private final int d;
    private final Parameter perm;
    private final Parameter sign;
    private final Parameter lower;
    private final Parameter upper;
    private final Parameter logS;

    LuMixing(int channels) {
        this.d = channels;
        perm = addParameter(constant("perm"));
        sign = addParameter(constant("sign"));
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
        NDArray diag = value(ps, sign, like, training).mul(value(ps, logS, like, training).exp());
        NDArray u = upperMask.mul(value(ps, upper, like, training)).add(eye.mul(diag));
        return value(ps, perm, like, training).matMul(l.matMul(u));
    }

    @Override
    NDList transform(ParameterStore ps, NDArray x, boolean training) {
        NDArray w = weight(ps, x, training);
        NDArray z = x.matMul(w.transpose());
        NDArray logdet = times(value(ps, logS, x, training).sum(), positions(x));
        return new NDList(z, logdet);
    }

    @Override
    void initFromData(NDManager paramManager, NDArray x, SplittableRandom rng) {
        float[] p = new float[d * d];
        for (int i = 0; i < d; i++) {
            p[i * d + i] = 1f;
        }
        float[] sg = new float[d];
        Arrays.fill(sg, 1f);
        assign(perm, paramManager, p, new Shape(d, d));
        assign(sign, paramManager, sg, new Shape(d));
        assign(lower, paramManager, new float[d * d], new Shape(d, d));
        assign(upper, paramManager, new float[d * d], new Shape(d, d));
        assign(logS, paramManager, new float[d], new Shape(d));
    }
}
