package org.infometer.estimate.gaussian;

import org.infometer.estimate.CrossFitEstimatorContractTest;
import org.infometer.estimate.registry.Estimators;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Gaussian estimator against the estimator contract, plus its registry entry. */
class GaussianEstimatorContractTest extends CrossFitEstimatorContractTest {

    @Override
    protected String estimatorName() {
        return "gaussian";
    }

    @Override
    protected Map<String, Object> options() {
        return Map.of();
    }

    @Override
    protected double invarianceToleranceBitsPerToken() {
        // Exact in real arithmetic; the transformed maps are rounded to float once.
        return 1e-4;
    }

    @Test
    void refusesOptionsItDoesNotKnow() {
        String msg = assertThrows(IllegalArgumentException.class,
                () -> Estimators.create("gaussian", "token", Map.of("epochs", 3))).getMessage();
        assertTrue(msg.contains("unknown option 'epochs'") && msg.contains("knows no options"), msg);
    }

    @Test
    void declaresItsLabelAndDiagnostic() {
        assertEquals("gaussian", Estimators.spec("gaussian").label("token"));
        assertEquals(java.util.List.of("model_rank_mean"), Estimators.spec("gaussian").diagnostics());
    }
}
