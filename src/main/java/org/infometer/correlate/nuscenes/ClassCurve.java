package org.infometer.correlate.nuscenes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The curve stage of the detection evaluation: from all match records of one (group, class), in
 * {@link MatchRecord#ORDER}, and the group's ground-truth count, the AP at each distance threshold and the
 * TP errors at 2 m.
 *
 * <p>Usage: {@code CurveResult r = ClassCurve.evaluateSorted(cls, sortedRecords, npos);} or, to look at the
 * curves themselves, {@link #accumulate} then {@link #calcAp} and {@link #calcTp}.
 *
 * <p>Follows the devkit step by step: precision and recall after each prediction, resampled at 101 recall
 * points with numpy interp semantics (no precision envelope), confidence resampled the same way, TP errors as
 * running means over the true positives resampled by confidence. No ground truth, or no true positive, gives
 * the "no predictions" curve: precision 0 everywhere and TP errors 1.
 */
public final class ClassCurve {

    private ClassCurve() {
    }

    /**
     * Resampled curves of one (class, threshold), as the devkit's metric data.
     *
     * @param tpCurves per {@link TpMetric}, the error at each recall point; null unless the threshold is 2 m
     */
    public record MetricData(double[] recall, double[] precision, double[] confidence, double[][] tpCurves) {

        /** Last recall index with non-zero confidence: the highest recall the predictions reach; 0 if none. */
        public int maxRecallIndex() {
            for (int i = confidence.length - 1; i >= 0; i--) {
                if (confidence[i] != 0) {
                    return i;
                }
            }
            return 0;
        }
    }

    public static MetricData noPredictions() {
        double[][] tp = new double[TpMetric.values().length][DetectionConfig.RECALL_POINTS];
        for (double[] row : tp) {
            Arrays.fill(row, 1.0);
        }
        return new MetricData(NumpyMath.linspace01(DetectionConfig.RECALL_POINTS),
                new double[DetectionConfig.RECALL_POINTS], new double[DetectionConfig.RECALL_POINTS], tp);
    }

    /** Sorts a copy of the records, then {@link #evaluateSorted}. */
    public static CurveResult evaluate(DetectionClass cls, List<MatchRecord> records, long npos) {
        List<MatchRecord> sorted = new ArrayList<>(records);
        sorted.sort(MatchRecord.ORDER);
        return evaluateSorted(cls, sorted, npos);
    }

    /**
     * AP at the four thresholds and the five TP errors (NaN where the class does not report a metric).
     *
     * @throws IllegalArgumentException when the records are not in {@link MatchRecord#ORDER} or of another class
     */
    public static CurveResult evaluateSorted(DetectionClass cls, List<MatchRecord> sorted, long npos) {
        for (int i = 0; i < sorted.size(); i++) {
            MatchRecord r = sorted.get(i);
            if (r.detectionClass() != cls) {
                throw new IllegalArgumentException("a " + r.detectionClass().id() + " record in the " + cls.id()
                        + " curve");
            }
            if (i > 0 && MatchRecord.ORDER.compare(sorted.get(i - 1), r) > 0) {
                throw new IllegalArgumentException("match records of " + cls.id() + " are not in curve order at "
                        + i);
            }
        }
        double[] ap = new double[DetectionConfig.DIST_THRESHOLDS.length];
        double[] tp = new double[TpMetric.values().length];
        for (int t = 0; t < ap.length; t++) {
            MetricData md = accumulate(sorted, npos, t);
            ap[t] = calcAp(md);
            if (t == DetectionConfig.TP_THRESHOLD_INDEX) {
                for (TpMetric m : TpMetric.values()) {
                    tp[m.ordinal()] = cls.hasTpMetric(m) ? calcTp(md, m) : Double.NaN;
                }
            }
        }
        return new CurveResult(cls, npos, ap, tp);
    }

    /** The resampled precision, confidence and (at 2 m) TP-error curves of one threshold. */
    public static MetricData accumulate(List<MatchRecord> sorted, long npos, int thresholdIndex) {
        if (npos == 0) {
            return noPredictions();
        }
        int n = sorted.size();
        double[] prec = new double[n];
        double[] rec = new double[n];
        double[] conf = new double[n];
        boolean wantTp = thresholdIndex == DetectionConfig.TP_THRESHOLD_INDEX;
        int metrics = TpMetric.values().length;
        double[][] tpValues = new double[metrics][n];
        double[] tpConf = new double[n];
        int tpCount = 0;
        double cumTp = 0;
        double cumFp = 0;
        for (int i = 0; i < n; i++) {
            MatchRecord r = sorted.get(i);
            if (r.isTp(thresholdIndex)) {
                cumTp++;
                if (wantTp) {
                    for (TpMetric m : TpMetric.values()) {
                        tpValues[m.ordinal()][tpCount] = r.tpError(m);
                    }
                }
                tpConf[tpCount++] = r.score();
            } else {
                cumFp++;
            }
            prec[i] = cumTp / (cumFp + cumTp);
            rec[i] = cumTp / (double) npos;
            conf[i] = r.score();
        }
        if (tpCount == 0) {
            return noPredictions();
        }
        double[] recallPoints = NumpyMath.linspace01(DetectionConfig.RECALL_POINTS);
        double[] precI = NumpyMath.interp(recallPoints, rec, prec, prec[0], 0.0);
        double[] confI = NumpyMath.interp(recallPoints, rec, conf, conf[0], 0.0);
        double[][] curves = null;
        if (wantTp) {
            curves = new double[metrics][];
            // Interpolate running means against TP confidences; numpy needs ascending xp, hence the reversals.
            double[] confAsc = NumpyMath.reversed(confI);
            double[] tpConfAsc = NumpyMath.reversed(Arrays.copyOf(tpConf, tpCount));
            for (TpMetric m : TpMetric.values()) {
                double[] runningMean = NumpyMath.cummean(Arrays.copyOf(tpValues[m.ordinal()], tpCount));
                double[] meanAsc = NumpyMath.reversed(runningMean);
                curves[m.ordinal()] = NumpyMath.reversed(
                        NumpyMath.interp(confAsc, tpConfAsc, meanAsc, meanAsc[0], meanAsc[meanAsc.length - 1]));
            }
        }
        return new MetricData(recallPoints, precI, confI, curves);
    }

    /** Mean over recall points 11..100 of max(0, p - min_precision) / (1 - min_precision). */
    public static double calcAp(MetricData md) {
        int from = DetectionConfig.FIRST_RECALL_INDEX;
        double[] p = Arrays.copyOfRange(md.precision(), from, md.precision().length);
        for (int i = 0; i < p.length; i++) {
            p[i] -= DetectionConfig.MIN_PRECISION;
            if (p[i] < 0) {
                p[i] = 0;
            }
        }
        return NumpyMath.mean(p) / (1.0 - DetectionConfig.MIN_PRECISION);
    }

    /** Mean of the error curve over recall indices 11..max recall index; 1 when the recall never reaches 11. */
    public static double calcTp(MetricData md, TpMetric metric) {
        int first = DetectionConfig.FIRST_RECALL_INDEX;
        int last = md.maxRecallIndex();
        if (last < first) {
            return 1.0;
        }
        return NumpyMath.mean(md.tpCurves()[metric.ordinal()], first, last + 1);
    }
}
