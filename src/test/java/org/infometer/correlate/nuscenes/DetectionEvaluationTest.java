package org.infometer.correlate.nuscenes;

import static org.infometer.correlate.nuscenes.DetectionClass.BARRIER;
import static org.infometer.correlate.nuscenes.DetectionClass.BICYCLE;
import static org.infometer.correlate.nuscenes.DetectionClass.CAR;
import static org.infometer.correlate.nuscenes.DetectionClass.MOTORCYCLE;
import static org.infometer.correlate.nuscenes.DetectionClass.PEDESTRIAN;
import static org.infometer.correlate.nuscenes.DetectionClass.TRAFFIC_CONE;
import static org.infometer.correlate.nuscenes.DetectionClass.TRUCK;
import static org.infometer.correlate.nuscenes.Fixtures.apFromPrecision;
import static org.infometer.correlate.nuscenes.Fixtures.evaluateRun;
import static org.infometer.correlate.nuscenes.Fixtures.gt;
import static org.infometer.correlate.nuscenes.Fixtures.pred;
import static org.infometer.correlate.nuscenes.Fixtures.rack;
import static org.infometer.correlate.nuscenes.Fixtures.sample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Hand-built cases; every expected figure is worked out in the test from the protocol, not taken from the code. */
class DetectionEvaluationTest {

    private static final double EPS = 1e-12;

    private static void assertAllThresholds(DetectionMetrics m, DetectionClass c, double ap) {
        for (int t = 0; t < 4; t++) {
            assertEquals(ap, m.ap(c, t), EPS, c.id() + " at " + DetectionConfig.DIST_THRESHOLDS[t] + " m");
        }
    }

    @Test
    void perfectDetectionsScoreOneForPresentClassesAndDevkitMeansOverTen() {
        List<GtBox> g = List.of(gt("s1", 0, CAR, 10, 0), gt("s1", 1, CAR, 20, 0), gt("s1", 2, PEDESTRIAN, 5, 5));
        List<PredBox> p = List.of(pred("s1", 0, CAR, 10, 0, 0.9), pred("s1", 1, CAR, 20, 0, 0.8),
                pred("s1", 2, PEDESTRIAN, 5, 5, 0.7));
        DetectionMetrics m = evaluateRun(List.of(sample("s1")), g, p);

        assertAllThresholds(m, CAR, 1.0);
        assertAllThresholds(m, PEDESTRIAN, 1.0);
        assertAllThresholds(m, TRUCK, 0.0);
        for (TpMetric t : TpMetric.values()) {
            assertEquals(0.0, m.tpError(CAR, t), EPS);
            assertEquals(0.0, m.tpError(PEDESTRIAN, t), EPS);
        }
        assertEquals(2, m.nClassesPresent());
        assertEquals(2.0 / 10, m.meanAp(), EPS);
        assertEquals(1.0, m.meanApPresentClasses(), EPS);

        // Absent classes have TP errors 1; cones report only trans and scale, barriers no vel and attr.
        double trans = 8.0 / 10; // 2 zeros, 8 ones
        double orient = 7.0 / 9; // cone excluded
        double vel = 6.0 / 8; // cone and barrier excluded
        double[] errors = m.tpErrors();
        assertEquals(trans, errors[TpMetric.TRANS.ordinal()], EPS);
        assertEquals(trans, errors[TpMetric.SCALE.ordinal()], EPS);
        assertEquals(orient, errors[TpMetric.ORIENT.ordinal()], EPS);
        assertEquals(vel, errors[TpMetric.VEL.ordinal()], EPS);
        assertEquals(vel, errors[TpMetric.ATTR.ordinal()], EPS);
        double nds = (5 * 0.2 + (1 - trans) * 2 + (1 - orient) + (1 - vel) * 2) / 10;
        assertEquals(nds, m.nds(), EPS);
        assertEquals(1.0, m.ndsPresentClasses(), EPS);
        assertTrue(Double.isNaN(m.tpError(TRAFFIC_CONE, TpMetric.ORIENT)));
        assertTrue(Double.isNaN(m.tpError(BARRIER, TpMetric.VEL)));
        assertEquals(1.0, m.tpError(BARRIER, TpMetric.ORIENT), 0);
    }

