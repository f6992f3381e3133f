package org.infometer.correlate.nuscenes;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.infometer.correlate.stats.SplitMix64;

/**
 * Deterministic synthetic ground truth and detections for one sample, whose accuracy follows a "quality"
 * knob: localisation error, misses, false positives, class and attribute confusion and score calibration all
 * improve as quality goes from 0 to 1.
 *
 * <p>Usage:
 * <pre>{@code
 * SyntheticDetections gen = new SyntheticDetections(datasetSeed);
 * SyntheticDetections.SyntheticSample s = gen.generate(runId, runSeed, sceneToken, sampleToken, quality, ego);
 * s.groundTruth();   // -> DetectionRows.gtRow(s.sample(), box)
 * s.predictions();   // -> DetectionRows.predictionRow(runId, box)
 * }</pre>
 *
 * <p>Every random stream is seeded from stable keys only: the ground truth from (dataset seed, sample token),
 * so all runs see the same world; the predictions from (run seed, run id, sample token). Nothing depends on
 * call order, partitioning or global random state. The ground truth mixes all ten classes at distances up to
 * 1.15x their range (so the range filter has work), gives some boxes no LiDAR or radar points, and now and
 * then places a bicycle rack holding bicycles.
 */
public final class SyntheticDetections implements Serializable {

    private static final DetectionClass[] CLASSES = DetectionClass.values();
    /** Rough share of each class among annotations, in {@link DetectionClass} order. */
    private static final double[] CLASS_WEIGHTS = {0.35, 0.07, 0.04, 0.03, 0.04, 0.2, 0.04, 0.05, 0.08, 0.1};
    /** Typical (width, length, height), metres. */
    private static final double[][] SIZES = {
        {1.9, 4.6, 1.7}, {2.5, 7.0, 3.0}, {2.9, 11.0, 3.5}, {2.9, 12.0, 3.9}, {2.8, 6.5, 3.2},
        {0.7, 0.7, 1.75}, {0.8, 2.1, 1.5}, {0.6, 1.7, 1.3}, {0.4, 0.4, 1.0}, {2.5, 0.5, 1.0}};
    /** Typical speed when moving, m/s; 0 for static classes. */
    private static final double[] SPEEDS = {8, 7, 6, 6, 2, 1.3, 7, 4, 0, 0};
    private static final double RACK_PROBABILITY = 0.15;

    private final long datasetSeed;

    public SyntheticDetections(long datasetSeed) {
        this.datasetSeed = datasetSeed;
    }

    /** One generated sample. */
    public record SyntheticSample(SampleInfo sample, List<GtBox> groundTruth, List<PredBox> predictions) {
    }

    public SyntheticSample generate(String runId, long runSeed, String sceneToken, String sampleToken, double quality,
            double[] egoTranslation) {
        SampleInfo s = new SampleInfo(sampleToken, sceneToken, egoTranslation);
        List<GtBox> gt = groundTruth(s);
        return new SyntheticSample(s, gt, predictions(runId, runSeed, s, gt, quality));
    }

    /** The sample's annotations; the same for every run. */
    public List<GtBox> groundTruth(SampleInfo sample) {
        SplitMix64 rng = new SplitMix64(SplitMix64.seed(datasetSeed, "gt", sample.sampleToken()));
        double[] ego = sample.egoTranslation();
        List<GtBox> out = new ArrayList<>();
        int n = 4 + rng.nextInt(20);
        for (int i = 0; i < n; i++) {
            DetectionClass c = CLASSES[pick(rng, CLASS_WEIGHTS)];
            double d = c.rangeMeters() * 1.15 * Math.sqrt(rng.nextDouble());
            double angle = 2 * Math.PI * rng.nextDouble();
            out.add(object(rng, sample, out.size(), c, ego[0] + d * Math.cos(angle), ego[1] + d * Math.sin(angle), d));
        }
        if (rng.nextBoolean(RACK_PROBABILITY)) {
            double d = 8 + 22 * rng.nextDouble();
            double angle = 2 * Math.PI * rng.nextDouble();
            double yaw = 2 * Math.PI * rng.nextDouble();
            double cx = ego[0] + d * Math.cos(angle);
            double cy = ego[1] + d * Math.sin(angle);
            double[] rackSize = {2.0, 6.0, 1.2};
            out.add(new GtBox(sample.sampleToken(), out.size(), token(rng), DetectionClass.BICYCLE_RACK_CATEGORY,
                    null, new double[] {cx, cy, ego[2] - 1.2}, rackSize, BoxGeometry.yawQuaternion(yaw),
                    new double[] {0, 0}, "", 40, 0));
            int bikes = 1 + rng.nextInt(3);
            for (int b = 0; b < bikes; b++) {
                // Spread along the rack's length, well inside its footprint.
                double along = (rng.nextDouble() - 0.5) * 4.5;
                double bx = cx + along * Math.cos(yaw);
                double by = cy + along * Math.sin(yaw);
                out.add(object(rng, sample, out.size(), DetectionClass.BICYCLE, bx, by, d));
            }
        }
        return out;
    }

