package org.infometer.estimate.flow;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;

import java.util.SplittableRandom;

/**
 * Per-channel affine normalisation z = (x + bias) * exp(logScale), initialised from data so every channel
 * enters the next layer centred with unit robust spread; log-det is positions * sum(logScale).
 */
final class ActNorm extends FlowLayer {

    private final int channels;
    private final Parameter bias;
    private final Parameter logScale;

    ActNorm(int channels) {
        this.channels = channels;
        bias = addParameter(trainable("bias"));
        logScale = addParameter(trainable("logScale"));
    }

    @Override
    NDList transform(ParameterStore ps, NDArray x, boolean training) {
        NDArray b = value(ps, bias, x, training);
        NDArray ls = value(ps, logScale, x, training);
        NDArray z = x.add(b).mul(ls.exp());
        NDArray logdet = times(ls.sum(), positions(x));
        return new NDList(z, logdet);
    }

    @Override
    void initFromData(NDManager paramManager, NDArray x, SplittableRandom rng) {
        float[][] cols = channelColumns(x);
        float[] b = new float[channels];
        float[] ls = new float[channels];
        for (int c = 0; c < channels; c++) {
            float[] s = sortedCopy(cols[c]);
            b[c] = -quantile(s, 0.5);
            ls[c] = (float) -Math.log(robustScale(s));
        }
        assign(bias, paramManager, b, new Shape(channels));
        assign(logScale, paramManager, ls, new Shape(channels));
    }
}