    @Test
    void allMissesScoreZeroApAndUnitErrors() {
        List<GtBox> g = List.of(gt("s1", 0, CAR, 10, 0));
        List<PredBox> p = List.of(pred("s1", 0, CAR, 30, 0, 0.9), pred("s1", 1, PEDESTRIAN, 10, 0, 0.9));
        DetectionMetrics m = evaluateRun(List.of(sample("s1")), g, p);
        assertAllThresholds(m, CAR, 0.0);
        for (TpMetric t : TpMetric.values()) {
            assertEquals(1.0, m.tpError(CAR, t), 0);
        }
        assertEquals(0.0, m.meanAp(), 0);
        assertEquals(0.0, m.nds(), EPS);
        assertEquals(List.of(CAR), m.presentClasses());
    }

    @Test
    void classWithoutGroundTruthScoresZeroAndIsNotPresent() {
        List<GtBox> g = List.of(gt("s1", 0, CAR, 10, 0));
        List<PredBox> p = List.of(pred("s1", 0, CAR, 10, 0, 0.9), pred("s1", 1, TRUCK, 15, 0, 0.95));
        DetectionMetrics m = evaluateRun(List.of(sample("s1")), g, p);
        assertEquals(0, m.npos(TRUCK));
        assertAllThresholds(m, TRUCK, 0.0);
        assertEquals(1.0, m.tpError(TRUCK, TpMetric.TRANS), 0);
        assertAllThresholds(m, CAR, 1.0);
        assertEquals(1.0, m.meanApPresentClasses(), EPS);
        assertEquals(0.1, m.meanAp(), EPS);
    }

    /**
     * Two cars; predictions B (FP, 20 m from anything) and A (TP) tie at 0.5, C (TP) scores 0.4. The later
     * box of a tie goes first, as in the devkit.
     */
    @Test
    void scoreTiesGoToTheLaterBoxAndRepeatedRecallTakesTheLastPrecision() {
        List<GtBox> g = List.of(gt("s1", 0, CAR, 10, 0), gt("s1", 1, CAR, 20, 0));

        // A index 0, B index 1: order B, A, C -> prec 0, 1/2, 2/3 at rec 0, 1/2, 1.
        List<PredBox> bFirst = List.of(pred("s1", 0, CAR, 10, 0, 0.5), pred("s1", 1, CAR, 40, 0, 0.5),
                pred("s1", 2, CAR, 20, 0, 0.4));
        double apBFirst = apFromPrecision(i -> {
            double r = i / 100.0;
            return r <= 0.5 ? r : 0.5 + (r - 0.5) / 3; // straight lines 0 -> 1/2 -> 2/3, no envelope
        });
        DetectionMetrics m1 = evaluateRun(List.of(sample("s1")), g, bFirst);
        assertAllThresholds(m1, CAR, apBFirst);
        assertEquals(32.45 / 90 / 0.9, apBFirst, 1e-12);

        // A index 1, B index 0: order A, B, C -> prec 1, 1/2, 2/3 at rec 1/2, 1/2, 1. Below recall 1/2 the
        // first precision (1) holds; at 1/2 the repeated recall gives the last of its run (1/2).
        List<PredBox> aFirst = List.of(pred("s1", 1, CAR, 10, 0, 0.5), pred("s1", 0, CAR, 40, 0, 0.5),
                pred("s1", 2, CAR, 20, 0, 0.4));
        double apAFirst = apFromPrecision(i -> {
            double r = i / 100.0;
            return r < 0.5 ? 1.0 : 0.5 + (r - 0.5) / 3;
        });
        DetectionMetrics m2 = evaluateRun(List.of(sample("s1")), g, aFirst);
        assertAllThresholds(m2, CAR, apAFirst);
        assertEquals(59.75 / 90 / 0.9, apAFirst, 1e-12);
    }