    private static GtBox object(SplitMix64 rng, SampleInfo sample, int index, DetectionClass c, double x, double y,
            double distance) {
        double[] size = new double[3];
        for (int k = 0; k < 3; k++) {
            size[k] = SIZES[c.ordinal()][k] * (0.9 + 0.2 * rng.nextDouble());
        }
        double yaw = 2 * Math.PI * rng.nextDouble() - Math.PI;
        boolean moving = SPEEDS[c.ordinal()] > 0 && rng.nextBoolean(0.5);
        double speed = moving ? SPEEDS[c.ordinal()] * (0.5 + rng.nextDouble()) : 0;
        double[] velocity = rng.nextBoolean(0.05) ? new double[] {Double.NaN, Double.NaN}
                : new double[] {speed * Math.cos(yaw), speed * Math.sin(yaw)};
        // Far objects are often missed by the sensors entirely.
        double pZero = 0.02 + 0.25 * Math.pow(distance / c.rangeMeters(), 2);
        int lidar = rng.nextBoolean(pZero) ? 0 : 1 + (int) (3000 * size[0] * size[2] / Math.max(1, distance * distance));
        int radar = lidar > 0 && c.rangeMeters() == 50 ? rng.nextInt(4) : 0;
        double z = sample.egoTranslation()[2] - 1.8 + size[2] / 2;
        return new GtBox(sample.sampleToken(), index, token(rng), null, c, new double[] {x, y, z}, size,
                BoxGeometry.yawQuaternion(yaw), velocity, attribute(rng, c, moving, 1.0, null), lidar, radar);
    }

    /** The run's boxes for the sample: better quality, fewer misses and false positives and better scores. */
    public List<PredBox> predictions(String runId, long runSeed, SampleInfo sample, List<GtBox> gt, double quality) {
        if (!(quality >= 0 && quality <= 1)) {
            throw new IllegalArgumentException("quality must lie in [0, 1], got " + quality);
        }
        double q = quality;
        SplitMix64 rng = new SplitMix64(SplitMix64.seed(runSeed, "pred", runId, sample.sampleToken()));
        double[] ego = sample.egoTranslation();
        List<PredBox> out = new ArrayList<>();
        for (GtBox g : gt) {
            if (g.detectionClass() == null) {
                continue;
            }
            DetectionClass c = g.detectionClass();
            double d = BoxGeometry.egoDistance(g.translation(), ego);
            double rel = Math.min(1.5, d / c.rangeMeters());
            double pDetect = (0.45 + 0.5 * q) * (1 - 0.35 * rel * rel) * (g.numPts() == 0 ? 0.3 : 1.0);
            if (!rng.nextBoolean(pDetect)) {
                continue;
            }
            double sigma = (0.05 + 0.9 * (1 - q)) * (0.6 + rel);
            double ex = sigma * rng.nextGaussian();
            double ey = sigma * rng.nextGaussian();
            double locError = Math.sqrt(ex * ex + ey * ey);
            DetectionClass predicted = rng.nextBoolean(0.08 * (1 - q)) ? confusedWith(c) : c;
            double[] size = new double[3];
            for (int k = 0; k < 3; k++) {
                size[k] = g.size()[k] * Math.exp((0.03 + 0.2 * (1 - q)) * rng.nextGaussian());
            }
            double yaw = BoxGeometry.yaw(g.rotation()) + (0.05 + 0.5 * (1 - q)) * rng.nextGaussian()
                    + (rng.nextBoolean(0.1 * (1 - q)) ? Math.PI : 0);
            double vs = 0.1 + 1.0 * (1 - q);
            double[] gv = g.velocity();
            double[] velocity = {
                (Double.isNaN(gv[0]) ? 0 : gv[0]) + vs * rng.nextGaussian(),
                (Double.isNaN(gv[1]) ? 0 : gv[1]) + vs * rng.nextGaussian()};
            String attr = attribute(rng, predicted, !g.attributeName().isEmpty() && isMoving(g.attributeName()),
                    0.6 + 0.35 * q, g.attributeName());
            // Calibration: good runs score by how well they localised; poor runs add noise to the score.
            double logit = 0.5 + 2.0 * q - 1.2 * locError + (1.3 - 0.9 * q) * rng.nextGaussian();
            double[] t = {g.translation()[0] + ex, g.translation()[1] + ey, g.translation()[2] + 0.1 * rng.nextGaussian()};
            out.add(new PredBox(sample.sampleToken(), -1, -1, t, size, BoxGeometry.yawQuaternion(yaw), velocity,
                    predicted, sigmoid(logit), attr));
            if (rng.nextBoolean(0.1 * (1 - q))) {
                double[] dup = {t[0] + 0.8 * rng.nextGaussian(), t[1] + 0.8 * rng.nextGaussian(), t[2]};
                out.add(new PredBox(sample.sampleToken(), -1, -1, dup, size.clone(), BoxGeometry.yawQuaternion(yaw),
                        velocity.clone(), predicted, sigmoid(logit - 1.5), attr));
            }
        }
        int falsePositives = (int) Math.round((1 + 7 * (1 - q)) * rng.nextDouble() * 2);
        for (int i = 0; i < falsePositives; i++) {
            DetectionClass c = CLASSES[pick(rng, CLASS_WEIGHTS)];
            double d = c.rangeMeters() * Math.sqrt(rng.nextDouble());
            double angle = 2 * Math.PI * rng.nextDouble();
            double[] size = SIZES[c.ordinal()].clone();
            double yaw = 2 * Math.PI * rng.nextDouble() - Math.PI;
            out.add(new PredBox(sample.sampleToken(), -1, -1,
                    new double[] {ego[0] + d * Math.cos(angle), ego[1] + d * Math.sin(angle), ego[2] - 1.0}, size,
                    BoxGeometry.yawQuaternion(yaw), new double[] {0, 0}, c,
                    sigmoid(-1.0 - 1.5 * q + rng.nextGaussian()), attribute(rng, c, false, 0, null)));
        }
        // Detectors emit boxes by descending score; cap at the protocol's limit.
        out.sort(Comparator.comparingDouble(PredBox::score).reversed());
        List<PredBox> indexed = new ArrayList<>();
        for (int i = 0; i < Math.min(out.size(), DetectionConfig.MAX_BOXES_PER_SAMPLE); i++) {
            indexed.add(out.get(i).withIndices(-1, i));
        }
        return indexed;
    }

