package org.infometer.report;

import org.infometer.estimate.variational.VariationalEstimatorSpec;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The variational bounds' validity checks: InfoNCE's ln K ceiling and a critic that diverged or did not converge. */
class VariationalValidityTest {

    private static Map<String, Double> diagnostics(Double ceilingBits, double diverged, double unconverged) {
        Map<String, Double> d = new HashMap<>();
        d.put(VariationalEstimatorSpec.CEILING, ceilingBits);
        d.put(VariationalEstimatorSpec.DIVERGED, diverged);
        d.put(VariationalEstimatorSpec.UNCONVERGED, unconverged);
        return d;
    }

    @Test
    void infoNceNearItsCeilingIsALowerBoundNotOk() {
        double log2K = 7;   // K = 128
        Validity.Verdict v = Validity.variationalBound(Validity.Verdict.OK, new Estimate(0.81 * log2K, 0.01, 100),
                diagnostics(log2K, 0, 0));
        assertEquals(Validity.Status.UNRELIABLE, v.status());
        assertTrue(v.reason().startsWith("near InfoNCE ceiling ln(K)=4.852 nats (7.000 bits/token, K=128)"),
                v.reason());
        assertTrue(v.reason().contains("a lower bound, the true MI may be larger"), v.reason());
    }

    @Test
    void infoNceWellBelowItsCeilingStaysOk() {
        assertSame(Validity.Verdict.OK, Validity.variationalBound(Validity.Verdict.OK,
                new Estimate(0.79 * 7, 0.01, 100), diagnostics(7.0, 0, 0)));
    }

    @Test
    void divergedCriticFailsAndUnconvergedIsUnreliable() {
        Validity.Verdict v = Validity.variationalBound(Validity.Verdict.OK, new Estimate(1, 0.01, 100),
                diagnostics(null, 1, 2));
        assertEquals(Validity.Status.FAILED, v.status());
        assertTrue(v.reason().contains("diverged (non-finite values) in 1 fold(s)"), v.reason());
        assertTrue(v.reason().contains("did not converge in 2 fold(s)"), v.reason());
    }

    @Test
    void otherEstimatorsAreUntouched() {
        assertSame(Validity.Verdict.OK, Validity.variationalBound(Validity.Verdict.OK, new Estimate(1, 0.01, 100),
                null));
    }
}