    @Test
    void tiesAcrossSamplesPutTheLaterSampleFirst() {
        // s1 holds a TP, s2 a FP, same score. With sample indices (file order) s2 later -> FP first.
        List<GtBox> g = List.of(gt("s1", 0, CAR, 10, 0));
        PredBox tp = pred("s1", 0, CAR, 10, 0, 0.5).withIndices(0, 0);
        PredBox fp = pred("s2", 0, CAR, 10, 0, 0.5).withIndices(1, 0);
        DetectionMetrics m = evaluateRun(List.of(sample("s1"), sample("s2")), g, List.of(tp, fp));
        // order FP, TP: prec 0, 1/2 at rec 0, 1 -> p(r) = r / 2
        assertAllThresholds(m, CAR, apFromPrecision(i -> (i / 100.0) / 2));
        // Swap file order: TP first -> prec 1, 1/2 both at rec 1: below recall 1 the first precision holds,
        // at recall 1 the last of the run.
        DetectionMetrics m2 = evaluateRun(List.of(sample("s1"), sample("s2")), g,
                List.of(tp.withIndices(1, 0), fp.withIndices(0, 0)));
        assertAllThresholds(m2, CAR, apFromPrecision(i -> i < 100 ? 1.0 : 0.5));
        assertEquals((89 * 0.9 + 0.4) / 90 / 0.9, m2.classAp(CAR), EPS);
    }

    @Test
    void distanceThresholdIsStrict() {
        List<GtBox> g = List.of(gt("s1", 0, CAR, 10, 0));
        // 0.5 m exactly: a miss at 0.5, a match at 1, 2, 4.
        DetectionMetrics atHalf = evaluateRun(List.of(sample("s1")), g, List.of(pred("s1", 0, CAR, 10, 0.5, 0.9)));
        assertEquals(0.0, atHalf.ap(CAR, 0), 0);
        assertEquals(1.0, atHalf.ap(CAR, 1), EPS);
        assertEquals(0.75, atHalf.classAp(CAR), EPS);
        assertEquals(0.5, atHalf.tpError(CAR, TpMetric.TRANS), EPS);
        // Just inside: a match everywhere.
        DetectionMetrics inside = evaluateRun(List.of(sample("s1")), g,
                List.of(pred("s1", 0, CAR, 10, 0.4999999, 0.9)));
        assertAllThresholds(inside, CAR, 1.0);
        // 2 m exactly: a match only at 4 m, so no TP at the TP threshold and errors of 1.
        DetectionMetrics atTwo = evaluateRun(List.of(sample("s1")), g, List.of(pred("s1", 0, CAR, 12, 0, 0.9)));
        assertEquals(0.25, atTwo.classAp(CAR), EPS);
        assertEquals(1.0, atTwo.tpError(CAR, TpMetric.TRANS), 0);
    }

    @Test
    void classRangeIsStrictAndMeasuredFromTheEgo() {
        double[] ego = {100, 200, 1};
        SampleInfo s = sample("s1", "scene-1", ego);
        // 30-40-50 triangle: exactly 50 m from the ego, so out of car range; 49.99 m is in.
        GtBox onEdge = gt("s1", 0, CAR, 130, 240);
        GtBox inside = gt("s1", 1, CAR, 100 + 49.99, 200);
        GtBox pedOut = gt("s1", 2, PEDESTRIAN, 140, 200);
        GtBox pedIn = gt("s1", 3, PEDESTRIAN, 139.999, 200);
        List<PredBox> p = List.of(pred("s1", 0, CAR, 130, 240, 0.95), pred("s1", 1, CAR, 149.99, 200, 0.9),
                pred("s1", 2, PEDESTRIAN, 140, 200, 0.95), pred("s1", 3, PEDESTRIAN, 139.999, 200, 0.9));
        DetectionMetrics m = evaluateRun(List.of(s), List.of(onEdge, inside, pedOut, pedIn), p);
        // Out-of-range boxes are gone on both sides: no FP at the top of the list, so AP stays 1.
        assertEquals(1, m.npos(CAR));
        assertEquals(1, m.npos(PEDESTRIAN));
        assertAllThresholds(m, CAR, 1.0);
        assertAllThresholds(m, PEDESTRIAN, 1.0);
    }

