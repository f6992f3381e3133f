package org.infometer.correlate.nuscenes;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * mAP, TP errors and NDS of one group (a run, a scene, ...), assembled from the curve results of the ten
 * classes.
 *
 * <p>Usage: {@code DetectionMetrics m = DetectionMetrics.assemble(curveResultsByClass, nSamples);} then
 * {@link #meanAp()} and {@link #nds()} (devkit definition, all ten classes) or
 * {@link #meanApPresentClasses()} and {@link #ndsPresentClasses()} (classes with ground truth in the group).
 *
 * <p>The devkit averages over all ten classes, so a class absent from a group scores AP 0 and TP errors 1:
 * right for a whole split, misleading for one scene. The present-class figures average over classes with
 * npos &gt; 0 only; a TP metric that none of the present classes reports (a scene with only traffic cones
 * has no orientation error) drops out of that NDS, whose denominator shrinks with it.
 */
public final class DetectionMetrics implements Serializable {

    private final CurveResult[] classes;
    private final long nSamples;

    private DetectionMetrics(CurveResult[] classes, long nSamples) {
        this.classes = classes;
        this.nSamples = nSamples;
    }

    /** Classes missing from the map get the "no predictions" result with npos 0. */
    public static DetectionMetrics assemble(Map<DetectionClass, CurveResult> byClass, long nSamples) {
        CurveResult[] all = new CurveResult[DetectionClass.values().length];
        for (DetectionClass c : DetectionClass.values()) {
            CurveResult r = byClass.get(c);
            all[c.ordinal()] = r != null ? r : CurveResult.noPredictions(c, 0);
        }
        return new DetectionMetrics(all, nSamples);
    }

    public long nSamples() {
        return nSamples;
    }

    public CurveResult curve(DetectionClass c) {
        return classes[c.ordinal()];
    }

    public long npos(DetectionClass c) {
        return classes[c.ordinal()].npos();
    }

    public double ap(DetectionClass c, int thresholdIndex) {
        return classes[c.ordinal()].ap()[thresholdIndex];
    }

    /** Mean AP of a class over the four thresholds. */
    public double classAp(DetectionClass c) {
        return classes[c.ordinal()].meanAp();
    }

    public double tpError(DetectionClass c, TpMetric m) {
        return classes[c.ordinal()].tpErrors()[m.ordinal()];
    }

    public List<DetectionClass> presentClasses() {
        List<DetectionClass> out = new ArrayList<>();
        for (DetectionClass c : DetectionClass.values()) {
            if (npos(c) > 0) {
                out.add(c);
            }
        }
        return out;
    }

    public int nClassesPresent() {
        return presentClasses().size();
    }

    /** The devkit's mAP: mean over all ten classes of the mean over thresholds. */
    public double meanAp() {
        return meanAp(List.of(DetectionClass.values()));
    }

    /** The devkit's class-mean TP errors (nan-mean over the ten classes), in {@link TpMetric} order. */
    public double[] tpErrors() {
        return tpErrors(List.of(DetectionClass.values()));
    }

    /** The devkit's NDS. */
    public double nds() {
        double[] scores = tpScores(tpErrors());
        return (DetectionConfig.MEAN_AP_WEIGHT * meanAp() + NumpyMath.sum(scores, 0, scores.length))
                / (DetectionConfig.MEAN_AP_WEIGHT + scores.length);
    }

    /** mAP over the classes with ground truth in this group; NaN when there are none. */
    public double meanApPresentClasses() {
        return meanAp(presentClasses());
    }

    /** Class-mean TP errors over the classes present; NaN where none of them reports the metric. */
    public double[] tpErrorsPresentClasses() {
        return tpErrors(presentClasses());
    }

    /** NDS over the classes present, leaving out TP metrics that none of them reports; NaN with none present. */
    public double ndsPresentClasses() {
        List<DetectionClass> present = presentClasses();
        if (present.isEmpty()) {
            return Double.NaN;
        }
        double[] defined = Arrays.stream(tpScores(tpErrors(present))).filter(d -> !Double.isNaN(d)).toArray();
        return (DetectionConfig.MEAN_AP_WEIGHT * meanAp(present) + NumpyMath.sum(defined, 0, defined.length))
                / (DetectionConfig.MEAN_AP_WEIGHT + defined.length);
    }

    private double meanAp(List<DetectionClass> set) {
        double[] aps = set.stream().mapToDouble(this::classAp).toArray();
        return aps.length == 0 ? Double.NaN : NumpyMath.mean(aps);
    }

    private double[] tpErrors(List<DetectionClass> set) {
        double[] out = new double[TpMetric.values().length];
        for (TpMetric m : TpMetric.values()) {
            double[] v = set.stream().mapToDouble(c -> tpError(c, m)).toArray();
            out[m.ordinal()] = NumpyMath.nanmean(v);
        }
        return out;
    }

    /** 1 - error bounded below by 0; NaN stays NaN. */
    private static double[] tpScores(double[] errors) {
        double[] s = new double[errors.length];
        for (int i = 0; i < errors.length; i++) {
            s[i] = Double.isNaN(errors[i]) ? Double.NaN : Math.max(0.0, 1.0 - errors[i]);
        }
        return s;
    }

    /** The same figures in the shape of a devkit {@code metrics_summary.json}, for side-by-side comparison. */
    public RunMetrics toRunMetrics(String source) {
        Map<String, Map<String, Double>> labelAps = new LinkedHashMap<>();
        Map<String, Double> meanDistAps = new LinkedHashMap<>();
        Map<String, Map<String, Double>> labelTp = new LinkedHashMap<>();
        for (DetectionClass c : DetectionClass.values()) {
            Map<String, Double> aps = new LinkedHashMap<>();
            for (int t = 0; t < DetectionConfig.DIST_THRESHOLDS.length; t++) {
                aps.put(DetectionConfig.DIST_THRESHOLD_KEYS[t], ap(c, t));
            }
            labelAps.put(c.id(), aps);
            meanDistAps.put(c.id(), classAp(c));
            Map<String, Double> tp = new LinkedHashMap<>();
            for (TpMetric m : TpMetric.values()) {
                tp.put(m.key(), tpError(c, m));
            }
            labelTp.put(c.id(), tp);
        }
        Map<String, Double> tpErrors = new LinkedHashMap<>();
        Map<String, Double> tpScores = new LinkedHashMap<>();
        double[] e = tpErrors();
        for (TpMetric m : TpMetric.values()) {
            tpErrors.put(m.key(), e[m.ordinal()]);
            tpScores.put(m.key(), Math.max(0.0, 1.0 - e[m.ordinal()]));
        }
        return new RunMetrics(source, meanAp(), nds(), labelAps, meanDistAps, labelTp, tpErrors, tpScores,
                Double.NaN);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "mAP=%.4f NDS=%.4f (present classes %d: mAP=%.4f NDS=%.4f), %d samples",
                meanAp(), nds(), nClassesPresent(), meanApPresentClasses(), ndsPresentClasses(), nSamples);
    }
}