    private static DetectionClass confusedWith(DetectionClass c) {
        return switch (c) {
            case CAR -> DetectionClass.TRUCK;
            case TRUCK -> DetectionClass.CAR;
            case BUS -> DetectionClass.TRUCK;
            case TRAILER -> DetectionClass.TRUCK;
            case CONSTRUCTION_VEHICLE -> DetectionClass.TRUCK;
            case PEDESTRIAN -> DetectionClass.PEDESTRIAN;
            case MOTORCYCLE -> DetectionClass.BICYCLE;
            case BICYCLE -> DetectionClass.MOTORCYCLE;
            case TRAFFIC_CONE -> DetectionClass.BARRIER;
            case BARRIER -> DetectionClass.TRAFFIC_CONE;
        };
    }

    private static boolean isMoving(String attribute) {
        return attribute.endsWith(".moving") || attribute.equals("cycle.with_rider");
    }

    /** An attribute for the class: the given one with probability {@code pCorrect}, else one drawn by motion. */
    private static String attribute(SplitMix64 rng, DetectionClass c, boolean moving, double pCorrect, String truth) {
        if (truth != null && !truth.isEmpty() && attributeFits(c, truth) && rng.nextBoolean(pCorrect)) {
            return truth;
        }
        return switch (c) {
            case CAR, TRUCK, BUS, TRAILER, CONSTRUCTION_VEHICLE -> moving ? "vehicle.moving"
                    : (rng.nextBoolean(0.7) ? "vehicle.parked" : "vehicle.stopped");
            case PEDESTRIAN -> moving ? "pedestrian.moving"
                    : (rng.nextBoolean(0.85) ? "pedestrian.standing" : "pedestrian.sitting_lying_down");
            case MOTORCYCLE, BICYCLE -> moving || rng.nextBoolean(0.3) ? "cycle.with_rider" : "cycle.without_rider";
            case TRAFFIC_CONE, BARRIER -> "";
        };
    }

    private static boolean attributeFits(DetectionClass c, String attribute) {
        return switch (c) {
            case PEDESTRIAN -> attribute.startsWith("pedestrian.");
            case MOTORCYCLE, BICYCLE -> attribute.startsWith("cycle.");
            case TRAFFIC_CONE, BARRIER -> false;
            default -> attribute.startsWith("vehicle.");
        };
    }

    private static int pick(SplitMix64 rng, double[] weights) {
        double total = 0;
        for (double w : weights) {
            total += w;
        }
        double u = rng.nextDouble() * total;
        for (int i = 0; i < weights.length; i++) {
            u -= weights[i];
            if (u < 0) {
                return i;
            }
        }
        return weights.length - 1;
    }

    private static String token(SplitMix64 rng) {
        return String.format(Locale.ROOT, "%016x%016x", rng.nextLong(), rng.nextLong());
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }
}
