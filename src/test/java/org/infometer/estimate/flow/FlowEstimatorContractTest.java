package org.infometer.estimate.flow;

import org.infometer.estimate.CrossFitEstimatorContractTest;
import org.infometer.estimate.registry.Estimators;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The flow estimator (token granularity) against the estimator contract, kept cheap: tiny networks, a few
 * epochs, single-threaded CPU so the partition check can demand identical bits.
 */
class FlowEstimatorContractTest extends CrossFitEstimatorContractTest {

    @AfterAll
    static void closeShared() {
        FlowModelHandle.closeShared();
    }

    @Override
    protected String estimatorName() {
        return "flow";
    }

    @Override
    protected Map<String, Object> options() {
        return Map.of("epochs", 3, "patience", 2, "batchSize", 128, "flowSteps", 2, "hiddenUnits", 8,
                "mixtureComponents", 2, "intraOpThreads", 1, "device", "cpu", "maxTokensPerModel", 400);
    }

    @Override
    protected double invarianceToleranceBitsPerToken() {
        // The quantile map is rank-based: increasing affine maps and permutations leave the ranks as they were,
        // so only float rounding of the transformed maps can move the interpolated scores.
        return 0.02;
    }

    @Override
    protected boolean allowsNegativeScales() {
        return false;
    }

    @Test
    void declaresItsLabels() {
        assertEquals("flow-token", Estimators.spec("flow").label("token"));
        assertEquals("flow-map", Estimators.spec("flow").label("map"));
    }
}
