package org.infometer.estimate.flow;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import java.util.ArrayList;
import java.util.List;

/**
 * One flow: an invertible transform phi (normalisation, then {@code steps} x [LU mixing, normalisation,
 * coupling]) followed by the mixture entropy model. Its forward output is the codelength of each observation in
 * nats, -ln p(phi(x)) - ln|det J_phi(x)|, i.e. change of variables with every layer's log-determinant included.
 */
final class FlowBlock extends AbstractBlock {

    private final FlowSpec spec;
    private final List<FlowLayer> layers = new ArrayList<>();
    private final MixtureDensity density;

    FlowBlock(FlowSpec spec) {
        super((byte) 1);
        this.spec = spec;
        // Named up front because a block restored with loadParameters never runs initialize(), and DJL's
        // Model.save needs one name per stored input shape.
        inputNames = List.of("x");
        int d = spec.channels();
        boolean map = spec.granularity() == FlowGranularity.MAP;
        layers.add(addChildBlock("norm0", new ActNorm(d)));
        if (map || d > 1) {
            for (int i = 1; i <= spec.steps(); i++) {
                if (d > 1) {
                    layers.add(addChildBlock("mix" + i, new LuMixing(d)));
                }
                layers.add(addChildBlock("norm" + i, new ActNorm(d)));
                layers.add(addChildBlock("coupling" + i, map
                        ? new ConvCoupling(spec.convChannels(), (i - 1) % 2, spec.scaleBound())
                        : new AffineCoupling(d, spec.hidden(), (i - 1) % 2, spec.scaleBound())));
            }
        }
        density = addChildBlock("density", new MixtureDensity(d, spec.components()));
    }

    FlowSpec spec() {
        return spec;
    }

    /** Codelength of each observation in nats, shape (B). */
    NDArray codelengthNats(ParameterStore ps, NDArray x, boolean training) {
        NDArray logdet = null;
        for (FlowLayer layer : layers) {
            NDList r = layer.transform(ps, x, training);
            x = r.get(0);
            logdet = logdet == null ? r.get(1) : logdet.add(r.get(1));
        }
        NDArray nll = density.negLogDensity(ps, x, training);
        return logdet == null ? nll : nll.sub(logdet);
    }

    /**
     * Sets every parameter from seeded generators and the init sample as it flows through the layers, so
     * normalisations see the statistics of their real inputs (data-dependent initialisation).
     */
    void initializeFromData(NDManager paramManager, NDArray sample, long seed) {
        try (NDScope scope = new NDScope()) {
            ParameterStore ps = new ParameterStore(paramManager, false);
            NDArray x = sample;
            for (int i = 0; i < layers.size(); i++) {
                FlowLayer layer = layers.get(i);
                layer.initFromData(paramManager, x, FlowSeeds.random(seed, "layer-" + i));
                x = layer.transform(ps, x, false).get(0);
            }
            density.initFromData(paramManager, x, FlowSeeds.random(seed, "density"));
            scope.suppressNotUsedWarning();
        }
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        return new NDList(codelengthNats(ps, inputs.head(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0))};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        for (Block child : getChildren().values()) {
            child.initialize(manager, dataType, inputShapes);
        }
    }
}
