package org.infometer.estimate.flow;

import java.util.List;

/** Development harness: fits one synthetic case and prints timings and estimates. */
public final class FlowDev {
    public static void main(String[] args) {
        String which = args[0];
        int samples = Integer.parseInt(args[1]);
        int epochs = Integer.parseInt(args[2]);
        int threads = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        int tokens = 100;
        SyntheticPairs.Case c;
        switch (which) {
            case "warp": c = SyntheticPairs.warpedGaussian(samples, tokens, 4, 0.8, 1); break;
            case "t": c = SyntheticPairs.studentT(samples, tokens, 4, 4, Integer.getInteger("nu", 2), 2); break;
            default: c = SyntheticPairs.mixture(samples, tokens, 4, 0.3, 0.5, 3); break;
        }
        int nTest = samples / 5;
        List<PairSample> test = c.samples().subList(0, nTest);
        List<PairSample> train = c.samples().subList(nTest, samples);
        FlowConfig cfg = FlowConfig.builder(FlowGranularity.TOKEN).maxEpochs(epochs).patience(Integer.getInteger("pat", 4))
                .flowSteps(Integer.getInteger("fs", 4)).hiddenUnits(Integer.getInteger("hid", 64))
                .batchSize(Integer.getInteger("bs", 512)).learningRate(Double.parseDouble(System.getProperty("lr", "2e-3")))
                .mixtureComponents(Integer.getInteger("k", 8)).scaleBound(Double.parseDouble(System.getProperty("sb", "2")))
                .intraOpThreads(threads).device("cpu").build();
        long t0 = System.nanoTime();
        try (FlowPairModel m = FlowTrainer.fit(train.iterator(), c.dx(), c.dy(), cfg, 42L,
                (f, e, tr, h) -> { if (e % 5 == 0) System.out.printf("%s %d train %.4f held %.4f  t=%.1fs%n", f, e, tr, h,
                        (System.nanoTime() - t0) / 1e9); })) {
            m.summary().curves().forEach((k, v) -> System.out.printf("%s best %d %.4f %s%n", k, v.bestEpoch(), v.bestHeldOutBitsPerToken(), v.stopReason()));
            double fit = (System.nanoTime() - t0) / 1e9;
            long t1 = System.nanoTime();
            double mi = SyntheticPairs.meanMiBitsPerToken(m, test);
            double apply = (System.nanoTime() - t1) / 1e9;
            System.out.printf("%s truth %.4f flow %.4f heldout-mi %.4f gauss %.4f  fit %.1fs apply %.2fs%n", c.name(),
                    c.truthBits(), mi, m.summary().heldOutMiBitsPerToken(),
                    SyntheticPairs.gaussianMiBits(test, c.dx(), c.dy()), fit, apply);
        }
    }
}
