package org.infometer.correlate.nuscenes;

/**
 * The five true-positive error metrics, in the devkit's order, with their summary-file keys and column names.
 *
 * <p>Usage: {@code metrics.tpError(cls, TpMetric.TRANS)}; {@code TpMetric.fromKey("orient_err")}.
 */
public enum TpMetric {
    /** Average translation error: xy centre distance, metres. */
    TRANS("trans_err", "mate_m"),
    /** Average scale error: 1 - IoU after aligning centre and yaw. */
    SCALE("scale_err", "mase"),
    /** Average orientation error: smallest yaw difference, radians. */
    ORIENT("orient_err", "maoe_rad"),
    /** Average velocity error: xy velocity L2 difference, m/s. */
    VEL("vel_err", "mave_m_s"),
    /** Average attribute error: 1 - attribute accuracy. */
    ATTR("attr_err", "maae");

    private final String key;
    private final String column;

    TpMetric(String key, String column) {
        this.key = key;
        this.column = column;
    }

    /** Key in {@code metrics_summary.json} ({@code tp_errors}, {@code label_tp_errors}). */
    public String key() {
        return key;
    }

    /** Column of the class-mean error in run_metrics / scene_accuracy. */
    public String column() {
        return column;
    }

    public static TpMetric fromKey(String key) {
        for (TpMetric m : values()) {
            if (m.key.equals(key)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown TP metric '" + key + "'");
    }
}
