package org.infometer.estimate.flow;

import org.infometer.estimate.SampleCodelengths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Map granularity on a small T x C map: fits, scores finite codelengths, learns, and round-trips. */
class FlowMapGranularityTest {

    @TempDir
    Path tmp;

    @Test
    void smallMapsFitScoreAndRoundTrip() throws Exception {
        // 8 tokens x (3 + 3) channels; Y copies X plus noise so the maps share information.
        List<PairSample> data = SyntheticPairs.warpedGaussian(120, 8, 3, 0.9, 21).samples();
        FlowConfig cfg = FlowConfig.builder(FlowGranularity.MAP).maxEpochs(6).batchSize(16).convChannels(8)
                .flowSteps(2).intraOpThreads(1).device("cpu").build();
        try (FlowPairModel model = FlowTrainer.fit(data.subList(0, 100).iterator(), 3, 3, cfg, 5L, null)) {
            assertEquals("flow-map", model.estimator());
            assertEquals(8, model.summary().mapTokens());
            List<Double> held = model.summary().curves().get("xy").epochs().stream()
                    .map(FlowCurve.Epoch::heldOutBitsPerToken).toList();
            assertTrue(held.get(held.size() - 1) < held.get(0), "held-out loss did not fall: " + held);
            double mi = 0;
            for (PairSample s : data.subList(100, 120)) {
                SampleCodelengths c = model.score(s.x(), s.y(), s.tokens());
                assertTrue(Double.isFinite(c.hxBits()) && Double.isFinite(c.hyBits()) && Double.isFinite(c.hxyBits()));
                mi += c.miBits();
            }
            assertTrue(mi > 0, "maps sharing information should give positive MI, got " + mi);
            FlowModelStore.save(model, tmp, "map-fp");
            PairSample s = data.get(110);
            try (FlowPairModel loaded = FlowModelStore.load(tmp, "map-fp")) {
                assertEquals(model.score(s.x(), s.y(), s.tokens()), loaded.score(s.x(), s.y(), s.tokens()));
            }
        }
    }
}
