package org.infometer.correlate.nuscenes;

import java.io.Serializable;

/**
 * One ground-truth annotation of a sample. Bicycle racks are carried too (with a null class) because they
 * decide which bicycles and motorcycles are evaluated.
 *
 * @param boxIndex position of the annotation in the sample's annotation list; ties in distance go to the
 *     lower index, as the devkit scans annotations in that order. -1 when unknown (an order by content is
 *     then used)
 * @param categoryName raw nuScenes category, e.g. {@code vehicle.car}; may be null when {@code detectionClass}
 *     is given
 * @param detectionClass evaluated class, null for categories that are not evaluated (racks included)
 * @param velocity (vx, vy) m/s; NaN components when unknown
 * @param attributeName the annotation's attribute, "" when it has none (the attribute error is then NaN)
 */
public record GtBox(String sampleToken, int boxIndex, String instanceToken, String categoryName,
        DetectionClass detectionClass, double[] translation, double[] size, double[] rotation, double[] velocity,
        String attributeName, int numLidarPts, int numRadarPts) implements Serializable {

    public GtBox {
        String where = "ground-truth box " + boxIndex + " of sample " + sampleToken;
        Boxes.checkGeometry(where, translation, size, rotation);
        velocity = Boxes.checkedVelocity(where, velocity);
        attributeName = Boxes.checkedAttribute(where, attributeName);
    }

    /** LiDAR plus radar points; boxes with none are not evaluated. */
    public int numPts() {
        return numLidarPts + numRadarPts;
    }

    public boolean isBicycleRack() {
        return DetectionClass.BICYCLE_RACK_CATEGORY.equals(categoryName);
    }
}
