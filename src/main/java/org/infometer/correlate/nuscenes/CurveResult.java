package org.infometer.correlate.nuscenes;

import java.io.Serializable;
import java.util.Arrays;

/**
 * What the curve stage yields for one (group, class).
 *
 * <p>Usage: returned by {@link ClassCurve#evaluateSorted}; ten of them, one per class, make a
 * {@link DetectionMetrics}.
 *
 * @param ap AP at each of {@link DetectionConfig#DIST_THRESHOLDS}
 * @param tpErrors errors in {@link TpMetric} order at 2 m; NaN where the class does not report the metric
 */
public record CurveResult(DetectionClass detectionClass, long npos, double[] ap, double[] tpErrors)
        implements Serializable {

    /** A class with no ground truth in the group, or no predictions at all. */
    public static CurveResult noPredictions(DetectionClass cls, long npos) {
        return ClassCurve.evaluateSorted(cls, java.util.List.of(), npos);
    }

    /** Mean AP over the four thresholds (the devkit's {@code mean_dist_aps} entry). */
    public double meanAp() {
        return NumpyMath.mean(ap);
    }

    @Override
    public String toString() {
        return detectionClass.id() + "(npos=" + npos + ", ap=" + Arrays.toString(ap) + ", tp="
                + Arrays.toString(tpErrors) + ")";
    }
}
