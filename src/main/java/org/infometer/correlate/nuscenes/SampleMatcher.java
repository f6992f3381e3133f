package org.infometer.correlate.nuscenes;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The per-sample stage of the detection evaluation: filter one sample's ground truth and predictions, then
 * match greedily by score at each distance threshold.
 *
 * <p>Usage: {@code SampleOutcome o = new SampleMatcher(OverLimit.REJECT).match(sample, gt, preds);} for each
 * (run, sample), then feed {@code o.records()} and {@code o.npos()} to the curve stage ({@link ClassCurve}).
 *
 * <p>Matching only ever pairs boxes of one sample, so it distributes by sample exactly. Rules:
 * <ul>
 *   <li>a box is kept only if its xy distance from the ego is strictly below its class range;</li>
 *   <li>ground-truth boxes with no LiDAR and no radar points are dropped;</li>
 *   <li>bicycles and motorcycles, ground truth and predicted, whose centre lies in a bicycle-rack box are
 *       dropped;</li>
 *   <li>per class and threshold, predictions in {@link MatchRecord#ORDER} each take the nearest unmatched
 *       ground-truth box of their class (first in annotation order on equal distance), a true positive if
 *       that distance is strictly below the threshold; only true positives consume a ground-truth box.</li>
 * </ul>
 */
public final class SampleMatcher implements Serializable {

    /** What to do with a sample that has more predictions than the protocol allows. */
    public enum OverLimit {
        /** Fail, naming the sample, as the devkit does. */
        REJECT,
        /** Keep the highest-scoring {@value DetectionConfig#MAX_BOXES_PER_SAMPLE} (not devkit behaviour). */
        KEEP_TOP_SCORES
    }

    private final OverLimit overLimit;

    public SampleMatcher(OverLimit overLimit) {
        this.overLimit = overLimit;
    }

    public SampleOutcome match(SampleInfo sample, List<GtBox> gt, List<PredBox> preds) {
        String token = sample.sampleToken();
        for (GtBox b : gt) {
            checkSample(token, b.sampleToken(), "ground-truth");
        }
        for (PredBox p : preds) {
            checkSample(token, p.sampleToken(), "predicted");
        }
        List<PredBox> indexed = Boxes.indexedPredictions(token, preds);
        if (indexed.size() > DetectionConfig.MAX_BOXES_PER_SAMPLE) {
            if (overLimit == OverLimit.REJECT) {
                throw new IllegalArgumentException("sample " + token + ": " + indexed.size()
                        + " predicted boxes, more than the " + DetectionConfig.MAX_BOXES_PER_SAMPLE
                        + " the protocol allows");
            }
            indexed = new ArrayList<>(indexed);
            indexed.sort(Comparator.comparingDouble(PredBox::score).reversed()
                    .thenComparing(Comparator.comparingInt(PredBox::boxIndex).reversed()));
            indexed = indexed.subList(0, DetectionConfig.MAX_BOXES_PER_SAMPLE);
        }
        List<GtBox> ordered = Boxes.orderedGroundTruth(token, gt);
        List<GtBox> racks = ordered.stream().filter(GtBox::isBicycleRack).toList();

        Map<DetectionClass, List<GtBox>> gtByClass = new EnumMap<>(DetectionClass.class);
        Map<DetectionClass, List<PredBox>> predByClass = new EnumMap<>(DetectionClass.class);
        for (DetectionClass c : DetectionClass.values()) {
            gtByClass.put(c, new ArrayList<>());
            predByClass.put(c, new ArrayList<>());
        }
        for (GtBox b : ordered) {
            if (keepGroundTruth(b, sample, racks)) {
                gtByClass.get(b.detectionClass()).add(b);
            }
        }
        for (PredBox p : indexed) {
            if (keepPrediction(p, sample, racks)) {
                predByClass.get(p.detectionClass()).add(p);
            }
        }

        long[] npos = new long[DetectionClass.values().length];
        List<MatchRecord> records = new ArrayList<>();
        for (DetectionClass c : DetectionClass.values()) {
            List<GtBox> g = gtByClass.get(c);
            npos[c.ordinal()] = g.size();
            List<PredBox> p = predByClass.get(c);
            if (!p.isEmpty()) {
                records.addAll(matchClass(c, g, p));
            }
        }
        return new SampleOutcome(token, npos, records);
    }

    /** The devkit's filters for a ground-truth box: an evaluated class, in range, with points, not in a rack. */
    public static boolean keepGroundTruth(GtBox b, SampleInfo sample, List<GtBox> racks) {
        DetectionClass c = b.detectionClass();
        return c != null
                && BoxGeometry.egoDistance(b.translation(), sample.egoTranslation()) < c.rangeMeters()
                && b.numPts() != 0
                && !(c.filteredInBikeRacks() && inAnyRack(b.translation(), racks));
    }

    /** The devkit's filters for a prediction: in range and not a bicycle or motorcycle in a rack. */
    public static boolean keepPrediction(PredBox p, SampleInfo sample, List<GtBox> racks) {
        DetectionClass c = p.detectionClass();
        return BoxGeometry.egoDistance(p.translation(), sample.egoTranslation()) < c.rangeMeters()
                && !(c.filteredInBikeRacks() && inAnyRack(p.translation(), racks));
    }

    private static boolean inAnyRack(double[] point, List<GtBox> racks) {
        for (GtBox r : racks) {
            if (BoxGeometry.pointInBox(point, r.translation(), r.size(), r.rotation())) {
                return true;
            }
        }
        return false;
    }

    private static List<MatchRecord> matchClass(DetectionClass c, List<GtBox> gt, List<PredBox> preds) {
        List<PredBox> order = new ArrayList<>(preds);
        order.sort(Comparator.comparingDouble(PredBox::score).reversed()
                .thenComparing(Comparator.comparingInt(PredBox::boxIndex).reversed()));
        int n = order.size();
        int[] mask = new int[n];
        double[][] errors = new double[n][];
        for (int t = 0; t < DetectionConfig.DIST_THRESHOLDS.length; t++) {
            double threshold = DetectionConfig.DIST_THRESHOLDS[t];
            boolean[] taken = new boolean[gt.size()];
            for (int k = 0; k < n; k++) {
                PredBox p = order.get(k);
                double minDist = Double.POSITIVE_INFINITY;
                int best = -1;
                for (int g = 0; g < gt.size(); g++) {
                    if (!taken[g]) {
                        double d = BoxGeometry.centerDistance(gt.get(g).translation(), p.translation());
                        if (d < minDist) {
                            minDist = d;
                            best = g;
                        }
                    }
                }
                if (minDist < threshold) {
                    taken[best] = true;
                    mask[k] |= 1 << t;
                    if (t == DetectionConfig.TP_THRESHOLD_INDEX) {
                        errors[k] = tpErrors(c, gt.get(best), p);
                    }
                }
            }
        }
        List<MatchRecord> out = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            PredBox p = order.get(k);
            double[] e = errors[k] != null ? errors[k]
                    : new double[] {Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN};
            out.add(new MatchRecord(c, p.score(), mask[k], p.sampleIndex(), p.sampleToken(), p.boxIndex(),
                    e[0], e[1], e[2], e[3], e[4]));
        }
        return out;
    }

    /** The five TP errors of a match, in {@link TpMetric} order. */
    static double[] tpErrors(DetectionClass c, GtBox gt, PredBox p) {
        double attr = gt.attributeName().isEmpty() ? Double.NaN
                : (gt.attributeName().equals(p.attributeName()) ? 0.0 : 1.0);
        return new double[] {
            BoxGeometry.centerDistance(gt.translation(), p.translation()),
            1 - BoxGeometry.scaleIou(gt.size(), p.size()),
            BoxGeometry.yawDiff(gt.rotation(), p.rotation(), c.yawPeriod()),
            BoxGeometry.velocityL2(gt.velocity(), p.velocity()),
            attr};
    }

    private static void checkSample(String expected, String actual, String kind) {
        if (!expected.equals(actual)) {
            throw new IllegalArgumentException("a " + kind + " box of sample " + actual
                    + " was handed to the matcher of sample " + expected);
        }
    }
}
