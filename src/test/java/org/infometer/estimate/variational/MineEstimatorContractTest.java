package org.infometer.estimate.variational;

import org.infometer.estimate.CrossFitEstimatorContractTest;
import org.infometer.estimate.registry.Estimators;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** MINE (Donsker–Varadhan) as a job estimator against the estimator contract, with a small, quickly trained critic. */
class MineEstimatorContractTest extends CrossFitEstimatorContractTest {

    @Override
    protected String estimatorName() {
        return "mine";
    }

    @Override
    protected Map<String, Object> options() {
        return Map.of("hiddenUnits", 16, "steps", 300, "batchSize", 64, "learningRate", 0.005);
    }

    @Override
    protected double invarianceToleranceBitsPerToken() {
        // Standardisation removes scales and offsets exactly, but a reversed channel changes the critic's training
        // path (same initial weights, mirrored input): two trainings of one bound on 480 tokens differ by their
        // optimisation noise, measured at most 0.06 bits/token here.
        return 0.12;
    }

    @Test
    void unknownOptionIsRefusedNamingTheAllowedOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Estimators.create("mine", "token", Map.of("epochs", 3)));
        assertTrue(e.getMessage().contains("'epochs'") && e.getMessage().contains("hiddenUnits, hiddenLayers, steps, "
                + "batchSize, learningRate, emaRate, maxTokensPerFold, seed"), e.getMessage());
    }

    @Test
    void outOfRangeOptionIsRefusedNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Estimators.create("mine", "token", Map.of("batchSize", 1)));
        assertTrue(e.getMessage().contains("batchSize must be in [2, 4096], got 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Estimators.create("mine", "token", Map.of("learningRate", "fast")));
        assertTrue(e.getMessage().contains("learningRate must be a number, got 'fast'"), e.getMessage());
    }

    @Test
    void declaresItsLabelAndDiagnostics() {
        assertEquals("mine", Estimators.spec("mine").label("token"));
        assertEquals(java.util.List.of("token"), Estimators.spec("mine").granularities());
        assertTrue(Estimators.diagnosticColumns().contains(VariationalEstimatorSpec.CEILING));
    }
}