    @Test
    void zeroPointGroundTruthIsDroppedButRadarPointsCount() {
        GtBox withPoints = gt("s1", 0, CAR, 10, 0);
        GtBox empty = gt("s1", 1, CAR, 20, 0, 0);
        GtBox radarOnly = new GtBox("s1", 2, "i2", null, PEDESTRIAN, new double[] {5, 0, 0.5},
                new double[] {1, 1, 1.8}, BoxGeometry.yawQuaternion(0), new double[] {0, 0}, "pedestrian.moving", 0, 3);
        List<PredBox> p = List.of(pred("s1", 0, CAR, 10, 0, 0.8), pred("s1", 1, CAR, 20, 0, 0.9),
                pred("s1", 2, PEDESTRIAN, 5, 0, 0.5));
        DetectionMetrics m = evaluateRun(List.of(sample("s1")), List.of(withPoints, empty, radarOnly), p);
        assertEquals(1, m.npos(CAR));
        assertEquals(1, m.npos(PEDESTRIAN));
        // The prediction on the empty box is now a FP ranked first: prec 0, 1/2 at rec 0, 1 -> p(r) = r / 2.
        assertAllThresholds(m, CAR, apFromPrecision(i -> (i / 100.0) / 2));
        assertAllThresholds(m, PEDESTRIAN, 1.0);
    }

    @Test
    void bicyclesAndMotorcyclesInRacksAreDroppedOnBothSides() {
        GtBox rackAlongX = rack("s1", 0, 15, 5, 0);
        GtBox rackAlongY = rack("s1", 1, 30, 0, Math.PI / 2);
        GtBox bikeInRack = gt("s1", 2, BICYCLE, 17, 5.5);
        GtBox motoInRack = gt("s1", 3, MOTORCYCLE, 30, 2.5);
        GtBox bikeOutside = gt("s1", 4, BICYCLE, 32.5, 0); // beside the turned rack, not in it
        GtBox pedInRack = gt("s1", 5, PEDESTRIAN, 15, 5);
        List<PredBox> p = List.of(pred("s1", 0, BICYCLE, 17, 5.5, 0.9), pred("s1", 1, MOTORCYCLE, 30, 2.5, 0.9),
                pred("s1", 2, BICYCLE, 32.5, 0, 0.5), pred("s1", 3, PEDESTRIAN, 15, 5, 0.5),
                pred("s1", 4, BICYCLE, 14, 4.5, 0.95)); // a stray bicycle prediction in a rack: dropped, not a FP
        DetectionMetrics m = evaluateRun(List.of(sample("s1")),
                List.of(rackAlongX, rackAlongY, bikeInRack, motoInRack, bikeOutside, pedInRack), p);
        assertEquals(1, m.npos(BICYCLE));
        assertEquals(0, m.npos(MOTORCYCLE));
        assertEquals(1, m.npos(PEDESTRIAN));
        assertAllThresholds(m, BICYCLE, 1.0);
        assertAllThresholds(m, PEDESTRIAN, 1.0);
        assertEquals(List.of(PEDESTRIAN, BICYCLE), m.presentClasses());
    }

