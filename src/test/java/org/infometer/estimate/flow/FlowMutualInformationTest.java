package org.infometer.estimate.flow;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * On synthetic pairs with known mutual information where a Gaussian model is wrong, the flow estimate (fitted on
 * one part, scored out of sample on another) is within max(0.1 bits, 10%) of the truth and the Gaussian plug-in
 * estimate on the same held-out data is not. 4 + 4 channels, 50,000 fitting tokens (15% of them held out for early stopping), 8,000 scored tokens.
 */
class FlowMutualInformationTest {

    private static final int TOKENS = 100;
    private static final int FIT_SAMPLES = 500;
    private static final int TEST_SAMPLES = 80;

    /** Epoch caps per case keep the three fits within about a minute of CPU time together. */
    static FlowConfig config(int maxEpochs) {
        return FlowConfig.builder(FlowGranularity.TOKEN).batchSize(1024).learningRate(3e-3).maxEpochs(maxEpochs)
                .patience(6).intraOpThreads(1).device("cpu").build();
    }

    @Test
    void warpedGaussianKeepsMiWhileGaussianEstimateDrops() {
        check(SyntheticPairs.warpedGaussian(FIT_SAMPLES + TEST_SAMPLES, TOKENS, 4, 0.8, 11), 25);
    }

    @Test
    void studentTIsUncorrelatedYetDependent() {
        check(SyntheticPairs.studentT(FIT_SAMPLES + TEST_SAMPLES, TOKENS, 4, 4, 3, 12), 40);
    }

    @Test
    void bimodalSignalInGaussianNoise() {
        check(SyntheticPairs.mixture(FIT_SAMPLES + TEST_SAMPLES, TOKENS, 4, 0.3, 0.5, 13), 20);
    }

    private static void check(SyntheticPairs.Case c, int maxEpochs) {
        List<PairSample> fit = c.samples().subList(0, FIT_SAMPLES);
        List<PairSample> test = c.samples().subList(FIT_SAMPLES, FIT_SAMPLES + TEST_SAMPLES);
        long start = System.nanoTime();
        try (FlowPairModel model = FlowTrainer.fit(fit.iterator(), c.dx(), c.dy(), config(maxEpochs), 2024L, null)) {
            double flow = SyntheticPairs.meanMiBitsPerToken(model, test);
            double gauss = SyntheticPairs.gaussianMiBits(test, c.dx(), c.dy());
            double tol = Math.max(0.1, 0.1 * c.truthBits());
            System.out.printf("%s: truth %.4f flow %.4f gaussian %.4f bits/token (tolerance %.3f, %.1f s, epochs %s)%n",
                    c.name(), c.truthBits(), flow, gauss, tol, (System.nanoTime() - start) / 1e9,
                    model.summary().curves().values().stream().map(v -> v.epochs().size() + "").toList());
            assertTrue(Math.abs(flow - c.truthBits()) <= tol, () -> String.format(
                    "%s: flow MI %.4f bits/token is not within %.3f of the truth %.4f", c.name(), flow, tol,
                    c.truthBits()));
            assertTrue(Math.abs(gauss - c.truthBits()) > tol, () -> String.format(
                    "%s: Gaussian MI %.4f bits/token is within %.3f of the truth %.4f; the case does not separate",
                    c.name(), gauss, tol, c.truthBits()));
        }
    }
}
