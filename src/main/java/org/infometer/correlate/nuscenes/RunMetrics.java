package org.infometer.correlate.nuscenes;

import java.util.Map;

/**
 * The headline figures of a devkit {@code metrics_summary.json}, or the same figures computed here
 * ({@link DetectionMetrics#toRunMetrics}).
 *
 * <p>Usage: {@code RunMetrics m = MetricsSummaryReader.read(path); m.meanAp(); m.labelAp("car", "2.0");}
 *
 * @param source file the figures came from (or a label for computed ones)
 * @param labelAps class -> threshold key ("0.5", "1.0", "2.0", "4.0") -> AP
 * @param meanDistAps class -> mean AP over thresholds; empty when the file lacks it
 * @param labelTpErrors class -> TP metric key -> error (NaN where the devkit excludes it); may be empty
 * @param tpErrors TP metric key ({@link TpMetric#key()}) -> class-mean error
 * @param tpScores TP metric key -> max(0, 1 - error); may be empty
 * @param evalTimeSeconds NaN when absent
 */
public record RunMetrics(String source, double meanAp, double ndScore, Map<String, Map<String, Double>> labelAps,
        Map<String, Double> meanDistAps, Map<String, Map<String, Double>> labelTpErrors,
        Map<String, Double> tpErrors, Map<String, Double> tpScores, double evalTimeSeconds) {

    public double labelAp(String detectionName, String thresholdKey) {
        Map<String, Double> byThreshold = labelAps.get(detectionName);
        if (byThreshold == null || !byThreshold.containsKey(thresholdKey)) {
            throw new IllegalArgumentException(source + " has no AP for " + detectionName + " at " + thresholdKey);
        }
        return byThreshold.get(thresholdKey);
    }

    public double tpError(TpMetric metric) {
        Double v = tpErrors.get(metric.key());
        if (v == null) {
            throw new IllegalArgumentException(source + " has no " + metric.key());
        }
        return v;
    }
}
