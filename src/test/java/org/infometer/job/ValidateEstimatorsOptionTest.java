package org.infometer.job;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code validate --estimators}: the variational bounds are accepted, the default stays gaussian and flow. */
class ValidateEstimatorsOptionTest {

    @Test
    void acceptsAllFourAndKeepsTheDefault() {
        ValidateJob.Options all = ValidateJob.Options.parse(new ArrayList<>(List.of("--estimators",
                "gaussian,flow,mine,infonce", "--tasks", "quick")));
        assertEquals(List.of("gaussian", "flow", "mine", "infonce"), all.estimators());
        ValidateJob.Options dflt = ValidateJob.Options.parse(new ArrayList<>(List.of("--tasks", "quick")));
        assertEquals(List.of("gaussian", "flow"), dflt.estimators());
    }

    @Test
    void refusesAnUnknownEstimatorNamingTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ValidateJob.Options.parse(
                new ArrayList<>(List.of("--estimators", "gaussian,knn"))));
        assertTrue(e.getMessage().contains("gaussian, flow, mine, infonce") && e.getMessage().contains("knn"),
                e.getMessage());
    }
}
