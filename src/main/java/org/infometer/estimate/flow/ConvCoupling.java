package org.infometer.estimate.flow;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;

import java.util.SplittableRandom;

/**
 * Map-granularity affine coupling on the {@code T x C} map seen as a one-channel image: a checkerboard mask
 * fixes half the cells, and a small convolutional conditioner (3x3, 1x1, 3x3) reads the fixed cells around
 * each free cell (neighbouring tokens and channels) to scale and shift it. The mask is built from the input's
 * size, so one fitted model scores maps of any token count.
 */
final class ConvCoupling extends FlowLayer {

    private final int hidden;
    private final int parity;
    private final float bound;
    private final Parameter c1w;
    private final Parameter c1b;
    private final Parameter c2w;
    private final Parameter c2b;
    private final Parameter csw;
    private final Parameter csb;
    private final Parameter ctw;
    private final Parameter ctb;

    ConvCoupling(int convChannels, int parity, double scaleBound) {
        this.hidden = convChannels;
        this.parity = parity;
        this.bound = (float) scaleBound;
        c1w = addParameter(trainable("c1w"));
        c1b = addParameter(trainable("c1b"));
        c2w = addParameter(trainable("c2w"));
        c2b = addParameter(trainable("c2b"));
        csw = addParameter(trainable("csw"));
        csb = addParameter(trainable("csb"));
        ctw = addParameter(trainable("ctw"));
        ctb = addParameter(trainable("ctb"));
    }

    private NDArray mask(NDArray x) {
        Shape s = x.getShape();
        long t = s.get(2);
        long c = s.get(3);
        NDManager m = x.getManager();
        NDArray rows = m.arange(0f, (float) t, 1f).reshape(t, 1);
        NDArray cols = m.arange(0f, (float) c, 1f).reshape(1, c);
        NDArray parityGrid = rows.add(cols).add((float) parity).mod(2f);
        return parityGrid.eq(0f).toType(DataType.FLOAT32, false).reshape(1, 1, t, c);
    }

    @Override
    NDList transform(ParameterStore ps, NDArray x, boolean training) {
        Shape shape = x.getShape();
        NDArray mask = mask(x);
        NDArray free = mask.neg().add(1f);
        // The conditioner works channels-last, (B, T, C, k): its convolutions are matrix products (MapConv).
        NDArray in = NDArrays.concat(new NDList(squash(x.mul(mask)), x.zerosLike().add(mask)), 1)
                .transpose(0, 2, 3, 1);
        NDArray h = Activation.relu(MapConv.conv3x3(in, value(ps, c1w, x, training), value(ps, c1b, x, training)));
        h = Activation.relu(MapConv.conv1x1(h, value(ps, c2w, x, training), value(ps, c2b, x, training)));
        NDArray raw = MapConv.conv3x3(h, value(ps, csw, x, training), value(ps, csb, x, training)).reshape(shape);
        NDArray s = times(times(raw, 1f / bound).tanh(), bound).mul(free);
        NDArray t = MapConv.conv3x3(h, value(ps, ctw, x, training), value(ps, ctb, x, training)).reshape(shape)
                .mul(free);
        NDArray z = x.mul(s.exp()).add(t);
        return new NDList(z, perObservation(s));
    }

    @Override
    void initFromData(NDManager paramManager, NDArray x, SplittableRandom rng) {
        assign(c1w, paramManager, AffineCoupling.gaussian(rng, hidden * 2 * 9, Math.sqrt(2.0 / 9)),
                new Shape(hidden, 2, 3, 3));
        assign(c1b, paramManager, new float[hidden], new Shape(hidden));
        assign(c2w, paramManager, AffineCoupling.gaussian(rng, hidden * hidden, Math.sqrt(2.0 / hidden)),
                new Shape(hidden, hidden, 1, 1));
        assign(c2b, paramManager, new float[hidden], new Shape(hidden));
        assign(csw, paramManager, new float[hidden * 9], new Shape(1, hidden, 3, 3));
        assign(csb, paramManager, new float[1], new Shape(1));
        assign(ctw, paramManager, new float[hidden * 9], new Shape(1, hidden, 3, 3));
        assign(ctb, paramManager, new float[1], new Shape(1));
    }
}
