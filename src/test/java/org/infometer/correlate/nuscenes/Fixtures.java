package org.infometer.correlate.nuscenes;

import java.util.ArrayList;
import java.util.List;

/** Small builders for hand-made samples: ego at a chosen position, boxes axis-aligned unless told. */
final class Fixtures {

    static final double[] ORIGIN = {0, 0, 0};

    private Fixtures() {
    }

    static SampleInfo sample(String token, String scene, double[] ego) {
        return new SampleInfo(token, scene, ego);
    }

    static SampleInfo sample(String token) {
        return sample(token, "scene-1", ORIGIN);
    }

    static GtBox gt(String sample, int index, DetectionClass c, double x, double y) {
        return gt(sample, index, c, x, y, 5);
    }

    static GtBox gt(String sample, int index, DetectionClass c, double x, double y, int lidarPts) {
        return new GtBox(sample, index, "inst-" + sample + "-" + index, null, c, new double[] {x, y, 0.5},
                new double[] {2, 4, 1.5}, BoxGeometry.yawQuaternion(0), new double[] {0, 0}, attributeOf(c),
                lidarPts, 0);
    }

    static GtBox rack(String sample, int index, double x, double y, double yaw) {
        return new GtBox(sample, index, "rack-" + index, DetectionClass.BICYCLE_RACK_CATEGORY, null,
                new double[] {x, y, 0.5}, new double[] {2, 6, 1.5}, BoxGeometry.yawQuaternion(yaw), null, "", 10, 0);
    }

    static PredBox pred(String sample, int index, DetectionClass c, double x, double y, double score) {
        return new PredBox(sample, -1, index, new double[] {x, y, 0.5}, new double[] {2, 4, 1.5},
                BoxGeometry.yawQuaternion(0), new double[] {0, 0}, c, score, attributeOf(c));
    }

    static String attributeOf(DetectionClass c) {
        return switch (c) {
            case PEDESTRIAN -> "pedestrian.standing";
            case BICYCLE, MOTORCYCLE -> "cycle.without_rider";
            case TRAFFIC_CONE, BARRIER -> "";
            default -> "vehicle.parked";
        };
    }

    /** Metrics of a single run over the given samples, as {@link DetectionEvaluator} computes them. */
    static DetectionMetrics evaluateRun(List<SampleInfo> samples, List<GtBox> gt, List<PredBox> preds) {
        java.util.Map<String, List<GtBox>> g = new java.util.HashMap<>();
        for (GtBox b : gt) {
            g.computeIfAbsent(b.sampleToken(), k -> new ArrayList<>()).add(b);
        }
        java.util.Map<String, List<PredBox>> p = new java.util.HashMap<>();
        for (PredBox b : preds) {
            p.computeIfAbsent(b.sampleToken(), k -> new ArrayList<>()).add(b);
        }
        return new DetectionEvaluator(SampleMatcher.OverLimit.REJECT)
                .evaluate(samples, g, p, List.of(DetectionEvaluator.Grouping.RUN))
                .get(new DetectionEvaluator.GroupKey("run", ""));
    }

    /** AP from precision values at recall points i = 0..100, computed plainly: mean of clipped p over i >= 11. */
    static double apFromPrecision(java.util.function.IntToDoubleFunction precisionAt) {
        double s = 0;
        for (int i = 11; i <= 100; i++) {
            s += Math.max(0, precisionAt.applyAsDouble(i) - 0.1);
        }
        return s / 90 / 0.9;
    }
}
