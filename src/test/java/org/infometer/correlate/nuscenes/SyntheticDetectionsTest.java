package org.infometer.correlate.nuscenes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SyntheticDetectionsTest {

    private static final SyntheticDetections GEN = new SyntheticDetections(99);
    private static final double[] EGO = {400, 1100, 1.8};

    private static String text(List<? extends Record> boxes) {
        StringBuilder sb = new StringBuilder();
        for (Record r : boxes) {
            for (var c : r.getClass().getRecordComponents()) {
                try {
                    Object v = c.getAccessor().invoke(r);
                    sb.append(v instanceof double[] d ? java.util.Arrays.toString(d) : String.valueOf(v)).append('|');
                } catch (ReflectiveOperationException e) {
                    throw new AssertionError(e);
                }
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    @Test
    void sameKeysSameBoxesAndGroundTruthIgnoresTheRun() {
        var a = GEN.generate("run-a", 1, "scene-1", "sample-7", 0.4, EGO);
        var b = new SyntheticDetections(99).generate("run-a", 1, "scene-1", "sample-7", 0.4, EGO);
        assertEquals(text(a.groundTruth()), text(b.groundTruth()));
        assertEquals(text(a.predictions()), text(b.predictions()));
        var other = GEN.generate("run-b", 5, "scene-1", "sample-7", 0.9, EGO);
        assertEquals(text(a.groundTruth()), text(other.groundTruth()), "ground truth depends on the sample only");
        assertNotEquals(text(a.predictions()), text(other.predictions()));
        assertNotEquals(text(a.groundTruth()), text(GEN.generate("run-a", 1, "scene-1", "sample-8", 0.4, EGO).groundTruth()));
    }

    @Test
    void groundTruthExercisesTheFilters() {
        int zeroPoints = 0;
        int outOfRange = 0;
        int racks = 0;
        Set<DetectionClass> classes = EnumSet.noneOf(DetectionClass.class);
        for (int i = 0; i < 100; i++) {
            SampleInfo s = new SampleInfo("s" + i, "scene", EGO);
            for (GtBox b : GEN.groundTruth(s)) {
                if (b.isBicycleRack()) {
                    racks++;
                    continue;
                }
                classes.add(b.detectionClass());
                zeroPoints += b.numPts() == 0 ? 1 : 0;
                outOfRange += BoxGeometry.egoDistance(b.translation(), EGO) >= b.detectionClass().rangeMeters() ? 1 : 0;
            }
        }
        assertEquals(EnumSet.allOf(DetectionClass.class), classes);
        assertTrue(zeroPoints > 20, "zero-point boxes: " + zeroPoints);
        assertTrue(outOfRange > 50, "out-of-range boxes: " + outOfRange);
        assertTrue(racks >= 5 && racks <= 30, "racks: " + racks);
    }

    @Test
    void accuracyRisesWithQuality() {
        double previousMap = -1;
        double previousNds = -1;
        for (double q : new double[] {0.1, 0.5, 0.9}) {
            List<SampleInfo> samples = new ArrayList<>();
            Map<String, List<GtBox>> gt = new HashMap<>();
            Map<String, List<PredBox>> preds = new HashMap<>();
            for (int i = 0; i < 60; i++) {
                var s = GEN.generate("run", 3, "scene-" + (i / 20), "sample-" + i, q, EGO);
                samples.add(s.sample());
                gt.put(s.sample().sampleToken(), s.groundTruth());
                preds.put(s.sample().sampleToken(), s.predictions());
            }
            DetectionMetrics m = new DetectionEvaluator(SampleMatcher.OverLimit.REJECT)
                    .evaluate(samples, gt, preds, List.of(DetectionEvaluator.Grouping.RUN))
                    .get(new DetectionEvaluator.GroupKey("run", ""));
            assertTrue(m.meanAp() > previousMap + 0.05, "q=" + q + ": " + m);
            assertTrue(m.nds() > previousNds + 0.05, "q=" + q + ": " + m);
            previousMap = m.meanAp();
            previousNds = m.nds();
        }
        assertTrue(previousMap > 0.4, "a good run should score well: " + previousMap);
    }
}