    @Test
    void tpErrorsOfOneMatch() {
        GtBox g = new GtBox("s1", 0, "i", "vehicle.car", CAR, new double[] {10, 0, 0.5}, new double[] {2, 4, 1.5},
                BoxGeometry.yawQuaternion(0), new double[] {1, 0}, "vehicle.moving", 10, 0);
        PredBox p = new PredBox("s1", -1, 0, new double[] {10.3, 0.4, 0.9}, new double[] {2, 5, 1.5},
                BoxGeometry.yawQuaternion(0.3), new double[] {1, 1}, CAR, 0.6, "vehicle.parked");
        DetectionMetrics m = evaluateRun(List.of(sample("s1")), List.of(g), List.of(p));
        assertEquals(0.5, m.tpError(CAR, TpMetric.TRANS), EPS);
        assertEquals(1 - 12.0 / 15.0, m.tpError(CAR, TpMetric.SCALE), EPS);
        assertEquals(0.3, m.tpError(CAR, TpMetric.ORIENT), EPS);
        assertEquals(1.0, m.tpError(CAR, TpMetric.VEL), EPS);
        assertEquals(1.0, m.tpError(CAR, TpMetric.ATTR), EPS);
        assertEquals(0.0, m.ap(CAR, 0), 0); // 0.5 m away: not below the 0.5 m threshold
    }

    @Test
    void barrierOrientationWrapsAtPiAndConeHasNoOrientation() {
        GtBox barrier = new GtBox("s1", 0, "b", null, BARRIER, new double[] {5, 0, 0.5}, new double[] {2, 0.5, 1},
                BoxGeometry.yawQuaternion(0.2), null, "", 10, 0);
        PredBox p = new PredBox("s1", -1, 0, new double[] {5, 0, 0.5}, new double[] {2, 0.5, 1},
                BoxGeometry.yawQuaternion(0.2 + 3.0), null, BARRIER, 0.6, "");
        DetectionMetrics m = evaluateRun(List.of(sample("s1")), List.of(barrier), List.of(p));
        assertEquals(Math.PI - 3.0, m.tpError(BARRIER, TpMetric.ORIENT), 1e-9);
        assertTrue(Double.isNaN(m.tpError(BARRIER, TpMetric.ATTR)));
        assertTrue(Double.isNaN(m.tpError(TRAFFIC_CONE, TpMetric.ORIENT)));
    }

    /** Two TPs with translation errors 0.2 then 0.6 at scores 0.9, 0.8: the running mean, resampled by score. */
    @Test
    void tpErrorIsTheMeanOfTheCumulativeMeanCurve() {
        List<GtBox> g = List.of(gt("s1", 0, CAR, 10, 0), gt("s1", 1, CAR, 20, 0));
        List<PredBox> p = List.of(pred("s1", 0, CAR, 10.2, 0, 0.9), pred("s1", 1, CAR, 20.6, 0, 0.8));
        DetectionMetrics m = evaluateRun(List.of(sample("s1")), g, p);
        // Confidence at recall r: 0.9 up to r = 1/2, then 0.9 - 0.2 (r - 1/2). Running means 0.2, 0.4 at
        // scores 0.9, 0.8, so the error at recall r is 0.2 up to 1/2, then 0.2 + 0.4 (r - 1/2).
        double s = 0;
        for (int i = 11; i <= 100; i++) {
            double r = i / 100.0;
            s += r <= 0.5 ? 0.2 : 0.2 + 0.4 * (r - 0.5);
        }
        assertEquals(s / 90, m.tpError(CAR, TpMetric.TRANS), 1e-9);
        assertEquals(23.1 / 90, s / 90, 1e-12);
    }

