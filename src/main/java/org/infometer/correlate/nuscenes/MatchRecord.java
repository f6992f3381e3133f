package org.infometer.correlate.nuscenes;

import java.io.Serializable;
import java.util.Comparator;

/**
 * The outcome of one prediction after matching in its sample, at all four distance thresholds at once
 * (matching differs per threshold, the score order does not, so one record serves the four curves).
 *
 * <p>Usage: produced by {@link SampleMatcher#match}; gathered per (group, class), sorted by {@link #ORDER}
 * and handed to {@link ClassCurve}.
 *
 * @param tpMask bit t set when the prediction is a true positive at {@code DIST_THRESHOLDS[t]}
 * @param transErr ATE of the match at 2 m, NaN unless a true positive there; likewise the other errors
 *     ({@code orientErr} already uses the class's yaw period, {@code attrErr} is NaN when the ground truth
 *     has no attribute)
 */
public record MatchRecord(DetectionClass detectionClass, double score, int tpMask, int sampleIndex,
        String sampleToken, int boxIndex, double transErr, double scaleErr, double orientErr, double velErr,
        double attrErr) implements Serializable {

    /**
     * Curve order: score descending; exact ties as the devkit breaks them (later in the submission first),
     * that is sample index, then sample token, then box index, all descending. With sample indices absent
     * (-1) ties across samples fall to the token, which is deterministic but may differ from the devkit's
     * file order.
     */
    public static final Comparator<MatchRecord> ORDER = Comparator.comparingDouble(MatchRecord::score).reversed()
            .thenComparing(Comparator.comparingInt(MatchRecord::sampleIndex).reversed())
            .thenComparing(Comparator.comparing(MatchRecord::sampleToken).reversed())
            .thenComparing(Comparator.comparingInt(MatchRecord::boxIndex).reversed());

    public boolean isTp(int thresholdIndex) {
        return (tpMask & (1 << thresholdIndex)) != 0;
    }

    public double tpError(TpMetric metric) {
        return switch (metric) {
            case TRANS -> transErr;
            case SCALE -> scaleErr;
            case ORIENT -> orientErr;
            case VEL -> velErr;
            case ATTR -> attrErr;
        };
    }
}
