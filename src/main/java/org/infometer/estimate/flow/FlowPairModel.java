package org.infometer.estimate.flow;

import ai.djl.ndarray.types.Shape;
import org.infometer.estimate.FittedPairModel;
import org.infometer.estimate.SampleCodelengths;

/**
 * InfoMeter pair model: three flows, each an invertible transform (normalisation, LU mixing, affine couplings)
 * followed by a learned mixture entropy model, for X, for Y and for the concatenation (X, Y). A sample's
 * codelengths are -log2 densities including every log-determinant, summed over its tokens, so
 * {@code hX + hY - hXY} estimates the pointwise mutual information in bits.
 *
 * <p>Usage: get one from {@link FlowTrainer#fit}, {@link FlowModelStore#load} or a {@link FlowModelHandle};
 * call {@link #score} per sample (thread-safe); {@link #close()} when done with a model you own (never the shared
 * instance behind a handle: closing that is a no-op).
 *
 * <p>Token granularity scores each token on its own; map granularity scores the whole {@code tokens x channels}
 * map as one image (any token count, though flows are best on the count they were fitted on).
 */
public final class FlowPairModel implements FittedPairModel {

    private static final double LN2 = Math.log(2);

    private final FlowConfig config;
    private final int channelsX;
    private final int channelsY;
    private final long seedKey;
    private final FlowFitSummary summary;
    private final FlowNet flowX;
    private final FlowNet flowY;
    private final FlowNet flowXY;

    FlowPairModel(FlowConfig config, int channelsX, int channelsY, long seedKey, FlowFitSummary summary,
            FlowNet flowX, FlowNet flowY, FlowNet flowXY) {
        this.config = config;
        this.channelsX = channelsX;
        this.channelsY = channelsY;
        this.seedKey = seedKey;
        this.summary = summary;
        this.flowX = flowX;
        this.flowY = flowY;
        this.flowXY = flowXY;
    }

    @Override
    public String estimator() {
        return config.granularity().estimatorName();
    }

    @Override
    public int channelsX() {
        return channelsX;
    }

    @Override
    public int channelsY() {
        return channelsY;
    }

    public FlowConfig config() {
        return config;
    }

    public long seedKey() {
        return seedKey;
    }

    public FlowFitSummary summary() {
        return summary;
    }

    FlowNet[] flows() {
        return new FlowNet[] {flowX, flowY, flowXY};
    }

    @Override
    public SampleCodelengths score(float[] x, float[] y, int tokens) {
        new PairSample(x, y, tokens).check(channelsX, channelsY, 0);
        float[] xy = TrainingBuffer.concatRows(x, channelsX, y, channelsY);
        double hx = flowX.codelengthNats(x, shape(tokens, channelsX)) / LN2;
        double hy = flowY.codelengthNats(y, shape(tokens, channelsY)) / LN2;
        double hxy = flowXY.codelengthNats(xy, shape(tokens, channelsX + channelsY)) / LN2;
        return new SampleCodelengths(hx, hy, hxy);
    }

    private Shape shape(int tokens, int channels) {
        return config.granularity() == FlowGranularity.TOKEN
                ? new Shape(tokens, channels)
                : new Shape(1, 1, tokens, channels);
    }

    @Override
    public void close() {
        flowX.close();
        flowY.close();
        flowXY.close();
    }
}