    @Test
    void recallBelowElevenPointsGivesErrorOne() {
        List<GtBox> g = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            g.add(gt("s1", i, CAR, 5 + 4 * i, 0));
        }
        List<PredBox> p = List.of(pred("s1", 0, CAR, 5, 0, 0.9));
        DetectionMetrics m = evaluateRun(List.of(sample("s1")), g, p);
        // Recall reaches 0.1 only: precision 1 up to index 10, 0 beyond, so AP 0 and errors 1.
        assertEquals(0.0, m.classAp(CAR), 0);
        assertEquals(1.0, m.tpError(CAR, TpMetric.TRANS), 0);
        SampleOutcome o = new SampleMatcher(SampleMatcher.OverLimit.REJECT).match(sample("s1"), g, p);
        assertEquals(10, ClassCurve.accumulate(o.records(), 10, DetectionConfig.TP_THRESHOLD_INDEX).maxRecallIndex());
    }

    @Test
    void greedyMatchingTakesTheNearestUnmatchedBox() {
        // One GT close to two predictions; the higher score takes it, the other must look further.
        List<GtBox> g = List.of(gt("s1", 0, CAR, 10, 0), gt("s1", 1, CAR, 11.5, 0));
        List<PredBox> p = List.of(pred("s1", 0, CAR, 10.1, 0, 0.9), pred("s1", 1, CAR, 10.0, 0, 0.8));
        SampleOutcome o = new SampleMatcher(SampleMatcher.OverLimit.REJECT).match(sample("s1"), g, p);
        MatchRecord first = o.records().get(0);
        MatchRecord second = o.records().get(1);
        assertEquals(0.9, first.score(), 0);
        assertEquals(0b1111, first.tpMask());
        // Second prediction is 1.5 m from the remaining GT: a FP at 0.5 and 1, a TP at 2 and 4.
        assertEquals(0b1100, second.tpMask());
        assertEquals(1.5, second.transErr(), EPS);
        assertEquals(2, o.npos()[CAR.ordinal()]);
    }

    @Test
    void tooManyPredictionsAreRejectedOrCut() {
        List<PredBox> p = new ArrayList<>();
        for (int i = 0; i < 501; i++) {
            p.add(pred("s1", i, CAR, 5 + i * 0.01, 0, i / 1000.0));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SampleMatcher(SampleMatcher.OverLimit.REJECT).match(sample("s1"), List.of(), p));
        assertTrue(e.getMessage().contains("sample s1: 501 predicted boxes"), e.getMessage());
        SampleOutcome o = new SampleMatcher(SampleMatcher.OverLimit.KEEP_TOP_SCORES).match(sample("s1"), List.of(), p);
        assertEquals(500, o.records().size());
        assertTrue(o.records().stream().noneMatch(r -> r.score() == 0.0), "the lowest score is the one cut");
    }

    @Test
    void perSceneGroupsAndPresentClassMeans() {
        SampleInfo a = sample("a1", "scene-a", Fixtures.ORIGIN);
        SampleInfo b = sample("b1", "scene-b", Fixtures.ORIGIN);
        Map<String, List<GtBox>> g = Map.of("a1", List.of(gt("a1", 0, CAR, 10, 0)),
                "b1", List.of(gt("b1", 0, PEDESTRIAN, 5, 0)));
        Map<String, List<PredBox>> p = Map.of("a1", List.of(pred("a1", 0, CAR, 10, 0, 0.9)),
                "b1", List.of(pred("b1", 0, PEDESTRIAN, 25, 0, 0.9)));
        Map<DetectionEvaluator.GroupKey, DetectionMetrics> m = new DetectionEvaluator(SampleMatcher.OverLimit.REJECT)
                .evaluate(List.of(a, b), g, p, List.of(DetectionEvaluator.Grouping.RUN, DetectionEvaluator.Grouping.SCENE));
        DetectionMetrics sa = m.get(new DetectionEvaluator.GroupKey("scene", "scene-a"));
        DetectionMetrics sb = m.get(new DetectionEvaluator.GroupKey("scene", "scene-b"));
        DetectionMetrics run = m.get(new DetectionEvaluator.GroupKey("run", ""));
        assertEquals(1.0, sa.meanApPresentClasses(), EPS);
        assertEquals(0.1, sa.meanAp(), EPS);
        assertEquals(0.0, sb.meanApPresentClasses(), EPS);
        assertEquals(0.1, run.meanAp(), EPS); // car AP 1, pedestrian AP 0
        assertEquals(0.5, run.meanApPresentClasses(), EPS);
        assertEquals(2, run.nSamples());
        assertEquals(1, sa.nSamples());
    }

    @Test
    void predictionsOutsideTheSplitAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> evaluateRun(List.of(sample("s1")), List.of(), List.of(pred("zz", 0, CAR, 1, 1, 0.5))));
        assertTrue(e.getMessage().contains("zz"), e.getMessage());
    }
}
