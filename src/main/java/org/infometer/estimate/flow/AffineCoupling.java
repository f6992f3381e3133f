package org.infometer.estimate.flow;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;

import java.util.SplittableRandom;

/**
 * Token-granularity affine coupling: one half of the channels (mask = 1) passes unchanged and conditions a
 * two-hidden-layer MLP that scales and shifts the other half, z = x * exp(s) + t with s = b * tanh(raw / b).
 * The bound b keeps exp(s) within [e^-b, e^b] per layer, which is what keeps training on heavy-tailed data
 * from diverging. The output layers start at zero so the layer starts as the identity.
 */
final class AffineCoupling extends FlowLayer {

    private final int d;
    private final int hidden;
    private final int parity;
    private final float bound;
    private final Parameter w1;
    private final Parameter b1;
    private final Parameter w2;
    private final Parameter b2;
    private final Parameter ws;
    private final Parameter bs;
    private final Parameter wt;
    private final Parameter bt;

    AffineCoupling(int channels, int hidden, int parity, double scaleBound) {
        this.d = channels;
        this.hidden = hidden;
        this.parity = parity;
        this.bound = (float) scaleBound;
        w1 = addParameter(trainable("w1"));
        b1 = addParameter(trainable("b1"));
        w2 = addParameter(trainable("w2"));
        b2 = addParameter(trainable("b2"));
        ws = addParameter(trainable("ws"));
        bs = addParameter(trainable("bs"));
        wt = addParameter(trainable("wt"));
        bt = addParameter(trainable("bt"));
    }

    /**
     * Alternate steps fix the first or the second half of the channels. With the identity-initialised mixing in
     * front, the halves of the (X, Y) flow are the X and Y blocks (equal channel counts), so couplings model Y
     * given X and X given Y from the start.
     */
    private float[] maskValues() {
        float[] m = new float[d];
        int half = (d + 1) / 2;
        for (int c = 0; c < d; c++) {
            m[c] = (c < half) == (parity == 0) ? 1f : 0f;
        }
        return m;
    }

    @Override
    NDList transform(ParameterStore ps, NDArray x, boolean training) {
        NDManager m = x.getManager();
        float[] mv = maskValues();
        float[] inv = new float[d];
        for (int c = 0; c < d; c++) {
            inv[c] = 1f - mv[c];
        }
        NDArray mask = m.create(mv).duplicate();
        NDArray free = m.create(inv).duplicate();
        NDArray in = squash(x.mul(mask));
        NDArray h = Activation.relu(in.matMul(value(ps, w1, x, training)).add(value(ps, b1, x, training)));
        h = Activation.relu(h.matMul(value(ps, w2, x, training)).add(value(ps, b2, x, training)));
        NDArray raw = h.matMul(value(ps, ws, x, training)).add(value(ps, bs, x, training));
        NDArray s = times(times(raw, 1f / bound).tanh(), bound).mul(free);
        NDArray t = h.matMul(value(ps, wt, x, training)).add(value(ps, bt, x, training)).mul(free);
        NDArray z = x.mul(s.exp()).add(t);
        return new NDList(z, s.sum(new int[] {1}));
    }

    @Override
    void initFromData(NDManager paramManager, NDArray x, SplittableRandom rng) {
        assign(w1, paramManager, gaussian(rng, d * hidden, Math.sqrt(2.0 / Math.max(1, (d + 1) / 2))),
                new Shape(d, hidden));
        assign(b1, paramManager, new float[hidden], new Shape(hidden));
        assign(w2, paramManager, gaussian(rng, hidden * hidden, Math.sqrt(2.0 / hidden)), new Shape(hidden, hidden));
        assign(b2, paramManager, new float[hidden], new Shape(hidden));
        assign(ws, paramManager, new float[hidden * d], new Shape(hidden, d));
        assign(bs, paramManager, new float[d], new Shape(d));
        assign(wt, paramManager, new float[hidden * d], new Shape(hidden, d));
        assign(bt, paramManager, new float[d], new Shape(d));
    }

    static float[] gaussian(SplittableRandom rng, int n, double sd) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (rng.nextGaussian() * sd);
        }
        return a;
    }
}
