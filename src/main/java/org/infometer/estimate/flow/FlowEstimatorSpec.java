package org.infometer.estimate.flow;

import org.infometer.estimate.CrossFitEstimator;
import org.infometer.estimate.EstimatorSpec;

import java.util.List;
import java.util.Map;

/** The learned (flow) estimator in the registry: token or map granularity, options in {@link FlowJobOptions}. */
public final class FlowEstimatorSpec implements EstimatorSpec {

    @Override
    public String name() {
        return "flow";
    }

    @Override
    public List<String> granularities() {
        return List.of("token", "map");
    }

    @Override
    public String label(String granularity) {
        return FlowGranularity.parse(granularity).estimatorName();
    }

    @Override
    public List<String> options() {
        return FlowJobOptions.KNOWN;
    }

    @Override
    public List<String> diagnostics() {
        return List.of();
    }

    @Override
    public CrossFitEstimator create(String granularity, Map<String, Object> options) {
        return FlowEstimator.fromJob(granularity, options);
    }
}
