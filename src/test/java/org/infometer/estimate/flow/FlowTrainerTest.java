package org.infometer.estimate.flow;

import ai.djl.engine.Engine;
import org.infometer.estimate.SampleCodelengths;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Determinism, buffering, progress reporting and validation of the trainer; the engine it runs on. */
class FlowTrainerTest {

    private static FlowConfig small() {
        return FlowConfig.builder(FlowGranularity.TOKEN).maxEpochs(3).batchSize(256).intraOpThreads(1)
                .device("cpu").build();
    }

    private static List<PairSample> data() {
        return SyntheticPairs.studentT(30, 40, 3, 2, 3, 8).samples();
    }

    @Test
    void engineIsPyTorchFromTheClasspathJarOffline() {
        FlowEngine.engine();
        assertEquals("true", System.getProperty("ai.djl.offline"));
        assertEquals("PyTorch", Engine.getEngine("PyTorch").getEngineName());
        assertEquals("2.5.1", FlowEngine.pytorchVersion());
        assertEquals("cpu()", FlowDevices.resolve("auto").toString().toLowerCase());
    }

    @Test
    void sameKeyGivesIdenticalCodelengthsAndOtherKeyDoesNot() {
        List<PairSample> d = data();
        PairSample probe = d.get(0);
        SampleCodelengths a;
        SampleCodelengths b;
        SampleCodelengths c;
        try (FlowPairModel m = FlowTrainer.fit(d.iterator(), 3, 2, small(), 7L, null)) {
            a = m.score(probe.x(), probe.y(), probe.tokens());
        }
        try (FlowPairModel m = FlowTrainer.fit(d.iterator(), 3, 2, small(), 7L, null)) {
            b = m.score(probe.x(), probe.y(), probe.tokens());
        }
        try (FlowPairModel m = FlowTrainer.fit(d.iterator(), 3, 2, small(), 8L, null)) {
            c = m.score(probe.x(), probe.y(), probe.tokens());
        }
        assertEquals(a, b);
        assertNotEquals(a, c);
    }

    @Test
    void progressIsReportedPerFlowAndEpoch() {
        List<String> calls = new ArrayList<>();
        // Enough samples for the conditional flow to be trained: 300 samples x 10 tokens.
        try (FlowPairModel m = FlowTrainer.fit(SyntheticPairs.studentT(300, 10, 3, 2, 3, 8).samples().iterator(), 3,
                2, small(), 1L, (flow, epoch, train, held) -> {
                    assertTrue(Double.isFinite(train) && Double.isFinite(held));
                    calls.add(flow + epoch);
                })) {
            // Token granularity trains one network, the dependence flow.
            assertEquals(List.of("dependence1", "dependence2", "dependence3"), calls);
            FlowFitSummary s = m.summary();
            assertEquals(300, s.samplesSeen());
            assertEquals(3000, s.tokensSeen());
            assertEquals(s.tokensBuffered(), s.trainObservations() + s.heldOutObservations());
            assertTrue(s.heldOutObservations() > 0);
            assertTrue(s.curves().get("dependence").stopReason().startsWith("max-epochs"),
                    s.curves().get("dependence").stopReason());
            assertTrue(Double.isFinite(s.heldOutMiBitsPerToken()));
        }
    }

    @Test
    void bufferKeepsAtMostTheConfiguredTokensAsAReservoir() {
        TrainingBuffer buffer = new TrainingBuffer(FlowGranularity.TOKEN, 3, 2, 500, 3L);
        buffer.addAll(data().iterator());
        assertEquals(500, buffer.tokensBuffered());
        assertEquals(1200, buffer.tokensSeen());
        // A reservoir, not the first 500 tokens: later samples are represented too.
        assertTrue(buffer.samplesBuffered() > 500 / 40 + 1, "samples kept: " + buffer.samplesBuffered());
        TrainingBuffer[] again = {new TrainingBuffer(FlowGranularity.TOKEN, 3, 2, 500, 3L)};
        again[0].addAll(data().iterator());
        TrainingBuffer.Part[] p = buffer.split(0.2, 3L);
        TrainingBuffer.Part[] q = again[0].split(0.2, 3L);
        assertArrayEquals(p[0].x(), q[0].x());
        assertArrayEquals(p[1].y(), q[1].y());
    }

    @Test
    void mapBufferRefusesMixedTokenCounts() {
        TrainingBuffer buffer = new TrainingBuffer(FlowGranularity.MAP, 1, 1, 100, 3L);
        buffer.add(new PairSample(new float[4], new float[4], 4));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> buffer.add(new PairSample(new float[5], new float[5], 5)));
        assertTrue(e.getMessage().contains("sample #1 has 5 tokens"), e.getMessage());
    }

    @Test
    void samplesOfTheWrongSizeAreRejectedWithTheirIndex() {
        Iterator<PairSample> it = List.of(new PairSample(new float[6], new float[4], 2),
                new PairSample(new float[5], new float[4], 2)).iterator();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FlowTrainer.fit(it, 3, 2, small(), 1L, null));
        assertTrue(e.getMessage().startsWith("Sample #1 has x.length=5"), e.getMessage());
    }

    @Test
    void configIsValidatedWithTheFieldName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FlowConfig.builder(FlowGranularity.TOKEN).learningRate(0).build());
        assertTrue(e.getMessage().contains("learningRate"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> FlowConfig.builder(FlowGranularity.TOKEN).maxEpochs(0).build());
        assertTrue(e.getMessage().contains("maxEpochs"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> FlowConfig.builder(FlowGranularity.MAP).device("tpu").build());
        assertTrue(e.getMessage().contains("device"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> FlowConfig.builder(FlowGranularity.TOKEN).heldOutFraction(0.9).build());
        assertTrue(e.getMessage().contains("heldOutFraction"), e.getMessage());
        assertEquals(FlowGranularity.MAP, FlowGranularity.parse("flow-map"));
    }
}
