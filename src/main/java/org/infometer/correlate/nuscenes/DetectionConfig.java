package org.infometer.correlate.nuscenes;

/**
 * Constants of the devkit configuration {@code detection_cvpr_2019}; class ranges live on
 * {@link DetectionClass}.
 *
 * <p>Usage: {@code DetectionConfig.DIST_THRESHOLDS[t]}; {@code thresholdIndex(2.0)} gives the index of a threshold.
 */
public final class DetectionConfig {

    public static final String NAME = "detection_cvpr_2019";

    /** Matching thresholds on xy centre distance, metres; a match needs distance strictly below. */
    public static final double[] DIST_THRESHOLDS = {0.5, 1.0, 2.0, 4.0};

    /** Keys of the thresholds in {@code metrics_summary.json} (Python's str of the float). */
    public static final String[] DIST_THRESHOLD_KEYS = {"0.5", "1.0", "2.0", "4.0"};

    /** Index into {@link #DIST_THRESHOLDS} of the threshold whose matches give the TP errors (2 m). */
    public static final int TP_THRESHOLD_INDEX = 2;

    public static final double MIN_RECALL = 0.1;

    public static final double MIN_PRECISION = 0.1;

    /** Recall points 0, 0.01, ..., 1. */
    public static final int RECALL_POINTS = 101;

    public static final int MAX_BOXES_PER_SAMPLE = 500;

    /** Weight of mAP in NDS against one unit per TP score. */
    public static final double MEAN_AP_WEIGHT = 5;

    /** First recall index used by AP and TP metrics: round(100 * min_recall) + 1 (the bin at min recall is excluded). */
    static final int FIRST_RECALL_INDEX = (int) Math.round(100 * MIN_RECALL) + 1;

    private DetectionConfig() {
    }

    public static int thresholdIndex(double threshold) {
        for (int i = 0; i < DIST_THRESHOLDS.length; i++) {
            if (DIST_THRESHOLDS[i] == threshold) {
                return i;
            }
        }
        throw new IllegalArgumentException("no distance threshold " + threshold + " in " + NAME);
    }
}
