package org.infometer.estimate.gaussian;

import org.infometer.estimate.CrossFitEstimator;
import org.infometer.estimate.EstimatorSpec;

import java.util.List;
import java.util.Map;

/** The Gaussian estimator in the registry: token granularity only, no options, the kept rank as diagnostic. */
public final class GaussianEstimatorSpec implements EstimatorSpec {

    /** Mean over folds of the canonical pairs the (X, Y) model kept. */
    public static final String RANK_MEAN = "model_rank_mean";

    @Override
    public String name() {
        return "gaussian";
    }

    @Override
    public List<String> granularities() {
        return List.of("token");
    }

    @Override
    public String label(String granularity) {
        return "gaussian";
    }

    @Override
    public List<String> options() {
        return List.of();
    }

    @Override
    public List<String> diagnostics() {
        return List.of(RANK_MEAN);
    }

    @Override
    public CrossFitEstimator create(String granularity, Map<String, Object> options) {
        refuseUnknownOptions(options);
        return new GaussianEstimator();
    }
}
