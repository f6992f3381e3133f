package org.infometer.estimate.flow;

import ai.djl.ndarray.types.Shape;
import org.infometer.estimate.FittedPairModel;
import org.infometer.estimate.SampleCodelengths;

/**
 * InfoMeter pair model. Token granularity: the dependence flow ({@link DependenceModel}): per-modality invertible
 * transforms shared by the marginal and joint models, so the marginal terms cancel token by token, and a joint
 * entropy model that learns only the dependence (Gaussian canonical pairs, plus a conditional flow when held-out
 * data pays for it). Map granularity: three flows, each an invertible transform (normalisation, LU mixing,
 * convolutional couplings) followed by a learned mixture entropy model, for X, for Y and for the concatenation
 * (X, Y). Either way a sample's codelengths are -log2 densities including every log-determinant, summed over
 * its tokens, so {@code hX + hY - hXY} estimates the pointwise mutual information in bits.
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
    private final DependenceModel dependence;

    FlowPairModel(FlowConfig config, long seedKey, FlowFitSummary summary, DependenceModel dependence) {
        this.config = config;
        this.channelsX = dependence.channelsX();
        this.channelsY = dependence.channelsY();
        this.seedKey = seedKey;
        this.summary = summary;
        this.flowX = null;
        this.flowY = null;
        this.flowXY = null;
        this.dependence = dependence;
    }

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
        this.dependence = null;
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

    /** The three flows of a map-granularity model (none for the dependence flow). */
    FlowNet[] flows() {
        return dependence != null ? new FlowNet[0] : new FlowNet[] {flowX, flowY, flowXY};
    }

    /** The dependence flow of a token-granularity model, or null. */
    DependenceModel dependence() {
        return dependence;
    }

    @Override
    public SampleCodelengths score(float[] x, float[] y, int tokens) {
        new PairSample(x, y, tokens).check(channelsX, channelsY, 0);
        if (dependence != null) {
            return dependence.score(x, y, tokens);
        }
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
        if (dependence != null) {
            dependence.close();
            return;
        }
        flowX.close();
        flowY.close();
        flowXY.close();
    }
}
